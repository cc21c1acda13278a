// Reader of searchable copies. See FORMAT.md for the layouts it checks.
#include "core/bucket/bucket_reader.hpp"

#include <algorithm>

#include "bucket_manifest_generated.h"
#include "core/bucket/bucket_files.hpp"
#include "core/bucket/tsidx_format.hpp"
#include "core/util/coding.hpp"
#include "core/util/hash.hpp"
#include "core/util/zstd_frame.hpp"
#include "tsidx_footer_generated.h"

namespace kura {

namespace tf = tsidx_format;

namespace {

const fbs::tsidx::TsidxV1* footer_of(std::string_view footer) {
  return fbs::tsidx::GetTsidxFooter(footer.data())->version_as_TsidxV1();
}

error bad(const io::fs::path& file, std::string what) {
  return {errc::corruption, file.string() + ": " + std::move(what)};
}

}  // namespace

result<manifest_info> read_manifest(const io::fs::path& dir) {
  auto path = dir / bucket_files::manifest;
  auto bytes = io::read_file(path);
  if (!bytes) return bytes.err();
  if (bytes->size() < 8) return bad(path, "shorter than its checksum");
  auto body = std::string_view{*bytes}.substr(0, bytes->size() - 8);
  if (hash::checksum64(body) != coding::get_fixed64(bytes->data() + body.size()))
    return bad(path, "checksum mismatch");
  flatbuffers::Verifier v(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  if (!fbs::bucket::VerifyBucketManifestBuffer(v)) return bad(path, "fails the FlatBuffers verifier");
  auto* m = fbs::bucket::GetBucketManifest(bytes->data())->version_as_ManifestV1();
  if (!m) return bad(path, "unknown manifest version");
  manifest_info info;
  info.id = bucket_id{m->bucket_id()};
  info.events = m->events();
  info.min_time = m->min_time();
  info.max_time = m->max_time();
  info.raw_bytes = m->raw_bytes();
  info.journal_bytes = m->journal_bytes();
  info.tsidx_bytes = m->tsidx_bytes();
  info.tsidx_checksum = m->tsidx_checksum();
  info.has_bloomfilter = m->has_bloomfilter();
  auto unpack = [](auto* vec, auto& out) {
    if (!vec) return;
    for (auto* e : *vec)
      out.emplace_back(e->value() ? e->value()->str() : std::string{},
                       meta_stats{e->count(), e->first_time(), e->last_time()});
  };
  unpack(m->hosts(), info.hosts);
  unpack(m->sources(), info.sources);
  unpack(m->sourcetypes(), info.sourcetypes);
  return info;
}

result<bucket_reader> bucket_reader::open(const io::fs::path& dir) {
  bucket_reader r;
  r.dir_ = dir;
  auto manifest = read_manifest(dir);
  if (!manifest) return manifest.err();
  r.manifest_ = std::move(*manifest);
  auto jpath = dir / bucket_files::rawdata_dir / bucket_files::journal;
  auto journal = io::mapped_file::open(jpath);
  if (!journal) return journal.err();
  r.journal_ = std::move(*journal);
  if (r.journal_.bytes().size() < r.manifest_.journal_bytes)
    return bad(jpath, "shorter (" + std::to_string(r.journal_.bytes().size()) + " bytes) than its index files say (" +
                          std::to_string(r.manifest_.journal_bytes) + ")");
  auto tpath = dir / bucket_files::tsidx;
  auto tsidx = io::mapped_file::open(tpath);
  if (!tsidx) return tsidx.err();
  r.tsidx_ = std::move(*tsidx);
  auto bytes = r.tsidx_.bytes();
  if (bytes.size() != r.manifest_.tsidx_bytes) return bad(tpath, "size differs from the manifest");
  if (bytes.size() < tf::header_magic.size() + tf::trailer_size ||
      bytes.substr(bytes.size() - 8) != tf::trailer_magic)
    return bad(tpath, "bad header or trailer magic");
  auto magic = bytes.substr(0, 8);
  r.version_ = magic == tf::header_magic      ? 3
               : magic == tf::header_magic_v2 ? 2
               : magic == tf::header_magic_v1 ? 1
                                              : 0;
  if (r.version_ == 0) return bad(tpath, "bad header or trailer magic");
  const char* trailer = bytes.data() + bytes.size() - tf::trailer_size;
  uint32_t footer_size = coding::get_fixed32(trailer);
  uint64_t footer_sum = coding::get_fixed64(trailer + 4);
  if (footer_size > bytes.size() - tf::trailer_size - tf::header_magic.size())
    return bad(tpath, "footer size out of bounds");
  r.footer_ = bytes.substr(bytes.size() - tf::trailer_size - footer_size, footer_size);
  if (hash::checksum64(r.footer_) != footer_sum || footer_sum != r.manifest_.tsidx_checksum)
    return bad(tpath, "footer checksum mismatch");
  if ((bytes.size() - tf::trailer_size - footer_size) % 8 != 0) return bad(tpath, "footer not 8-byte aligned");
  flatbuffers::Verifier v(reinterpret_cast<const uint8_t*>(r.footer_.data()), r.footer_.size());
  if (!fbs::tsidx::VerifyTsidxFooterBuffer(v)) return bad(tpath, "footer fails the FlatBuffers verifier");
  auto* f = footer_of(r.footer_);
  if (!f || !f->blocks() || !f->first_terms() || !f->slices() || f->blocks()->size() != f->first_terms()->size())
    return bad(tpath, "footer lacks required fields");
  if (f->events() != r.manifest_.events) return bad(tpath, "event count differs from the manifest");
  uint64_t limit = bytes.size() - tf::trailer_size - footer_size;
  for (auto* b : *f->blocks())
    if (b->offset() > limit || b->size() > limit - b->offset()) return bad(tpath, "block outside the file");
  if (f->time_column_offset() > limit || f->time_column_size() > limit - f->time_column_offset())
    return bad(tpath, "time column outside the file");
  uint64_t expect = 0;
  for (auto* s : *f->slices()) {
    if (s->first_ordinal() != expect || s->journal_offset() > r.manifest_.journal_bytes ||
        s->size() > r.manifest_.journal_bytes - s->journal_offset() ||
        s->times_offset() < f->time_column_offset() ||
        s->times_offset() + s->times_size() > f->time_column_offset() + f->time_column_size())
      return bad(tpath, "slice table inconsistent");
    expect += s->events();
  }
  if (expect != r.manifest_.events) return bad(tpath, "slice table does not add up to the event count");
  if (auto* filters = f->rare_filters()) {
    if (filters->size() != f->slices()->size())
      return bad(tpath, "rare-term filters do not match the slice table");
    for (flatbuffers::uoffset_t i = 0; i < filters->size(); ++i) {
      auto* b = filters->Get(i);
      if (b->offset() > limit || b->size() > limit - b->offset())
        return bad(tpath, "rare-term filter outside the file");
      if (b->size() == 0) continue;
      auto filter = bloom_filter::parse(bytes.substr(b->offset(), b->size()));
      if (!filter) return bad(tpath, "rare-term filter of slice " + std::to_string(i) + ": " + filter.err().message());
      r.rare_filters_.emplace_back(i, std::move(*filter));
    }
  }
  if (r.manifest_.has_bloomfilter) {
    auto bpath = dir / bucket_files::bloomfilter;
    auto bloom_bytes = io::read_file(bpath);
    if (!bloom_bytes) return bloom_bytes.err();
    auto filter = bloom_filter::parse(*bloom_bytes);
    if (!filter) return bad(bpath, filter.err().message());
    r.bloom_ = std::move(*filter);
  }
  return r;
}

bool bucket_reader::may_contain(std::string_view term) const {
  if (!bloom_ || bloom_->may_contain(term)) return true;
  // The bucket's filter holds the dictionary's terms; the left-out ones are in the slices'.
  if (rare_filters_.empty() || !tf::may_be_left_out(term)) return false;
  return std::any_of(rare_filters_.begin(), rare_filters_.end(),
                     [&](const auto& f) { return f.second.may_contain(term); });
}

error bucket_reader::decode_block(
    size_t index, std::string& term,
    const std::function<bool(std::string_view, const posting_ref&)>& entry) const {
  auto* f = footer_of(footer_);
  auto* ref = f->blocks()->Get(flatbuffers::uoffset_t(index));
  auto block = tsidx_.bytes().substr(ref->offset(), ref->size());
  if (hash::checksum64(block) != ref->checksum())
    return bad(dir_ / bucket_files::tsidx, "dictionary block " + std::to_string(index) + " checksum mismatch");
  std::string plain;  // the entries of a compressed block; `entry` sees views into them
  if (version_ >= 2) {
    if (auto err = decode_frame(block, tf::max_block_bytes, plain,
                                "dictionary block " + std::to_string(index)))
      return err;
    block = plain;
  }
  coding::reader r{block};
  term.clear();
  for (uint32_t i = 0; i < ref->terms(); ++i) {
    uint64_t shared, count_field;
    std::string_view suffix;
    if (!r.varint(shared) || shared > term.size() || !r.string(suffix) || !r.varint(count_field)) break;
    term.resize(shared);
    term.append(suffix);
    posting_ref ref;
    if (version_ >= 3) {
      ref.card = count_field >> 2;
      ref.encoding = tf::posting_encoding(count_field & 3);
    } else {
      ref.card = count_field >> 1;
      ref.encoding =
          (count_field & 1) ? tf::posting_encoding::bitmap : tf::posting_encoding::inline_list;
    }
    const char* start = block.data() + (block.size() - r.remaining());
    if (ref.encoding == tf::posting_encoding::inline_list) {
      if (ref.card > r.remaining()) break;  // every delta takes at least one byte
      uint64_t d;
      for (uint64_t k = 0; k < ref.card; ++k) r.varint(d);
    } else {
      uint64_t off, size;
      uint32_t sum;
      r.varint(off);
      r.varint(size);
      r.fixed32(sum);
    }
    if (!r.ok()) break;
    ref.bytes = {start, size_t(block.data() + (block.size() - r.remaining()) - start)};
    if (!entry(term, ref)) return {};
  }
  if (!r.ok()) return bad(dir_ / bucket_files::tsidx, "dictionary block " + std::to_string(index) + " undecodable");
  return {};
}

error bucket_reader::decode_frame(std::string_view frame, uint64_t max_size, std::string& out,
                                  const std::string& what) const {
  auto decoded = zstd_frame::decode(frame, max_size, out);
  if (decoded == zstd_frame::status::no_memory)
    return {errc::io_error, "index files: cannot allocate a zstd context"};
  if (decoded != zstd_frame::status::ok)
    return bad(dir_ / bucket_files::tsidx, what + " undecodable");
  return {};
}

result<Roaring> bucket_reader::deltas_of(std::string_view bytes, uint64_t card) const {
  coding::reader r{bytes};
  std::vector<uint32_t> ordinals(card);
  uint64_t o = 0, d;
  for (uint64_t k = 0; k < card; ++k) {
    if (!r.varint(d)) return bad(dir_ / bucket_files::tsidx, "posting deltas undecodable");
    o += d;
    if (o >= manifest_.events || (k > 0 && d == 0))
      return bad(dir_ / bucket_files::tsidx, "posting out of range or not increasing");
    ordinals[k] = uint32_t(o);
  }
  if (r.remaining() != 0)
    return bad(dir_ / bucket_files::tsidx, "posting longer than its event count");
  return Roaring(ordinals.size(), ordinals.data());
}

result<Roaring> bucket_reader::posting_of(const posting_ref& ref) const {
  uint64_t card = ref.card;
  if (card > manifest_.events)
    return bad(dir_ / bucket_files::tsidx, "posting longer than the bucket");
  if (ref.encoding == tf::posting_encoding::inline_list) return deltas_of(ref.bytes, card);
  coding::reader r{ref.bytes};
  Roaring out;
  uint64_t off, size;
  uint32_t sum;
  r.varint(off);
  r.varint(size);
  r.fixed32(sum);
  auto file = tsidx_.bytes();
  if (!r.ok() || off > file.size() || size > file.size() - off)
    return bad(dir_ / bucket_files::tsidx, "posting outside the file");
  auto body = file.substr(off, size);
  if (hash::checksum32(body) != sum) return bad(dir_ / bucket_files::tsidx, "posting checksum mismatch");
  std::string plain;
  if (ref.encoding != tf::posting_encoding::bitmap) {
    // A Roaring bitmap of `events` ordinals has at most one 8 KiB container (and
    // its 8 header bytes) per 65536 of them; a delta is a varint of at most 5 bytes.
    uint64_t max_size = ref.encoding == tf::posting_encoding::deltas_zstd
                            ? card * 5
                            : (manifest_.events / 65536 + 1) * (8192 + 16) + 16;
    if (auto err = decode_frame(body, max_size, plain, "compressed posting")) return err;
    if (ref.encoding == tf::posting_encoding::deltas_zstd) return deltas_of(plain, card);
    body = plain;
  }
  try {
    out = Roaring::readSafe(body.data(), body.size());
  } catch (const std::exception& e) {
    return bad(dir_ / bucket_files::tsidx, std::string{"posting undecodable: "} + e.what());
  }
  if (out.cardinality() != card || (card && out.maximum() >= manifest_.events))
    return bad(dir_ / bucket_files::tsidx, "posting does not match its dictionary entry");
  return out;
}

result<Roaring> bucket_reader::postings(std::string_view term) const {
  auto* f = footer_of(footer_);
  auto* firsts = f->first_terms();
  // The last block whose first term is <= term.
  size_t lo = 0, hi = firsts->size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (firsts->Get(flatbuffers::uoffset_t(mid))->string_view() <= term)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return Roaring{};
  std::string current;
  std::optional<result<Roaring>> found;
  auto err = decode_block(lo - 1, current, [&](std::string_view t, const posting_ref& ref) {
    if (t < term) return true;
    if (t == term) found.emplace(posting_of(ref));
    return false;
  });
  if (err) return err;
  if (found) return std::move(*found);
  return Roaring{};
}

Roaring bucket_reader::rare_term_events(std::string_view term) const {
  Roaring out;
  if (rare_filters_.empty() || !tf::may_be_left_out(term)) return out;
  auto* slices = footer_of(footer_)->slices();
  for (auto& [slice, filter] : rare_filters_) {
    if (!filter.may_contain(term)) continue;
    auto* s = slices->Get(slice);
    out.addRange(s->first_ordinal(), s->first_ordinal() + s->events());
  }
  return out;
}

bool bucket_reader::may_leave_out(std::string_view glob) const {
  return !rare_filters_.empty() && tf::may_be_left_out(glob);
}

result<std::vector<std::string>> bucket_reader::terms_with_prefix(std::string_view prefix) const {
  auto* f = footer_of(footer_);
  auto* firsts = f->first_terms();
  // Start at the last block whose first term is < prefix (it may hold terms >= prefix).
  size_t lo = 0, hi = firsts->size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (firsts->Get(flatbuffers::uoffset_t(mid))->string_view() < prefix)
      lo = mid + 1;
    else
      hi = mid;
  }
  std::vector<std::string> out;
  std::string term;
  bool past = false;
  for (size_t b = lo == 0 ? 0 : lo - 1; b < firsts->size() && !past; ++b) {
    auto err = decode_block(b, term, [&](std::string_view t, const posting_ref&) {
      if (t.substr(0, prefix.size()) == prefix) {
        out.emplace_back(t);
      } else if (t > prefix) {
        past = true;
        return false;
      }
      return true;
    });
    if (err) return err;
  }
  return out;
}

result<std::string_view> bucket_reader::time_run(const fbs::tsidx::SliceRef& s,
                                                 std::string& buffer) const {
  auto stored = tsidx_.bytes().substr(s.times_offset(), s.times_size());
  if (version_ < 3) return stored;
  // Each event's delta is a varint of at most 10 bytes.
  if (auto err = decode_frame(stored, uint64_t(s.events()) * 10, buffer, "time column")) return err;
  return std::string_view{buffer};
}

result<std::vector<time_us>> bucket_reader::times(const Roaring& ordinals) const {
  auto* f = footer_of(footer_);
  std::vector<time_us> out;
  out.reserve(ordinals.cardinality());
  auto it = ordinals.begin();
  std::string buffer;
  for (auto* s : *f->slices()) {
    if (it == ordinals.end()) break;
    uint64_t end = s->first_ordinal() + s->events();
    if (*it >= end) continue;
    auto run = time_run(*s, buffer);
    if (!run) return run.err();
    coding::reader r{*run};
    time_us t = 0;
    uint64_t d;
    for (uint64_t o = s->first_ordinal(); o < end && it != ordinals.end(); ++o) {
      if (!r.varint(d)) return bad(dir_ / bucket_files::tsidx, "time column undecodable");
      t += coding::unzigzag(d);
      if (*it == o) {
        out.push_back(t);
        ++it;
      }
    }
  }
  if (out.size() != ordinals.cardinality())
    return error{errc::invalid_argument, "ordinal out of range in " + dir_.string()};
  return out;
}

result<Roaring> bucket_reader::in_time_range(time_us earliest, time_us latest) const {
  auto* f = footer_of(footer_);
  Roaring out;
  auto tbytes = tsidx_.bytes();
  auto column = tbytes.substr(f->time_column_offset(), f->time_column_size());
  if (hash::checksum64(column) != f->time_column_checksum())
    return bad(dir_ / bucket_files::tsidx, "time column checksum mismatch");
  std::string buffer;
  for (auto* s : *f->slices()) {
    if (s->max_time() < earliest || s->min_time() >= latest) continue;
    if (s->min_time() >= earliest && s->max_time() < latest) {
      out.addRange(s->first_ordinal(), s->first_ordinal() + s->events());
      continue;
    }
    auto run = time_run(*s, buffer);
    if (!run) return run.err();
    coding::reader r{*run};
    time_us t = 0;
    uint64_t d;
    for (uint32_t i = 0; i < s->events(); ++i) {
      if (!r.varint(d)) return bad(dir_ / bucket_files::tsidx, "time column undecodable");
      t += coding::unzigzag(d);
      if (t >= earliest && t < latest) out.add(uint32_t(s->first_ordinal() + i));
    }
  }
  return out;
}

error bucket_reader::read_events(const Roaring& ordinals,
                                 const std::function<void(uint64_t, const event_view&)>& fn) const {
  return read_events(
      ordinals, [](std::string_view) {}, fn);
}

result<std::array<uint64_t, 4>> bucket_reader::encoding_counts() const {
  std::array<uint64_t, 4> counts{};
  std::string term;
  for (size_t b = 0; b < footer_of(footer_)->blocks()->size(); ++b) {
    auto err = decode_block(b, term, [&](std::string_view, const posting_ref& ref) {
      ++counts[size_t(ref.encoding)];
      return true;
    });
    if (err) return err;
  }
  return counts;
}

error bucket_reader::verify_all() const {
  auto* f = footer_of(footer_);
  std::string term;
  for (size_t b = 0; b < f->blocks()->size(); ++b) {
    error inner;
    auto err = decode_block(b, term, [&](std::string_view, const posting_ref& ref) {
      auto p = posting_of(ref);
      if (!p) {
        inner = p.err();
        return false;
      }
      return true;
    });
    if (err) return err;
    if (inner) return inner;
  }
  if (auto r = in_time_range(INT64_MIN, INT64_MAX); !r) return r.err();
  Roaring all;
  all.addRange(0, manifest_.events);
  if (auto t = times(all); !t) return t.err();  // decodes every slice's time run
  if (auto* filters = f->rare_filters()) {
    for (flatbuffers::uoffset_t i = 0; i < filters->size(); ++i) {
      auto* ref = filters->Get(i);
      auto bytes = tsidx_.bytes().substr(ref->offset(), ref->size());
      if (ref->size() == 0) continue;
      if (hash::checksum64(bytes) != ref->checksum())  // open() parsed and checked it too
        return bad(dir_ / bucket_files::tsidx,
                   "rare-term filter of slice " + std::to_string(i) + " damaged");
    }
  }
  slice_scratch scratch;
  for (auto* s : *f->slices()) {
    slice_info info{s->journal_offset(), s->size(), s->raw_size(), s->events(), s->first_ordinal(), 0, 0};
    if (auto err = decode_slice(journal_.bytes(), info, scratch, [](uint64_t, const event_view&) {}))
      return error{err.code(), (dir_ / bucket_files::rawdata_dir / bucket_files::journal).string() + ": " + err.message()};
    if (info.min_time != s->min_time() || info.max_time != s->max_time())
      return bad(dir_ / bucket_files::tsidx, "slice time range differs from the journal");
  }
  return {};
}

error bucket_reader::read_events(const Roaring& ordinals,
                                 const std::function<void(std::string_view records)>& on_slice,
                                 const std::function<void(uint64_t, const event_view&)>& fn) const {
  auto* slices = footer_of(footer_)->slices();
  slice_scratch scratch;  // decode_slice decodes a slice here
  auto it = ordinals.begin();
  size_t si = 0;
  while (it != ordinals.end()) {
    uint64_t o = *it;
    if (o >= manifest_.events)
      return {errc::invalid_argument, "ordinal " + std::to_string(o) + " out of range"};
    while (si < slices->size() && slices->Get(flatbuffers::uoffset_t(si))->first_ordinal() +
                                          slices->Get(flatbuffers::uoffset_t(si))->events() <=
                                      o)
      ++si;
    auto* s = slices->Get(flatbuffers::uoffset_t(si));
    slice_info info{
        s->journal_offset(), s->size(), s->raw_size(), s->events(), s->first_ordinal(), 0, 0};
    bool first = true;
    auto err =
        decode_slice(journal_.bytes(), info, scratch, [&](uint64_t ord, const event_view& ev) {
          if (first) on_slice(scratch.text);
          first = false;
          if (it != ordinals.end() && *it == ord) {
            fn(ord, ev);
            ++it;
          }
        });
    if (err)
      return error{err.code(), (dir_ / bucket_files::rawdata_dir / bucket_files::journal).string() +
                                   ": " + err.message()};
  }
  return {};
}

}  // namespace kura
