// The naive evaluator's own reading of words, phrases, CASE() and TERM()
// (core/search/predicate.hpp states the rules): a lowercased copy of _raw
// searched with find() or std::regex, ends checked against the breaker table.
// Nothing here calls the executor's matcher.
#pragma once

#include <string>

#include "core/search/ast.hpp"

namespace kura::testing {

/// Whether the term or phrase node `n` (with its CASE/TERM flags) matches an
/// event whose _raw is `raw`.
bool naive_word_matches(const search::search_node& n, const std::string& raw);

/// `*` glob over a whole value, case-insensitive unless `keep_case`.
bool naive_value_glob(const std::string& pattern, const std::string& text, bool keep_case);

}  // namespace kura::testing
