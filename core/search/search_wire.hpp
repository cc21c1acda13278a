// Search results between processes: the byte encoding of rows, row batches,
// summaries and opened cursors (with their partial aggregate) that a peer sends
// to a search head, and combine_parts, which folds a peer's parts into the one
// part it answers with.
//
// Format (version 2; version 1 lacked the agg_state extension). Every message is
//
//   +---------+-----+------------------+
//   | version | tag | body             |   version: 1 byte, 0x02
//   +---------+-----+------------------+   tag: 1 byte, what the body is
//
// and ends exactly where its body ends (trailing bytes are an error). Integers
// are LEB128 varints (core/util/coding.hpp); signed ones (times) are zigzag
// varints; doubles are their IEEE-754 bits as a little-endian fixed64; a
// string is a varint length and the bytes. Tags and bodies:
//
//   0x01 value          kind:1 (0 null, 1 number, 2 string, 3 multi), then
//                       number: fixed64 | string: string | multi: varint n, n strings
//   0x02 row            varint n, n × (name: string, value)        names unique
//   0x03 rank_key       time: zigzag, rank: varint, ordinal: varint
//   0x04 ranked_row     rank_key, row
//   0x05 row_batch      varint n, n × ranked_row, done: 1 byte (0|1), events_read: varint
//   0x06 search_summary buckets_searched, buckets_skipped, events_read, results,
//                       deleted: varints; varint n, n warnings: strings
//   0x07 cursor_opened  id: varint, upper_time: zigzag, search_summary body,
//                       varint n, n × (bucket key, index: strings) keys ascending,
//                       has_aggregate: 1 byte (0|1), then the aggregate:
//
//   aggregate   command kind: 1 byte, span: zigzag, key width: varint, states
//               per group: varint (all four must match what the search head
//               builds from the query), varint n groups (at most max_groups),
//               n × (width key strings, states × agg_state), keys ascending
//   agg_state   count: varint, sum: fixed64 double, numeric: varint,
//               flags: 1 byte (1 min, 2 max, 4 first, 8 last, 16 truncated),
//               [min value], [max value], varint n distinct (at most
//               max_values, strictly ascending) strings, first_time: zigzag,
//               last_time: zigzag, [first value], [last value], then
//               sumsq: fixed64 double; varint n (≤ max_values) × (number:
//               fixed64, count: varint ≥ 1) numbers strictly ascending (median,
//               perc); varint n (≤ max_values) × (string, count: varint ≥ 1,
//               position) mode values strictly ascending; varint n (≤ 100) ×
//               (position, item: varint, string) list values in result order;
//               1 byte (1 first, 2 last) and for each [position, value]; the
//               estdc sketch (hyperloglog.hpp). A position is time: zigzag,
//               rank: varint, ordinal: varint (aggregations.hpp row_position).
//
// Values inside bodies have no version or tag. A decoded timechart bin must be
// the decimal text of a multiple of the span within ±2^61 µs, as
// partial_aggregate writes it. Example, the row {a: 1}:
//
//   01 02 01 01 61 01 00 00 00 00 00 00 f0 3f
//   version 01, tag 02 (row), 01 field, name "a" (01 61), kind 01 (number),
//   1.0 as IEEE-754 bits, little-endian (00 00 00 00 00 00 f0 3f)
//
// Decoding treats the bytes as untrusted: every length is checked against the
// bytes left, every count is capped by the bytes left (and by the search's
// limits for groups and distinct values), and anything malformed is
// `corruption: search wire: <what> at byte <offset>`.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/search/cursor_table.hpp"
#include "core/search/executor.hpp"
#include "core/search/value.hpp"

namespace kura::search {

/// The format version written first in every message; decoders reject others.
inline constexpr uint8_t search_wire_version = 2;

/// Encodes a value as a message (version, tag, body). Never fails.
std::string encode_value(const value& v);
/// Decodes a message made by encode_value. Errors: corruption (bad version, tag,
/// truncation, unknown kind, trailing bytes).
result<value> decode_value(std::string_view bytes);

/// Encodes a row (its fields in order). Never fails.
std::string encode_row(const row& r);
/// Decodes a message made by encode_row. Errors: corruption, also for a field
/// name that appears twice.
result<row> decode_row(std::string_view bytes);

/// Encodes a rank key. Never fails.
std::string encode_rank_key(const rank_key& k);
/// Decodes a message made by encode_rank_key. Errors: corruption.
result<rank_key> decode_rank_key(std::string_view bytes);

/// Encodes a row with its place in the result order. Never fails.
std::string encode_ranked_row(const ranked_row& r);
/// Decodes a message made by encode_ranked_row. Errors: corruption.
result<ranked_row> decode_ranked_row(std::string_view bytes);

/// Encodes a batch of rows read from a cursor. Never fails.
std::string encode_row_batch(const row_batch& b);
/// Decodes a message made by encode_row_batch. Errors: corruption.
result<row_batch> decode_row_batch(std::string_view bytes);

/// Encodes a search summary (warnings included). Never fails.
std::string encode_search_summary(const search_summary& s);
/// Decodes a message made by encode_search_summary. Errors: corruption.
result<search_summary> decode_search_summary(std::string_view bytes);

/// Encodes an opened cursor, its partial aggregate included. Never fails.
std::string encode_cursor_opened(const cursor_opened& c);
/// Decodes a message made by encode_cursor_opened. A partial aggregate is rebuilt
/// the way execute_part builds one, from the aggregation of `q` after its
/// streaming commands, `options.limits` and the time range (the query's
/// earliest=/latest= before the options'), and then gets the decoded groups.
/// Errors: corruption for malformed bytes and for an aggregate that does not fit
/// `q` (no aggregation there, another command kind, span or group shape, more
/// groups or distinct values than the limits allow). Requires: `q` is the query
/// the sender ran, parsed here, and outlives the result (the partial points into
/// it).
result<cursor_opened> decode_cursor_opened(std::string_view bytes, const query& q,
                                           const search_options& options);

/// The field-by-field sum of summaries (warnings concatenated in order); null
/// pointers are skipped.
search_summary sum_summaries(const std::vector<std::shared_ptr<search_summary>>& summaries);

/// Merges several parts of one search into one part without running anything
/// after the split, for a peer that answers the search head with one part for
/// all its indexes and buckets:
/// - events: the parts' sources merged newest first (merge_sources); their
///   rank keys are kept, so each part must have been run with its own ranks;
/// - aggregations: one partial built like execute_part's and merged with every
///   part's partial; the result has no event source, as from execute_part;
/// - bucket_indexes: the union (a key held by two parts keeps the first);
/// - mark_deleted: forwarded to the part whose bucket_indexes hold the key
///   (not_found for a key of no part, bad_state for a part without one);
/// - summary: a fresh summary that is the sum_summaries of the parts'
///   summaries. Parts fill theirs as they are read, so for events it is
///   recomputed after every peek() of the combined source (it then matches
///   what the parts have read so far, and the total at the end); warnings are
///   those the parts had when combined. For aggregations the parts' summaries
///   are already final and are summed once.
/// - state: holds every part's state (and their summaries) for as long as the
///   combined part or its source lives.
/// Errors: invalid_argument when an event search has a part without a source or
/// an aggregation has a part without a partial; the errors of
/// partial_aggregate::merge (max_groups). Requires: `q` outlives the result, and
/// every part was made for `q` with `options`.
result<search_part> combine_parts(const query& q, std::vector<search_part> parts,
                                  const search_options& options);

}  // namespace kura::search
