// Read access to a searchable bucket copy (warm, cold or thawed): its manifest,
// term lookups, time-range selection and event fetch. Every byte read from disk
// is checked (FlatBuffers verifier, checksums, bounds) before use.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <roaring/roaring.hh>
#include <string>
#include <utility>
#include <vector>

#include "core/bucket/bloom_filter.hpp"
#include "core/bucket/index_builder.hpp"
#include "core/bucket/tsidx_format.hpp"
#include "core/error.hpp"
#include "core/io/file.hpp"

namespace kura {

namespace fbs::tsidx {
struct SliceRef;
}

/// What bucket.manifest says.
struct manifest_info {
  bucket_id id;
  uint64_t events = 0;
  time_us min_time = 0;
  time_us max_time = 0;
  uint64_t raw_bytes = 0;
  uint64_t journal_bytes = 0;
  uint64_t tsidx_bytes = 0;
  uint64_t tsidx_checksum = 0;
  bool has_bloomfilter = false;
  std::vector<std::pair<std::string, meta_stats>> hosts, sources, sourcetypes;
};

/// Reads and verifies `dir/bucket.manifest`. Errors: not_found (no index files),
/// corruption, io_error.
result<manifest_info> read_manifest(const io::fs::path& dir);

/// An open searchable copy. Holds read-only mappings of the journal and
/// index.tsidx; cheap to move; thread-compatible (const methods may run
/// concurrently).
class bucket_reader {
 public:
  /// Opens the copy in `dir`, checking the manifest, the tsidx header, trailer
  /// and footer, and the bloom filter. Errors: not_found, corruption, io_error.
  static result<bucket_reader> open(const io::fs::path& dir);

  const manifest_info& manifest() const { return manifest_; }
  const io::fs::path& dir() const { return dir_; }

  /// False only if the bloom filters prove `term` (lowercased) absent: the bucket's
  /// (of the dictionary's terms) and, for a term that may have been left out of the
  /// dictionary, every slice's rare-term filter.
  bool may_contain(std::string_view term) const;
  /// Ordinals of the events containing `term` (lowercased; field_term() for
  /// metadata). Errors: corruption (bad block or posting checksum).
  result<Roaring> postings(std::string_view term) const;
  /// Events that may contain `term` (lowercased) though the dictionary lacks it: the
  /// events of the slices whose rare-term filter may hold it (tsidx_format::
  /// may_be_left_out). Empty when the file has no such filters, the term could not
  /// have been left out, or no filter holds it.
  Roaring rare_term_events(std::string_view term) const;
  /// Whether the dictionary may lack terms that match `glob` (lowercased, `*`
  /// wildcards): the file left rare terms out and `glob` could match one.
  bool may_leave_out(std::string_view glob) const;
  /// Every term of the dictionary that starts with `prefix`, in byte order
  /// (all terms for an empty prefix). Errors: corruption.
  result<std::vector<std::string>> terms_with_prefix(std::string_view prefix) const;
  /// `_time` of each selected event, in ordinal order. Errors: corruption.
  result<std::vector<time_us>> times(const Roaring& ordinals) const;
  /// Ordinals of the events with earliest <= _time < latest, using the slice
  /// time ranges to skip and the time column to decide.
  result<Roaring> in_time_range(time_us earliest, time_us latest) const;
  /// Calls `fn` for each selected event in ordinal order, decompressing only
  /// the slices that hold one. Errors: corruption.
  error read_events(const Roaring& ordinals,
                    const std::function<void(uint64_t, const event_view&)>& fn) const;
  /// As read_events, and before the events of each slice that holds a
  /// selected one, calls `on_slice(text)` with the slice's decoded text
  /// (`slice_scratch::text`); the `raw` of each event then passed to `fn` for that
  /// slice is a view into it, in order (a scan searches a whole slice at once).
  /// Errors: as read_events.
  error read_events(const Roaring& ordinals,
                    const std::function<void(std::string_view text)>& on_slice,
                    const std::function<void(uint64_t, const event_view&)>& fn) const;
  /// How many posting lists each encoding stores, indexed by
  /// tsidx_format::posting_encoding (tests and benchmarks). Errors: corruption.
  result<std::array<uint64_t, 4>> encoding_counts() const;
  /// Checks every dictionary block, posting list and the time column against
  /// their checksums, and the journal against the slice table (fsck).
  error verify_all() const;

 private:
  struct footer_view;
  /// A dictionary entry's posting: its event count, its encoding and its bytes
  /// (valid while decode_block's `entry` runs).
  struct posting_ref {
    uint64_t card = 0;
    tsidx_format::posting_encoding encoding = tsidx_format::posting_encoding::inline_list;
    std::string_view bytes;
  };
  error decode_block(size_t block, std::string& term_out,
                     const std::function<bool(std::string_view, const posting_ref&)>& entry) const;
  result<Roaring> posting_of(const posting_ref& ref) const;
  /// Decodes a zstd frame of index.tsidx (of at most `max_size` bytes) into `out`.
  /// Errors: corruption naming `what`, io_error (no zstd context).
  error decode_frame(std::string_view frame, uint64_t max_size, std::string& out,
                     const std::string& what) const;
  /// The `card` ordinals of a list of varint deltas (the first from 0) that fill
  /// `bytes`. Errors: corruption.
  result<Roaring> deltas_of(std::string_view bytes, uint64_t card) const;
  /// The varints of slice `s`'s time run: the stored bytes, or (version 3) their
  /// frame decoded into `buffer`. Errors: corruption.
  result<std::string_view> time_run(const fbs::tsidx::SliceRef& s, std::string& buffer) const;

  io::fs::path dir_;
  manifest_info manifest_;
  io::mapped_file journal_;
  io::mapped_file tsidx_;
  int version_ = 0;  // of index.tsidx: 1, 2 or 3 (tsidx_format.hpp)
  /// The rare-term filters of the slices that have one (slice index, filter),
  /// checked and loaded at open as the bucket's bloom filter is.
  std::vector<std::pair<uint32_t, bloom_filter>> rare_filters_;
  std::string_view footer_;
  std::optional<bloom_filter> bloom_;
};

}  // namespace kura
