// linecount, punct, date_*, timestartpos/timeendpos and splunk_server.
#include "core/search/default_fields.hpp"

#include <array>

namespace kura::search {
namespace {

constexpr std::array<const char*, 12> month_names{"january",   "february", "march",    "april",
                                                  "may",       "june",     "july",     "august",
                                                  "september", "october",  "november", "december"};
constexpr std::array<const char*, 7> weekday_names{"sunday",   "monday", "tuesday", "wednesday",
                                                   "thursday", "friday", "saturday"};

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

struct civil {
  int64_t year;
  unsigned month, day;
};

civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = int64_t(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

bool is_computed_default_field(std::string_view n) {
  return n == "linecount" || n == "punct" || n == "timestartpos" || n == "timeendpos" ||
         n == "splunk_server" || n == "date_second" || n == "date_minute" || n == "date_hour" ||
         n == "date_mday" || n == "date_month" || n == "date_year" || n == "date_wday" ||
         n == "date_zone";
}

std::string punct_of(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    if (out.size() == 30 || c == '\n' || c == '\r') break;
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
      continue;
    out += c == ' ' ? '_' : c == '\t' ? 't' : c;
  }
  return out;
}

size_t linecount_of(std::string_view raw) {
  size_t n = 1;
  for (size_t i = 0; i < raw.size(); ++i)
    if (raw[i] == '\n' && i + 1 < raw.size()) ++n;
  return n;
}

default_fields::~default_fields() = default;

void default_fields::add(std::string_view raw, time_us time, const timestamp_rules* rules, row& r) {
  if (wants_.linecount) r.set("linecount", value{double(linecount_of(raw))});
  if (wants_.punct) r.set("punct", value{punct_of(raw)});
  if (wants_.server && !server_.empty()) r.set("splunk_server", value{server_});
  if (!wants_.date && !wants_.timepos) return;
  auto& rec = recognizers_[rules];
  if (!rec) {
    auto made = timestamp_recognizer::make(rules ? *rules : timestamp_rules{});
    if (!made)
      made = timestamp_recognizer::make(timestamp_rules{});  // rules were checked when configured
    rec = std::make_unique<timestamp_recognizer>(std::move(*made));
  }
  auto found = rec->locate(raw);
  if (!found) return;
  auto& [start, t] = *found;
  if (wants_.timepos) {
    r.set("timestartpos", value{double(start)});
    r.set("timeendpos", value{double(t.end)});
  }
  if (!wants_.date) return;
  int64_t year, month, day, hour, minute, second;
  value zone;
  if (t.is_epoch) {
    int64_t secs = floor_div(t.epoch_micros, 1'000'000);
    int64_t days = floor_div(secs, 86400), rest = secs - days * 86400;
    auto c = civil_from_days(days);
    year = c.year, month = c.month, day = c.day;
    hour = rest / 3600, minute = rest / 60 % 60, second = rest % 60;
    zone = value{0.0};
  } else {
    year = t.year >= 0 ? t.year : civil_from_days(floor_div(time, 86'400'000'000)).year;
    month = t.month, day = t.day, hour = t.hour, minute = t.minute, second = t.second;
    zone = t.has_offset ? value{double(t.offset / 60)} : value{"local"};
  }
  if (month < 1 || month > 12 || day < 1 ||
      day > 31) {  // a time of day only: the date of _time (UTC)
    auto c = civil_from_days(floor_div(time, 86'400'000'000));
    year = c.year, month = c.month, day = c.day;
  }
  int64_t wday = (days_from_civil(year, unsigned(month), unsigned(day)) % 7 + 11) %
                 7;  // 1970-01-01 was a thursday
  r.set("date_second", value{double(second)});
  r.set("date_minute", value{double(minute)});
  r.set("date_hour", value{double(hour)});
  r.set("date_mday", value{double(day)});
  r.set("date_month", value{month_names[size_t(month - 1)]});
  r.set("date_year", value{double(year)});
  r.set("date_wday", value{weekday_names[size_t(wday)]});
  r.set("date_zone", std::move(zone));
}

}  // namespace kura::search
