// The naive evaluator's own `stats`: every value of every group collected in
// row order, then sorted and computed directly — no partial state, no merge,
// none of core/search/aggregations.cpp. The oracle test compares it with the
// executor's per-bucket partials merged.
#pragma once

#include <optional>
#include <vector>

#include "core/error.hpp"
#include "core/search/ast.hpp"
#include "core/search/commands.hpp"
#include "core/search/value.hpp"

namespace kura::testing {

/// Whether naive_stats answers `c`: a stats command without earliest/latest
/// (those stay with apply_command).
bool naive_stats_handles(const search::command& c);

/// `stats` over `rows` (in result order). estdc is answered exactly, which the
/// sketch matches while a group has at most 2,048 distinct values.
/// Requires: naive_stats_handles(c).
std::vector<search::row> naive_stats(const search::command& c,
                                     const std::vector<search::row>& rows);

/// Whether naive_timechart answers `c`: a timechart by a field with a series limit.
bool naive_timechart_handles(const search::command& c);

/// timechart's limit/useother decided here: the series ranked by the sum of
/// their column over an unlimited timechart, the rows of the others relabelled
/// OTHER and charted again (so OTHER is the aggregation over exactly those rows).
/// The binning itself is apply_command's.
result<std::vector<search::row>> naive_timechart(const search::command& c,
                                                 const std::vector<search::row>& rows,
                                                 const search::search_limits& limits,
                                                 std::optional<time_us> earliest,
                                                 std::optional<time_us> latest);

}  // namespace kura::testing
