// The base search as a predicate: its exact meaning on one event (a row), and
// what the index can answer without reading events (candidate ordinals from
// posting lists, exact or to be verified).
//
// Meaning, case-insensitive throughout:
// - a word matches when its major segment is a term of _raw ("10.0.0.5", "error");
//   a word of several major segments ("[a]b") needs each of them and the text as
//   a substring; `*` in a word matches any run of characters within one term;
// - a "quoted phrase" needs its major segments as terms and itself as a substring;
// - field=value compares the field's text (with `*` wildcards); host, source,
//   sourcetype and index always exist, other fields come from key=value
//   extraction; field!=value needs the field to exist; < <= > >= compare
//   numbers and are false when either side is not a number;
// - AND (also implicit), OR, NOT and parentheses combine them.
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
