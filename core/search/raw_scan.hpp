// The raw-text prefilter of a search: what every matching event's _raw must
// contain, found in a whole decoded slice at once, so that an event without
// it costs nothing (no row, no predicate, no regex).
//
// The literal is a necessary condition only: an event that contains it is
// still decided by the base search and the commands, so the filter never
// changes results. It is taken from
// - the words and phrases AND-ed at the top of the base search (a word's text
//   between `*`s, a phrase's text): each occurs in a matching _raw;
// - leading `regex _raw="…"` commands (right after the base search): the
//   literal runs the regex requires (outside groups, classes and optional
//   parts; none when the regex has a top-level `|` or a case-insensitive
//   flag, whose Unicode folding ASCII folding does not cover).
// The longest of them is searched, ASCII case-insensitively (the search's
// own lowercasing is ASCII). Those leading regex commands are also decided on
// the event's _raw before its row is built (`raw_regexes_match`).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/search/ast.hpp"

namespace re2 {
class RE2;
}

namespace kura::search {

/// The longest literal run `pattern` (an RE2 regex, Splunk's `(?<name>`
/// accepted) requires in any text it matches; empty when it requires none the
/// rules above can prove.
std::string required_regex_literal(std::string_view pattern);

/// Finds `needle` in `text` from `from`, ASCII case-insensitively (`needle`
/// lowercase). Returns the position or npos.
size_t find_folded(std::string_view text, std::string_view needle, size_t from = 0);

class raw_prefilter {
 public:
  /// The prefilter of `q`; nullopt when it would reject nothing (no literal and
  /// no leading regex on _raw).
  static std::optional<raw_prefilter> of(const query& q);

  /// The lowercase literal searched (may be empty when only regexes apply).
  const std::string& literal() const { return literal_; }
  /// How many leading commands of the query `raw_regexes_match` decides.
  size_t leading_regexes() const { return regexes_.size(); }

  /// A scan of one slice's decoded records; events are asked in order.
  class scan {
   public:
    scan(const raw_prefilter& f, std::string_view records) : f_(f), records_(records) {}
    /// False when `raw` certainly lacks the literal. A `raw` that is not a
    /// view into the records given passes (it is decided the ordinary way).
    /// Requires: the raws asked of one scan are in record order.
    bool may_match(std::string_view raw);

   private:
    const raw_prefilter& f_;
    std::string_view records_;
    size_t next_hit_ = 0;  // the first hit at or after the last _raw searched from
    bool searched_ = false;
  };

  /// Whether `raw` passes the leading `regex _raw=` commands (exactly as they
  /// decide on the row).
  bool raw_regexes_match(std::string_view raw) const;

 private:
  std::string literal_;
  std::vector<std::shared_ptr<const re2::RE2>> regexes_;
};

}  // namespace kura::search
