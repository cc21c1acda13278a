// The column layout of a zstd journal slice (codec byte `T`, FORMAT.md "Column layout").
// The same records as the row layout, regrouped so that the compressor sees like next to
// like: every record's `_raw` is cut into tokens and the n-th tokens of all records are
// stored together (the client addresses, then the timestamps, ...). Exact: taken apart,
// a payload gives back every `_raw` and the rest of each record unchanged. Plain
// functions, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace kura::journal_columns {

/// Tokens a `_raw` is cut into at most; the last one holds the rest of the text.
constexpr size_t max_tokens = 16;

/// Appends to `out` the column layout of `rows`, `events` records of the row layout
/// (FORMAT.md "Record"). Errors: corruption when `rows` does not hold exactly that many
/// well-formed records (never for a writer's own buffer).
error from_rows(std::string_view rows, uint32_t events, std::string& out);

/// Takes apart `columns`, which must hold `events` records, for decoding: `meta` views
/// its metadata stream (per record, the row record without its `raw`), `raws` receives
/// every `_raw` rebuilt, back to back, and `raw_ends` where each ends. Checks every size
/// and token count against the bytes present and that each text stream is used up (the
/// metadata is the caller's to check). Errors: corruption naming what is wrong.
error take_apart(std::string_view columns, uint32_t events, std::string_view& meta,
                 std::string& raws, std::vector<uint32_t>& raw_ends);

}  // namespace kura::journal_columns
