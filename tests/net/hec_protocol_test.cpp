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
