// The aggregation functions of stats and timechart (and of the commands built
// on partial_aggregate): which names exist, and for each the state it keeps,
// how states merge and what the final value is. Every state merges exactly: a
// merge of the states of any split of the rows finishes to the same value as
// one state over all of them (up to floating-point rounding of sums).
//
// Meanings (Splunk's, with the choices written here where Splunk leaves room):
// - count(x) counts values of x (each item of a multi-value); count(eval(e))
//   counts rows where e is true (or non-null); any function takes eval(e).
// - dc/distinct_count exact (at most max_values values, else an error that
//   points to estdc); estdc a HyperLogLog sketch (hyperloglog.hpp).
// - sum, sumsq, avg/mean, stdev, stdevp, var, varp, range over numeric values;
//   stdev and var are the sample ones (0 for a single value), *p the population ones.
// - median, perc<N>/p<N>/exactperc<N>/upperperc<N> (N in [0, 100], decimals
//   allowed) are exact over the numeric values, which the state keeps with their
//   counts (at most max_values distinct numbers per group, else an error — never
//   an approximation): perc interpolates linearly at rank N/100·(n−1), as
//   Excel's PERCENTILE.INC and Splunk's exactperc do, so perc, exactperc and
//   upperperc agree; median is the middle value, the higher of the two middle
//   ones for an even count (Splunk's documented median).
// - mode: the most frequent value; ties go to the value seen first in result order.
// - list: the first 100 values in result order (Splunk's list limit); values: sorted unique.
// - first/last: the value of the first/last row in result order — for events
//   that is newest first, so first() is the newest value, as in Splunk.
// - earliest/latest (and earliest_time/latest_time): the value (time) of the
//   oldest/newest event.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/search/ast.hpp"
#include "core/search/hyperloglog.hpp"
#include "core/search/value.hpp"

namespace kura::search {

/// Where a row stands in result order. Events: newest first, then the lower
/// bucket rank, then the higher ordinal (as rank_key). Rows already in a list
/// (after a command, or in apply_command): time and rank 0, the ordinal counting
/// down from UINT64_MAX with the row's index.
struct row_position {
  time_us time = 0;
  uint64_t rank = 0;
  uint64_t ordinal = 0;
  /// True when a row at this position comes before one at `o` in results.
  bool before(const row_position& o) const {
    if (time != o.time) return time > o.time;
    if (rank != o.rank) return rank < o.rank;
    return ordinal > o.ordinal;
  }
  bool operator==(const row_position&) const = default;
};

/// One value of list(): where it was seen (item = index within a multi-value).
struct listed_value {
  row_position at;
  uint32_t item = 0;
  std::string text;
  bool before(const listed_value& o) const {
    return at.before(o.at) || (at == o.at && item < o.item);
  }
  bool operator==(const listed_value&) const = default;
};

/// How often mode() saw a value, and where first.
struct mode_entry {
  uint64_t count = 0;
  row_position first;
  bool operator==(const mode_entry&) const = default;
};

/// The state of one aggregation function over one group. Each function uses
/// the members it needs (count, sum and numeric are kept for all).
struct agg_state {
  uint64_t count = 0;
  double sum = 0;
  uint64_t numeric = 0;  // values that were numbers (sum, avg, stdev, var)
  std::optional<value> min, max;
  std::vector<std::string> distinct;  // dc, values: sorted unique
  bool truncated = false;  // unused since dc/values refuse past max_values; kept on the wire
  time_us first_time = 0, last_time = 0;
  std::optional<value> first, last;            // earliest, latest
  double sumsq = 0;                            // stdev, var, sumsq
  std::map<double, uint64_t> numbers;          // median, perc: each number and its count
  std::map<std::string, mode_entry> modes;     // mode
  std::vector<listed_value> listed;            // list: the first list_limit in result order
  std::optional<value> first_seen, last_seen;  // first, last
  row_position first_seen_at, last_seen_at;
  hyperloglog sketch;  // estdc
};

/// About the bytes a state holds, in constant time: its own size, a fixed
/// estimate per kept value (distinct, numbers, modes, listed; texts of typical
/// field length) and the sketch. What search_limits::max_memory counts of groups.
size_t approx_bytes(const agg_state& s);

/// Splunk's limit of list() values.
inline constexpr size_t list_limit = 100;

/// A function name as written: its canonical name (`mean` → avg, `c` → count,
/// `distinct_count` → dc, `p95`/`exactperc95`/`upperperc95` → perc, `median`
/// → median) and its percentile. nullopt for an unknown name or a percentile
/// outside [0, 100].
struct aggregation_name {
  std::string function;
  double percentile = 0;
};
std::optional<aggregation_name> lookup_aggregation(std::string_view written);

/// Whether the function can run without a field (only count).
bool aggregation_needs_field(const std::string& function);

/// Whether an empty group shows 0 rather than null (count, dc, estdc).
bool aggregation_zero_when_empty(const std::string& function);

/// Whether `e` is a condition (comparison, logic, a test function): as an
/// argument of an aggregation, true counts as 1 and false as no value.
bool is_condition(const expr& e);

/// Folds the value of one row (`v`, null when the row lacks it) into `s`.
/// Errors: invalid_argument when a kept set passes `max_values`.
error fold_aggregation(agg_state& s, const aggregation& a, const value& v, time_us time,
                       row_position at, size_t max_values);

/// Merges `from` into `into` (same function). Errors as fold_aggregation.
error merge_aggregation(agg_state& into, const agg_state& from, const aggregation& a,
                        size_t max_values);

/// The final value of a state (null when the group saw no usable value).
value finish_aggregation(const aggregation& a, const agg_state& s);

/// The value of a stats/chart/timechart cell: finish_aggregation of `s`
/// (nullptr: the group has no state); a null result is 0 where
/// aggregation_zero_when_empty, null otherwise.
value aggregation_cell(const aggregation& a, const agg_state* s);

}  // namespace kura::search
