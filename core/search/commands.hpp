// The commands of a search, in two shapes:
// - streaming stages (search, where, eval, rex, fields, table, rename) that
//   take one row and keep, change or drop it, wherever the row is;
// - aggregations (stats, timechart, top, rare) as partial states: each bucket
//   fills one, the coordinator merges them and finishes. The single-node path
//   and the cluster use the same split.
// Every other command (head, tail, sort, dedup) runs on the merged row stream.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/search/aggregations.hpp"
#include "core/search/ast.hpp"
#include "core/search/fields.hpp"
#include "core/search/predicate.hpp"
#include "core/search/value.hpp"

namespace kura::search {

/// Limits that keep a search's memory bounded; exceeding one is an error that
/// says which limit and what to do.
struct search_limits {
  size_t max_rows = 1'000'000;  ///< rows held at once by sort, tail, dedup or a finished result
  size_t max_groups = 100'000;  ///< groups of stats, timechart, top and rare
  size_t max_values =
      10'000;  ///< distinct values kept per group by dc(), values(), mode(), median() and perc()
  size_t default_sort_limit =
      10'000;  ///< sort without a count keeps this many rows (Splunk's default)
  /// Bytes of rows and groups one search holds at once where its results are
  /// merged (row::approx_bytes, group keys and states); a node sets it from
  /// [search] max_mem_usage_mb (Splunk's limits.conf name, default 200).
  size_t max_memory = size_t(200) << 20;
};

/// The error of a search whose `what` (a command's rows or groups) would
/// hold more than limits.max_memory: names the command, the limit and the
/// setting, and what to do.
error memory_limit_error(const std::string& what, const search_limits& limits,
                         const std::string& advice);

bool is_streaming(command::kind k);
/// Whether this command runs per row where the buckets are: its kind's answer,
/// or for the row commands the answer of its options (row_commands.hpp).
bool is_streaming(const command& c);
bool is_aggregation(command::kind k);
/// Whether chart `c` keeps rows without its column-split field in a NULL
/// column (usenull, default true). Defined in coordinator_commands.cpp.
bool chart_uses_null(const command& c);

/// A compiled streaming command.
class row_stage;    // row_commands.hpp
class spath_stage;  // json_fields.hpp

class stream_stage {
 public:
  static result<stream_stage> make(const command& c);
  /// Applies the command; false when the row is dropped.
  bool apply(row& r) const;

 private:
  const command* cmd_ = nullptr;
  std::shared_ptr<predicate> filter_;
  std::shared_ptr<rex_extractor> rex_;
  std::shared_ptr<const row_stage>
      row_;  // row commands, rex/table/fields/rename with their options
  std::shared_ptr<const spath_stage> spath_;
};

/// A partial aggregation: what one bucket (or any subset of rows) contributes.
class partial_aggregate {
 public:
  /// Requires: `c` is stats, timechart, top or rare. A timechart without a span
  /// takes the smallest of 1s 10s 1m 5m 10m 30m 1h 1d 7d that gives at most 100
  /// bins over [earliest, latest), and 1d when the range is open.
  partial_aggregate(const command& c, const search_limits& limits, std::optional<time_us> earliest,
                    std::optional<time_us> latest);
  /// Adds one row; rows added this way stand in result order in the order
  /// added (for first, last, list, mode). Errors: invalid_argument when
  /// max_groups, max_values or max_memory is exceeded.
  error add(const row& r);
  /// Adds one event row at its place in result order (the executor's rows,
  /// which a bucket reads oldest first). Errors as add.
  error add(const row& r, const row_position& at);
  /// Adds `n` rows that have only `_time` (and the given group values) — the
  /// fast path of `count` answered from posting lists and the time column.
  error add_counts(const std::vector<std::string>& by_values, time_us time, uint64_t n);
  /// Merges another partial of the same command into this one.
  error merge(const partial_aggregate& other);
  /// The final rows. For timechart, `earliest`/`latest` bound the bins.
  result<std::vector<row>> finish(std::optional<time_us> earliest,
                                  std::optional<time_us> latest) const;

  /// The bin of a time for timechart (span resolved).
  time_us bin(time_us t) const;

 private:
  /// search_wire.cpp encodes the groups for a peer and decodes them at the search head.
  friend struct aggregate_wire;

  error group_for(std::vector<std::string> key, std::vector<agg_state>*& out);
  /// Counts a state's growth (approx_bytes before and after a change) against
  /// limits_.max_memory; the error names the command.
  error charge(size_t before, size_t after);
  /// Folds `r` into the group `key` (one of the groups a multivalue by field gives).
  error add_to_group(std::vector<std::string> key, const row& r, const row_position& at);
  /// The value an aggregation reads from a row: its field, or its eval argument.
  value argument_of(const aggregation& a, const row& r) const;
  /// Timechart limit/useother: keeps the top `limit` series by total, the
  /// others merged into OTHER. Returns the series shown, in order.
  result<std::vector<std::string>> shown_series(
      std::map<std::vector<std::string>, std::vector<agg_state>>& groups) const;
  /// chart's final rows: one per row-split value, one column per column-split
  /// value (limit, OTHER, NULL). Defined in coordinator_commands.cpp.
  result<std::vector<row>> finish_chart() const;
  /// Sets in `r` the cells of chart's or timechart's row `key` (a row-split
  /// value or a bin): per aggregation, one per series of `series`, then OTHER
  /// (from `other`) when `with_other`; named "<as>: <series>" when there are
  /// several aggregations, else the series.
  void set_series_cells(
      row& r, const std::string& key, const std::vector<std::string>& series, bool with_other,
      const std::map<std::vector<std::string>, std::vector<agg_state>>& other) const;

  const command* cmd_;
  search_limits limits_;
  time_us span_;
  std::map<std::vector<std::string>, std::vector<agg_state>> groups_;
  uint64_t added_ = 0;  // rows added without a position
  size_t bytes_ = 0;    // about the bytes of groups_ (keys and states), for max_memory
};

/// The text of `fields` in `r`, in order; nullopt when one is missing or null
/// (dedup's key).
std::optional<std::vector<std::string>> field_values(const row& r,
                                                     const std::vector<std::string>& fields);

/// Replaces `keys` by their product with `items`: each key followed by each
/// item, keys first (k1+i1, k1+i2, k2+i1, …). Multivalue fields give one key
/// per value this way.
void extend_keys(std::vector<std::vector<std::string>>& keys,
                 const std::vector<std::string>& items);

/// Runs the row-stream commands head, tail, sort, dedup, and any other command
/// on materialized rows (after an aggregation, or in the naive evaluator).
/// Errors: invalid_argument for limits.
result<std::vector<row>> apply_command(const command& c, std::vector<row> rows,
                                       const search_limits& limits, std::optional<time_us> earliest,
                                       std::optional<time_us> latest);

}  // namespace kura::search
