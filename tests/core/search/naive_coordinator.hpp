// The naive evaluator's own chart, eventstats, streamstats, transaction,
// join, append, lookup and inputlookup: each written directly from its rule
// over the whole row list (brute force, quadratic where that is simplest),
// with naive_stats.cpp for the aggregations — none of
// core/search/coordinator_commands.cpp. outputlookup is not covered (it
// writes files); the unit tests check it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/search/ast.hpp"
#include "core/search/value.hpp"

namespace kura::testing {

/// What the commands need from the evaluator.
struct naive_context {
  /// Whether a base-search expression (transaction startswith=…) matches a row.
  std::function<bool(const search::search_node&, const search::row&)> matches;
  /// Runs a subsearch over the same events.
  std::function<result<std::vector<search::row>>(const search::query&)> subsearch;
  std::string lookup_dir;
};

/// Whether naive_coordinator answers `c`.
bool naive_coordinator_handles(const search::command& c);

/// Runs `c` over `rows` (result order). Requires: naive_coordinator_handles(c).
result<std::vector<search::row>> naive_coordinator(const search::command& c,
                                                   std::vector<search::row> rows,
                                                   const naive_context& ctx);

}  // namespace kura::testing
