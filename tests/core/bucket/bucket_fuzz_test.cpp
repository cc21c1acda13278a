// Random operations against the hot bucket and journal, checked against a model:
// whatever sequence of appends, commits, crashes (losing an arbitrary part of the
// unsynced tail) and recoveries happens, a recovered bucket holds a prefix of
// what was appended that includes everything committed, and nothing else.
#include <doctest/doctest.h>

#include <random>

#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_ops.hpp"
#include "core/bucket/bucket_reader.hpp"
#include "core/bucket/hot_bucket.hpp"
#include "core/testing.hpp"

using namespace kura;
using namespace kura::testing;

TEST_CASE("fuzz: random appends, commits, crashes and recoveries never lose committed events") {
  for (unsigned seed = 1; seed <= 12; ++seed) {
    CAPTURE(seed);
    temp_dir dir;
    std::mt19937 rng(seed);
    auto pool = make_events(6000, 1'700'000'000'000'000, 1000, seed);
    auto views = pool.views();
    auto hot = hot_bucket::create(dir.path, bucket_id{1});
    REQUIRE(hot.has_value());
    auto bucket_dir = hot->dir();
    std::optional<hot_bucket> current{std::move(*hot)};
    size_t appended = 0, committed = 0;
    for (int step = 0; step < 60 && appended < views.size(); ++step) {
      switch (rng() % 4) {
        case 0:
        case 1: {  // append a batch
          size_t n = std::min<size_t>(rng() % 400 + 1, views.size() - appended);
          for (size_t i = 0; i < n; ++i) REQUIRE(!current->append(views[appended + i]));
          appended += n;
          break;
        }
        case 2:  // commit
          REQUIRE(!current->commit());
          committed = appended;
          break;
        case 3: {  // crash: drop the writer, lose a random part of the unsynced tail
          uint64_t synced = current->committed_bytes();
          current.reset();
          auto journal = bucket_dir / bucket_files::rawdata_dir / bucket_files::journal;
          auto size = io::fs::file_size(journal);
          if (size > synced) io::fs::resize_file(journal, synced + rng() % (size - synced + 1));
          recovery_report report;
          auto back = hot_bucket::recover(bucket_dir, bucket_id{1}, report);
          REQUIRE_MESSAGE(back.has_value(), back.err().render());
          CHECK(report.events >= committed);
          CHECK(report.events <= appended);
          appended = report.events;  // what survived is the new truth
          committed = report.events;
          current.emplace(std::move(*back));
          break;
        }
      }
    }
    REQUIRE(!current->commit());
    auto expected = current->events();
    CHECK(expected == appended);
    auto warm = current->roll("", true);
    REQUIRE(warm.has_value());
    if (warm->empty()) continue;
    auto r = bucket_reader::open(*warm);
    REQUIRE(r.has_value());
    Roaring all;
    all.addRange(0, r->manifest().events);
    size_t i = 0;
    REQUIRE(!r->read_events(all, [&](uint64_t o, const event_view& ev) {
      CHECK(o == i);
      CHECK(ev.raw == pool.events[i].raw);  // a prefix of what was appended, in order
      ++i;
    }));
    CHECK(i == expected);
    CHECK(fsck_bucket(*warm, false).ok());
  }
}
