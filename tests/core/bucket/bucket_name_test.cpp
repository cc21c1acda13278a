// Bucket directory names (indexing.md §4.3, T37).
#include "core/bucket/bucket_name.hpp"

#include <doctest/doctest.h>

using namespace kura;

TEST_CASE("bucket_name: the manual's example parses to newest, oldest and id") {
  auto b = bucket_name::parse("db_1223658000_1223654401_2835");
  REQUIRE(b);
  CHECK(b->kind == bucket_kind::original);
  CHECK(b->newest == 1223658000);
  CHECK(b->oldest == 1223654401);
  CHECK(b->id.value == 2835);
  CHECK(b->guid.empty());
}

TEST_CASE("bucket_name: every kind formats and parses back") {
  std::vector<bucket_name> names{
      bucket_name::hot(bucket_id{7}),
      bucket_name::warm(bucket_id{3}, 200, 100),
      bucket_name::warm(bucket_id{3}, 200, 100, "A1B2-C3"),
      {bucket_kind::replicated, bucket_id{9}, 300, 250, "GUID-1"},
      {bucket_kind::in_flight, bucket_id{4}, 0, 0, "GUID-2"},
      {bucket_kind::invalid_hot, bucket_id{5}, 0, 0, {}},
  };
  std::vector<std::string> expected{"hot_v1_7", "db_200_100_3", "db_200_100_3_A1B2-C3", "rb_300_250_9_GUID-1",
                                    "4_GUID-2", "invalid_hot_5"};
  for (size_t i = 0; i < names.size(); ++i) {
    CHECK(names[i].format() == expected[i]);
    auto back = bucket_name::parse(expected[i]);
    REQUIRE(back);
    CHECK(*back == names[i]);
  }
}

TEST_CASE("bucket_name: non-bucket names are rejected") {
  for (auto* s : {"temp_db_1181756465_1162600547_0", "db_1_2", "rb_1_2_3", "hot_v2_1", "db_x_1_2", "",
                  "db_1_2_3_bad/guid", "hot_v1_", ".bucketManifest"})
    CHECK_MESSAGE(!bucket_name::parse(s), s);
}
