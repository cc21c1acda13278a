// Views of warm (index files) and hot (in-memory index) buckets.
#include "core/search/bucket_view.hpp"

#include <algorithm>

#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_name.hpp"
#include "core/bucket/bucket_ops.hpp"
#include "core/bucket/bucket_reader.hpp"

namespace kura::search {
namespace {

/// A bucket's identity, the same on every copy and in every state:
/// `<index>~<localid>~<origin guid>` (product.md §7), or `<index>~<localid>`
/// when not clustered. `origin` is used when the name carries no guid (hot).
std::string view_key(const std::string& index, const io::fs::path& dir,
                     const std::string& origin = {}) {
  auto name = bucket_name::parse(dir.filename().string());
  if (!name) return index + "~" + dir.filename().string();
  const std::string& guid = name->guid.empty() ? origin : name->guid;
  return index + "~" + std::to_string(name->id.value) + (guid.empty() ? "" : "~" + guid);
}

class warm_view final : public bucket_view {
 public:
  warm_view(bucket_reader r, std::string index, Roaring deleted)
      : reader_(std::move(r)),
        index_(std::move(index)),
        key_(view_key(index_, reader_.dir())),
        deleted_(std::move(deleted)) {}

  const std::string& index() const override { return index_; }
  const std::string& key() const override { return key_; }
  const io::fs::path& dir() const override { return reader_.dir(); }
  uint64_t events() const override { return reader_.manifest().events; }
  time_us min_time() const override { return reader_.manifest().min_time; }
  time_us max_time() const override { return reader_.manifest().max_time; }
  bool may_contain(std::string_view term) const override { return reader_.may_contain(term); }
  result<Roaring> postings(std::string_view term) const override { return reader_.postings(term); }
  result<Roaring> rare_term_events(std::string_view term) const override {
    return reader_.rare_term_events(term);
  }
  bool may_leave_out(std::string_view glob) const override { return reader_.may_leave_out(glob); }
  result<std::vector<std::string>> terms_with_prefix(std::string_view prefix) const override {
    return reader_.terms_with_prefix(prefix);
  }
  result<Roaring> in_time_range(time_us e, time_us l) const override {
    return reader_.in_time_range(e, l);
  }
  result<std::vector<time_us>> times(const Roaring& o) const override { return reader_.times(o); }
  error read_events(const Roaring& o,
                    const std::function<void(uint64_t, const event_view&)>& fn) const override {
    return reader_.read_events(o, fn);
  }
  error read_events(const Roaring& o, const std::function<void(std::string_view)>& on_slice,
                    const std::function<void(uint64_t, const event_view&)>& fn) const override {
    return reader_.read_events(o, on_slice, fn);
  }
  std::vector<std::string> metadata_values(std::string_view field) const override {
    auto& m = reader_.manifest();
    auto& list = field == "host" ? m.hosts : field == "source" ? m.sources : m.sourcetypes;
    std::vector<std::string> out;
    for (auto& [v, _] : list) out.push_back(v);
    return out;
  }
  const Roaring& deleted() const override { return deleted_; }

 private:
  bucket_reader reader_;
  std::string index_, key_;
  Roaring deleted_;
};

class hot_view final : public bucket_view {
 public:
  hot_view(const hot_bucket& hot, std::string index, const std::string& origin,
           io::mapped_file journal, Roaring deleted)
      : hot_(hot),
        index_(std::move(index)),
        key_(view_key(index_, hot.dir(), origin)),
        journal_(std::move(journal)),
        deleted_(std::move(deleted)) {
    for (auto& s : hot.slices()) events_ += s.events;
    auto& times = hot.index().times();
    for (uint64_t i = 0; i < events_; ++i) {
      min_ = i == 0 ? times[i] : std::min(min_, times[i]);
      max_ = i == 0 ? times[i] : std::max(max_, times[i]);
    }
  }

  const std::string& index() const override { return index_; }
  const std::string& key() const override { return key_; }
  const io::fs::path& dir() const override { return hot_.dir(); }
  uint64_t events() const override { return events_; }
  time_us min_time() const override { return min_; }
  time_us max_time() const override { return max_; }
  bool may_contain(std::string_view) const override { return true; }
  result<Roaring> postings(std::string_view term) const override {
    auto p = hot_.index().postings(term);
    if (!p.isEmpty() && p.maximum() >= events_) {
      Roaring visible;
      visible.addRange(0, events_);
      p &= visible;  // events appended after the last written slice are not readable yet
    }
    return p;
  }
  result<std::vector<std::string>> terms_with_prefix(std::string_view prefix) const override {
    std::vector<std::string> out;
    hot_.index().for_each_term([&](std::string_view t) {
      if (t.substr(0, prefix.size()) == prefix) out.emplace_back(t);
    });
    std::sort(out.begin(), out.end());
    return out;
  }
  result<Roaring> in_time_range(time_us e, time_us l) const override {
    Roaring out;
    auto& times = hot_.index().times();
    for (uint64_t i = 0; i < events_; ++i)
      if (times[i] >= e && times[i] < l) out.add(uint32_t(i));
    return out;
  }
  result<std::vector<time_us>> times(const Roaring& o) const override {
    std::vector<time_us> out;
    auto& times = hot_.index().times();
    for (uint32_t i : o) {
      if (i >= events_) return error{errc::invalid_argument, "ordinal out of range"};
      out.push_back(times[i]);
    }
    return out;
  }
  error read_events(const Roaring& o,
                    const std::function<void(uint64_t, const event_view&)>& fn) const override {
    return read_events(
        o, [](std::string_view) {}, fn);
  }
  error read_events(const Roaring& o, const std::function<void(std::string_view)>& on_slice,
                    const std::function<void(uint64_t, const event_view&)>& fn) const override {
    slice_scratch scratch;  // decode_slice decodes a slice here
    auto it = o.begin();
    for (auto slice : hot_.slices()) {
      if (it == o.end()) break;
      uint64_t end = slice.first_ordinal + slice.events;
      if (*it >= end) continue;
      bool first = true;
      auto err =
          decode_slice(journal_.bytes(), slice, scratch, [&](uint64_t ord, const event_view& ev) {
            if (first) on_slice(scratch.text);
            first = false;
            if (it != o.end() && *it == ord) {
              fn(ord, ev);
              ++it;
            }
          });
      if (err) return err;
    }
    return {};
  }
  std::vector<std::string> metadata_values(std::string_view field) const override {
    return hot_.index().metadata_values(field);
  }
  const Roaring& deleted() const override { return deleted_; }

 private:
  const hot_bucket& hot_;
  std::string index_, key_;
  io::mapped_file journal_;
  Roaring deleted_;
  uint64_t events_ = 0;
  time_us min_ = 0, max_ = 0;
};

}  // namespace

result<std::unique_ptr<bucket_view>> open_bucket_view(const io::fs::path& dir, std::string index) {
  auto reader = bucket_reader::open(dir);
  if (!reader) return reader.err();
  auto deleted = read_deletes(dir);
  if (!deleted) return deleted.err();
  return std::unique_ptr<bucket_view>{
      new warm_view(std::move(*reader), std::move(index), std::move(*deleted))};
}

result<std::unique_ptr<bucket_view>> hot_bucket_view(const hot_bucket& hot, std::string index,
                                                     const std::string& origin) {
  auto journal =
      io::mapped_file::open(hot.dir() / bucket_files::rawdata_dir / bucket_files::journal);
  if (!journal) return journal.err();
  auto deleted = read_deletes(hot.dir());
  if (!deleted) return deleted.err();
  return std::unique_ptr<bucket_view>{
      new hot_view(hot, std::move(index), origin, std::move(*journal), std::move(*deleted))};
}

}  // namespace kura::search
