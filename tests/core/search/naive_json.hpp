// The naive evaluator's own JSON: flattening with nlohmann_json's SAX parser
// (which hands over numbers as written) instead of simdjson, paths on
// nlohmann's DOM, spath and the JSON eval functions, written from Splunk's
// descriptions independently of core/search/json_fields.cpp.
// Numbers inside objects and arrays that a path returns are re-serialized by
// nlohmann, so the generated data writes numbers in their shortest form.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/search/ast.hpp"
#include "core/search/value.hpp"

namespace kura::testing {

/// The fields of a JSON document in order of first appearance (names a.b,
/// a{}, a{}.b; several values: a multivalue); false when it is not valid
/// JSON or its root is not an object (or, with `any_root`, an array).
bool naive_json_flatten(std::string_view json, bool any_root,
                        std::vector<std::pair<std::string, search::value>>& out);

/// For an event whose _raw is a JSON object: the executor's row with the
/// fields extracted after the default fields replaced by the naive flattening
/// (fields before them win). Other rows are returned as they are.
search::row naive_with_json_fields(search::row r, std::string_view raw);

/// Whether `c` is spath (naive_spath runs it).
bool naive_json_handles(const search::command& c);
/// Runs spath over `rows`. Requires: naive_json_handles(c).
std::vector<search::row> naive_spath(const search::command& c, std::vector<search::row> rows);

/// spath(), json_extract() and json_object() on evaluated arguments.
search::value naive_json_call(const std::string& function, const std::vector<search::value>& args);

}  // namespace kura::testing
