// Builds the index files of a searchable bucket copy from its events, in
// ordinal order: the hot bucket feeds it as events arrive, make_searchable and
// rebuild feed it from the journal. Both paths write byte-identical files.
#pragma once

#include <cstdint>
#include <memory>
#include <roaring/roaring.hh>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/bucket/tsidx_format.hpp"
#include "core/error.hpp"
#include "core/event.hpp"
#include "core/io/file.hpp"
#include "core/journal/journal.hpp"
#include "core/util/huge_pages.hpp"

namespace kura {

/// The dictionary term of an indexed field or of host/source/sourcetype:
/// `<key>|<lowercased value>`, e.g. field_term("host", "Web1") == "host|web1".
std::string field_term(std::string_view key, std::string_view value);

/// Per-value statistics of host, source and sourcetype (the bucket metadata).
struct meta_stats {
  uint64_t count = 0;
  time_us first_time = 0;
  time_us last_time = 0;
};

/// Owned by one hot bucket (or by a rebuild); not thread-safe.
class index_builder {
 public:
  index_builder();
  ~index_builder();
  index_builder(index_builder&&) noexcept;
  index_builder& operator=(index_builder&&) noexcept;

  /// Sizes the term table for `terms` distinct terms at once (a hint: the
  /// previous bucket's count), so that it is not rebuilt while it grows.
  /// Requires: nothing added yet.
  void expect_terms(size_t terms);
  /// Indexes one event. Requires: `ordinal == events()`.
  void add(uint64_t ordinal, const event_view& ev);

  /// Events added so far.
  uint64_t events() const { return times_.size(); }
  /// Distinct terms so far.
  size_t terms() const { return terms_.size(); }
  time_us min_time() const { return min_time_; }
  time_us max_time() const { return max_time_; }
  /// Bytes of `_raw` added so far.
  uint64_t raw_bytes() const { return raw_bytes_; }
  /// Bytes of memory the in-memory index holds (its term table, arena and
  /// posting blocks by capacity, the per-term arrays by size, since capacity
  /// reserved by expect_terms() is not touched until used, and the time column);
  /// metadata maps and scratch buffers, a few KiB, are left out.
  uint64_t memory_bytes() const;
  /// Ordinals of the events containing a (lowercased) term; empty when none.
  Roaring postings(std::string_view term) const;
  /// Calls `fn(term)` for every distinct term, in no particular order.
  template <class F>
  void for_each_term(F&& fn) const {
    for (auto t : terms_) fn(t);
  }
  /// `_time` of every event, by ordinal.
  const std::vector<time_us>& times() const { return times_; }
  /// The distinct values (as written) of "host", "source" or "sourcetype".
  std::vector<std::string> metadata_values(std::string_view field) const;

  /// Writes index.tsidx, then bloomfilter (when `bloom`), then bucket.manifest
  /// into `dir`, each atomically; the manifest last, so that its presence means
  /// the set is complete. `slices` are the journal's slices with time ranges.
  /// Errors: io_error.
  error write_files(const io::fs::path& dir, bucket_id id, const std::vector<slice_info>& slices,
                    uint64_t journal_bytes, bool bloom) const;

 private:
  /// Where a long posting list went in index.tsidx's postings area.
  struct stored_list {
    uint64_t offset;
    uint32_t size, sum;
    tsidx_format::posting_encoding encoding;
  };
  using stored_lists = std::unordered_map<uint32_t, stored_list>;  // by term id
  /// One encoded dictionary block: its offset in the bytes it was encoded into.
  struct encoded_block {
    uint64_t offset;
    uint32_t size, terms;
    uint64_t sum;
  };
  /// Appends index.tsidx's postings area (the Roaring bitmaps of the long
  /// lists, in term order, each plain or a zstd frame) to `file`, noting each
  /// in `refs`. Errors: io_error (zstd could not allocate).
  error write_postings_area(std::string& file, stored_lists& refs) const;
  /// Encodes the dictionary blocks of terms [first, last) of `order` (a
  /// multiple of the block size apart) into `out`, each one zstd frame,
  /// described in `blocks`. Errors: io_error (zstd could not allocate).
  error encode_blocks(const std::vector<uint32_t>& order, size_t first, size_t last,
                      const stored_lists& refs, std::string& out,
                      std::vector<encoded_block>& blocks) const;
  uint32_t term_id(std::string_view term);
  void post(uint32_t term, uint32_t ordinal);
  uint32_t field_term_id(std::string_view key, std::string_view value);
  static void count(meta_stats& stats, time_us t);

  /// One of host, source, sourcetype: its statistics per value, and the last
  /// value seen with its term and statistics (consecutive events mostly share
  /// them, so the common case is one string comparison).
  struct meta_field {
    std::unordered_map<std::string, meta_stats> values;
    std::string last;
    uint32_t last_term = 0;
    meta_stats* last_stats = nullptr;
  };
  void add_meta(meta_field& field, std::string_view key, std::string_view value, uint32_t ordinal, time_us t);

  /// Term -> id: open addressing with linear probing over (hash, term, id)
  /// slots, at most 70% full. A lookup touches one slot and the term's bytes in
  /// the arena; std::unordered_map's node per term cost about three cache
  /// misses and was a third of ingestion time.
  struct slot {
    uint64_t hash = 0;
    const char* text = nullptr;  // in arena_
    uint32_t size = 0;
    uint32_t id = no_term;
  };
  /// A term's posting list: the ordinals as varints of their gaps (ordinal + 1
  /// minus the previous one's + 1, so never 0) in a chain of byte blocks in
  /// pool_. Block k holds block_bytes(ordinals before it) bytes, zero-padded
  /// when the next varint does not fit, then the pointer to block k+1. Appending
  /// never copies, a term costs no allocation of its own, and the lists take
  /// about a third of the memory of uint32 arrays. `last` is the last ordinal +
  /// 1 (0 when empty; deduplication within an event). A list of one ordinal
  /// has no block (head is null; `last` says it): most terms of a bucket, such
  /// as request ids, occur once, and a block each was a fifth of the memory.
  struct posting_list {
    uint8_t* head = nullptr;
    uint8_t* tail = nullptr;  // the next free byte of the last block
    uint8_t* end = nullptr;   // the end of the last block's bytes
    uint32_t size = 0;
    uint32_t last = 0;
  };
  static size_t block_bytes(uint32_t before);
  uint8_t* pool_alloc(size_t n);
  void append(posting_list& list, uint32_t ordinal);
  /// Calls `fn(ordinal)` for every ordinal of `list`, in order.
  template <class F>
  static void for_each_ordinal(const posting_list& list, F&& fn);
  /// Appends the ordinals of `list` as index.tsidx writes an inline list:
  /// varints of the gaps, the first from 0 (the stored bytes but the first
  /// varint, copied block by block).
  static void append_inline(const posting_list& list, std::string& out);
  /// Copies the ordinals of `list` into `out` (replacing its content).
  static void copy_ordinals(const posting_list& list, std::vector<uint32_t>& out);
  std::vector<std::unique_ptr<uint8_t[], util::free_deleter>> pool_;
  uint8_t* pool_pos_ = nullptr;
  size_t pool_left_ = 0;
  static constexpr uint32_t no_term = UINT32_MAX;
  /// The slot holding `term`, or the empty slot where it would go.
  size_t probe(std::string_view term, uint64_t hash) const;
  /// The id of `term` (hashed to `hash`), adding it when new.
  uint32_t term_id(std::string_view term, uint64_t hash);
  void grow_slots();
  std::vector<slot, util::huge_page_allocator<slot>> slots_ =
      std::vector<slot, util::huge_page_allocator<slot>>(1024);
  std::vector<std::string_view, util::huge_page_allocator<std::string_view>> terms_;  // into arena_
  std::vector<std::unique_ptr<char[]>> arena_;
  size_t arena_left_ = 0;
  char* arena_pos_ = nullptr;
  std::vector<posting_list, util::huge_page_allocator<posting_list>> postings_;
  std::vector<std::string_view> event_terms_;  // add(): the terms of one event
  std::vector<uint64_t> event_hashes_;         // add(): their hashes
  std::vector<time_us> times_;
  time_us min_time_ = 0, max_time_ = 0;
  uint64_t raw_bytes_ = 0;
  meta_field hosts_, sources_, sourcetypes_;
  std::string scratch_;
  std::string field_scratch_;
};

}  // namespace kura
