// The raw data journal of a bucket (rawdata/journal): an append-only file of
// Snappy- or zstd-compressed slices (zstd over a column layout), each framed with a header
// and an XXH3 checksum.
// It alone is enough to rebuild every other file of a bucket. See FORMAT.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/io/file.hpp"
#include "core/journal/columns.hpp"
#include "core/util/zstd_frame.hpp"

namespace kura {

/// How a journal's slices are compressed (`journalCompression` of an index).
enum class journal_compression : uint8_t { snappy, zstd };

/// The codec of new journals when an index does not say.
constexpr journal_compression default_journal_compression = journal_compression::zstd;

/// "snappy" or "zstd".
std::string_view to_string(journal_compression c);

/// How a new journal writes its slices.
struct journal_options {
  journal_compression compression = default_journal_compression;
  int zstd_level = 0;       ///< 0: the journal's fixed level (FORMAT.md); benchmarks try others
  size_t slice_target = 0;  ///< 0: the codec's slice size (FORMAT.md); benchmarks try others
  /// zstd only: slices in the row layout (codec `Z`, what kura wrote before the column
  /// layout) instead of columns (`T`). For benchmarks and tests of older journals.
  bool zstd_rows = false;
};

/// Where one slice sits in a journal and what it holds.
struct slice_info {
  uint64_t offset = 0;         ///< byte offset of the slice header in the file
  uint32_t size = 0;           ///< header + payload bytes
  uint32_t raw_size = 0;       ///< uncompressed payload bytes
  uint32_t events = 0;         ///< events in the slice
  uint64_t first_ordinal = 0;  ///< ordinal of the slice's first event in the bucket
  time_us min_time = 0;        ///< smallest `_time` in the slice (filled by decoders)
  time_us max_time = 0;        ///< largest `_time` in the slice (filled by decoders)
};

/// What a scan of a journal found. A clean journal has valid_end == file_size.
struct journal_scan {
  std::vector<slice_info> slices;  ///< every complete, checksum-valid slice, in order
  uint64_t events = 0;             ///< events in those slices
  uint64_t valid_end = 0;          ///< offset just past the last valid slice
  uint64_t file_size = 0;          ///< bytes in the file
  std::string problem;             ///< why the scan stopped early; empty when clean
  /// The codec the file header names: new slices of a reopened journal use it.
  journal_compression compression = journal_compression::snappy;
  /// The header's codec byte (`journal_format.hpp`): it also tells the zstd layouts apart.
  char codec = 0;
  bool clean() const { return problem.empty(); }
};

/// Checks the file header and every slice's frame, checksum and codec byte,
/// stopping at the first bad or incomplete slice (a torn tail or corruption),
/// which it reports in `problem` with its offset. Slice time ranges are not
/// filled (see decode_slice). Errors: corruption when the file header itself is
/// bad (magic, an unknown version or codec).
result<journal_scan> scan_journal(std::string_view file_bytes);

/// Checks a part of a journal that is to be appended at byte `offset` of a
/// copy whose slices so far hold `first_ordinal` events (replication): the
/// file header when `offset` is 0, then only whole, checksum-valid slices
/// numbered on from `first_ordinal`. Returns the events in the part.
/// Errors: corruption naming the offset and what is wrong.
result<uint64_t> check_journal_part(std::string_view part, uint64_t offset, uint64_t first_ordinal);

/// Buffers decode_slice fills and reuses from one slice to the next (one per reader).
struct slice_scratch {
  /// The text every decoded event's `raw` is a view into, in event order: the slice's
  /// records (row layouts) or its `_raw`s back to back (column layout).
  std::string text;
  std::string payload;             ///< the decompressed column layout
  std::vector<uint32_t> raw_ends;  ///< column layout: where each `_raw` ends in `text`
};

/// Calls `fn(ordinal, event)` for every event of one slice, whichever codec its
/// header names. The views passed to `fn` live until it returns (they point into
/// `scratch`). Fills `slice.min_time`/`max_time`. Thread-safe (one zstd context per
/// thread). Errors: corruption (bad checksum, unknown codec, undecodable payload or records).
error decode_slice(std::string_view file_bytes, slice_info& slice, slice_scratch& scratch,
                   const std::function<void(uint64_t ordinal, const event_view&)>& fn);

/// Appends events to a journal. Owned by one hot bucket; not thread-safe.
///
/// Durability rule: append() only buffers; a slice is written (not synced) when
/// the codec's slice size of records is buffered; commit() writes the partial
/// slice and fdatasyncs the file. An event is durable, and may be acknowledged, once a
/// commit() that followed its append() returned ok.
class journal_writer {
 public:
  /// Creates a new journal at `path` (the file must not exist) and syncs its
  /// header, which records `opts.compression`. Errors: already_exists, io_error.
  static result<journal_writer> create(const io::fs::path& path, journal_options opts = {});
  /// Reopens a journal that scan_journal found clean, to append after it with
  /// the codec its header names (a journal never mixes codecs).
  static result<journal_writer> reopen(const io::fs::path& path, const journal_scan& scan);

  /// The codec of this journal's slices.
  journal_compression compression() const { return opts_.compression; }

  /// Buffers one event; may write a full slice. Errors: io_error.
  error append(const event_view& ev);
  /// Writes any buffered events as a slice and fdatasyncs. Errors: io_error.
  error commit();
  /// Whether events were appended since the last commit.
  bool uncommitted() const { return dirty_; }

  /// Slices written so far, in order (time ranges filled).
  const std::vector<slice_info>& slices() const { return slices_; }
  /// Events appended, written or not.
  uint64_t events() const { return next_ordinal_; }
  /// Bytes in the file plus buffered uncompressed bytes (a size estimate).
  uint64_t size_estimate() const { return file_.size() + buffer_.size() / 3; }
  /// Bytes written to the file.
  uint64_t file_size() const { return file_.size(); }
  /// Bytes of the file known to be on disk (after the last successful commit).
  uint64_t synced_size() const { return synced_size_; }

 private:
  error seal_slice();
  /// The open slice's layout: columns or rows, whichever zstd makes smaller on its first
  /// `layout_sample_bytes` of records. When that sample is the whole slice the winner is
  /// already encoded (`encoded`): `columns` holds the column layout if it won (`streams`
  /// where its streams start), and `compressed` the winner's frame after the header room,
  /// `compressed_size` bytes.
  struct layout_choice {
    bool columns = false;
    bool encoded = false;
    size_t compressed_size = 0;
  };
  result<layout_choice> choose_layout(std::string& columns, std::vector<size_t>& streams,
                                      std::string& compressed);
  /// Compresses `payload` into `compressed` after the header room; returns its size. A zstd
  /// frame starts a new block at each of `streams` (zstd_frame::encoder::append).
  result<size_t> compress(std::string_view payload, const std::vector<size_t>& streams,
                          std::string& compressed);

  journal_options opts_;
  char codec_ = 0;  // the codec of the slices written (`K`: each `K` or `Z` by its layout)
  size_t slice_target_ = 0;
  zstd_frame::encoder zstd_;
  journal_columns::column_plan plan_;  // the column kinds of the next slices
  io::append_file file_;
  std::string buffer_;  // uncompressed records of the open slice
  std::vector<slice_info> slices_;
  uint64_t next_ordinal_ = 0;
  uint32_t slice_events_ = 0;
  uint32_t sample_events_ = 0;  // events of the open slice's sample (0: smaller than a sample)
  size_t sample_bytes_ = 0;     // record bytes of that sample
  time_us prev_time_ = 0;
  time_us slice_min_ = 0, slice_max_ = 0;
  std::string last_host_, last_source_, last_sourcetype_;
  bool dirty_ = false;
  uint64_t synced_size_ = 0;
};

}  // namespace kura
