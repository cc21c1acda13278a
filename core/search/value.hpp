// Field values and result rows of the search language. A value is null, a
// number, a string, or a multi-value (a list of strings, from values() or
// multi-valued extractions). Rows keep fields in insertion order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/types.hpp"

namespace kura::search {

class value {
 public:
  enum class kind : uint8_t { null, number, string, multi };

  value() = default;
  value(double n) : kind_(kind::number), num_(n) {}
  value(std::string s) : kind_(kind::string), str_(std::move(s)) {}
  value(std::string_view s) : kind_(kind::string), str_(s) {}
  value(const char* s) : kind_(kind::string), str_(s) {}
  static value multi(std::vector<std::string> items);

  kind type() const { return kind_; }
  bool is_null() const { return kind_ == kind::null; }
  /// The number this value is or parses as ("42", " 3.5"); nullopt otherwise.
  std::optional<double> as_number() const;
  /// Text form: numbers without trailing zeros ("3", "2.5"), multi-values joined by newlines.
  std::string as_string() const;
  /// The text of a string value without copying it; nullopt for other kinds.
  std::optional<std::string_view> text() const {
    if (kind_ == kind::string) return std::string_view{str_};
    return std::nullopt;
  }
  /// Items of a multi-value, or the single string form of any other non-null value.
  std::vector<std::string> items() const;
  /// Truth for where/if: non-null and not "false"/0.
  bool truthy() const;

  bool operator==(const value& o) const;
  /// About the bytes this value holds on the heap (text beyond the string's
  /// inline buffer, multi-value items): what a search's memory limit counts.
  size_t heap_bytes() const;

 private:
  kind kind_ = kind::null;
  double num_ = 0;
  std::string str_;
  std::vector<std::string> multi_;
};

/// Renders a number the way Splunk shows it: integers without a fraction,
/// others with up to 6 decimals (more below 1, to keep 6 significant digits:
/// 0.000000333333) and no trailing zeros; below 1e-15 in e-notation.
std::string format_number(double n);

/// Compares two values for sort: numbers numerically (before strings), strings
/// lexicographically, null last. Returns <0, 0, >0.
int compare_values(const value& a, const value& b);

/// A result row: named fields in insertion order.
class row {
 public:
  /// The value of a field, or nullptr.
  const value* get(std::string_view name) const;
  /// Sets (replacing) a field.
  void set(std::string_view name, value v);
  /// Appends a field. Requires: the row has no field of that name.
  void add(std::string_view name, value v) { fields_.emplace_back(std::string{name}, std::move(v)); }
  /// Reserves room for `n` fields.
  void reserve(size_t n) { fields_.reserve(n); }
  /// Removes a field; returns whether it existed.
  bool erase(std::string_view name);
  /// Renames a field (replacing any field of the new name).
  void rename(std::string_view from, std::string_view to);
  const std::vector<std::pair<std::string, value>>& fields() const { return fields_; }
  std::vector<std::pair<std::string, value>>& fields() { return fields_; }
  /// `_time` in microseconds when the row has one (null time is INT64_MIN).
  time_us time() const;
  bool operator==(const row& o) const = default;
  /// About the bytes this row occupies: its field slots, names and values
  /// (the measure of search_limits::max_memory).
  size_t approx_bytes() const;

 private:
  std::vector<std::pair<std::string, value>> fields_;
};

}  // namespace kura::search
