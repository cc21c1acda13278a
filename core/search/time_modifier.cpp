// Time modifiers (earliest=-1d@d), spans (span=1h) and the calendar arithmetic
// behind them, in UTC.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>

#include "core/pipeline/timestamp.hpp"
#include "core/search/lexer.hpp"
#include "core/search/parser.hpp"

namespace kura::search {
namespace {

using detail::digit;
using detail::ident_char;

/// Seconds of one unit; months and years are handled by calendar arithmetic.
std::optional<int64_t> unit_seconds(std::string_view u) {
  static const std::pair<const char*, int64_t> units[] = {
      {"s", 1},         {"sec", 1},     {"secs", 1},     {"second", 1},  {"seconds", 1},
      {"m", 60},        {"min", 60},    {"mins", 60},    {"minute", 60}, {"minutes", 60},
      {"h", 3600},      {"hr", 3600},   {"hrs", 3600},   {"hour", 3600}, {"hours", 3600},
      {"d", 86400},     {"day", 86400}, {"days", 86400}, {"w", 604800},  {"week", 604800},
      {"weeks", 604800}};
  for (auto& [n, s] : units)
    if (u == n) return s;
  return std::nullopt;
}

bool is_month_unit(std::string_view u) { return u == "mon" || u == "month" || u == "months"; }
bool is_year_unit(std::string_view u) {
  return u == "y" || u == "yr" || u == "year" || u == "years";
}

int64_t add_months(int64_t secs, int64_t months) {
  using namespace std::chrono;
  auto days = sys_days{floor<std::chrono::days>(sys_seconds{seconds{secs}})};
  auto tod = secs - days.time_since_epoch().count() * 86400;
  year_month_day ymd{days};
  auto ym = year_month{ymd.year(), ymd.month()} + std::chrono::months{months};
  auto last = year_month_day_last{ym.year(), month_day_last{ym.month()}}.day();
  auto d = std::min(ymd.day(), last);
  return sys_days{ym / d}.time_since_epoch().count() * 86400 + tod;
}

int64_t snap(int64_t secs, std::string_view u) {
  using namespace std::chrono;
  auto floor_div = [](int64_t a, int64_t b) { return (a >= 0 ? a / b : -((-a + b - 1) / b)) * b; };
  if (auto s = unit_seconds(u); s && *s < 604800) return floor_div(secs, *s);
  auto days = sys_days{floor<std::chrono::days>(sys_seconds{seconds{secs}})};
  if (u == "w" || u == "week" || u == "weeks") {
    weekday wd{days};
    return (days - std::chrono::days{wd.c_encoding()}).time_since_epoch().count() *
           86400;  // Sunday
  }
  year_month_day ymd{days};
  if (is_month_unit(u))
    return sys_days{ymd.year() / ymd.month() / 1}.time_since_epoch().count() * 86400;
  return sys_days{ymd.year() / January / 1}.time_since_epoch().count() * 86400;
}

}  // namespace

result<time_us> parse_span(std::string_view text) {
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && digit(text[i])) n = n * 10 + (text[i++] - '0');
  if (i == 0) n = 1;
  auto unit = text.substr(i);
  auto s = unit_seconds(unit);
  if (!s || n <= 0 || n > 1'000'000)
    return error{errc::invalid_argument,
                 "invalid span \"" + std::string{text} + "\" (expected e.g. 30s, 5m, 1h, 1d, 1w)"};
  return time_us(n * *s * us_per_sec);
}

result<time_us> parse_time_modifier(std::string_view text, time_us now) {
  auto bad = [&] {
    return error{errc::invalid_argument,
                 "invalid time \"" + std::string{text} +
                     "\" (expected now, epoch seconds, -15m, -1d@d, @h or " +
                     "MM/DD/YYYY:HH:MM:SS)"};
  };
  if (text.empty()) return bad();
  if (text == "now") return now;
  if (std::all_of(text.begin(), text.end(), digit)) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{}) return bad();
    return time_us(v) * us_per_sec;
  }
  for (auto* fmt :
       {"%m/%d/%Y:%H:%M:%S", "%Y-%m-%dT%H:%M:%S%*f%*z", "%Y-%m-%d %H:%M:%S%*f%*z", "%Y-%m-%d"}) {
    auto t = parse_time(text, 0, fmt);
    if (t && t->end == text.size()) return resolve_time(*t, time_zone{}, now);
  }
  int64_t secs = to_epoch_seconds(now);
  int64_t frac = now - secs * us_per_sec;
  size_t i = 0;
  if (text[0] == '+' || text[0] == '-') {
    int sign = text[0] == '-' ? -1 : 1;
    ++i;
    int64_t n = 0;
    size_t start = i;
    while (i < text.size() && digit(text[i])) n = n * 10 + (text[i++] - '0');
    if (i == start) n = 1;
    size_t ustart = i;
    while (i < text.size() && ident_char(text[i])) ++i;
    auto unit = text.substr(ustart, i - ustart);
    if (auto s = unit_seconds(unit))
      secs += sign * n * *s;
    else if (is_month_unit(unit))
      secs = add_months(secs, sign * n);
    else if (is_year_unit(unit))
      secs = add_months(secs, sign * n * 12);
    else
      return bad();
  }
  if (i < text.size() && text[i] == '@') {
    auto unit = text.substr(i + 1);
    if (!unit_seconds(unit) && !is_month_unit(unit) && !is_year_unit(unit)) return bad();
    return time_us(snap(secs, unit)) * us_per_sec;
  }
  if (i != text.size()) return bad();
  return secs * us_per_sec + frac;
}

}  // namespace kura::search
