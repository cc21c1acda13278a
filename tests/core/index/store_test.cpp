// Index operations, Detention, routing to missing indexes, and volumes.
#include "core/index/store.hpp"

#include <doctest/doctest.h>

#include "core/testing.hpp"

using namespace kura;
using namespace kura::testing;

namespace {

constexpr time_us t0 = 1'700'000'000'000'000;
constexpr int64_t now = t0 / us_per_sec + 100000;

std::unique_ptr<store> open_store(const temp_dir& dir, std::vector<index_config> indexes = {},
                                  std::vector<volume_config> volumes = {}) {
  store_config sc;
  sc.db_root = dir / "db";
  sc.min_free_space_bytes = 0;
  sc.volumes = std::move(volumes);
  auto s = store::open(sc, std::move(indexes));
  REQUIRE_MESSAGE(s.has_value(), s.err().render());
  return std::move(*s);
}

error append(store& s, const std::string& name, const event_set& set) {
  auto views = set.views();
  return s.append(name, views, now);
}

}  // namespace

TEST_CASE("store: main, _internal and _audit always exist, main in defaultdb") {
  temp_dir dir;
  auto s = open_store(dir);
  CHECK(s->index_names() == std::vector<std::string>{"_audit", "_internal", "main"});
  CHECK(io::fs::exists(dir / "db/defaultdb/db"));
  CHECK(io::fs::exists(dir / "db/defaultdb/colddb"));
  CHECK(io::fs::exists(dir / "db/defaultdb/thaweddb"));
}

TEST_CASE("store: add index follows the naming rules") {
  temp_dir dir;
  auto s = open_store(dir);
  for (auto* bad : {"_x", "-x", "a b", "\xc3\xa4", ""}) {
    auto err = s->add_index(default_index_config(bad, dir / "db"));
    CHECK_MESSAGE(err.code() == errc::invalid_argument, bad);
  }
  CHECK(!s->add_index(default_index_config("my-idx_1", dir / "db")));
  CHECK(!s->add_index(default_index_config("x9", dir / "db")));
  CHECK(s->add_index(default_index_config("x9", dir / "db")).code() == errc::already_exists);
  CHECK(io::fs::exists(dir / "db/my-idx_1/db"));
  CHECK(!append(*s, "my-idx_1", make_events(10, t0)));
}

TEST_CASE("store: events for an index that does not exist are discarded and counted") {
  temp_dir dir;
  auto s = open_store(dir);
  auto err = append(*s, "doesnotexist", make_events(7, t0));
  CHECK(err.code() == errc::not_found);
  CHECK(s->discarded_events() == 7);
  for (auto& name : s->index_names()) CHECK(s->find(name)->buckets().empty());
}

TEST_CASE("store: a disabled index refuses data and keeps what it has, enable accepts again") {
  temp_dir dir;
  auto s = open_store(dir);
  REQUIRE(!append(*s, "main", make_events(10, t0)));
  REQUIRE(!s->disable_index("main"));
  CHECK(append(*s, "main", make_events(10, t0)).code() == errc::index_disabled);
  CHECK(s->find("main")->buckets()[0].events == 10);
  REQUIRE(!s->enable_index("main"));
  CHECK(!append(*s, "main", make_events(10, t0)));
  CHECK(s->find("main")->buckets()[0].events == 20);
}

TEST_CASE("store: remove index deletes its data and later events for it are discarded") {
  temp_dir dir;
  auto s = open_store(dir);
  REQUIRE(!s->add_index(default_index_config("nogood", dir / "db")));
  REQUIRE(!append(*s, "nogood", make_events(10, t0)));
  REQUIRE(!s->remove_index("nogood"));
  CHECK(!io::fs::exists(dir / "db/nogood"));
  CHECK(append(*s, "nogood", make_events(3, t0)).code() == errc::not_found);
  CHECK(s->remove_index("main").code() == errc::invalid_argument);
}

TEST_CASE("store: clean eventdata empties one index or all, and ids continue") {
  temp_dir dir;
  auto s = open_store(dir);
  REQUIRE(!s->add_index(default_index_config("x", dir / "db")));
  for (int i = 0; i < 4; ++i) {
    REQUIRE(!append(*s, "x", make_events(5, t0)));
    REQUIRE(!s->roll_hot_buckets("x"));
  }
  REQUIRE(!append(*s, "main", make_events(5, t0)));
  REQUIRE(!s->clean_eventdata("x"));
  CHECK(s->find("x")->buckets().empty());
  CHECK(!s->find("main")->buckets().empty());
  REQUIRE(!append(*s, "x", make_events(5, t0)));
  CHECK(s->find("x")->buckets()[0].id.value == 4);
  REQUIRE(!s->clean_eventdata(""));
  CHECK(s->find("main")->buckets().empty());
}

TEST_CASE(
    "store: below minFreeSpace writes are refused (Detention), nothing is deleted, and they "
    "resume") {
  temp_dir dir;
  log_capture logs;
  store_config sc;
  sc.db_root = dir / "db";
  sc.min_free_space_bytes = mb_to_bytes(2000);
  auto s = store::open(sc, {});
  REQUIRE(s.has_value());
  uint64_t free_bytes = mb_to_bytes(5000);
  auto previous =
      io::set_free_space_probe([&](const io::fs::path&) -> result<uint64_t> { return free_bytes; });
  REQUIRE(!append(**s, "main", make_events(10, t0)));
  free_bytes = mb_to_bytes(100);
  auto err = append(**s, "main", make_events(10, t0));
  CHECK(err.code() == errc::disk_full);
  CHECK(err.message().find("minFreeSpace 2000 MB") != std::string::npos);
  CHECK((*s)->detention().has_value());
  CHECK(logs.contains("Detention"));
  CHECK((*s)->find("main")->buckets()[0].events == 10);
  free_bytes = mb_to_bytes(3000);
  CHECK(!append(**s, "main", make_events(10, t0)));
  CHECK(!(*s)->detention().has_value());
  CHECK((*s)->find("main")->buckets()[0].events == 20);
  io::set_free_space_probe(previous);
}

TEST_CASE("store: volume paths resolve, thawedPath may not use a volume") {
  std::vector<volume_config> vols{{"hot1", "/mnt/fast", 100}};
  std::string vol;
  CHECK(*resolve_index_path("homePath", "volume:hot1/idx1", vols, vol) == "/mnt/fast/idx1");
  CHECK(vol == "hot1");
  CHECK(*resolve_index_path("coldPath", "/old/style", vols, vol) == "/old/style");
  CHECK(vol.empty());
  CHECK(resolve_index_path("thawedPath", "volume:hot1/x", vols, vol).err().code() ==
        errc::invalid_argument);
  CHECK(resolve_index_path("homePath", "volume:nope/x", vols, vol).err().code() == errc::not_found);
}

TEST_CASE(
    "store: a full home volume rolls warm to cold, a full cold volume freezes across indexes") {
  temp_dir dir;
  std::vector<volume_config> vols{{"hot", dir / "hot", 1}, {"cold", dir / "cold", 1}};
  std::vector<index_config> idxs;
  for (auto* name : {"a", "b"}) {
    auto c = default_index_config(name, dir / "db");
    c.home_path = dir / "hot" / name;
    c.home_volume = "hot";
    c.cold_path = dir / "cold" / name;
    c.cold_volume = "cold";
    c.max_data_size_bytes = 1 << 30;
    idxs.push_back(c);
  }
  auto s = open_store(dir, idxs, vols);
  // Eight buckets of 20,000 events each (over 2 MB in all whatever the journal
  // codec: more than both volumes hold), alternating indexes, increasingly recent.
  for (int i = 0; i < 8; ++i) {
    std::string name = i % 2 ? "b" : "a";
    REQUIRE(!append(*s, name, make_events(20000, t0 + i * 20000 * us_per_sec, 1000, unsigned(i))));
    REQUIRE(!s->roll_hot_buckets(name));
  }
  REQUIRE(!s->enforce_retention(now));
  uint64_t home = io::dir_size(dir / "hot"), cold = io::dir_size(dir / "cold");
  CHECK(home <= mb_to_bytes(1));
  CHECK(cold <= mb_to_bytes(1));
  // The newest bucket stays warm; the oldest were frozen.
  auto a = s->find("a")->buckets(), b = s->find("b")->buckets();
  CHECK(b.back().state == bucket_state::warm);
  CHECK(a.front().id.value != 0);
  size_t total = a.size() + b.size();
  CHECK(total < 8);
}
