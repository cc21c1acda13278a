// Search-time field extraction: automatic key=value pairs from _raw, and rex
// (named groups of an RE2 regular expression).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/search/value.hpp"

namespace re2 {
class RE2;
}

namespace kura::search {

/// Adds every `key=value` of `raw` to `r` (the first occurrence of a key wins;
/// fields already in the row, such as host or _time, are kept). A value is a
/// "quoted string" or runs to white space, a comma or a semicolon.
void extract_key_values(std::string_view raw, row& r);

/// `pattern` in RE2's spelling: Splunk's named groups `(?<name>` become
/// `(?P<name>`; lookbehinds `(?<=` and `(?<!` and everything else are kept.
std::string re2_named_groups(std::string_view pattern);

/// A compiled rex: `(?<name>…)` groups become fields.
class rex_extractor {
 public:
  /// Compiles `pattern` (RE2 syntax; `(?<name>` is accepted for `(?P<name>`).
  /// Errors: invalid_argument (bad regex, no named group).
  static result<rex_extractor> make(std::string_view pattern, std::string field);
  rex_extractor();
  ~rex_extractor();
  rex_extractor(rex_extractor&&) noexcept;
  rex_extractor& operator=(rex_extractor&&) noexcept;
  /// Applies the regex to the row's field; sets a field per named group that matched.
  void apply(row& r) const;
  const std::string& field() const { return field_; }
  /// The names of the regex's named groups (the fields it sets).
  std::vector<std::string> group_names() const;

 private:
  std::unique_ptr<re2::RE2> re_;
  std::string field_;
};

}  // namespace kura::search
