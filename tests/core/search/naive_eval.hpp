// The naive evaluator's own eval/where: an independent, simple reading of the
// eval operators and functions (std::regex instead of RE2, gmtime/strftime
// from libc, arithmetic on parsed IPv4 quads), so that the oracle test checks
// the executor's eval rather than comparing it with itself.
#pragma once

#include <functional>
#include <vector>

#include "core/search/ast.hpp"
#include "core/search/value.hpp"

namespace kura::testing {

/// Decides searchmatch's search on a row (the naive evaluator's own matcher).
using naive_search_matcher = std::function<bool(const search::search_node&, const search::row&)>;

/// Whether `c` is an eval or where whose every function the naive evaluator knows.
bool naive_eval_handles(const search::command& c);

/// Runs an eval or where over `rows`. Requires: naive_eval_handles(c).
std::vector<search::row> naive_eval(const search::command& c, std::vector<search::row> rows,
                                    const naive_search_matcher& search_matches);

}  // namespace kura::testing
