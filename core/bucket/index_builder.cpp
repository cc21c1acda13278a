// Term table, metadata counting and the writers of index.tsidx, bloomfilter and
// bucket.manifest. See FORMAT.md.
#include "core/bucket/index_builder.hpp"

// Inlined XXH3 (the same values as the library's): hashing is per term.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <span>

#include "bucket_manifest_generated.h"
#include "core/bucket/bloom_filter.hpp"
#include "core/bucket/bucket_files.hpp"
#include "core/bucket/tsidx_format.hpp"
#include "core/text/segmenter.hpp"
#include "core/util/coding.hpp"
#include "core/util/hash.hpp"
#include "core/util/parallel.hpp"
#include "core/util/zstd_frame.hpp"
#include "tsidx_footer_generated.h"

namespace kura {

namespace tf = tsidx_format;

namespace {
constexpr size_t link_bytes = sizeof(uint8_t*);  // a block's next pointer
constexpr size_t pool_chunk_bytes = size_t(1) << 22;
constexpr size_t arena_chunk_bytes = size_t(1) << 20;

/// The ids of the `terms` that `keep(id)`, in byte order of their terms. Sorted by the first 8
/// bytes read as a big-endian number (zero-padded), the terms compared only
/// when those are equal: the full comparisons missed the cache per term.
template <class Keep>
std::vector<uint32_t> sorted_term_ids(std::span<const std::string_view> terms, Keep&& keep) {
  std::vector<std::pair<uint64_t, uint32_t>> keyed;
  keyed.reserve(terms.size());
  for (uint32_t i = 0; i < terms.size(); ++i) {
    if (!keep(i)) continue;
    uint64_t prefix = 0;
    auto t = terms[i];
    for (size_t k = 0; k < 8; ++k) prefix = (prefix << 8) | (k < t.size() ? uint8_t(t[k]) : 0);
    keyed.emplace_back(prefix, i);
  }
  std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return terms[a.second] < terms[b.second];
  });
  std::vector<uint32_t> ids(keyed.size());
  for (size_t i = 0; i < keyed.size(); ++i) ids[i] = keyed[i].second;
  return ids;
}

}  // namespace

size_t index_builder::probe(std::string_view term, uint64_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    auto& s = slots_[i];
    if (s.id == no_term || (s.hash == hash && s.size == term.size() &&
                            std::memcmp(s.text, term.data(), term.size()) == 0))
      return i;
  }
}

void index_builder::grow_slots() {
  decltype(slots_) old(slots_.size() * 2);
  old.swap(slots_);
  size_t mask = slots_.size() - 1;
  for (auto& s : old) {
    if (s.id == no_term) continue;
    size_t i = s.hash & mask;
    while (slots_[i].id != no_term) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void index_builder::expect_terms(size_t terms) {
  size_t slots = slots_.size();
  while (terms * 10 > slots * 7) slots *= 2;
  if (slots != slots_.size()) slots_.assign(slots, slot{});
  terms_.reserve(terms);
  postings_.reserve(terms);
}

index_builder::index_builder() = default;
index_builder::~index_builder() = default;
index_builder::index_builder(index_builder&&) noexcept = default;
index_builder& index_builder::operator=(index_builder&&) noexcept = default;

uint32_t index_builder::term_id(std::string_view term) {
  return term_id(term, XXH3_64bits(term.data(), term.size()));
}

uint32_t index_builder::term_id(std::string_view term, uint64_t hash) {
  size_t at = probe(term, hash);
  if (slots_[at].id != no_term) return slots_[at].id;
  if (arena_left_ < term.size()) {
    size_t chunk = std::max(arena_chunk_bytes, term.size());
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
  slots_[at] = {hash, stored.data(), uint32_t(stored.size()), id};
  if (terms_.size() * 10 > slots_.size() * 7) grow_slots();
  return id;
}

size_t index_builder::block_bytes(uint32_t before) {
  // 8 bytes first, then about doubling the list each time, at most 16 KiB.
  return std::clamp<size_t>(before, 8, 16384);
}

uint8_t* index_builder::pool_alloc(size_t n) {
  if (pool_left_ < n) {
    pool_.emplace_back(static_cast<uint8_t*>(util::allocate_maybe_huge(pool_chunk_bytes)));
    pool_pos_ = pool_.back().get();
    pool_left_ = pool_chunk_bytes;
  }
  uint8_t* at = pool_pos_;
  pool_pos_ += n;
  pool_left_ -= n;
  return at;
}

void index_builder::append(posting_list& list, uint32_t ordinal) {
  auto put = [&](uint32_t o) {
    uint8_t bytes[5];
    size_t n = 0;
    for (uint32_t gap = o + 1 - list.last;; gap >>= 7) {
      if (gap < 0x80) {
        bytes[n++] = uint8_t(gap);
        break;
      }
      bytes[n++] = uint8_t(gap | 0x80);
    }
    if (size_t(list.end - list.tail) < n) {
      size_t cap = block_bytes(list.size);
      uint8_t* block = pool_alloc(cap + link_bytes);
      if (list.head) {
        std::memset(list.tail, 0, size_t(list.end - list.tail));
        std::memcpy(list.end, &block, sizeof block);
      } else {
        list.head = block;
      }
      list.tail = block;
      list.end = block + cap;
    }
    std::memcpy(list.tail, bytes, n);
    list.tail += n;
    ++list.size;
    list.last = o + 1;
  };
  if (!list.head) {
    if (list.size == 0) {  // the first ordinal: `last` alone holds it
      list.size = 1;
      list.last = ordinal + 1;
      return;
    }
    uint32_t first = list.last - 1;  // the second: the first goes to a block first
    list.size = 0;
    list.last = 0;
    put(first);
  }
  put(ordinal);
}

template <class F>
void index_builder::for_each_ordinal(const posting_list& list, F&& fn) {
  if (!list.head) {
    if (list.size == 1) fn(list.last - 1);
    return;
  }
  const uint8_t* p = list.head;
  const uint8_t* end = p + block_bytes(0);
  uint32_t last = 0;
  for (uint32_t done = 0; done < list.size; ++done) {
    if (p == end || *p == 0) {
      uint8_t* next;
      std::memcpy(&next, end, sizeof next);
      p = next;
      end = next + block_bytes(done);
    }
    uint32_t gap = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t b = *p++;
      gap |= uint32_t(b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    last += gap;
    fn(last - 1);
  }
}

void index_builder::append_inline(const posting_list& list, std::string& out) {
  if (list.size == 0) return;
  if (!list.head) {
    coding::put_varint(out, list.last - 1);
    return;
  }
  const uint8_t* p = list.head;
  const uint8_t* end = p + block_bytes(0);
  uint32_t first = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t b = *p++;
    first |= uint32_t(b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  coding::put_varint(out, first - 1);
  // Which block is the last is known by its end; the others end at their
  // zero padding or their end, and their count is recounted for block_bytes().
  uint32_t done = 1;
  for (;;) {
    if (end == list.end) {
      out.append(reinterpret_cast<const char*>(p), size_t(list.tail - p));
      return;
    }
    auto* zero = static_cast<const uint8_t*>(std::memchr(p, 0, size_t(end - p)));
    const uint8_t* data_end = zero ? zero : end;
    for (const uint8_t* q = p; q < data_end; ++q) done += *q < 0x80;
    out.append(reinterpret_cast<const char*>(p), size_t(data_end - p));
    uint8_t* next;
    std::memcpy(&next, end, sizeof next);
    p = next;
    end = next + block_bytes(done);
  }
}

void index_builder::copy_ordinals(const posting_list& list, std::vector<uint32_t>& out) {
  out.clear();
  out.reserve(list.size);
  for_each_ordinal(list, [&](uint32_t o) { out.push_back(o); });
}

void index_builder::post(uint32_t term, uint32_t ordinal) {
  auto& p = postings_[term];
  if (p.last == ordinal + 1) return;  // already posted for this event
  append(p, ordinal);
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
  // Terms first, then their slots prefetched, then looked up: the slot loads
  // of one event overlap instead of missing the cache one after another.
  event_terms_.clear();
  event_hashes_.clear();
  segmenter::for_each_term(ev.raw, scratch_, [&](std::string_view term) {
    uint64_t hash = XXH3_64bits(term.data(), term.size());
    __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
    event_terms_.push_back(term);
    event_hashes_.push_back(hash);
  });
  // Ids next (into event_hashes_, no longer needed), each term's posting list
  // prefetched, then the tails those lists point at, then the posts.
  size_t n = event_terms_.size();
  // The bytes of the term in each first slot, which the lookup compares.
  size_t mask = slots_.size() - 1;
  for (size_t i = 0; i < n; ++i) __builtin_prefetch(slots_[event_hashes_[i] & mask].text);
  for (size_t i = 0; i < n; ++i) {
    uint32_t id = term_id(event_terms_[i], event_hashes_[i]);
    __builtin_prefetch(&postings_[id]);
    event_hashes_[i] = id;
  }
  for (size_t i = 0; i < n; ++i) __builtin_prefetch(postings_[uint32_t(event_hashes_[i])].tail, 1);
  for (size_t i = 0; i < n; ++i) post(uint32_t(event_hashes_[i]), ordinal);
  add_meta(hosts_, "host", ev.host, ordinal, ev.time);
  add_meta(sources_, "source", ev.source, ordinal, ev.time);
  add_meta(sourcetypes_, "sourcetype", ev.sourcetype, ordinal, ev.time);
  for (auto& f : ev.fields) post(field_term_id(f.key, f.value), ordinal);
}

uint64_t index_builder::memory_bytes() const {
  return slots_.capacity() * sizeof(slot) + terms_.size() * sizeof(std::string_view) +
         arena_.size() * arena_chunk_bytes + postings_.size() * sizeof(posting_list) +
         pool_.size() * pool_chunk_bytes + times_.capacity() * sizeof(time_us);
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
  std::vector<uint32_t> list;
  copy_ordinals(postings_[s.id], list);
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

error index_builder::write_postings_area(std::string& file, stored_lists& refs) const {
  // The long lists are found in id order and sorted apart (few terms have
  // one), and their places are kept by id: a pass over all terms in term
  // order and arrays over all of them missed the cache per term.
  std::vector<uint32_t> long_ids;
  for (uint32_t t = 0; t < postings_.size(); ++t)
    if (postings_[t].size > tf::inline_max) long_ids.push_back(t);
  std::sort(long_ids.begin(), long_ids.end(),
            [&](uint32_t a, uint32_t b) { return terms_[a] < terms_[b]; });
  std::string scratch, frame, deltas;
  std::vector<uint32_t> list;
  zstd_frame::encoder zstd;
  for (uint32_t t : long_ids) {
    copy_ordinals(postings_[t], list);
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
    scratch.resize(roaring_size);
    r.write(scratch.data());
    auto encoding = tf::posting_encoding::bitmap;
    std::string_view stored = scratch;
    if (roaring_size >= tf::compress_min_bytes) {
      // The bitmap's bytes and the list's deltas, each a zstd frame: deltas that
      // repeat (periodic traffic) shrink to almost nothing, random ones by about a
      // third; dense lists stay smaller as bitmaps.
      frame.clear();
      auto bitmap_frame = zstd.append(scratch, tf::column_zstd_level, frame);
      if (!bitmap_frame) return bitmap_frame.err();
      deltas.clear();
      size_t deltas_size = SIZE_MAX;
      if (list.size() <= tf::deltas_max_events) {
        append_inline(postings_[t], deltas);
        auto deltas_frame = zstd.append(deltas, tf::column_zstd_level, frame);
        if (!deltas_frame) return deltas_frame.err();
        deltas_size = *deltas_frame;
      }
      size_t limit = roaring_size * tf::compressed_max_eighths / 8;
      std::string_view bitmap_bytes = std::string_view{frame}.substr(0, *bitmap_frame);
      std::string_view delta_bytes = std::string_view{frame}.substr(*bitmap_frame);
      if (deltas_size <= std::min(limit, bitmap_bytes.size())) {
        encoding = tf::posting_encoding::deltas_zstd;
        stored = delta_bytes;
      } else if (bitmap_bytes.size() <= limit) {
        encoding = tf::posting_encoding::bitmap_zstd;
        stored = bitmap_bytes;
      }
    }
    refs.emplace(
        t, stored_list{file.size(), uint32_t(stored.size()), hash::checksum32(stored), encoding});
    file += stored;
  }
  return {};
}

error index_builder::encode_blocks(const std::vector<uint32_t>& order, size_t first, size_t last,
                                   const stored_lists& refs, std::string& out,
                                   std::vector<encoded_block>& blocks) const {
  zstd_frame::encoder zstd;
  std::string plain;  // one block's entries before compression
  for (size_t start = first; start < last; start += tf::block_terms) {
    size_t end = std::min(last, start + tf::block_terms);
    plain.clear();
    std::string_view prev;
    for (size_t i = start; i < end; ++i) {
      // The terms, lists and their first blocks are in id order: fetched ahead.
      constexpr size_t ahead = 16;
      if (i + ahead < last) {
        __builtin_prefetch(&terms_[order[i + ahead]]);
        __builtin_prefetch(&postings_[order[i + ahead]]);
      }
      if (i + ahead / 2 < last) {
        __builtin_prefetch(terms_[order[i + ahead / 2]].data());
        __builtin_prefetch(postings_[order[i + ahead / 2]].head);
      }
      uint32_t t = order[i];
      std::string_view term = terms_[t];
      size_t shared = 0;
      while (shared < prev.size() && shared < term.size() && prev[shared] == term[shared]) ++shared;
      coding::put_varint(plain, shared);
      coding::put_string(plain, term.substr(shared));
      auto& postings = postings_[t];
      auto ref = postings.size > tf::inline_max ? refs.find(t) : refs.end();
      auto encoding = ref != refs.end() ? ref->second.encoding : tf::posting_encoding::inline_list;
      coding::put_varint(plain, (uint64_t(postings.size) << 2) | uint64_t(encoding));
      if (ref == refs.end()) {
        append_inline(postings, plain);
      } else {
        coding::put_varint(plain, ref->second.offset);
        coding::put_varint(plain, ref->second.size);
        coding::put_fixed32(plain, ref->second.sum);
      }
      prev = term;
    }
    size_t at = out.size();
    if (auto n = zstd.append(plain, tf::block_zstd_level, out); !n)
      return {n.err().code(), "index files: " + n.err().message()};
    std::string_view block = std::string_view{out}.substr(at);
    blocks.push_back({at, uint32_t(block.size()), uint32_t(end - start), hash::checksum64(block)});
  }
  return {};
}

error index_builder::write_files(const io::fs::path& dir, bucket_id id,
                                 const std::vector<slice_info>& slices, uint64_t journal_bytes,
                                 bool bloom) const {
  if (auto err = io::check_failure("roll")) return err;
  // On two threads, with the bytes one thread would write: first the term
  // order (terms in byte order, so that the dictionary can be binary searched)
  // beside the postings area, then the two halves of the dictionary.
  std::vector<uint32_t> order;
  std::string file{tf::header_magic};
  stored_lists refs;
  error postings_error;
  std::vector<uint32_t> left_out;  // rare terms: in the slices' filters, not the dictionary
  util::run_parallel(2, [&](size_t i) {
    if (i == 0) {
      postings_error = write_postings_area(file, refs);
      return;
    }
    order = sorted_term_ids(terms_, [&](uint32_t t) {
      if (postings_[t].size != 1 || !tf::may_be_left_out(terms_[t])) return true;
      left_out.push_back(t);
      return false;
    });
  });
  if (postings_error) return {postings_error.code(), "index files: " + postings_error.message()};
  // Dictionary blocks, front-coded within a block, each compressed.
  size_t block_count = (order.size() + tf::block_terms - 1) / tf::block_terms;
  size_t split = std::min(order.size(), block_count / 2 * tf::block_terms);
  std::string halves[2];
  std::vector<encoded_block> half_blocks[2];
  error half_error[2];
  util::run_parallel(2, [&](size_t i) {
    half_error[i] = encode_blocks(order, i == 0 ? 0 : split, i == 0 ? split : order.size(), refs,
                                  halves[i], half_blocks[i]);
  });
  for (auto& err : half_error)
    if (err) return err;
  flatbuffers::FlatBufferBuilder fb(1 << 16);
  std::vector<fbs::tsidx::BlockRef> blocks;
  std::vector<flatbuffers::Offset<flatbuffers::String>> first_terms;
  for (size_t h = 0; h < 2; ++h) {
    uint64_t base = file.size();
    for (auto& b : half_blocks[h]) {
      blocks.emplace_back(base + b.offset, b.size, b.terms, b.sum);
      auto first = terms_[order[(blocks.size() - 1) * tf::block_terms]];
      first_terms.push_back(fb.CreateString(first.data(), first.size()));
    }
    file += halves[h];
  }
  // Time column: per slice, a zstd frame of zigzag varint deltas starting from 0.
  uint64_t time_offset = file.size();
  std::vector<fbs::tsidx::SliceRef> slice_refs;
  zstd_frame::encoder zstd;
  std::string run;
  for (auto& s : slices) {
    uint64_t at = file.size();
    time_us prev = 0;
    run.clear();
    for (uint64_t o = s.first_ordinal; o < s.first_ordinal + s.events && o < times_.size(); ++o) {
      coding::put_varint(run, coding::zigzag(times_[o] - prev));
      prev = times_[o];
    }
    if (auto n = zstd.append(run, tf::column_zstd_level, file); !n)
      return {n.err().code(), "index files: " + n.err().message()};
    slice_refs.emplace_back(s.offset, s.size, s.raw_size, s.events, s.first_ordinal, s.min_time, s.max_time,
                            at, uint32_t(file.size() - at));
  }
  uint64_t time_size = file.size() - time_offset;
  auto time_sum = hash::checksum64(std::string_view{file}.substr(time_offset));
  // Rare-term filters: per slice, a bloom filter of the left-out terms of its events.
  std::vector<std::vector<uint32_t>> rare_by_slice(slices.size());
  for (uint32_t t : left_out) {
    uint32_t ordinal = postings_[t].last - 1;  // a list of one ordinal keeps it in `last`
    auto s =
        std::upper_bound(slices.begin(), slices.end(), ordinal,
                         [](uint32_t o, const slice_info& si) { return o < si.first_ordinal; });
    if (s != slices.begin()) rare_by_slice[size_t(s - slices.begin()) - 1].push_back(t);
  }
  std::vector<fbs::tsidx::BlockRef> rare_filters;
  for (auto& ids : rare_by_slice) {
    if (ids.empty()) {
      rare_filters.emplace_back(file.size(), 0, 0, 0);
      continue;
    }
    auto filter = bloom_filter::for_terms(ids.size());
    for (uint32_t t : ids) filter.add(terms_[t]);
    auto bytes = filter.serialize();
    rare_filters.emplace_back(file.size(), uint32_t(bytes.size()), uint32_t(ids.size()),
                              hash::checksum64(bytes));
    file += bytes;
  }
  auto v1 = fbs::tsidx::CreateTsidxV1(
      fb, times_.size(), order.size(), fb.CreateVectorOfStructs(blocks),
      fb.CreateVector(first_terms), fb.CreateVectorOfStructs(slice_refs), time_offset, time_size,
      time_sum, fb.CreateVectorOfStructs(rare_filters));
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

  if (bloom) {  // of the dictionary's terms: the left-out ones are in the slices' filters
    auto filter = bloom_filter::for_terms(order.size());
    for (uint32_t t : order) filter.add(terms_[t]);
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
