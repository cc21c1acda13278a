// The naive evaluator's own row commands (bin, fillnull, makemv, mvexpand,
// convert, addtotals, fieldformat, regex, makeresults, rex mode=sed and
// max_match, sort and dedup with their options, wildcards in rename, table
// and fields): simple, independent readings of Splunk's meaning (std::regex,
// libc time functions, plain loops), so the oracle test checks
// core/search/row_commands.cpp instead of comparing it with itself.
#pragma once

#include <vector>

#include "core/error.hpp"
#include "core/search/ast.hpp"
#include "core/search/commands.hpp"
#include "core/search/value.hpp"
#include "search/naive_eval.hpp"

namespace kura::testing {

/// Whether the naive evaluator runs `c` with naive_row_command.
bool naive_row_handles(const search::command& c);

/// Runs `c` over `rows`. Requires: naive_row_handles(c). Errors: the limits.
result<std::vector<search::row>> naive_row_command(const search::command& c,
                                                   std::vector<search::row> rows,
                                                   const search::search_limits& limits,
                                                   const naive_search_matcher& search_matches);

}  // namespace kura::testing
