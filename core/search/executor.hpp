// Runs a parsed search over a set of buckets. The search is split in two:
// the part that runs where the buckets are (pruning by time range, index and
// bloom filter; candidates from posting lists; reading only the events that
// survive; streaming commands; partial aggregates) and the part that merges
// (newest-first merge of events, merge of partial aggregates, the remaining
// commands). On one node both parts run here; the cluster moves the merge to
// the search head.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/search/ast.hpp"
#include "core/search/bucket_view.hpp"
#include "core/search/commands.hpp"
#include "core/search/value.hpp"

namespace kura::search {

struct search_options {
  time_us now = 0;                   ///< for relative times and year inference
  std::optional<time_us> earliest;   ///< earliest_time of the request (the search's own earliest= wins)
  std::optional<time_us> latest;     ///< latest_time of the request (the search's own latest= wins)
  search_limits limits;
};

/// What a search did, for logs and the job status.
struct search_summary {
  uint64_t buckets_searched = 0;
  uint64_t buckets_skipped = 0;   ///< ruled out by time range, index or bloom filter
  uint64_t events_read = 0;       ///< events decompressed from journals
  uint64_t results = 0;           ///< rows emitted
  uint64_t deleted = 0;           ///< events marked by `| delete`
  std::vector<std::string> warnings;
};

/// Receives result rows; returns false to stop the search.
using row_sink = std::function<bool(const row&)>;

/// Runs `q` over `buckets`. Event rows come newest first (ties: bucket order,
/// then newest ordinal first) and carry _time (epoch seconds), _raw, host,
/// source, sourcetype, index, _cd ("<bucket key>:<ordinal>"), indexed fields
/// and, when needed, key=value fields. Errors: invalid_argument (limits, bad
/// rex), corruption and io_error from buckets.
result<search_summary> execute(const query& q, const std::vector<const bucket_view*>& buckets,
                               const search_options& options, const row_sink& emit);

/// Which fields the rows built from events need.
struct field_plan {
  bool key_values = true;          ///< extract key=value fields from _raw
  bool all = true;                 ///< every field (results are events, or unknown needs)
  std::vector<std::string> names;  ///< otherwise, only these (plus _time)
  /// Whether each default field is wanted (derived from `all` and `names`).
  bool host = true, source = true, sourcetype = true, index = true, cd = true, raw = true;
  /// Whether a field is wanted.
  bool wants(std::string_view name) const;
};

/// The fields a search's event rows need: all of them when results are events;
/// for an aggregation, only what the commands up to it and the base search read.
field_plan plan_fields(const query& q);

/// Builds the row of one event: the fields listed above, limited by `plan`.
row event_row(const bucket_view& b, uint64_t ordinal, const event_view& ev, const field_plan& plan);

}  // namespace kura::search
