// The column layouts of a zstd journal slice (codec bytes `K` and `T`, FORMAT.md "Column
// layout"). The same records as the row layout, regrouped so that the compressor sees like
// next to like: every record's `_raw` is cut into tokens and the n-th tokens of all records
// are stored together (the client addresses, then the timestamps, ...). In `K` each column
// is stored the way that suits it: its tokens as they are, a table of its distinct tokens
// and an index per record, IPv4 addresses as 4 bytes, or a table of templates with the
// runs of digits apart ("GET /products/0 HTTP/0.0" and 23719, 1, 1). Exact: taken apart, a payload
// gives back every `_raw` and the rest of each record unchanged. Plain functions, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace kura::journal_columns {

/// Tokens a `_raw` is cut into at most; the last one holds the rest of the text.
constexpr size_t max_tokens = 16;

/// How a column of a `K` payload stores its tokens (FORMAT.md "Column kinds").
enum class column_kind : uint8_t {
  plain = 0,       ///< each token's length, then the tokens back to back (all of `T`)
  dictionary = 1,  ///< the distinct tokens (lengths, bytes), then each token's index
  ipv4 = 2,        ///< each token a dotted-quad address written as its 4 bytes
  digit_runs = 3,  ///< a dictionary of templates (each run of digits one '0'), the runs apart
};

/// Streams per column in a `K` payload (a kind leaves the ones it does not use empty).
constexpr size_t stream_count = 5;

/// Which kinds from_rows tries per column. A survey tries them all and picks each
/// column's by rule (column kinds in FORMAT.md); between surveys only the kind each column
/// took in the last one is tried (or plain, when it no longer fits): a writer's slices are
/// alike, and trying every kind costs as much as compressing the slice.
struct column_plan {
  /// One slice in this many is surveyed, when no column's kind stops fitting.
  static constexpr uint32_t survey_interval = 16;
  std::array<column_kind, max_tokens> kinds{};
  uint32_t slices_to_survey = 0;  ///< 0: the next slice is surveyed
};

/// Appends to `out` the `K` column layout of `rows`, `events` records of the row layout
/// (FORMAT.md "Record"), with column kinds as `plan` says (and moves `plan` on), and sets
/// `stream_starts` to where in `out` each of its non-empty streams starts (the metadata,
/// the token counts, the columns' streams), for a compressor that fits its tables to each
/// stream. Errors: corruption when `rows` does not hold exactly that many well-formed
/// records (never for a writer's own buffer).
error from_rows(std::string_view rows, uint32_t events, column_plan& plan, std::string& out,
                std::vector<size_t>& stream_starts);

/// Takes apart `columns`, a `K` payload (`with_kinds`) or a `T` one, which must hold
/// `events` records, for decoding: `meta` views its metadata stream (per record, the row
/// record without its `raw`), `raws` receives every `_raw` rebuilt, back to back, and
/// `raw_ends` where each ends. Checks every size, kind, index and token count against the
/// bytes present, that each stream is used up and that the rebuilt text stays within a
/// slice's bound (the metadata is the caller's to check). Errors: corruption naming what
/// is wrong.
error take_apart(std::string_view columns, uint32_t events, bool with_kinds, std::string_view& meta,
                 std::string& raws, std::vector<uint32_t>& raw_ends);

/// The kind of each column in a `K` payload (the stream table's), for tests and tools.
/// Errors: corruption when the table is truncated or names an unknown kind.
result<std::vector<column_kind>> kinds_of(std::string_view columns);

}  // namespace kura::journal_columns
