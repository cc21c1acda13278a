// The default fields Splunk shows on every event that kura computes at search
// time from the event itself: linecount, punct, the date_* fields,
// timestartpos/timeendpos and splunk_server.
//
// Decisions (kura stores none of these, so they are derived when a search
// reads them):
// - linecount: lines of _raw (newlines + 1; a trailing newline ends the last
//   line rather than starting one).
// - punct: the first 30 characters of the punctuation pattern of _raw's first
//   line: letters, digits and bytes >= 0x80 are dropped, a space is "_", a tab
//   is "t", every other character is kept.
// - timestartpos/timeendpos: byte offsets of the timestamp text in _raw
//   (end exclusive, as Splunk's), found again with the sourcetype's timestamp
//   rules (TIME_PREFIX, TIME_FORMAT, MAX_TIMESTAMP_LOOKAHEAD) or the automatic
//   recognizer.
// - date_*: the timestamp as written in the event (not converted to UTC):
//   date_second, date_minute, date_hour, date_mday, date_year (numbers),
//   date_month and date_wday (lowercase English names), date_zone (the
//   text's offset from UTC in minutes, or "local" when it names no zone; 0
//   for epoch times). A missing year is _time's year (UTC). Events whose _raw
//   has no timestamp have no date_* fields and no timestartpos, as in Splunk.
// - splunk_server: the name of the node that holds the event.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/pipeline/timestamp.hpp"
#include "core/search/value.hpp"

namespace kura::search {

/// True for the fields this file computes (linecount, punct, date_*,
/// timestartpos, timeendpos, splunk_server).
bool is_computed_default_field(std::string_view name);

/// The punct pattern of `raw` (see above).
std::string punct_of(std::string_view raw);

/// The lines of `raw` (see above).
size_t linecount_of(std::string_view raw);

/// Adds the computed default fields a search wants to event rows. Not
/// thread-safe (timestamp recognizers remember their last format).
class default_fields {
 public:
  struct wants {
    bool linecount = false, punct = false, date = false, timepos = false, server = false;
    bool any() const { return linecount || punct || date || timepos || server; }
  };
  default_fields(wants w, std::string server) : wants_(w), server_(std::move(server)) {}
  default_fields(default_fields&&) noexcept = default;
  ~default_fields();

  /// Whether any field is wanted; whether the timestamp must be found.
  bool needs_any() const { return wants_.any(); }
  bool needs_timestamp() const { return wants_.date || wants_.timepos; }

  /// Adds the wanted fields of an event (its _raw, _time in microseconds)
  /// to `r`. `rules`: the sourcetype's timestamp rules (null: automatic).
  void add(std::string_view raw, time_us time, const timestamp_rules* rules, row& r);

 private:
  wants wants_;
  std::string server_;
  std::map<const timestamp_rules*, std::unique_ptr<timestamp_recognizer>> recognizers_;
};

}  // namespace kura::search
