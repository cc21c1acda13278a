// Evaluation of eval expressions (eval, where) on a result row.
#pragma once

#include "core/search/ast.hpp"
#include "core/search/value.hpp"

namespace kura::search {

/// Evaluates `e` against `r`. Missing fields are null; null propagates through
/// arithmetic and string operations; division by zero gives null. Comparisons
/// and logic give 1 or 0. Numbers compare numerically when both sides are
/// numbers, otherwise as strings. Function calls run through the registry
/// in eval_functions.hpp.
value evaluate(const expr& e, const row& r);

}  // namespace kura::search
