// Supervision in a real actor system (node_runtime): a bucket actor that
// fails reading its bucket is restarted from disk by its index actor and the
// failure is logged; one that keeps failing is given up on; ingestion into
// other buckets goes on throughout; fsck --repair brings the bucket back.
#include <doctest/doctest.h>

#include <fstream>
#include <mutex>
#include <thread>

#include "actors/test_node.hpp"
#include "core/log.hpp"
#include "core/testing.hpp"

using namespace kura;

namespace {

struct captured_log {
  std::mutex mutex;
  std::vector<std::string> lines;
  log::sink previous;
  captured_log() {
    previous = log::set_sink([this](log::level, std::string_view component, std::string_view message) {
      std::lock_guard lock{mutex};
      lines.push_back(std::string{component} + " - " + std::string{message});
    });
  }
  ~captured_log() { log::set_sink(previous); }
  /// Waits (at most 10 s) until `part` was logged `n` times; the index actor
  /// handles a bucket actor's end asynchronously.
  bool await(std::string_view part, size_t n) {
    for (int i = 0; i < 1000; ++i) {
      if (count(part) >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  size_t count(std::string_view part) {
    std::lock_guard lock{mutex};
    return size_t(std::count_if(lines.begin(), lines.end(), [&](auto& l) { return l.find(part) != std::string::npos; }));
  }
};

std::vector<ingest_event> events(size_t n, time_us start, const std::string& word) {
  auto set = testing::make_events(n, start);
  std::vector<ingest_event> out;
  for (auto& e : set.events) out.push_back({e.time, e.host, e.source, e.sourcetype, "main", e.raw + " " + word, {}});
  return out;
}

/// Flips bytes in the middle of a file in place (readers that mapped it see the damage).
void damage(const io::fs::path& file) {
  std::fstream f{file, std::ios::in | std::ios::out | std::ios::binary};
  f.seekp(std::streamoff(io::fs::file_size(file) / 2));
  f.write("\xde\xad\xbe\xef\xde\xad\xbe\xef", 8);
}

}  // namespace

TEST_CASE(
    "supervision: a failing bucket actor is restarted from disk, then given up on, ingestion goes "
    "on") {
  captured_log logged;
  testing::temp_dir dir;
  auto node_ptr = testing::start_node(dir, "sup");
  auto& node = *node_ptr;

  // Enough events for several journal slices (zstd's are about 256 KB of raw
  // text): the repair below keeps the slices before the damaged one.
  // Batches too small to be split among hot buckets (parallelHotBuckets): one bucket.
  const uint64_t older_events = 20'000;
  for (uint64_t b = 0; b < 10; ++b)
    REQUIRE(!node.ingest(
        events(older_events / 10, 1'795'350'000'000'000 + int64_t(b) * 2'000'000'000, "older")));
  REQUIRE(!node.roll_hot_buckets("main"));
  auto count = [&](const std::string& q) -> result<uint64_t> {
    uint64_t n = 0;
    auto r = node.search(q + " | stats count", {}, [&](const search::row& row) {
      n = uint64_t(*row.get("count")->as_number());
      return true;
    });
    if (!r) return r.err();
    return n;
  };
  // `eval` reads every event's raw text (a bare count would use postings only).
  const std::string reading = "older | eval size=len(_raw)";
  REQUIRE(*count(reading) == older_events);
  auto buckets = node.indexes();
  auto main = std::find_if(buckets.begin(), buckets.end(), [](auto& i) { return i.name == "main"; });
  REQUIRE(main->buckets.size() == 1);
  auto warm_dir = main->buckets[0].dir;

  damage(warm_dir / "rawdata" / "journal");
  // Each failed read ends the bucket actor; its index actor restarts it from disk.
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto failed = count(reading);
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.err().code() == errc::corruption);
    REQUIRE(logged.await("restarting it from disk", size_t(attempt)));
    // Ingestion into the hot bucket is unaffected.
    REQUIRE(!node.ingest(events(10, 1'795'360'000'000'000, "newer")));
  }
  CHECK(logged.count("failed (corruption") == 3);
  // The fourth failure within a minute: given up on, left out of searches.
  CHECK_FALSE(count(reading).has_value());
  CHECK(logged.await("left out of searches until fsck --repair", 1));
  CHECK(logged.count("restarting it from disk") == 3);
  auto without = count("newer");
  REQUIRE(without.has_value());
  CHECK(*without == 30);
  // It stays left out when the bucket set changes (a roll), and the bucket list says why.
  REQUIRE(!node.roll_hot_buckets("main"));
  CHECK(count(reading).has_value());  // the given-up bucket is not searched
  CHECK(logged.count("restarting it from disk") == 3);
  auto listed = node.indexes();
  auto main_now = std::find_if(listed.begin(), listed.end(), [](auto& i) { return i.name == "main"; });
  auto given_up = std::find_if(main_now->buckets.begin(), main_now->buckets.end(), [&](auto& b) { return b.dir == warm_dir; });
  REQUIRE(given_up != main_now->buckets.end());
  CHECK(given_up->problem.find("left out of searches after repeated failures") != std::string::npos);

  // fsck --repair cuts the journal after its last valid slice and rebuilds; the bucket is back.
  auto reports = node.fsck("main", true);
  REQUIRE(reports.has_value());
  auto older = count(reading);
  REQUIRE_MESSAGE(older.has_value(), older.err().render());
  CHECK(*older > 0);
  CHECK(*older < older_events);
  CHECK(*count("newer") == 30);
}
