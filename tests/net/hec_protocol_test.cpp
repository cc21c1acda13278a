// HEC bodies and replies, as Splunk's clients send and expect them.
#include "net/hec/hec_protocol.hpp"

#include <doctest/doctest.h>

using namespace kura;
using namespace kura::hec;

TEST_CASE("hec: one event with metadata, time and indexed fields") {
  auto r = parse_event_body(R"({"time": 1426279439.123, "host": "localhost", "source": "random-data-generator",
    "sourcetype": "my_sample_data", "index": "main", "event": "Hello world!", "fields": {"team": "blue", "n": 3}})");
  REQUIRE(r.result == status::success);
  REQUIRE(r.events.size() == 1);
  auto& e = r.events[0];
  CHECK(*e.time == 1'426'279'439'123'000);
  CHECK(*e.host == "localhost");
  CHECK(*e.sourcetype == "my_sample_data");
  CHECK(*e.index == "main");
  CHECK(e.raw == "Hello world!");
  CHECK(e.fields == std::vector<std::pair<std::string, std::string>>{{"team", "blue"}, {"n", "3"}});
}

TEST_CASE("hec: batches of concatenated objects, JSON events kept as their text") {
  auto r = parse_event_body(
      "{\"event\": \"one\"}{\"event\": {\"message\": \"two\", \"severity\": \"INFO\"}}\n{\"event\": 3, \"time\": \"1700000000\"}");
  REQUIRE(r.result == status::success);
  REQUIRE(r.events.size() == 3);
  CHECK(r.events[0].raw == "one");
  CHECK(r.events[1].raw == R"({"message": "two", "severity": "INFO"})");
  CHECK(r.events[2].raw == "3");
  CHECK(*r.events[2].time == 1'700'000'000'000'000);
  CHECK(!r.events[0].time);
  CHECK(!r.events[0].host);
}

TEST_CASE("hec: bad bodies get Splunk's status and the number of the first bad event") {
  CHECK(parse_event_body("").result == status::no_data);
  CHECK(parse_event_body("  \n").result == status::no_data);
  auto bad = parse_event_body("{\"event\": \"ok\"}{\"event\": ");
  CHECK(bad.result == status::invalid_data_format);
  CHECK(bad.invalid_event == 1);
  CHECK(parse_event_body("not json").result == status::invalid_data_format);
  CHECK(parse_event_body("[1,2]").result == status::invalid_data_format);
  auto missing = parse_event_body("{\"event\":\"a\"}{\"event\":\"b\"}{\"host\":\"h\"}");
  CHECK(missing.result == status::event_field_required);
  CHECK(missing.invalid_event == 2);
  CHECK(missing.events.empty());  // nothing of a rejected request is indexed
  CHECK(parse_event_body("{\"event\": \"\"}").result == status::event_field_blank);
  CHECK(parse_event_body("{\"event\": null}").result == status::event_field_blank);
  CHECK(parse_event_body("{\"event\": \"x\", \"host\": 5}").result == status::invalid_data_format);
  CHECK(parse_event_body("{\"event\": \"x\", \"time\": \"yesterday\"}").result == status::invalid_data_format);
  CHECK(parse_event_body("{\"event\": \"x\", \"fields\": [1]}").result == status::indexed_fields_error);
  CHECK(parse_event_body("{\"event\": \"x\", \"fields\": {\"a\": {\"b\": 1}}}").result == status::indexed_fields_error);
  CHECK(parse_event_body("{\"event\": \"x\"} trailing").result == status::invalid_data_format);
}

TEST_CASE("hec: replies carry text and code, and the HTTP status of each code") {
  CHECK(reply_body(status::success) == R"({"text":"Success","code":0})");
  CHECK(reply_body(status::invalid_token) == R"({"text":"Invalid token","code":4})");
  CHECK(reply_body(status::event_field_required, 2) == R"({"text":"Event field is required","code":12,"invalid-event-number":2})");
  CHECK(reply_body(status::success, std::nullopt, 7) == R"({"text":"Success","code":0,"ackId":7})");
  CHECK(info(status::token_required).http_status == 401);
  CHECK(info(status::invalid_token).http_status == 403);
  CHECK(info(status::server_busy).http_status == 503);
  CHECK(info(status::healthy).http_status == 200);
}

namespace {

/// Feeds `body` to an event_parser in the pieces that `cuts` (ascending offsets) make.
struct fed {
  bool ok = true;
  std::vector<event> events;
  status result = status::success;
  size_t number = 0;
};
fed feed_in_pieces(std::string_view body, const std::vector<size_t>& cuts) {
  event_parser p;
  fed out;
  size_t at = 0;
  for (size_t cut : cuts) {
    out.ok = p.feed(body.substr(at, cut - at), out.events) && out.ok;
    at = cut;
  }
  out.ok = p.feed(body.substr(at), out.events) && out.ok;
  out.ok = p.finish() && out.ok;
  out.result = p.result();
  out.number = p.events();
  return out;
}

// The body's events as the test wrote them: strings with quotes, braces and brackets, a
// nested JSON event, separators of nothing, CRLF, LF and spaces.
const std::string tricky_body =
    "{\"event\": \"a \\\"quoted\\\" {brace} [bracket] \\\\\"}"
    "{\"event\": {\"nested\": [1, {\"x\": \"}\"}]}, \"host\": \"h2\"}\r\n"
    "  {\"event\": \"third\", \"fields\": {\"k\": \"v}\"}}\n"
    "{\"event\":\"fourth\"}";
const std::vector<std::string> tricky_raws = {"a \"quoted\" {brace} [bracket] \\",
                                              R"({"nested": [1, {"x": "}"}]})", "third", "fourth"};

std::vector<std::string> raws(const std::vector<event>& events) {
  std::vector<std::string> out;
  for (auto& e : events) out.push_back(e.raw);
  return out;
}

}  // namespace

TEST_CASE(
    "hec: an event body cut at every position, and at every pair of positions, parses whole") {
  for (size_t i = 0; i <= tricky_body.size(); ++i) {
    auto r = feed_in_pieces(tricky_body, {i});
    CHECK_MESSAGE(r.ok, "cut at ", i);
    CHECK_MESSAGE(raws(r.events) == tricky_raws, "cut at ", i);
    for (size_t j = i; j <= tricky_body.size(); j += 7) {
      auto two = feed_in_pieces(tricky_body, {i, j});
      CHECK_MESSAGE(raws(two.events) == tricky_raws, "cuts at ", i, " and ", j);
    }
  }
  std::vector<size_t> bytes;  // one byte at a time
  for (size_t i = 1; i < tricky_body.size(); ++i) bytes.push_back(i);
  auto r = feed_in_pieces(tricky_body, bytes);
  CHECK(raws(r.events) == tricky_raws);
  CHECK(*r.events[1].host == "h2");
  CHECK(r.events[2].fields == std::vector<std::pair<std::string, std::string>>{{"k", "v}"}});
}

TEST_CASE(
    "hec: an event longer than a piece is carried over, one over the limit is refused with its "
    "number") {
  std::string long_text(300'000, 'y');
  std::string body =
      "{\"event\": \"short\"}{\"event\": \"" + long_text + "\"}{\"event\": \"after\"}";
  std::vector<size_t> cuts;
  for (size_t at = 4096; at < body.size(); at += 4096) cuts.push_back(at);
  auto r = feed_in_pieces(body, cuts);
  REQUIRE(r.ok);
  REQUIRE(r.events.size() == 3);
  CHECK(r.events[1].raw == long_text);
  CHECK(r.events[2].raw == "after");

  std::string huge =
      "{\"event\": \"ok\"}{\"event\": \"" + std::string(event_parser::max_event_bytes, 'z') + "\"}";
  cuts.clear();
  for (size_t at = 1 << 20; at < huge.size(); at += 1 << 20) cuts.push_back(at);
  auto big = feed_in_pieces(huge, cuts);
  CHECK(!big.ok);
  CHECK(big.result == status::invalid_data_format);
  CHECK(big.number == 1);
  CHECK(big.events.size() == 1);  // the event before the big one was given
}

TEST_CASE("hec: a body that turns bad mid-way stops at the bad event, in pieces as whole") {
  std::string body = "{\"event\":\"a\"}\n{\"event\":\"b\"}\n{\"host\":\"h\"}\n{\"event\":\"d\"}";
  for (size_t i = 0; i <= body.size(); ++i) {
    auto r = feed_in_pieces(body, {i});
    CHECK(!r.ok);
    CHECK(r.result == status::event_field_required);
    CHECK(r.number == 2);
    CHECK(raws(r.events) == std::vector<std::string>{"a", "b"});  // none from the bad one on
  }
  auto syntax =
      feed_in_pieces("{\"event\":\"a\"}{\"event\": \"b\" \"x\": 1}{\"event\":\"c\"}", {20});
  CHECK(syntax.result == status::invalid_data_format);
  CHECK(syntax.number == 1);
  auto stray = feed_in_pieces("{\"event\":\"a\"}}{\"event\":\"c\"}", {14});
  CHECK(stray.result == status::invalid_data_format);
  CHECK(stray.number == 1);
  auto cut_off = feed_in_pieces("{\"event\":\"a\"}\r\n{\"event\":\"b", {15});
  CHECK(cut_off.result == status::invalid_data_format);
  CHECK(cut_off.number == 1);
  CHECK(feed_in_pieces(" \r\n\t", {2}).result == status::no_data);
}
