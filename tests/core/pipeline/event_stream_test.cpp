// Line breaking, merging, timestamps, masking and routing of one input stream.
#include "core/pipeline/event_stream.hpp"

#include <doctest/doctest.h>

#include <ctime>

using namespace kura;

namespace {

constexpr time_us now = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z

std::vector<parsed_event> run(const std::string& text, sourcetype_rules rules = {}, size_t piece = 0) {
  auto s = event_stream::open(rules, {"h", "src", "st", "main"});
  REQUIRE_MESSAGE(s.has_value(), s.err().render());
  std::vector<parsed_event> out;
  if (piece == 0) {
    s->feed(text, now, out);
  } else {
    for (size_t i = 0; i < text.size(); i += piece) s->feed(std::string_view{text}.substr(i, piece), now, out);
  }
  s->finish(now, out);
  return out;
}

/// "YYYY-MM-DD HH:MM:SS" of a time, UTC.
std::string utc(time_us t) {
  std::time_t s = to_epoch_seconds(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

time_us auto_time(const std::string& line) {
  auto r = timestamp_recognizer::make({});
  REQUIRE(r.has_value());
  auto t = r->find(line, now);
  REQUIRE_MESSAGE(t.has_value(), line);
  return *t;
}

}  // namespace

TEST_CASE("pipeline: event boundaries do not depend on where chunks end") {
  std::string text;
  for (int i = 0; i < 3000; ++i)
    text += "2026-11-20 10:00:" + std::to_string(10 + i % 50) + " line " + std::to_string(i) +
            (i % 7 == 0 ? "\n  at continuation " + std::to_string(i) : "") + "\r\n";
  auto whole = run(text);
  CHECK(whole.size() == 3000);
  for (size_t piece : {1u, 7u, 4096u, 10000u, 10001u}) {
    auto pieces = run(text, {}, piece);
    REQUIRE(pieces.size() == whole.size());
    for (size_t i = 0; i < whole.size(); ++i) {
      CHECK(pieces[i].raw == whole[i].raw);
      CHECK(pieces[i].time == whole[i].time);
    }
  }
}

TEST_CASE("pipeline: lines without a timestamp are merged into the previous event") {
  auto events = run(
      "2026-11-20 10:00:00 ERROR boom\n"
      "java.lang.IllegalStateException: x\n"
      "\tat a.b.C.run(C.java:10)\n"
      "2026-11-20 10:00:01 INFO next\n");
  REQUIRE(events.size() == 2);
  CHECK(events[0].raw == "2026-11-20 10:00:00 ERROR boom\njava.lang.IllegalStateException: x\n\tat a.b.C.run(C.java:10)");
  CHECK(utc(events[1].time) == "2026-11-20 10:00:01");
}

TEST_CASE("pipeline: SHOULD_LINEMERGE = false makes every line an event") {
  sourcetype_rules rules;
  rules.should_linemerge = false;
  auto events = run("2026-11-20 10:00:00 a\nno time here\n", rules);
  REQUIRE(events.size() == 2);
  CHECK(events[1].time == events[0].time);  // no timestamp: the previous event's time
}

TEST_CASE("pipeline: an event with no timestamp and no previous one gets the arrival time") {
  auto events = run("hello world\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].time == now);
}

TEST_CASE("pipeline: LINE_BREAKER splits on its first group and MAX_EVENTS bounds merging") {
  sourcetype_rules rules;
  rules.line_breaker = "(;;)";
  rules.should_linemerge = false;
  auto events = run("a 1;;b 2;;c\n3", rules);
  REQUIRE(events.size() == 3);
  CHECK(events[2].raw == "c\n3");
  sourcetype_rules merge;
  merge.max_events = 3;
  std::string text = "2026-11-20 10:00:00 start\n";
  for (int i = 0; i < 7; ++i) text += "cont\n";
  CHECK(run(text, merge).size() == 3);  // 8 lines in events of at most 3
}

TEST_CASE("pipeline: TRUNCATE cuts long lines and bounds memory for a line without end") {
  sourcetype_rules rules;
  rules.truncate = 100;
  auto events = run(std::string(500, 'x') + "\nshort\n", rules);
  REQUIRE(events.size() == 1);  // "short" has no timestamp and merges
  CHECK(events[0].raw == std::string(100, 'x') + "\nshort");
  auto s = event_stream::open(rules, {});
  std::vector<parsed_event> out;
  for (int i = 0; i < 100; ++i) s->feed(std::string(10000, 'y'), now, out);  // 1 MB, no newline
  CHECK(s->truncated_lines() >= 1);
  s->feed("rest of the long line\n2026-11-20 10:00:00 next\n", now, out);
  s->finish(now, out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].raw == std::string(100, 'y'));
  CHECK(out[1].raw == "2026-11-20 10:00:00 next");
}

TEST_CASE("pipeline: TIME_PREFIX, TIME_FORMAT and TZ") {
  sourcetype_rules rules;
  rules.timestamps.time_prefix = "ts=";
  rules.timestamps.time_format = "%d.%m.%Y %H-%M-%S";
  rules.timestamps.tz = "America/Los_Angeles";
  auto events = run("id=1 date=01.02.2003 ts=10.10.2008 10-00-00 rest\n", rules);
  REQUIRE(events.size() == 1);
  CHECK(to_epoch_seconds(events[0].time) == 1223658000);  // the manual's db_1223658000 example
  rules.timestamps.tz = "+05:30";
  // 10:00 at +05:30 is 04:30 UTC.
  CHECK(utc(run("ts=10.10.2008 10-00-00\n", rules)[0].time) == "2008-10-10 04:30:00");
  sourcetype_rules bad_zone, bad_prefix;
  bad_zone.timestamps.tz = "Mars/Olympus";
  bad_prefix.timestamps.time_prefix = "(unclosed";
  CHECK(event_stream::open(bad_zone, {}).err().code() == errc::invalid_argument);
  CHECK(event_stream::open(bad_prefix, {}).err().code() == errc::invalid_argument);
}

TEST_CASE("pipeline: MAX_TIMESTAMP_LOOKAHEAD limits how far a timestamp is looked for") {
  sourcetype_rules rules;
  rules.should_linemerge = false;
  rules.timestamps.max_timestamp_lookahead = 10;
  auto events = run("0123456789abcdef 2026-11-20 10:00:00\n", rules);
  CHECK(events[0].time == now);
}

TEST_CASE("pipeline: common formats are recognized without configuration") {
  CHECK(utc(auto_time("127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326")) ==
        "2000-10-10 20:55:36");
  CHECK(utc(auto_time("<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - 'su root' failed")) ==
        "2003-10-11 22:14:15");
  CHECK(auto_time("<34>1 2003-10-11T22:14:15.003Z x") % us_per_sec == 3000);
  CHECK(utc(auto_time("2026-01-02T03:04:05+02:00 msg")) == "2026-01-02 01:04:05");
  CHECK(utc(auto_time("2026-01-02T03:04:05 msg")) == "2026-01-02 03:04:05");
  CHECK(utc(auto_time("at 1700000000 something")) == "2023-11-14 22:13:20");
  CHECK(auto_time("at 1700000000123 ms") == 1'700'000'000'123'000);
  CHECK(utc(auto_time("<13>Oct 11 22:14:15 host app: msg")) == "2026-10-11 22:14:15");
  CHECK(utc(auto_time("Tue Nov 22 10:00:00 UTC 2025 x")) == "2025-11-22 10:00:00");
}

TEST_CASE("pipeline: a missing year is this year, or last year when that would be in the future") {
  CHECK(utc(auto_time("Nov 21 23:00:00 host x")) == "2026-11-21 23:00:00");
  CHECK(utc(auto_time("Dec 25 08:00:00 host x")) == "2025-12-25 08:00:00");
}

TEST_CASE("pipeline: SEDCMD masks text and routing sends events to another index") {
  sourcetype_rules rules;
  rules.should_linemerge = false;
  auto sed = sed_rule::parse("cc", "s/\\d{4}-\\d{4}-\\d{4}-(\\d{4})/XXXX-XXXX-XXXX-\\1/g");
  REQUIRE(sed.has_value());
  rules.sedcmds.push_back(*sed);
  rules.routes.push_back({"AppRedirect", "MSWinEventLog\\s+\\d+\\s+Application", "applogindex"});
  auto events = run(
      "card 1234-5678-9012-3456 and 1111-2222-3333-4444\n"
      "web1 MSWinEventLog\t1\tApplication\t721\tWed Sep 06 17:05:31 2006\n"
      "web1 MSWinEventLog\t1\tSecurity\t722\tWed Sep 06 17:59:08 2006\n",
      rules);
  REQUIRE(events.size() == 3);
  CHECK(events[0].raw == "card XXXX-XXXX-XXXX-3456 and XXXX-XXXX-XXXX-4444");
  CHECK(events[1].index == "applogindex");
  CHECK(events[2].index == "main");
  CHECK(sed_rule::parse("x", "y/a/b/").err().code() == errc::invalid_argument);
  CHECK(sed_rule::parse("x", "s/a/b/q").err().message().find("flags") != std::string::npos);
  sourcetype_rules bad;
  bad.sedcmds.push_back({"broken", "(", "", false});
  CHECK(event_stream::open(bad, {}).err().message().find("SEDCMD-broken") != std::string::npos);
}
