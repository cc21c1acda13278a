// The lifecycle policy as plain functions (no disk).
#include "core/index/lifecycle_policy.hpp"

#include <doctest/doctest.h>

using namespace kura;

namespace {

constexpr time_us sec = us_per_sec;

bucket_facts b(uint64_t id, bucket_state s, int64_t newest_secs, uint64_t size = 100, std::string index = "i") {
  return {std::move(index), bucket_id{id}, s, newest_secs * sec, size, {}};
}

/// Index "i" with the default limits (the paths are never touched).
index_config cfg() { return default_index_config("i", "/nonexistent"); }

}  // namespace

TEST_CASE("policy: maxWarmDBCount moves the oldest warm buckets to cold first") {
  auto c = cfg();
  c.max_warm_db_count = 2;
  auto plan = plan_retention(c, {b(3, bucket_state::warm, 30), b(1, bucket_state::warm, 10),
                                 b(2, bucket_state::warm, 20), b(9, bucket_state::hot, 40)}, 100);
  REQUIRE(plan.size() == 1);
  CHECK(plan[0] == lifecycle_action{action_kind::move_to_cold, "i", bucket_id{1}, "maxWarmDBCount", {}});
}

TEST_CASE("policy: frozenTimePeriodInSecs freezes whole buckets whose newest event is too old") {
  auto c = cfg();
  c.frozen_time_period_secs = 100;
  auto plan = plan_retention(c, {b(1, bucket_state::cold, 850), b(2, bucket_state::warm, 899),
                                 b(3, bucket_state::warm, 901), b(4, bucket_state::hot, 10),
                                 b(5, bucket_state::thawed, 1)}, 1000);
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].id.value == 1);
  CHECK(plan[1].id.value == 2);
  CHECK(plan[0].kind == action_kind::freeze);
  CHECK(plan[0].reason == "frozenTimePeriodInSecs");
}

TEST_CASE("policy: maxTotalDataSizeMB freezes the oldest buckets until the index fits") {
  auto c = cfg();
  c.max_total_data_size_bytes = 250;
  auto plan = plan_retention(c, {b(1, bucket_state::cold, 10), b(2, bucket_state::warm, 20),
                                 b(3, bucket_state::warm, 30), b(4, bucket_state::hot, 40),
                                 b(5, bucket_state::thawed, 1, 1000)}, 100);
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].id.value == 1);
  CHECK(plan[1].id.value == 2);
  CHECK(plan[1].reason == "maxTotalDataSizeMB");
}

TEST_CASE("policy: homePath.maxDataSizeMB rolls warm to cold, coldPath.maxDataSizeMB freezes cold") {
  auto c = cfg();
  c.home_max_data_size_bytes = 200;
  c.cold_max_data_size_bytes = 150;
  auto plan = plan_retention(c, {b(1, bucket_state::cold, 5), b(2, bucket_state::warm, 20),
                                 b(3, bucket_state::warm, 30), b(4, bucket_state::hot, 40)}, 100);
  // home: 300 > 200, so the oldest warm (2) goes cold; cold: then 200 > 150, so the oldest cold (1) freezes.
  REQUIRE(plan.size() == 2);
  CHECK(plan[0] == lifecycle_action{action_kind::move_to_cold, "i", bucket_id{2}, "homePath.maxDataSizeMB", {}});
  CHECK(plan[1] == lifecycle_action{action_kind::freeze, "i", bucket_id{1}, "coldPath.maxDataSizeMB", {}});
}

TEST_CASE("policy: unlimited path sizes and default limits plan nothing") {
  auto plan = plan_retention(cfg(), {b(1, bucket_state::cold, 1'700'000'000), b(2, bucket_state::warm, 1'700'000'001)},
                             1'700'000'100);
  CHECK(plan.empty());
}

TEST_CASE("policy: a full home-only volume moves its oldest warm buckets to cold") {
  auto plan = plan_volume(250, {{b(1, bucket_state::warm, 10, 100, "a"), true},
                                {b(2, bucket_state::warm, 5, 100, "b"), true},
                                {b(3, bucket_state::hot, 1, 100, "a"), true}});
  REQUIRE(plan.size() == 1);
  CHECK(plan[0] == lifecycle_action{action_kind::move_to_cold, "b", bucket_id{2}, "maxVolumeDataSizeMB", {}});
}

TEST_CASE("policy: a full cold-only volume freezes cold, a mixed one freezes the oldest of either") {
  auto cold = plan_volume(150, {{b(1, bucket_state::cold, 10), false}, {b(2, bucket_state::cold, 20), false}});
  REQUIRE(cold.size() == 1);
  CHECK(cold[0].kind == action_kind::freeze);
  CHECK(cold[0].id.value == 1);
  auto mixed = plan_volume(150, {{b(1, bucket_state::cold, 30), false}, {b(2, bucket_state::warm, 20), true}});
  REQUIRE(mixed.size() == 1);
  CHECK(mixed[0] == lifecycle_action{action_kind::freeze, "i", bucket_id{2}, "maxVolumeDataSizeMB", {}});
  CHECK(plan_volume(0, {{b(1, bucket_state::cold, 30, 1'000'000), false}}).empty());
}

TEST_CASE("policy: events go to the closest hot bucket within maxHotSpanSecs, else a new one, else the LRU rolls") {
  auto c = cfg();
  c.max_hot_buckets = 2;
  c.max_hot_span_secs = 3600;
  auto at = [&](const std::vector<hot_facts>& hot, time_us t) {
    return choose_hot_bucket(hot, t, t, c);
  };
  CHECK(at({}, 0).kind == hot_choice::open_new);
  std::vector<hot_facts> one{{1000 * sec, 2000 * sec, 5, 1}};
  CHECK(at(one, 1500 * sec).kind == hot_choice::use);
  CHECK(at(one, 4000 * sec).kind == hot_choice::use);
  CHECK(at(one, 5000 * sec).kind == hot_choice::open_new);
  std::vector<hot_facts> two{{1000 * sec, 2000 * sec, 5, 7}, {90000 * sec, 90010 * sec, 5, 3}};
  CHECK(at(two, 89000 * sec).bucket == 1);
  auto roll = at(two, 50000 * sec);
  CHECK(roll.kind == hot_choice::roll_then_open);
  CHECK(roll.bucket == 1);
}

TEST_CASE(
    "policy: a part of a batch goes where its whole time range fits, never to a bucket another "
    "part took") {
  auto c = cfg();
  c.max_hot_buckets = 3;
  c.max_hot_span_secs = 3600;
  std::vector<hot_facts> hot{{1000 * sec, 2000 * sec, 5, 7}, {1500 * sec, 2500 * sec, 5, 3}};
  // The closest bucket the whole range fits: 5000 alone fits bucket 1, 1000..5000 fits none.
  CHECK(choose_hot_bucket(hot, 3000 * sec, 4000 * sec, c).bucket == 1);
  CHECK(choose_hot_bucket(hot, 5000 * sec, 5000 * sec, c).bucket == 1);
  CHECK(choose_hot_bucket(hot, 1000 * sec, 5000 * sec, c).kind == hot_choice::open_new);
  hot[0].taken = true;
  CHECK(choose_hot_bucket(hot, 1800 * sec, 1900 * sec, c).bucket == 1);
  hot[1].taken = true;
  CHECK(choose_hot_bucket(hot, 1800 * sec, 1900 * sec, c).kind == hot_choice::open_new);
  // A taken empty bucket is not used, and the least recently written untaken one rolls.
  hot.push_back({0, 0, 0, 9});
  hot.push_back({100000 * sec, 100001 * sec, 5, 8});
  hot[2].taken = true;
  c.max_hot_buckets = 4;
  auto roll = choose_hot_bucket(hot, 1800 * sec, 1900 * sec, c);
  CHECK(roll.kind == hot_choice::roll_then_open);
  CHECK(roll.bucket == 3);
}

TEST_CASE(
    "policy: maxHotIndexMemMB rolls the hot bucket holding the most once together they reach it") {
  auto c = cfg();
  CHECK(c.max_hot_index_mem_bytes == 128ull << 20);
  c.max_hot_index_mem_bytes = 100;
  CHECK(!choose_memory_roll({}, c));
  CHECK(!choose_memory_roll({99}, c));
  CHECK(choose_memory_roll({100}, c) == 0u);
  CHECK(!choose_memory_roll({30, 40, 29}, c));
  CHECK(choose_memory_roll({30, 40, 30}, c) == 1u);  // together 100: the largest
  CHECK(choose_memory_roll({50, 20, 50}, c) == 0u);  // equals: the first
  CHECK(choose_memory_roll({0, 0, 500}, c) == 2u);
}
