// Status documents from a real node (node_runtime), through its typed status.
#include "net/status/status_json.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "actors/test_node.hpp"
#include "core/testing.hpp"

using namespace kura;

TEST_CASE("status: server info, indexes and buckets describe the store") {
  testing::temp_dir dir;
  auto node_ptr = testing::start_node(dir, "node1");
  auto& node = *node_ptr;
  auto set = testing::make_events(100, 1'795'350'000'000'000);
  std::vector<ingest_event> events;
  for (auto& e : set.events) events.push_back({e.time, e.host, e.source, e.sourcetype, "main", e.raw, e.fields});
  REQUIRE(!node.ingest(events));
  REQUIRE(!node.roll_hot_buckets("main"));
  events.resize(10);
  REQUIRE(!node.ingest(events));
  REQUIRE(!node.set_index_disabled("_audit", true));

  auto info = nlohmann::json::parse(status::server_info(node.server_info()));
  CHECK(info["name"] == "node1");
  CHECK(info["role"] == "standalone");
  CHECK(info["detention"].is_null());

  auto indexes = nlohmann::json::parse(status::index_list(node.indexes()))["indexes"];
  REQUIRE(indexes.size() == 3);
  auto& main = indexes[2];
  CHECK(main["name"] == "main");
  CHECK(main["events"] == 110);
  CHECK(main["buckets"]["hot"] == 1);
  CHECK(main["buckets"]["warm"] == 1);
  CHECK(main["earliest"] == "2026-11-22T12:20:00.000+00:00");
  CHECK(indexes[0]["name"] == "_audit");
  CHECK(indexes[0]["disabled"] == true);
  CHECK(indexes[0]["earliest"].is_null());

  auto buckets = nlohmann::json::parse(*status::bucket_list(node.indexes(), "main"))["buckets"];
  REQUIRE(buckets.size() == 2);
  CHECK(buckets[0]["state"] == "hot");
  CHECK(buckets[0]["id"] == 1);
  CHECK(buckets[1]["state"] == "warm");
  CHECK(buckets[1]["events"] == 100);
  CHECK(buckets[1]["searchable"] == true);
  CHECK(std::string(buckets[1]["dir"]).find("db_1795350099_1795350000_0") != std::string::npos);
  CHECK(status::bucket_list(node.indexes(), "nope").err().code() == errc::not_found);
}
