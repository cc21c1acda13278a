// The naive evaluator's own computation of the default fields (linecount,
// punct, date_*, timestartpos, timeendpos): written from Splunk's
// descriptions, independently of core/search/default_fields.cpp. The
// timestamp is located with the pipeline's recognizer (tested on its own in
// tests/core/pipeline); everything derived from it is computed here with the
// C library's calendar.
#include <ctime>
#include <sstream>

#include "core/pipeline/timestamp.hpp"
#include "search/naive.hpp"

namespace kura::testing {

void add_naive_default_fields(std::string_view raw, time_us time, search::row& r) {
  // linecount: the lines of the text; a final newline does not start one.
  std::string text{raw};
  if (!text.empty() && text.back() == '\n') text.pop_back();
  std::istringstream lines{text};
  size_t count = 0;
  for (std::string line; std::getline(lines, line);) ++count;
  r.set("linecount", search::value{double(std::max<size_t>(count, 1))});

  // punct: the first line's punctuation, 30 characters at most.
  std::string first_line = text.substr(0, text.find_first_of("\r\n"));
  std::string punct;
  for (unsigned char c : first_line) {
    if (std::isalnum(c) || c >= 0x80) continue;
    if (punct.size() < 30) punct.push_back(c == ' ' ? '_' : c == '\t' ? 't' : char(c));
  }
  r.set("punct", search::value{punct});

  static auto recognizer = std::move(*timestamp_recognizer::make(timestamp_rules{}));
  auto found = recognizer.locate(raw);
  if (!found) return;
  auto& [start, t] = *found;
  r.set("timestartpos", search::value{double(start)});
  r.set("timeendpos", search::value{double(t.end)});
  std::tm tm{};
  search::value zone;
  if (t.is_epoch) {
    std::time_t secs =
        std::time_t(t.epoch_micros / 1'000'000 - (t.epoch_micros % 1'000'000 < 0 ? 1 : 0));
    gmtime_r(&secs, &tm);
    zone = search::value{0.0};
  } else {
    std::time_t now = std::time_t(time / 1'000'000 - (time % 1'000'000 < 0 ? 1 : 0));
    std::tm of_time{};
    gmtime_r(&now, &of_time);
    tm.tm_year = t.year >= 0 ? t.year - 1900 : of_time.tm_year;
    tm.tm_mon = t.month - 1;
    tm.tm_mday = t.day;
    if (t.month < 1 || t.month > 12 || t.day < 1 ||
        t.day > 31) {  // a time of day only: _time's date
      tm.tm_year = of_time.tm_year;
      tm.tm_mon = of_time.tm_mon;
      tm.tm_mday = of_time.tm_mday;
    }
    tm.tm_hour = t.hour;
    tm.tm_min = t.minute;
    tm.tm_sec = t.second;
    int hour = tm.tm_hour, minute = tm.tm_min, second = tm.tm_sec;
    std::time_t as_utc = timegm(&tm);  // normalises and fills tm_wday
    gmtime_r(&as_utc, &tm);
    tm.tm_hour = hour, tm.tm_min = minute, tm.tm_sec = second;  // 24:00 or :60 stay as written
    zone = t.has_offset ? search::value{double(t.offset / 60)} : search::value{"local"};
  }
  static const char* months[] = {"january",   "february", "march",    "april",
                                 "may",       "june",     "july",     "august",
                                 "september", "october",  "november", "december"};
  static const char* days[] = {"sunday",   "monday", "tuesday", "wednesday",
                               "thursday", "friday", "saturday"};
  r.set("date_second", search::value{double(tm.tm_sec)});
  r.set("date_minute", search::value{double(tm.tm_min)});
  r.set("date_hour", search::value{double(tm.tm_hour)});
  r.set("date_mday", search::value{double(tm.tm_mday)});
  r.set("date_month", search::value{months[tm.tm_mon]});
  r.set("date_year", search::value{double(tm.tm_year + 1900)});
  r.set("date_wday", search::value{days[tm.tm_wday]});
  r.set("date_zone", std::move(zone));
}

}  // namespace kura::testing
