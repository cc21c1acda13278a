// The base search as a predicate: its exact meaning on one event (a row), and
// what the index can answer without reading events (candidate ordinals from
// posting lists, exact or to be verified).
//
// Meaning, case-insensitive unless CASE() says otherwise. Breakers are the
// segmenter's: major (white space, brackets, quotes, `| ; , ! * & ? +` …) and
// minor (`/ : = @ . - $ # % \ _`).
// - a word (minor breakers trimmed from its ends) matches where it occurs in
//   _raw bounded by breakers: each end is the start/end of _raw, next to a
//   breaker, or itself a breaker. So `10.1.2.3` and `1.2` match
//   "src=10.1.2.3", `error` matches "[ERROR]:" and "log-error", `0.1` does not
//   match "10.1.2.3". `*` matches any run of characters without a major
//   breaker (within one major segment): `10.1.*`, `fail*`, `*ail`;
// - a "quoted phrase" matches the same way, taken literally (no trimming, `*`
//   is a character);
// - CASE(word) and CASE("phrase"): the same, with case;
// - TERM(x): some major segment of _raw, with minor breakers trimmed from its
//   ends, equals x (its minor breakers trimmed) or matches it as a `*` glob; x
//   may not contain major breakers. TERM(10.1.2.3) matches " 10.1.2.3 " but
//   not "src=10.1.2.3";
// - field=value compares the field's text (with `*` wildcards; with case under
//   field=CASE(value); field=TERM(value) is field=value); host, source,
//   sourcetype and index always exist, other fields come from extraction;
//   field!=value needs the field to exist (NOT field=value does not);
//   < <= > >= compare numbers and are false when either side is not a number;
// - field IN (a, b, "c d", x*) is (field=a OR field=b OR ...), parsed so;
// - AND (also implicit), OR, NOT and parentheses combine them.
// Limit: the index holds terms of up to 256 bytes (segmenter.hpp), so a `*`
// next to text inside a longer run of non-breakers (for TERM(), a longer
// major segment) is not found through the index.
#pragma once

#include <roaring/roaring.hh>

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/search/ast.hpp"
#include "core/search/bucket_view.hpp"
#include "core/search/value.hpp"

namespace kura::search {

/// Whether `pattern` occurs in `text` bounded by breakers (the rule above);
/// with `wildcards`, `*` in `pattern` matches any run without a major breaker.
/// Both are compared as given (lowercase them for a case-insensitive match).
/// A pattern of only `*` (or empty) occurs everywhere.
bool word_occurs(std::string_view text, std::string_view pattern, bool wildcards);

/// `*` glob on already lowercased text.
bool glob_match(std::string_view pattern, std::string_view text);

/// Field names present on every event row.
bool is_default_field(std::string_view name);

/// host, source and sourcetype: the fields indexed as `field|value` terms.
bool is_metadata_field(std::string_view name);

class predicate {
 public:
  explicit predicate(search_node root);

  /// Whether the row (an event with its fields) satisfies the search.
  bool matches(const row& r) const;

  /// The ordinals of `b` that may match, and whether they are exactly the
  /// matching ones (then no event needs to be read to decide).
  struct candidates_t {
    Roaring ordinals;
    bool exact = true;
  };
  result<candidates_t> candidates(const bucket_view& b) const;

  /// False when the bucket certainly has no match (index name, bloom filter).
  bool may_match(const bucket_view& b) const;

  /// True when deciding needs fields extracted from _raw.
  bool needs_extracted_fields() const;

  const search_node& root() const { return root_; }

 private:
  search_node root_;
};

}  // namespace kura::search
