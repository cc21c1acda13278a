// Timestamp recognition at index time: a strptime-style format parser (what
// TIME_FORMAT uses) and the automatic recognizer that tries a list of common
// formats (ISO 8601, syslog RFC 3164/5424, Apache, epoch seconds and
// milliseconds, and every format of the Loghub samples) at the start of each
// token within MAX_TIMESTAMP_LOOKAHEAD characters.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"

namespace re2 {
class RE2;
}

namespace kura {

/// A time zone for timestamps that carry none: UTC, a fixed offset ("+05:30")
/// or an IANA name ("America/Los_Angeles", from the system's tz database).
class time_zone {
 public:
  /// UTC.
  time_zone() = default;
  /// Parses "UTC", "Z", "+HH:MM", "-HHMM" or an IANA name. Errors: invalid_argument.
  static result<time_zone> parse(std::string_view name);
  /// Seconds since the epoch of a wall-clock time in this zone.
  int64_t to_utc(int64_t local_seconds) const;
  /// The zone's offset from UTC at `utc_seconds` (for year inference).
  int64_t offset_at(int64_t utc_seconds) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_ = "UTC";
  int64_t fixed_offset_ = 0;  // seconds east of UTC, when zone_ is null
  const void* zone_ = nullptr;  // a date::time_zone (kept opaque to keep date/tz.h out of headers)
};

/// A time parsed from text, before the zone and the year are settled.
struct parsed_time {
  int year = -1;            ///< -1 when the format has no year
  int month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t micros = 0;       ///< sub-second part
  bool has_offset = false;  ///< the text named its zone
  int64_t offset = 0;       ///< seconds east of UTC when has_offset
  bool is_epoch = false;    ///< an epoch value (%s or automatic epoch)
  int64_t epoch_micros = 0;
  size_t end = 0;           ///< offset just past the timestamp
};

/// Parses `text` at `pos` with a strptime-style `format`. Directives: %Y %y %m
/// %d %e %H %I %p %M %S %b %h %B %a %A %j %s %N %3N %6N %9N %f %z %Z %T %F %%;
/// kura's own: %*f an optional fraction ("." or "," and digits), %*z an
/// optional zone ("Z" or ±HH[:]MM), %L milliseconds as an unpadded integer of
/// 1 to 3 digits. A space matches any run of spaces.
/// Returns nullopt when the text does not match or a field is out of range.
std::optional<parsed_time> parse_time(std::string_view text, size_t pos, std::string_view format);

/// Turns a parsed time into microseconds since the epoch: the text's own zone,
/// else `zone`; a missing year is the year of `now`, or the previous one when
/// that would put the event more than a day in the future.
time_us resolve_time(const parsed_time& t, const time_zone& zone, time_us now);

/// How a sourcetype finds its timestamps (props.conf names).
struct timestamp_rules {
  std::string time_prefix;              ///< TIME_PREFIX: a regex; search after its first match
  std::string time_format;              ///< TIME_FORMAT: strptime-style; empty = automatic
  size_t max_timestamp_lookahead = 128;  ///< MAX_TIMESTAMP_LOOKAHEAD
  std::string tz;                       ///< TZ: zone of timestamps without one; empty = UTC
};

/// Finds the timestamp of an event. Built once per sourcetype; find() is
/// const but the recognizer remembers the last automatic format that matched
/// and tries it first, so one instance must not be shared between threads.
class timestamp_recognizer {
 public:
  /// Compiles the rules. Errors: invalid_argument (bad regex, zone or format).
  static result<timestamp_recognizer> make(const timestamp_rules& rules);
  timestamp_recognizer();
  ~timestamp_recognizer();
  timestamp_recognizer(timestamp_recognizer&&) noexcept;
  timestamp_recognizer& operator=(timestamp_recognizer&&) noexcept;

  /// The event's time, or nullopt when none is found within the lookahead.
  std::optional<time_us> find(std::string_view event, time_us now);

  /// Where the event's timestamp is, as find() sees it: the offset of its
  /// first byte and the parsed time (`end` is past its last byte); nullopt
  /// when none is found within the lookahead. Unlike find(), the answer does
  /// not depend on earlier calls. (Search-time timestartpos and date_*.)
  std::optional<std::pair<size_t, parsed_time>> locate(std::string_view event);

  /// The automatic formats, in the order they are tried.
  static const std::vector<std::string>& automatic_formats();

 private:
  std::optional<parsed_time> match_at(std::string_view text, size_t pos);

  timestamp_rules rules_;
  time_zone zone_;
  std::unique_ptr<re2::RE2> prefix_;
  int last_format_ = -1;  // index into automatic_formats(), -2 = epoch
};

}  // namespace kura
