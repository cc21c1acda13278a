// JSON fields at search time, as Splunk has them: automatic extraction of an
// event whose _raw is a JSON object (KV_MODE = auto with AUTO_KV_JSON, or
// KV_MODE = json), the `spath` command, and the eval functions spath(),
// json_extract() and json_object().
//
// Field names (Splunk's): a nested object's keys join with "." (`geo.country`),
// an array adds "{}" (`tags{}`, `a{}{}` for arrays of arrays), so an array of
// objects gives `items{}.sku`. A name reached more than once (array elements,
// a key repeated in one object) is multivalued, in document order.
// Values: strings unescaped, numbers as written in the JSON (`1.50` stays
// "1.50", `1e3` stays "1e3"; an integer's one spelling, so `-0` shows as "0"),
// booleans as "true"/"false"; null and empty objects or arrays give no value.
//
// Paths (spath, json_extract): steps separated by "."; a step is a key, and
// may end with selectors: `{}` (every element of an array), `{N}` (one element).
// spath counts elements from 1 (Splunk's spath), json_extract from 0 (Splunk's
// JSON functions). A key cannot contain ".", "{" or "}".
//
// Decisions: a document that is not valid JSON (truncated, bad UTF-8, trailing
// text after the object) gives no fields at all, never a prefix; documents
// nested deeper than max_json_depth give no fields either (bounded stack and
// names). Unlike Splunk's spath there is no 5,000-character cut-off, and
// XML input is not read (spath on XML gives nothing). A path that ends at an
// object or array gives it as compact JSON (re-serialized, numbers in their
// shortest form).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/search/ast.hpp"
#include "core/search/value.hpp"

namespace kura::search {

/// Documents nested deeper than this many objects/arrays are not read.
constexpr size_t max_json_depth = 200;

/// Adds the fields of `raw` to `r` when `raw` (after white space) is a valid
/// JSON object; the first value of a name wins: fields the row already has
/// (host, _time, an earlier extraction) are kept. Adds nothing otherwise.
/// The entry point of KV_MODE auto/json (field_rules.cpp). Thread-safe (each
/// thread keeps its own parser).
void extract_json_fields(std::string_view raw, row& r);

/// As extract_json_fields; returns whether `raw` was a valid JSON object
/// (false: nothing was added), so KV_MODE=auto can fall back to key=value.
/// `wanted` (optional): add only these names (the fields a search reads),
/// which saves building values nobody reads.
bool try_extract_json_fields(std::string_view raw, row& r,
                             const std::set<std::string>* wanted = nullptr);

/// A parsed path (see the file comment).
class json_path {
 public:
  /// One step: a key (empty for a leading selector) or a selector.
  struct step {
    enum class kind : uint8_t { key, every, index } type = kind::key;
    std::string key;   ///< kind::key
    size_t index = 0;  ///< kind::index, 0-based
  };
  /// Parses `text`; `first_index` is the number of the first array element
  /// (1 for spath, 0 for json_extract). Errors: invalid_argument saying what
  /// is wrong and where in the path (empty path, empty key, unclosed `{`,
  /// an index below `first_index`).
  static result<json_path> parse(std::string_view text, size_t first_index);
  const std::vector<step>& steps() const { return steps_; }

 private:
  std::vector<step> steps_;
};

/// One value found at a path: its text (strings unescaped, numbers as
/// written, objects and arrays as JSON text) and what it was.
struct json_match {
  enum class kind : uint8_t { string, number, boolean, object, array } type = kind::string;
  std::string text;
};

/// The values at `path` in the JSON document `json`, in document order; empty
/// when the path is absent, `json` is not valid JSON, or nested too deep.
std::vector<json_match> json_find(std::string_view json, const json_path& path);

/// The `spath` command, compiled: `spath [input=F] [output=O] [path=P | P]`.
/// Without a path it sets every field of the input's JSON (names as above,
/// replacing fields of the same names, as Splunk's spath); with a path it sets
/// the output field (default: the path's text) to the values there, and
/// leaves the row alone when there are none.
class spath_stage {
 public:
  /// Errors: invalid_argument (a bad path; an output without a path).
  static result<spath_stage> make(std::string input, std::string output, std::string path);
  void apply(row& r) const;

 private:
  std::string input_, output_;
  std::optional<json_path> path_;
};

/// Parse-time check of spath(X, Y) and json_extract(X, Y…) calls whose paths
/// are string literals; returns what is wrong, or "".
std::string check_json_path_call(const expr& call);
/// Parse-time check of json_object: an even number of arguments.
std::string check_json_object_call(const expr& call);

/// eval `spath(X, Y)`: the values of X's JSON at path Y (1-based indexes);
/// null when none, a multivalue when several.
value eval_spath(const expr& call, const row& r);
/// eval `json_extract(J)`: J when it is valid JSON (objects and arrays as
/// compact JSON, scalars in their own type); `json_extract(J, P)`: the
/// value at P (0-based indexes) in its own type (a string, a number; objects
/// and arrays as JSON text; booleans "true"/"false"), a JSON array text when
/// P matches several values; with several paths, a JSON array of each path's
/// value (null for a path that matches nothing). Null when J is not JSON or
/// nothing matches.
value eval_json_extract(const expr& call, const row& r);
/// eval `json_object(K1, V1, …)`: compact JSON object text. Numbers stay
/// numbers, null stays null, a multivalue becomes an array of strings, a
/// string holding a JSON object or array is embedded as compact JSON, any
/// other string is a JSON string. Null when a key is null.
value eval_json_object(const expr& call, const row& r);

}  // namespace kura::search
