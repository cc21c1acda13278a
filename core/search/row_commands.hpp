// The row-level commands of the search language, with Splunk's meaning:
// bin/bucket, fillnull, makemv, mvexpand, convert, addtotals, fieldformat,
// regex, makeresults, and the options of rex (mode=sed, max_match), sort
// (num/str/ip/auto, desc), dedup (keepempty, consecutive, sortby) and the
// wildcards of rename, table and fields.
//
// Where each runs (decided per command, by is_row_streaming): a command that
// takes one row and gives one row or none runs where the buckets are, as a
// stream_stage (bin span=, fillnull with a field list, makemv, convert,
// addtotals without col=t, fieldformat, regex, rex, rename/table/fields);
// a command that needs every row, their order, or gives several rows for one
// runs at the coordinator after the merge (bin bins=, fillnull without a
// field list, mvexpand, addtotals col=t, sort, dedup, makeresults).
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/search/ast.hpp"
#include "core/search/commands.hpp"
#include "core/search/value.hpp"

namespace kura::search {

/// One key of sort (or dedup sortby): `-num(bytes)`.
struct sort_key {
  enum class order : uint8_t { automatic, number, text, ip };
  std::string field;
  bool descending = false;
  order how = order::automatic;
};

/// One conversion of convert: `num(bytes) as b`.
struct conversion {
  std::string function;  ///< ctime mktime dur2sec num auto rmunit rmcomma memk none
  std::string field;     ///< may hold * wildcards (then `as` is empty)
  std::string as;        ///< empty: convert in place
};

/// The options of the row commands, set by the parser (command::row).
struct row_args {
  // bin
  std::string field;           ///< bin, makemv, mvexpand: the field
  std::string as;              ///< bin: `as` name (empty: the field itself)
  std::optional<double> span;  ///< bin span=: seconds (time) or a width (numbers)
  bool time_bins = false;      ///< bin: the field is a time (_time, or a span with a time unit)
  size_t bins = 0;             ///< bin bins= (0: not given; without span, 100)
  std::optional<double> start, end;  ///< bin: extend the range bins= divides
  // fillnull
  std::string fill_value = "0";
  // makemv
  std::string delim = " ";
  std::string tokenizer;  ///< a regex: each match (its first group if any) is a value
  bool allow_empty = false;
  // mvexpand
  size_t limit = 0;  ///< values per row (0: all)
  // makeresults
  size_t count = 1;
  time_us now = 0;  ///< makeresults _time; convert mktime for a year-less format
  // rex
  size_t max_match = 1;  ///< 0: every match
  std::string sed;       ///< mode=sed: "s/re/replacement/flags" or "y/abc/xyz/"
  // convert
  std::vector<conversion> conversions;
  std::string timeformat = "%m/%d/%Y %H:%M:%S";
  // addtotals
  bool row_totals = true, col_totals = false;
  std::string labelfield, label = "Total", fieldname = "Total";
  // regex
  std::string regex_field = "_raw";
  std::string pattern;
  bool negate = false;  ///< regex field!="…"
  // sort, dedup sortby
  std::vector<sort_key> sort_by;
  // dedup
  bool keep_empty = false, consecutive = false;
};

/// Whether a command runs per row where the buckets are (see the file
/// comment); nullopt for commands this file does not own.
std::optional<bool> is_row_streaming(const command& c);

/// Whether the search starts with a generating command (makeresults): it
/// reads no bucket, its rows come from the command.
bool starts_with_generator(const query& q);

/// A compiled streaming row command.
class row_stage {
 public:
  /// Compiles `c` (regexes, sed expressions). Requires: is_row_streaming(c)
  /// is true. Errors: invalid_argument naming the command's position.
  static result<std::shared_ptr<const row_stage>> make(const command& c);
  ~row_stage();
  /// Applies the command; false when the row is dropped.
  bool apply(row& r) const;

 private:
  struct compiled;
  row_stage() = default;
  const command* cmd_ = nullptr;
  std::unique_ptr<compiled> re_;
};

/// Runs a row command that needs all rows (or any row command on
/// materialized rows). Requires: c.row is set. Errors: invalid_argument for
/// limits (max_rows).
result<std::vector<row>> apply_row_command(const command& c, std::vector<row> rows,
                                           const search_limits& limits);

/// Checks what only the whole search shows: makeresults must be the first
/// command after an empty base search; fieldformat may be followed only by
/// fieldformat, table, fields, head and tail (kura applies it to the final
/// value). Errors: invalid_argument with the command's position.
error validate_row_commands(const query& q);

/// Adds the fields `c` reads or writes to `used`, for the field plan of an
/// aggregation. Returns false when `c` may touch any field (wildcards,
/// fillnull or addtotals without a list): the plan must then keep every field.
bool row_command_fields(const command& c, std::set<std::string>& used);

/// Matches `text` against a pattern with `*` wildcards (case-sensitive, as
/// field names are); fills `stars` with what each `*` matched.
bool wildcard_match(std::string_view pattern, std::string_view text,
                    std::vector<std::string>* stars = nullptr);

}  // namespace kura::search
