// The registry of eval functions (eval, where, and every command that takes an
// eval expression): each function's name, arity, parse-time check and
// implementation in one place, so adding a function is one table entry. The
// parser asks it to validate calls; eval.cpp asks it to run them. Semantics
// follow Splunk's evaluation functions; deliberate differences are listed in
// eval_functions.cpp next to the table.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/search/ast.hpp"
#include "core/search/value.hpp"

namespace kura::search {

/// One eval function.
struct eval_function {
  std::string_view name;  ///< lowercase; calls are matched case-insensitively (`IF(`, `Round(`)
  size_t min_args = 0;
  size_t max_args = 0;
  /// Evaluates a call on a row. Arguments arrive unevaluated (`if`, `case`,
  /// `coalesce` and `mvfilter` evaluate only what they need); the call's
  /// `number` holds the search's start time in seconds (for `now()`).
  value (*run)(const expr& call, const row& r) = nullptr;
  /// Optional check of a call at parse time, after its arity was checked:
  /// literal regexes, formats and options. Returns an empty string when the
  /// call is fine, otherwise what is wrong (the caller adds the position).
  std::string (*check)(const expr& call) = nullptr;
};

/// The function called `name` (case-insensitive), or nullptr.
const eval_function* find_eval_function(std::string_view name);

/// Validates a parsed call and prepares it for evaluation: the function must
/// exist, the argument count fit, and literal arguments be valid (a regex in
/// replace/match, a format in printf/strftime/strptime, a search in
/// searchmatch). Rewrites `call.text` to the function's lowercase name and
/// records `now` (microseconds) in `call.number` for now().
/// Errors: invalid_argument naming the function and `call.pos`.
error check_eval_call(expr& call, time_us now);

/// Fields a call reads that are not among its field arguments: searchmatch
/// reads _raw and the fields its search compares. Empty for other functions.
std::vector<std::string> implicit_call_fields(const expr& call);

/// Whether `e` yields a Splunk Boolean: a comparison, AND/OR/XOR/NOT or a
/// predicate function (isnull, match, in, …). Splunk refuses to assign one to
/// a field with eval; `if(<boolean>, …)` is the way.
bool is_boolean_expr(const expr& e);

/// Evaluates a call through the registry. Requires: `call` passed
/// check_eval_call (an unknown function gives null).
value evaluate_call(const expr& call, const row& r);

}  // namespace kura::search
