// Timestamp parsing and automatic recognition.
#include "core/pipeline/timestamp.hpp"

#include <date/tz.h>
#include <re2/re2.h>

#include <chrono>

namespace kura {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

/// Reads between min_w and max_w digits at p (greedy). Returns false if fewer.
bool digits(std::string_view s, size_t& p, int min_w, int max_w, int64_t& out) {
  int n = 0;
  out = 0;
  while (n < max_w && p < s.size() && is_digit(s[p])) {
    out = out * 10 + (s[p] - '0');
    ++p;
    ++n;
  }
  return n >= min_w;
}

constexpr std::string_view month_names[] = {"january",   "february", "march",    "april",
                                            "may",       "june",     "july",     "august",
                                            "september", "october",  "november", "december"};
constexpr std::string_view day_names[] = {"sunday",   "monday", "tuesday", "wednesday",
                                          "thursday", "friday", "saturday"};

/// Matches a full name or its 3-letter abbreviation, case-insensitively.
int name_index(std::string_view s, size_t& p, const std::string_view* names, int count) {
  for (int i = 0; i < count; ++i) {
    std::string_view full{names[i]};
    size_t n = 0;
    while (n < full.size() && p + n < s.size() && lower(s[p + n]) == full[n]) ++n;
    if (n == full.size() || (n == 3 && (p + 3 >= s.size() || !is_alpha(s[p + 3])))) {
      p += n;
      return i;
    }
  }
  return -1;
}

bool zone_offset(std::string_view s, size_t& p, int64_t& offset) {
  if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) {
    ++p;
    offset = 0;
    return true;
  }
  if (p >= s.size() || (s[p] != '+' && s[p] != '-')) return false;
  int sign = s[p] == '-' ? -1 : 1;
  size_t q = p + 1;
  int64_t hh, mm = 0;
  if (!digits(s, q, 2, 2, hh)) return false;
  if (q < s.size() && s[q] == ':') ++q;
  if (!digits(s, q, 2, 2, mm)) return false;
  if (hh > 14 || mm > 59) return false;
  offset = sign * (hh * 3600 + mm * 60);
  p = q;
  return true;
}

bool fraction(std::string_view s, size_t& p, int width, int64_t& micros) {
  size_t start = p;
  int64_t v = 0;
  int n = 0;
  while (p < s.size() && is_digit(s[p]) && (width == 0 || n < width)) {
    if (n < 6) v = v * 10 + (s[p] - '0');
    ++n;
    ++p;
  }
  if (n == 0 || (width != 0 && n != width)) {
    p = start;
    return false;
  }
  for (int k = n; k < 6; ++k) v *= 10;
  micros = v;
  return true;
}

int days_in_month(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return d[m - 1];
}

int64_t days_from_civil(int y, int m, int d) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d}.time_since_epoch().count();
}

constexpr int64_t epoch_min = 631152000;   // 1990-01-01: older 10-digit numbers are not epochs
constexpr int64_t epoch_max = 4102444800;  // 2100-01-01

}  // namespace

// -- time_zone ------------------------------------------------------------------

result<time_zone> time_zone::parse(std::string_view name) {
  time_zone z;
  z.name_ = std::string{name};
  if (name.empty() || name == "UTC" || name == "GMT" || name == "Z") return z;
  size_t p = 0;
  int64_t offset;
  if (zone_offset(name, p, offset) && p == name.size()) {
    z.fixed_offset_ = offset;
    return z;
  }
  try {
    z.zone_ = date::locate_zone(std::string{name});
  } catch (const std::exception& e) {
    return error{errc::invalid_argument, "TZ: unknown time zone \"" + std::string{name} + "\""};
  }
  return z;
}

int64_t time_zone::to_utc(int64_t local_seconds) const {
  if (!zone_) return local_seconds - fixed_offset_;
  auto* z = static_cast<const date::time_zone*>(zone_);
  date::local_seconds lt{std::chrono::seconds{local_seconds}};
  return z->to_sys(lt, date::choose::earliest).time_since_epoch().count();
}

int64_t time_zone::offset_at(int64_t utc_seconds) const {
  if (!zone_) return fixed_offset_;
  auto* z = static_cast<const date::time_zone*>(zone_);
  return z->get_info(date::sys_seconds{std::chrono::seconds{utc_seconds}}).offset.count();
}

// -- parse_time -----------------------------------------------------------------

namespace {

/// What one parse accumulates; %T and %F parse into the same state.
struct parse_state {
  parsed_time t;
  int pm = -1;  // %p: 0 am, 1 pm
  bool twelve_hour = false;
  int day_of_year = -1;
};

/// Applies format `f` to `s` at `p` (advanced past what matched). False on a mismatch.
bool parse_into(std::string_view s, size_t& p, std::string_view f, parse_state& st) {
  parsed_time& t = st.t;
  int64_t v;
  for (size_t i = 0; i < f.size(); ++i) {
    char c = f[i];
    if (c == ' ') {
      while (p < s.size() && s[p] == ' ') ++p;
      continue;
    }
    if (c != '%' || i + 1 == f.size()) {
      if (p >= s.size() || s[p] != c) return false;
      ++p;
      continue;
    }
    char d = f[++i];
    int width = 0;
    bool optional = false;
    if (d == '*') {
      optional = true;
      if (++i == f.size()) return false;
      d = f[i];
    }
    if (d >= '1' && d <= '9' && i + 1 < f.size() && f[i + 1] == 'N') {
      width = d - '0';
      d = f[++i];
    }
    switch (d) {
      case 'Y':
        if (!digits(s, p, 4, 4, v)) return false;
        t.year = int(v);
        break;
      case 'y':
        if (!digits(s, p, 2, 2, v)) return false;
        t.year = int(v < 69 ? 2000 + v : 1900 + v);
        break;
      case 'm':
        if (!digits(s, p, 1, 2, v) || v < 1 || v > 12) return false;
        t.month = int(v);
        break;
      case 'e':
        if (p < s.size() && s[p] == ' ') ++p;
        [[fallthrough]];
      case 'd':
        if (!digits(s, p, 1, 2, v) || v < 1 || v > 31) return false;
        t.day = int(v);
        break;
      case 'H':
        if (!digits(s, p, 1, 2, v) || v > 23) return false;
        t.hour = int(v);
        break;
      case 'I':
        if (!digits(s, p, 1, 2, v) || v < 1 || v > 12) return false;
        t.hour = int(v);
        st.twelve_hour = true;
        break;
      case 'p': {
        if (p + 1 >= s.size()) return false;
        char a = lower(s[p]), b = lower(s[p + 1]);
        if (b != 'm' || (a != 'a' && a != 'p')) return false;
        st.pm = a == 'p';
        p += 2;
        break;
      }
      case 'M':
        if (!digits(s, p, 1, 2, v) || v > 59) return false;
        t.minute = int(v);
        break;
      case 'S':
        if (!digits(s, p, 1, 2, v) || v > 60) return false;
        t.second = int(v);
        break;
      case 'T':
      case 'F':
        if (!parse_into(s, p,
                        d == 'T' ? std::string_view{"%H:%M:%S"} : std::string_view{"%Y-%m-%d"}, st))
          return false;
        break;
      case 'b':
      case 'h':
      case 'B': {
        int m = name_index(s, p, month_names, 12);
        if (m < 0) return false;
        t.month = m + 1;
        break;
      }
      case 'a':
      case 'A':
        if (name_index(s, p, day_names, 7) < 0) return false;
        break;
      case 'j':
        if (!digits(s, p, 1, 3, v) || v < 1 || v > 366) return false;
        st.day_of_year = int(v);
        break;
      case 's': {
        if (!digits(s, p, 1, 12, v)) return false;
        t.is_epoch = true;
        t.epoch_micros = v * us_per_sec;
        int64_t micros = 0;
        if (p + 1 < s.size() && s[p] == '.' && is_digit(s[p + 1])) {
          ++p;
          fraction(s, p, 0, micros);
        }
        t.epoch_micros += micros;
        break;
      }
      case 'L':  // milliseconds as an integer of 1 to 3 digits, unpadded ("35:11" is 11 ms)
        if (!digits(s, p, 1, 3, v)) return false;
        t.micros = v * 1000;
        break;
      case 'N':
      case 'f':
        if (optional) {
          if (p + 1 < s.size() && (s[p] == '.' || s[p] == ',') && is_digit(s[p + 1])) {
            ++p;
            fraction(s, p, 0, t.micros);
          }
        } else if (!fraction(s, p, d == 'N' ? (width ? width : 0) : 0, t.micros)) {
          return false;
        }
        break;
      case 'z':
      case 'Z': {
        size_t q = p;
        if (d == 'Z' && q + 3 <= s.size() && (s.substr(q, 3) == "UTC" || s.substr(q, 3) == "GMT")) {
          p += 3;
          t.has_offset = true;
          t.offset = 0;
        } else if (zone_offset(s, q, t.offset)) {
          p = q;
          t.has_offset = true;
        } else if (!optional) {
          return false;
        }
        break;
      }
      case '%':
        if (p >= s.size() || s[p] != '%') return false;
        ++p;
        break;
      default:
        return false;  // unknown directive: the format is rejected
    }
  }
  return true;
}

}  // namespace

std::optional<parsed_time> parse_time(std::string_view s, size_t p, std::string_view f) {
  parse_state st;
  if (!parse_into(s, p, f, st)) return std::nullopt;
  parsed_time& t = st.t;
  if (st.twelve_hour && st.pm >= 0) t.hour = (t.hour % 12) + (st.pm ? 12 : 0);
  if (st.day_of_year > 0 && t.month == 0) {
    t.month = 1;
    t.day = st.day_of_year;  // normalised by days_from_civil below via day overflow
  }
  if (!t.is_epoch) {
    if (t.month == 0 || t.day == 0) return std::nullopt;
    if (st.day_of_year < 0 && t.year >= 0 && t.day > days_in_month(t.year, t.month)) return std::nullopt;
  }
  t.end = p;
  return t;
}

time_us resolve_time(const parsed_time& t, const time_zone& zone, time_us now) {
  if (t.is_epoch) return t.epoch_micros;
  auto local_seconds = [&](int year) {
    // Day overflow past the month (a %j day of the year) is carried by the arithmetic.
    return days_from_civil(year, t.month, 1) * 86400 + int64_t(t.day - 1) * 86400 + t.hour * 3600 +
           t.minute * 60 + t.second;
  };
  auto to_utc = [&](int year) {
    int64_t local = local_seconds(year);
    return t.has_offset ? local - t.offset : zone.to_utc(local);
  };
  int year = t.year;
  if (year < 0) {
    int64_t now_s = to_epoch_seconds(now);
    int64_t local_now = now_s + zone.offset_at(now_s);
    auto ymd = std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{local_now / 86400}}};
    year = int(ymd.year());
    if (to_utc(year) > now_s + 86400) --year;  // would be in the future: last year's
  }
  return to_utc(year) * us_per_sec + t.micros;
}

// -- recognizer -----------------------------------------------------------------

const std::vector<std::string>& timestamp_recognizer::automatic_formats() {
  static const std::vector<std::string> formats{
      "%Y-%m-%dT%H:%M:%S%*f%*z",  // ISO 8601, RFC 5424
      "%Y-%m-%d %H:%M:%S%*f%*z",  // ISO 8601 with a space (Hadoop, Zookeeper, Windows, OpenStack)
      "%Y/%m/%d %H:%M:%S%*f%*z",
      "%d/%b/%Y:%H:%M:%S%*f %z",  // Apache common/combined log format
      "%a %b %d %H:%M:%S%*f %Y",  // ctime, Apache error log
      "%a %b %d %H:%M:%S %Z %Y",  // date(1)
      "%a, %d %b %Y %H:%M:%S %z",  // RFC 2822
      "%d %b %Y %H:%M:%S%*f",
      "%b %d %Y %H:%M:%S%*f",
      "%b %d, %Y %I:%M:%S %p",
      "%Y-%m-%d-%H.%M.%S%*f",    // BGL
      "%Y%m%d-%H:%M:%S:%L",      // HealthApp (unpadded milliseconds)
      "%m/%d/%Y %H:%M:%S%*f",
      "%y/%m/%d %H:%M:%S",       // Spark
      "%y%m%d %H%M%S",           // HDFS
      "%b %e %H:%M:%S%*f",       // syslog RFC 3164 (Linux, Mac, OpenSSH)
      "%m-%d %H:%M:%S%*f",       // Android logcat
      "%m.%d %H:%M:%S",          // Proxifier
  };
  return formats;
}

result<timestamp_recognizer> timestamp_recognizer::make(const timestamp_rules& rules) {
  timestamp_recognizer r;
  r.rules_ = rules;
  auto zone = time_zone::parse(rules.tz);
  if (!zone) return zone.err();
  r.zone_ = std::move(*zone);
  if (!rules.time_prefix.empty()) {
    r.prefix_ = std::make_unique<re2::RE2>(rules.time_prefix, re2::RE2::Quiet);
    if (!r.prefix_->ok())
      return error{errc::invalid_argument, "TIME_PREFIX: " + r.prefix_->error()};
  }
  if (!rules.time_format.empty()) {
    // A format must at least name a day or an epoch to be usable.
    if (rules.time_format.find('%') == std::string::npos)
      return error{errc::invalid_argument, "TIME_FORMAT \"" + rules.time_format + "\" has no % directive"};
  }
  return r;
}

timestamp_recognizer::timestamp_recognizer() = default;
timestamp_recognizer::~timestamp_recognizer() = default;
timestamp_recognizer::timestamp_recognizer(timestamp_recognizer&&) noexcept = default;
timestamp_recognizer& timestamp_recognizer::operator=(timestamp_recognizer&&) noexcept = default;

namespace {

/// An epoch in seconds (10 digits) or milliseconds (13 digits), optionally with
/// a fraction, in the plausible range, not part of a longer number.
std::optional<parsed_time> epoch_at(std::string_view s, size_t p) {
  size_t q = p;
  int64_t v;
  if (!digits(s, q, 1, 14, v)) return std::nullopt;
  size_t n = q - p;
  if (q < s.size() && is_digit(s[q])) return std::nullopt;
  parsed_time t;
  t.is_epoch = true;
  if (n == 10 && v >= epoch_min && v < epoch_max) {
    t.epoch_micros = v * us_per_sec;
    if (q + 1 < s.size() && s[q] == '.' && is_digit(s[q + 1])) {
      ++q;
      int64_t micros = 0;
      fraction(s, q, 0, micros);
      t.epoch_micros += micros;
    }
  } else if (n == 13 && v / 1000 >= epoch_min && v / 1000 < epoch_max) {
    t.epoch_micros = v * 1000;
  } else {
    return std::nullopt;
  }
  t.end = q;
  return t;
}

/// Where the timestamp search starts in `event`: just past the first match of
/// TIME_PREFIX `prefix`, or 0 without one; nullopt when the prefix does not match.
std::optional<size_t> search_start(const re2::RE2* prefix, std::string_view event) {
  if (!prefix) return 0;
  re2::StringPiece input{event.data(), event.size()}, match;
  if (!prefix->Match(input, 0, event.size(), re2::RE2::UNANCHORED, &match, 1)) return std::nullopt;
  return size_t(match.data() - event.data()) + match.size();
}

}  // namespace

namespace {

/// What the start of a format demands of the text, checked before a full parse
/// so that most token starts are rejected in a few byte reads: the first
/// directive's class (letters for a name, a run of digits for a number) and, for
/// a number, what must follow the digits it reads. Exact: it never rejects text
/// that parse_time would accept.
struct format_lead {
  enum class kind : uint8_t { any, alpha, digits } first = kind::any;
  enum class after : uint8_t { anything, literal, digit } next = after::anything;
  int min_w = 0, max_w = 0;  ///< digits the first directive reads (greedy, at most max_w)
  char literal = 0;
};

format_lead lead_of(std::string_view f) {
  format_lead lead;
  if (f.size() < 2 || f[0] != '%') return lead;
  constexpr std::string_view names = "aAbhB";
  constexpr std::string_view numbers = "YymdHMSIj";
  char d = f[1];
  if (names.find(d) != std::string_view::npos) {
    lead.first = format_lead::kind::alpha;
    return lead;
  }
  if (numbers.find(d) == std::string_view::npos) return lead;
  lead.first = format_lead::kind::digits;
  lead.min_w = d == 'Y' ? 4 : d == 'y' ? 2 : 1;
  lead.max_w = d == 'Y' ? 4 : d == 'y' ? 2 : d == 'j' ? 3 : 2;
  auto rest = f.substr(2);
  if (rest.empty() || rest[0] == ' ') return lead;  // a space matches zero or more spaces
  if (rest[0] != '%') {
    lead.next = format_lead::after::literal;
    lead.literal = rest[0];
  } else if (rest.size() >= 2 && numbers.find(rest[1]) != std::string_view::npos) {
    lead.next = format_lead::after::digit;  // every numeric directive reads at least one digit
  }
  return lead;
}

bool could_start(const format_lead& lead, std::string_view s, size_t p) {
  switch (lead.first) {
    case format_lead::kind::any:
      return true;
    case format_lead::kind::alpha:
      return p < s.size() && is_alpha(s[p]);
    case format_lead::kind::digits:
      break;
  }
  size_t q = p;
  while (q - p < size_t(lead.max_w) && q < s.size() && is_digit(s[q])) ++q;
  if (q - p < size_t(lead.min_w)) return false;
  switch (lead.next) {
    case format_lead::after::anything:
      return true;
    case format_lead::after::literal:
      return q < s.size() && s[q] == lead.literal;
    case format_lead::after::digit:
      return q < s.size() && is_digit(s[q]);
  }
  return true;
}

/// lead_of() of every automatic format, in the same order.
const std::vector<format_lead>& automatic_leads() {
  static const std::vector<format_lead> leads = [] {
    std::vector<format_lead> out;
    for (auto& f : timestamp_recognizer::automatic_formats()) out.push_back(lead_of(f));
    return out;
  }();
  return leads;
}

}  // namespace

std::optional<parsed_time> timestamp_recognizer::match_at(std::string_view text, size_t pos) {
  auto bounded = [&](std::optional<parsed_time> t) {
    // A timestamp does not run on into more digits ("081109 2036150" is not HDFS).
    if (t && t->end < text.size() && is_digit(text[t->end])) return std::optional<parsed_time>{};
    return t;
  };
  if (!rules_.time_format.empty()) return bounded(parse_time(text, pos, rules_.time_format));
  auto& formats = automatic_formats();
  auto& leads = automatic_leads();
  if (last_format_ >= 0 && could_start(leads[size_t(last_format_)], text, pos))
    if (auto t = bounded(parse_time(text, pos, formats[size_t(last_format_)]))) return t;
  if (last_format_ == -2)
    if (auto t = epoch_at(text, pos)) return t;
  for (size_t i = 0; i < formats.size(); ++i) {
    if (int(i) == last_format_ || !could_start(leads[i], text, pos)) continue;
    if (auto t = bounded(parse_time(text, pos, formats[i]))) {
      last_format_ = int(i);
      return t;
    }
  }
  if (auto t = epoch_at(text, pos)) {
    last_format_ = -2;
    return t;
  }
  return std::nullopt;
}

std::optional<time_us> timestamp_recognizer::find(std::string_view event, time_us now) {
  auto from = search_start(prefix_.get(), event);
  if (!from) return std::nullopt;
  size_t start = *from;
  size_t limit = std::min(event.size(), start + rules_.max_timestamp_lookahead);
  for (size_t p = start; p < limit; ++p) {
    // Candidates start a token: at the search start or after a non-alphanumeric byte.
    if (p > start && (is_digit(event[p - 1]) || is_alpha(event[p - 1]))) continue;
    if (!is_digit(event[p]) && !is_alpha(event[p])) continue;
    if (auto t = match_at(event, p)) return resolve_time(*t, zone_, now);
  }
  return std::nullopt;
}

std::optional<std::pair<size_t, parsed_time>> timestamp_recognizer::locate(std::string_view event) {
  auto from = search_start(prefix_.get(), event);
  if (!from) return std::nullopt;
  size_t start = *from;
  size_t limit = std::min(event.size(), start + rules_.max_timestamp_lookahead);
  // The answer must not depend on earlier events: try the formats in their
  // own order every time (match_at would start with the last one that matched).
  struct restore {
    int& slot;
    int saved;
    ~restore() { slot = saved; }
  } keep{last_format_, last_format_};
  last_format_ = -1;
  for (size_t p = start; p < limit; ++p) {
    if (p > start && (is_digit(event[p - 1]) || is_alpha(event[p - 1]))) continue;
    if (!is_digit(event[p]) && !is_alpha(event[p])) continue;
    last_format_ = -1;
    if (auto t = match_at(event, p)) return std::pair{p, *t};
  }
  return std::nullopt;
}

}  // namespace kura
