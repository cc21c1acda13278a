// HEC bodies streamed into a store in groups: what is stored, when, and what a
// body that turns bad leaves stored. The store is a recording double.
#include <doctest/doctest.h>

#include "net/hec/body_stream.hpp"

using namespace kura;
using namespace kura::hec;

namespace {

constexpr time_us now = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z

/// Records each group it is given; refuses group number `fail_at` (0-based) with `why`.
struct recording_store {
  std::vector<std::vector<ingest_event>> groups;
  std::optional<size_t> fail_at;
  errc why = errc::not_found;
  size_t calls = 0;

  store_fn fn() {
    return [this](std::vector<ingest_event> events) -> error {
      if (fail_at && calls++ == *fail_at) return {why, "index nope does not exist"};
      groups.push_back(std::move(events));
      return {};
    };
  }
  std::vector<std::string> raws() const {
    std::vector<std::string> out;
    for (auto& g : groups)
      for (auto& e : g) out.push_back(e.raw);
    return out;
  }
};

/// Events "{"event":"e<i>"}" for i < n, one a line; event `bad` (if any) has no "event" field.
std::string event_body(size_t n, std::optional<size_t> bad = std::nullopt) {
  std::string body;
  for (size_t i = 0; i < n; ++i)
    body += i == bad ? "{\"host\": \"no event here\"}\n"
                     : "{\"event\": \"e" + std::to_string(i) + " padding\"}\n";
  return body;
}
std::vector<std::string> event_raws(size_t from, size_t to) {
  std::vector<std::string> out;
  for (size_t i = from; i < to; ++i) out.push_back("e" + std::to_string(i) + " padding");
  return out;
}

/// Feeds `body` in pieces of `piece` bytes.
template <class Stream>
void feed_all(Stream& s, std::string_view body, size_t piece) {
  for (size_t at = 0; at < body.size(); at += piece) s.feed(body.substr(at, piece), now);
}

const input_meta defaults{"default-host", "http:kura", "httpevent", "main"};

}  // namespace

TEST_CASE("hec body: a big event body is stored in groups while it arrives, each event once") {
  recording_store store;
  event_body_stream s{store.fn(), defaults, 1000};
  auto body = event_body(300);  // about 9 KB: groups of a little over 1,000 bytes
  feed_all(s, std::string_view{body}.substr(0, body.size() / 2), 100);
  CHECK(store.groups.size() >= 3);  // stored before the body has ended
  feed_all(s, std::string_view{body}.substr(body.size() / 2), 100);
  auto r = s.finish();
  CHECK(r.result == status::success);
  CHECK(r.stored == 300);
  CHECK(store.raws() == event_raws(0, 300));
  CHECK(store.groups.size() >= 8);
  auto& e = store.groups[0][0];
  CHECK(e.host == "default-host");
  CHECK(e.sourcetype == "httpevent");
  CHECK(e.time == now);
}

TEST_CASE("hec body: a body of at most one group that turns bad stores nothing") {
  recording_store store;
  event_body_stream s{store.fn(), defaults, 1000};
  auto body = event_body(20, 12);  // about 550 bytes
  REQUIRE(body.size() <= 1000);
  feed_all(s, body, 50);
  auto r = s.finish();
  CHECK(r.result == status::event_field_required);
  CHECK(r.invalid_event == 12);
  CHECK(r.stored == 0);
  CHECK(store.calls == 0);
  CHECK(store.groups.empty());
}

TEST_CASE("hec body: in a bigger body, a bad event N leaves exactly events 0 … N-1 stored") {
  for (size_t bad : {1, 40, 150, 299}) {
    recording_store store;
    event_body_stream s{store.fn(), defaults, 1000};
    feed_all(s, event_body(300, bad), 64);  // the rest of the body after the bad event is only read
    auto r = s.finish();
    CHECK(r.result == status::event_field_required);
    CHECK(r.invalid_event == bad);
    CHECK(r.stored == bad);
    CHECK(store.raws() == event_raws(0, bad));
  }
  recording_store store;  // bad JSON: the number too
  event_body_stream s{store.fn(), defaults, 1000};
  auto body = event_body(100) + "{\"event\": \"unterminated}\n" + event_body(100);
  feed_all(s, body, 333);
  auto r = s.finish();
  CHECK(r.result == status::invalid_data_format);
  CHECK(r.invalid_event == 100);  // its "}" sits in a string: the body ends inside event 100
  CHECK(store.raws() == event_raws(0, 100));
}

TEST_CASE("hec body: a group the store refuses ends the body, the groups before it stay") {
  recording_store store;
  store.fail_at = 1;
  event_body_stream s{store.fn(), defaults, 1000};
  feed_all(s, event_body(300), 100);
  auto r = s.finish();
  CHECK(r.result == status::incorrect_index);
  CHECK(!r.invalid_event);
  CHECK(store.calls == 2);  // nothing was handed to the store after the refusal
  REQUIRE(store.groups.size() == 1);
  CHECK(r.stored == store.groups[0].size());
  CHECK(store.raws() == event_raws(0, store.groups[0].size()));
  CHECK(store_status({errc::disk_full, "x"}) == status::server_busy);
  CHECK(store_status({errc::unavailable, "x"}) == status::server_busy);
  CHECK(store_status({errc::index_disabled, "x"}) == status::incorrect_index);
  CHECK(store_status({errc::io_error, "x"}) == status::internal_error);
}

namespace {

raw_body_stream raw_stream(recording_store& store, size_t group_bytes) {
  auto pipeline = event_stream::open({}, {"h", "src", "st", "main"});
  REQUIRE(pipeline.has_value());
  return raw_body_stream{store.fn(), std::move(*pipeline), group_bytes};
}

}  // namespace

TEST_CASE("hec body: raw text cut at every position gives the same events, multi-line ones too") {
  // Lines with timestamps start events; the indented line continues the one before (CRLF too).
  std::string body =
      "2026-11-20 10:00:00 first line\r\n  continued\r\n2026-11-20 10:00:01 second\n"
      "2026-11-20 10:00:02 third\n\n2026-11-20 10:00:03 fourth, no newline";
  std::vector<std::string> want = {"2026-11-20 10:00:00 first line\n  continued",
                                   "2026-11-20 10:00:01 second", "2026-11-20 10:00:02 third",
                                   "2026-11-20 10:00:03 fourth, no newline"};
  for (size_t i = 0; i <= body.size(); ++i) {
    recording_store store;
    auto s = raw_stream(store, 40);
    s.feed(std::string_view{body}.substr(0, i), now);
    s.feed(std::string_view{body}.substr(i), now);
    auto r = s.finish(now);
    CHECK(r.result == status::success);
    CHECK_MESSAGE(store.raws() == want, "cut at ", i);
  }
}

TEST_CASE("hec body: a big raw body is stored in groups, a line longer than a piece is whole") {
  recording_store store;
  auto s = raw_stream(store, 10'000);
  std::string body;
  std::vector<std::string> want;
  for (int i = 0; i < 2000; ++i) {
    want.push_back("2026-11-20 10:00:00 line " + std::to_string(i) +
                   (i == 777 ? " " + std::string(9000, 'w') : std::string{}));
    body += want.back() + "\n";
  }
  feed_all(s, body, 4096);
  CHECK(store.groups.size() >= 5);
  auto r = s.finish(now);
  CHECK(r.result == status::success);
  CHECK(r.stored == 2000);
  CHECK(store.raws() == want);
  CHECK(store.groups[0][0].host == "h");
  CHECK(store.groups[0][0].sourcetype == "st");
}

TEST_CASE("hec body: a raw body of white space is no_data and stores nothing") {
  recording_store store;
  auto s = raw_stream(store, 10);
  feed_all(s, std::string(100, ' ') + "\r\n\t\n", 7);
  auto r = s.finish(now);
  CHECK(r.result == status::no_data);
  CHECK(store.calls == 0);
}
