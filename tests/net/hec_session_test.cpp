// HEC tokens, channels and indexer acknowledgment.
#include "net/hec/hec_session.hpp"

#include <doctest/doctest.h>

using namespace kura::hec;

TEST_CASE("hec: the token check gives Splunk's status for each mistake") {
  std::vector<std::string> tokens{"abc-123"};
  CHECK(check_token("Splunk abc-123", false, tokens) == status::success);
  CHECK(check_token(std::nullopt, false, tokens) == status::token_required);
  CHECK(check_token(std::nullopt, true, tokens) == status::query_string_auth_disabled);
  CHECK(check_token("Bearer abc-123", false, tokens) == status::invalid_authorization);
  CHECK(check_token("abc-123", false, tokens) == status::invalid_authorization);
  CHECK(check_token("Splunk ", false, tokens) == status::invalid_authorization);
  CHECK(check_token("Splunk wrong", false, tokens) == status::invalid_token);
}

TEST_CASE("hec: channels are GUIDs") {
  CHECK(valid_channel("FE0ECFAD-13D5-401B-847D-77833BD77131"));
  CHECK(valid_channel("fe0ecfad-13d5-401b-847d-77833bd77131"));
  CHECK(!valid_channel("FE0ECFAD13D5401B847D77833BD77131"));
  CHECK(!valid_channel("channel-1"));
  CHECK(!valid_channel("GE0ECFAD-13D5-401B-847D-77833BD77131"));
}

TEST_CASE("hec: ack ids per channel become true once durable and are forgotten once reported") {
  ack_registry acks;
  std::string ch = "FE0ECFAD-13D5-401B-847D-77833BD77131";
  auto a = acks.open(ch), b = acks.open(ch);
  REQUIRE(a);
  CHECK(*a == 0);
  CHECK(*b == 1);
  CHECK(*acks.open("00000000-0000-0000-0000-000000000000") == 0);  // ids are per channel
  acks.acknowledge(ch, 0);
  auto r = acks.query(ch, {0, 1, 5});
  CHECK(r == std::map<uint64_t, bool>{{0, true}, {1, false}, {5, false}});
  CHECK(acks.query(ch, {0}).at(0) == false);  // already reported
  CHECK(ack_reply(r) == R"({"acks":{"0":true,"1":false,"5":false}})");
}

TEST_CASE("hec: ack query bodies are checked") {
  CHECK(*parse_ack_query(R"({"acks":[0,1,2]})") == std::vector<uint64_t>{0, 1, 2});
  CHECK(!parse_ack_query(R"({"acks":"0"})"));
  CHECK(!parse_ack_query(R"({"acks":[-1]})"));
  CHECK(!parse_ack_query(R"({"nope":[1]})"));
  CHECK(!parse_ack_query("junk"));
  CHECK(parse_ack_query(R"({"acks":[]})")->empty());
}
