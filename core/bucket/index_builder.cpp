// Term table, metadata counting and the writers of index.tsidx, bloomfilter and
// bucket.manifest. See FORMAT.md.
#include "core/bucket/index_builder.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "bucket_manifest_generated.h"
#include "core/bucket/bloom_filter.hpp"
#include "core/bucket/bucket_files.hpp"
#include "core/bucket/tsidx_format.hpp"
#include "core/text/segmenter.hpp"
#include "core/util/coding.hpp"
#include "core/util/hash.hpp"
#include "tsidx_footer_generated.h"

namespace kura {

namespace tf = tsidx_format;

size_t index_builder::probe(std::string_view term, uint64_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    auto& s = slots_[i];
    if (s.id == no_term || (s.hash == hash && terms_[s.id] == term)) return i;
  }
}

void index_builder::grow_slots() {
  std::vector<slot> old(slots_.size() * 2);
  old.swap(slots_);
  size_t mask = slots_.size() - 1;
  for (auto& s : old) {
    if (s.id == no_term) continue;
    size_t i = s.hash & mask;
    while (slots_[i].id != no_term) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

index_builder::index_builder() = default;
index_builder::~index_builder() = default;
index_builder::index_builder(index_builder&&) noexcept = default;
index_builder& index_builder::operator=(index_builder&&) noexcept = default;

uint32_t index_builder::term_id(std::string_view term) {
  uint64_t hash = XXH3_64bits(term.data(), term.size());
  size_t at = probe(term, hash);
  if (slots_[at].id != no_term) return slots_[at].id;
  if (arena_left_ < term.size()) {
    size_t chunk = std::max<size_t>(1 << 20, term.size());
    arena_.push_back(std::make_unique<char[]>(chunk));
    arena_pos_ = arena_.back().get();
    arena_left_ = chunk;
  }
  std::memcpy(arena_pos_, term.data(), term.size());
  std::string_view stored{arena_pos_, term.size()};
  arena_pos_ += term.size();
  arena_left_ -= term.size();
  auto id = uint32_t(terms_.size());
  terms_.push_back(stored);
  postings_.emplace_back();
  last_post_.push_back(0);
  slots_[at] = {hash, id};
  if (terms_.size() * 10 > slots_.size() * 7) grow_slots();
  return id;
}

void index_builder::post(uint32_t term, uint32_t ordinal) {
  if (last_post_[term] == ordinal + 1) return;  // already posted for this event
  last_post_[term] = ordinal + 1;
  postings_[term].push_back(ordinal);
}

std::string field_term(std::string_view key, std::string_view value) {
  std::string term{key};
  term += tf::field_separator;
  for (char c : value) term += segmenter::lower(c);
  return term;
}

uint32_t index_builder::field_term_id(std::string_view key, std::string_view value) {
  field_scratch_ = field_term(key, value);
  return term_id(field_scratch_);
}

void index_builder::count(meta_stats& stats, time_us t) {
  if (stats.count == 0) stats.first_time = stats.last_time = t;
  ++stats.count;
  stats.first_time = std::min(stats.first_time, t);
  stats.last_time = std::max(stats.last_time, t);
}

void index_builder::add_meta(meta_field& field, std::string_view key, std::string_view value, uint32_t ordinal,
                             time_us t) {
  if (!field.last_stats || value != field.last) {
    field.last.assign(value);
    field.last_term = field_term_id(key, value);
    field.last_stats = &field.values[field.last];  // node-based map: the pointer stays valid
  }
  post(field.last_term, ordinal);
  count(*field.last_stats, t);
}

void index_builder::add(uint64_t ordinal64, const event_view& ev) {
  auto ordinal = uint32_t(ordinal64);
  if (times_.empty()) min_time_ = max_time_ = ev.time;
  min_time_ = std::min(min_time_, ev.time);
  max_time_ = std::max(max_time_, ev.time);
  times_.push_back(ev.time);
  raw_bytes_ += ev.raw.size();
  segmenter::for_each_term(ev.raw, scratch_, [&](std::string_view term) { post(term_id(term), ordinal); });
  add_meta(hosts_, "host", ev.host, ordinal, ev.time);
  add_meta(sources_, "source", ev.source, ordinal, ev.time);
  add_meta(sourcetypes_, "sourcetype", ev.sourcetype, ordinal, ev.time);
  for (auto& f : ev.fields) post(field_term_id(f.key, f.value), ordinal);
}

std::vector<std::string> index_builder::metadata_values(std::string_view field) const {
  auto& f = field == "host" ? hosts_ : field == "source" ? sources_ : sourcetypes_;
  std::vector<std::string> out;
  for (auto& [v, _] : f.values) out.push_back(v);
  std::sort(out.begin(), out.end());
  return out;
}

Roaring index_builder::postings(std::string_view term) const {
  auto& s = slots_[probe(term, XXH3_64bits(term.data(), term.size()))];
  if (s.id == no_term) return {};
  auto& list = postings_[s.id];
  return Roaring(list.size(), list.data());
}

namespace {

using meta_map = std::unordered_map<std::string, meta_stats>;

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fbs::bucket::MetaEntry>>> pack_meta(
    flatbuffers::FlatBufferBuilder& b, const meta_map& map) {
  std::map<std::string_view, const meta_stats*> sorted;  // deterministic order
  for (auto& [k, v] : map) sorted.emplace(k, &v);
  std::vector<flatbuffers::Offset<fbs::bucket::MetaEntry>> entries;
  for (auto& [k, v] : sorted)
    entries.push_back(fbs::bucket::CreateMetaEntry(b, b.CreateString(k.data(), k.size()), v->count,
                                                   v->first_time, v->last_time));
  return b.CreateVector(entries);
}

}  // namespace

error index_builder::write_files(const io::fs::path& dir, bucket_id id, const std::vector<slice_info>& slices,
                                 uint64_t journal_bytes, bool bloom) const {
  if (auto err = io::check_failure("roll")) return err;
  // Terms in byte order, so that the dictionary can be binary searched.
  std::vector<uint32_t> order(terms_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return terms_[a] < terms_[b]; });

  std::string file{tf::header_magic};
  // Postings area: Roaring bitmaps of the long lists.
  std::vector<uint64_t> posting_offset(terms_.size(), 0);
  std::vector<uint32_t> posting_size(terms_.size(), 0);
  std::vector<uint32_t> posting_sum(terms_.size(), 0);
  std::vector<bool> as_roaring(terms_.size(), false);
  std::string scratch;
  for (uint32_t t : order) {
    auto& list = postings_[t];
    if (list.size() <= tf::inline_max) continue;
    Roaring r(list.size(), list.data());
    r.runOptimize();
    size_t roaring_size = r.getSizeInBytes();
    size_t inline_size = 0;
    uint32_t last = 0;
    for (uint32_t o : list) {
      for (uint32_t d = o - last; d >= 0x80; d >>= 7) ++inline_size;
      ++inline_size;
      last = o;
    }
    bool prefer_inline = list.size() > tf::long_list ? 2 * inline_size <= roaring_size
                                                     : inline_size <= roaring_size + tf::roaring_ref_bytes;
    if (prefer_inline) continue;
    as_roaring[t] = true;
    scratch.resize(roaring_size);
    r.write(scratch.data());
    posting_offset[t] = file.size();
    posting_size[t] = uint32_t(scratch.size());
    posting_sum[t] = hash::checksum32(scratch);
    file += scratch;
  }
  // Dictionary blocks, front-coded within a block.
  flatbuffers::FlatBufferBuilder fb(1 << 16);
  std::vector<fbs::tsidx::BlockRef> blocks;
  std::vector<flatbuffers::Offset<flatbuffers::String>> first_terms;
  for (size_t start = 0; start < order.size(); start += tf::block_terms) {
    size_t end = std::min(order.size(), start + tf::block_terms);
    std::string block;
    std::string_view prev;
    for (size_t i = start; i < end; ++i) {
      uint32_t t = order[i];
      std::string_view term = terms_[t];
      size_t shared = 0;
      while (shared < prev.size() && shared < term.size() && prev[shared] == term[shared]) ++shared;
      coding::put_varint(block, shared);
      coding::put_string(block, term.substr(shared));
      auto& list = postings_[t];
      coding::put_varint(block, (uint64_t(list.size()) << 1) | (as_roaring[t] ? 1 : 0));
      if (!as_roaring[t]) {
        uint32_t last = 0;
        for (uint32_t o : list) {
          coding::put_varint(block, o - last);
          last = o;
        }
      } else {
        coding::put_varint(block, posting_offset[t]);
        coding::put_varint(block, posting_size[t]);
        coding::put_fixed32(block, posting_sum[t]);
      }
      prev = term;
    }
    blocks.emplace_back(file.size(), uint32_t(block.size()), uint32_t(end - start), hash::checksum64(block));
    first_terms.push_back(fb.CreateString(terms_[order[start]].data(), terms_[order[start]].size()));
    file += block;
  }
  // Time column: per slice, zigzag varint deltas starting from 0.
  uint64_t time_offset = file.size();
  std::vector<fbs::tsidx::SliceRef> slice_refs;
  for (auto& s : slices) {
    uint64_t at = file.size();
    time_us prev = 0;
    for (uint64_t o = s.first_ordinal; o < s.first_ordinal + s.events && o < times_.size(); ++o) {
      coding::put_varint(file, coding::zigzag(times_[o] - prev));
      prev = times_[o];
    }
    slice_refs.emplace_back(s.offset, s.size, s.raw_size, s.events, s.first_ordinal, s.min_time, s.max_time,
                            at, uint32_t(file.size() - at));
  }
  uint64_t time_size = file.size() - time_offset;
  auto time_sum = hash::checksum64(std::string_view{file}.substr(time_offset));
  auto v1 = fbs::tsidx::CreateTsidxV1(fb, times_.size(), terms_.size(), fb.CreateVectorOfStructs(blocks),
                                      fb.CreateVector(first_terms), fb.CreateVectorOfStructs(slice_refs),
                                      time_offset, time_size, time_sum);
  fbs::tsidx::FinishTsidxFooterBuffer(
      fb, fbs::tsidx::CreateTsidxFooter(fb, fbs::tsidx::TsidxVersion::TsidxV1, v1.Union()));
  std::string_view footer{reinterpret_cast<const char*>(fb.GetBufferPointer()), fb.GetSize()};
  // The footer starts 8-byte aligned in the file (zero padding before it), so a
  // page-aligned mapping gives FlatBuffers the alignment its accessors assume.
  file.append((8 - file.size() % 8) % 8, '\0');
  uint64_t footer_sum = hash::checksum64(footer);
  file += footer;
  coding::put_fixed32(file, uint32_t(footer.size()));
  coding::put_fixed64(file, footer_sum);
  file += tf::trailer_magic;
  if (auto err = io::write_file_atomic(dir / bucket_files::tsidx, file)) return err;

  if (bloom) {
    auto filter = bloom_filter::for_terms(terms_.size());
    for (auto term : terms_) filter.add(term);
    if (auto err = io::write_file_atomic(dir / bucket_files::bloomfilter, filter.serialize())) return err;
  }

  flatbuffers::FlatBufferBuilder mb(4096);
  auto hosts = pack_meta(mb, hosts_.values);
  auto sources = pack_meta(mb, sources_.values);
  auto sourcetypes = pack_meta(mb, sourcetypes_.values);
  auto m1 = fbs::bucket::CreateManifestV1(mb, id.value, times_.size(), min_time_, max_time_, raw_bytes_,
                                          journal_bytes, file.size(), footer_sum, bloom, hosts, sources,
                                          sourcetypes);
  fbs::bucket::FinishBucketManifestBuffer(
      mb, fbs::bucket::CreateBucketManifest(mb, fbs::bucket::ManifestVersion::ManifestV1, m1.Union()));
  // The FlatBuffers verifier checks structure, not values: a fixed64 XXH3 of
  // the buffer follows it, so that a flipped byte in a count is caught too.
  std::string manifest{reinterpret_cast<const char*>(mb.GetBufferPointer()), mb.GetSize()};
  coding::put_fixed64(manifest, hash::checksum64(manifest));
  return io::write_file_atomic(dir / bucket_files::manifest, manifest);
}

}  // namespace kura
