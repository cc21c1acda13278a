// The index on disk: rolls, restarts, retention rules, freezing and thawing.
#include "core/index/index.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <span>

#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_name.hpp"
#include "core/bucket/bucket_ops.hpp"
#include "core/bucket/bucket_reader.hpp"
#include "core/journal/journal.hpp"
#include "core/testing.hpp"

using namespace kura;
using namespace kura::testing;

namespace {

constexpr time_us t0 = 1'700'000'000'000'000;

/// An index "idx" below `dir` whose hot buckets roll after `max_data_size` bytes
/// of journal (by default never by size, so that tests roll them on demand).
index_config small_config(const temp_dir& dir, uint64_t max_data_size = 1 << 30) {
  auto c = default_index_config("idx", dir.path);
  c.max_data_size_bytes = max_data_size;
  return c;
}

std::unique_ptr<kura::index> open_index(const index_config& c,
                                        std::vector<std::string>* notes = nullptr) {
  auto idx = kura::index::open(c, notes);
  REQUIRE_MESSAGE(idx.has_value(), idx.err().render());
  return std::move(*idx);
}

void append_all(kura::index& idx, const event_set& set) {
  for (auto& v : set.views()) REQUIRE(!idx.append(v));
  REQUIRE(!idx.commit());
}

size_t count_state(const kura::index& idx, bucket_state s) {
  size_t n = 0;
  for (auto& b : idx.buckets()) n += b.state == s;
  return n;
}

/// Checks how many hot and warm buckets the index has.
void check_hot_warm(const kura::index& idx, size_t hot, size_t warm) {
  CHECK(count_state(idx, bucket_state::hot) == hot);
  CHECK(count_state(idx, bucket_state::warm) == warm);
}

/// Appends `count` batches of `events` events, `spacing` seconds apart, rolling after each.
void add_warm_buckets(kura::index& idx, int count, size_t events, int64_t spacing) {
  for (int i = 0; i < count; ++i) {
    append_all(idx, make_events(events, t0 + i * spacing * us_per_sec));
    REQUIRE(!idx.roll_hot_buckets());
  }
}

uint64_t total_events(const kura::index& idx) {
  uint64_t n = 0;
  for (auto& b : idx.buckets()) n += b.events;
  return n;
}

}  // namespace

TEST_CASE("index: maxDataSize rolls the hot bucket and a new hot_v1_<id+1> takes over") {
  temp_dir dir;
  auto c = small_config(dir, 64 * 1024);
  auto idx = open_index(c);
  append_all(*idx, make_events(6000, t0));
  CHECK(count_state(*idx, bucket_state::warm) >= 2);
  CHECK(count_state(*idx, bucket_state::hot) == 1);
  auto buckets = idx->buckets();
  CHECK(buckets[0].dir.filename().string() == "hot_v1_" + std::to_string(buckets.size() - 1));
  for (auto& b : buckets)
    if (b.state == bucket_state::warm) {
      CHECK(b.dir.filename().string().rfind("db_", 0) == 0);
      CHECK(b.dir.parent_path() == c.home_path);
      CHECK(io::fs::exists(b.dir / bucket_files::bloomfilter));
    }
  CHECK(total_events(*idx) == 6000);
}

TEST_CASE(
    "index: maxHotIndexMemMB rolls the hot bucket before its in-memory index holds that much") {
  temp_dir dir;
  auto c = small_config(dir);
  c.max_hot_index_mem_bytes = max_hot_index_mem_min_mb << 20;
  CHECK(c.validate().message().empty());
  auto idx = open_index(c);
  // Eight terms of their own per event (as request ids): the index grows with the data.
  std::vector<std::string> raws;
  const size_t n = 40000;
  for (size_t i = 0; i < n; ++i) {
    std::string raw = "GET /item status=200";
    for (int k = 0; k < 8; ++k) raw += " r" + std::to_string(k) + "x" + std::to_string(i);
    raws.push_back(std::move(raw));
  }
  uint64_t peak = 0;
  for (size_t i = 0; i < n; ++i) {
    event_view ev;
    ev.time = t0 + time_us(i) * us_per_sec;
    ev.host = "web1";
    ev.source = "/var/log/access.log";
    ev.sourcetype = "access";
    ev.raw = raws[i];
    REQUIRE(!idx->append(ev));
    uint64_t held = 0;
    for (auto& h : idx->hot_buckets()) held += h->index().memory_bytes();
    CHECK(held < c.max_hot_index_mem_bytes);
    peak = std::max(peak, held);
  }
  REQUIRE(!idx->commit());
  CHECK(peak > (c.max_hot_index_mem_bytes / 2));  // the bound was approached, not just avoided
  CHECK(count_state(*idx, bucket_state::warm) >= 1);
  CHECK(count_state(*idx, bucket_state::hot) == 1);
  CHECK(total_events(*idx) == n);
  c.max_hot_index_mem_bytes = (max_hot_index_mem_min_mb << 20) - 1;
  CHECK(c.validate().message().find("maxHotIndexMemMB must be at least 16") != std::string::npos);
}

TEST_CASE("index: maxDataSize accepts auto, auto_high_volume and MB") {
  CHECK(*parse_max_data_size("auto") == 750ull << 20);
  CHECK(*parse_max_data_size("auto_high_volume") == 10240ull << 20);
  CHECK(*parse_max_data_size("10") == 10ull << 20);
  CHECK(parse_max_data_size("-1").err().code() == errc::invalid_argument);
  CHECK(parse_max_data_size("big").err().message().find("auto_high_volume") != std::string::npos);
  CHECK(default_index_config("main", "/x").max_data_size_bytes == 10240ull << 20);
  CHECK(default_index_config("main", "/x").max_hot_buckets == 10);
  CHECK(default_index_config("main", "/x").home_path == "/x/defaultdb/db");
  CHECK(default_index_config("web", "/x").max_hot_buckets == 3);
  CHECK(default_index_config("web", "/x").cold_path == "/x/web/colddb");
}

TEST_CASE("index: hot buckets roll on restart and on demand") {
  temp_dir dir;
  auto c = small_config(dir);
  {
    auto idx = open_index(c);
    append_all(*idx, make_events(500, t0));
    CHECK(count_state(*idx, bucket_state::hot) == 1);
    // no close(): a restart must roll the hot bucket anyway
  }
  std::vector<std::string> notes;
  auto idx = open_index(c, &notes);
  check_hot_warm(*idx, 0, 1);
  CHECK(total_events(*idx) == 500);
  CHECK(notes.size() == 1);
  CHECK(notes[0].find("recovered hot bucket hot_v1_0 with 500 events") != std::string::npos);
  append_all(*idx, make_events(100, t0 + 1000 * us_per_sec));
  CHECK(count_state(*idx, bucket_state::hot) == 1);
  REQUIRE(!idx->roll_hot_buckets());
  check_hot_warm(*idx, 0, 2);
}

TEST_CASE("index: maxHotBuckets bounds the hot buckets of events far apart in time") {
  temp_dir dir;
  auto c = small_config(dir);
  c.max_hot_buckets = 2;
  c.max_hot_span_secs = 3600;
  auto idx = open_index(c);
  for (int day = 0; day < 4; ++day)
    append_all(*idx, make_events(50, t0 + day * 86400 * us_per_sec));
  check_hot_warm(*idx, 2, 2);
  // Late data for a day whose hot bucket is still open goes there, not into a new bucket.
  append_all(*idx, make_events(10, t0 + 3 * 86400 * us_per_sec + 60 * us_per_sec));
  check_hot_warm(*idx, 2, 2);
}

namespace {

/// Appends `set` as one batch (index::append of a span).
void append_batch(kura::index& idx, const event_set& set) {
  auto views = set.views();
  REQUIRE(!idx.append(std::span<const event_view>{views}));
}

/// The `_raw` of every event in the journals of the index's buckets, sorted.
std::vector<std::string> stored_raws(const kura::index& idx) {
  std::vector<std::string> raws;
  for (auto& b : idx.buckets()) {
    auto bytes = io::read_file(b.dir / bucket_files::rawdata_dir / bucket_files::journal);
    REQUIRE(bytes.has_value());
    auto scan = scan_journal(*bytes);
    REQUIRE(scan.has_value());
    slice_scratch scratch;
    for (auto slice : scan->slices)
      REQUIRE(!decode_slice(*bytes, slice, scratch,
                            [&](uint64_t, const event_view& ev) { raws.emplace_back(ev.raw); }));
  }
  std::sort(raws.begin(), raws.end());
  return raws;
}

}  // namespace

TEST_CASE(
    "index: a large batch is written to parallelHotBuckets hot buckets at once, each event to "
    "one") {
  temp_dir dir;
  auto c = small_config(dir);
  c.parallel_hot_buckets = 3;
  auto idx = open_index(c);
  const size_t n = 3 * parallel_part_min_events + 17;
  auto set = make_events(n, t0);
  append_batch(*idx, set);
  REQUIRE(!idx->commit());
  check_hot_warm(*idx, 3, 0);
  // Each part is a contiguous third of the batch in its own bucket.
  for (auto& h : idx->hot_buckets()) CHECK(h->events() >= n / 3);
  // The next batch goes to the same three buckets (their time ranges fit).
  append_batch(*idx, set);
  REQUIRE(!idx->commit());
  check_hot_warm(*idx, 3, 0);
  REQUIRE(!idx->roll_hot_buckets());
  check_hot_warm(*idx, 0, 3);
  std::vector<std::string> expected;
  for (int copy = 0; copy < 2; ++copy)
    for (auto& ev : set.events) expected.push_back(ev.raw);
  std::sort(expected.begin(), expected.end());
  CHECK(stored_raws(*idx) == expected);
}

TEST_CASE(
    "index: a batch is written event by event when it is small, parallelHotBuckets is 1 or its "
    "times are too far apart") {
  temp_dir dir;
  auto c = small_config(dir);
  c.max_hot_span_secs = 3600;
  auto idx = open_index(c);
  append_batch(*idx, make_events(2 * parallel_part_min_events - 1, t0, 1000));
  check_hot_warm(*idx, 1, 0);
  // Two days in one batch: a part would span more than maxHotSpanSecs.
  append_batch(*idx, make_events(4 * parallel_part_min_events, t0,
                                 86400 * us_per_sec / (4 * parallel_part_min_events)));
  REQUIRE(!idx->roll_hot_buckets());
  CHECK(idx->buckets().size() >= 24);  // hour-wide buckets, none wider
  for (auto& b : idx->buckets()) CHECK(b.newest - b.oldest <= 3600 * us_per_sec);
  temp_dir other;
  auto one = small_config(other);
  one.parallel_hot_buckets = 1;
  auto serial = open_index(one);
  append_batch(*serial, make_events(4 * parallel_part_min_events, t0));
  check_hot_warm(*serial, 1, 0);
}

TEST_CASE("index: maxWarmDBCount moves the oldest warm bucket to coldPath under the same name") {
  temp_dir dir;
  auto c = small_config(dir);
  c.max_warm_db_count = 2;
  auto idx = open_index(c);
  std::vector<std::string> names;
  add_warm_buckets(*idx, 3, 100, 1000);
  for (auto& b : idx->buckets()) names.push_back(b.dir.filename().string());
  auto done = idx->enforce_retention(t0 / us_per_sec + 10000);
  REQUIRE(done.has_value());
  REQUIRE(done->size() == 1);
  auto buckets = idx->buckets();
  CHECK(buckets[0].state == bucket_state::cold);
  CHECK(buckets[0].dir == c.cold_path / names[0]);
  CHECK(io::fs::exists(c.cold_path / names[0] / bucket_files::tsidx));
  CHECK(!io::fs::exists(c.home_path / names[0]));
  CHECK(buckets[1].state == bucket_state::warm);
  // A restart finds it in coldPath as cold.
  idx.reset();
  idx = open_index(c);
  CHECK(count_state(*idx, bucket_state::cold) == 1);
  CHECK(count_state(*idx, bucket_state::warm) == 2);
}

TEST_CASE(
    "index: maxTotalDataSizeMB and frozenTimePeriodInSecs delete frozen buckets and log their "
    "names") {
  temp_dir dir;
  log_capture logs;
  auto c = small_config(dir);
  auto idx = open_index(c);
  add_warm_buckets(*idx, 3, 2000, 10000);
  auto before = idx->buckets();
  REQUIRE(before.size() == 3);
  // Age: the oldest bucket's newest event is 2000 s after t0; freeze everything older than t0+5000.
  idx->set_disabled(false);
  auto aged = c;
  aged.frozen_time_period_secs = 1000;
  idx.reset();
  idx = open_index(aged);
  auto done = idx->enforce_retention(t0 / us_per_sec + 6000);
  REQUIRE(done.has_value());
  REQUIRE(done->size() == 1);
  CHECK(!io::fs::exists(before[0].dir));
  CHECK(logs.contains("froze bucket " + before[0].dir.filename().string() + ": deleted"));
  // Size: two buckets left; a cap below their sum freezes the older one.
  auto sized = c;
  sized.max_total_data_size_bytes = before[2].size_bytes + before[2].size_bytes / 2;
  idx.reset();
  idx = open_index(sized);
  done = idx->enforce_retention(t0 / us_per_sec + 6000);
  REQUIRE(done.has_value());
  REQUIRE(done->size() == 1);
  CHECK((*done)[0].reason == "maxTotalDataSizeMB");
  CHECK(!io::fs::exists(before[1].dir));
  CHECK(io::fs::exists(before[2].dir));
}

TEST_CASE("index: coldToFrozenDir archives only the journal, and wins over coldToFrozenScript") {
  temp_dir dir;
  auto c = small_config(dir);
  c.frozen_time_period_secs = 10;
  c.cold_to_frozen_dir = dir / "archive";
  c.cold_to_frozen_script = "touch " + (dir / "script-ran").string() + " #";
  auto idx = open_index(c);
  append_all(*idx, make_events(300, t0));
  REQUIRE(!idx->roll_hot_buckets());
  auto name = idx->buckets()[0].dir.filename();
  REQUIRE(idx->enforce_retention(t0 / us_per_sec + 1000).has_value());
  CHECK(idx->buckets().empty());
  std::vector<std::string> files;
  for (auto& e : io::fs::recursive_directory_iterator(c.cold_to_frozen_dir / name))
    if (e.is_regular_file())
      files.push_back(io::fs::relative(e.path(), c.cold_to_frozen_dir / name).string());
  CHECK(files == std::vector<std::string>{"rawdata/journal"});
  CHECK(!io::fs::exists(dir / "script-ran"));
}

TEST_CASE(
    "index: coldToFrozenScript runs with the bucket path, a failing script keeps the bucket") {
  temp_dir dir;
  auto c = small_config(dir);
  c.frozen_time_period_secs = 10;
  auto script = dir / "archive.sh";
  {
    std::ofstream s(script);
    s << "#!/bin/sh\nls \"$1\" > " << (dir / "seen").string() << "\necho \"$1\" >> "
      << (dir / "seen").string() << "\n";
  }
  io::fs::permissions(script, io::fs::perms::owner_all);
  c.cold_to_frozen_script = "false";
  auto idx = open_index(c);
  append_all(*idx, make_events(300, t0));
  REQUIRE(!idx->roll_hot_buckets());
  auto bucket = idx->buckets()[0].dir;
  auto failed = idx->enforce_retention(t0 / us_per_sec + 1000);
  REQUIRE(!failed.has_value());
  CHECK(failed.err().code() == errc::script_failed);
  CHECK(io::fs::exists(bucket));
  c.cold_to_frozen_script = script.string();
  idx.reset();
  idx = open_index(c);
  REQUIRE(idx->enforce_retention(t0 / us_per_sec + 1000).has_value());
  auto seen = slurp(dir / "seen");
  CHECK(seen.find("rawdata") != std::string::npos);
  CHECK(seen.find(bucket.string()) != std::string::npos);
  CHECK(!io::fs::exists(bucket));
}

TEST_CASE("index: a thawed archive is searchable after rebuild and never aged out") {
  temp_dir dir;
  auto c = small_config(dir);
  c.frozen_time_period_secs = 10;
  c.cold_to_frozen_dir = dir / "archive";
  auto set = make_events(400, t0);
  auto idx = open_index(c);
  append_all(*idx, set);
  REQUIRE(!idx->roll_hot_buckets());
  auto name = idx->buckets()[0].dir.filename().string();
  REQUIRE(idx->enforce_retention(t0 / us_per_sec + 1000).has_value());
  // The manual's procedure: copy into thaweddb/temp_…, rebuild, rename with a fresh id.
  auto temp = c.thawed_path / ("temp_" + name);
  io::fs::copy(c.cold_to_frozen_dir / name, temp, io::fs::copy_options::recursive);
  REQUIRE(rebuild(temp, true).has_value());
  auto b = bucket_name::parse(name);
  b->id = bucket_id{1001};
  io::fs::rename(temp, c.thawed_path / b->format());
  idx.reset();
  idx = open_index(c);
  auto buckets = idx->buckets();
  REQUIRE(buckets.size() == 1);
  CHECK(buckets[0].state == bucket_state::thawed);
  CHECK(buckets[0].searchable);
  auto r = bucket_reader::open(buckets[0].dir);
  REQUIRE(r.has_value());
  CHECK(*r->postings("error") == naive_postings(set.events, "error"));
  auto done = idx->enforce_retention(t0 / us_per_sec + 1'000'000'000);
  REQUIRE(done.has_value());
  CHECK(done->empty());
  CHECK(io::fs::exists(buckets[0].dir));
}

TEST_CASE("index: bucket ids keep growing across clean eventdata and restarts") {
  temp_dir dir;
  auto c = small_config(dir);
  auto idx = open_index(c);
  add_warm_buckets(*idx, 4, 10, 10);
  CHECK(idx->next_bucket_id().value == 4);
  REQUIRE(!idx->clean());
  CHECK(idx->buckets().empty());
  idx.reset();
  idx = open_index(c);
  CHECK(idx->next_bucket_id().value == 4);
  append_all(*idx, make_events(10, t0));
  CHECK(idx->buckets()[0].dir.filename() == "hot_v1_4");
}

TEST_CASE(
    "index: a bucket with damaged index files is rebuilt at start, a damaged journal is reported "
    "and skipped") {
  temp_dir dir;
  auto c = small_config(dir);
  {
    auto idx = open_index(c);
    for (int i = 0; i < 2; ++i) {
      append_all(*idx, make_events(500, t0 + i * 1000 * us_per_sec));
      REQUIRE(!idx->roll_hot_buckets());
    }
  }
  std::vector<io::fs::path> dirs;
  for (auto& e : io::fs::directory_iterator(c.home_path))
    if (e.is_directory()) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  REQUIRE(dirs.size() == 2);
  io::fs::remove(dirs[0] / bucket_files::manifest);  // index files lost
  auto j = slurp(dirs[1] / "rawdata/journal");
  j[j.size() / 2] ^= 1;
  spit(dirs[1] / "rawdata/journal", j);  // journal damaged
  io::fs::remove(dirs[1] / bucket_files::manifest);
  std::vector<std::string> notes;
  auto idx = open_index(c, &notes);
  auto buckets = idx->buckets();
  REQUIRE(buckets.size() == 2);
  CHECK(buckets[0].searchable);
  CHECK(buckets[0].problem.empty());
  CHECK(bucket_reader::open(buckets[0].dir).has_value());
  CHECK(!buckets[1].searchable);
  CHECK(buckets[1].problem.find("checksum mismatch") != std::string::npos);
  CHECK(idx->facts().size() == 1);  // the damaged bucket is not counted or aged
}

TEST_CASE("index: fsck reports a damaged bucket, fsck --repair makes it usable again") {
  temp_dir dir;
  auto c = small_config(dir);
  auto set = make_events(800, t0);
  auto idx = open_index(c);
  append_all(*idx, set);
  REQUIRE(!idx->roll_hot_buckets());
  append_all(*idx, make_events(10, t0 + 5000 * us_per_sec));  // an open hot bucket too
  auto warm = idx->buckets()[1].dir;
  auto tsidx = slurp(warm / bucket_files::tsidx);
  tsidx[tsidx.size() / 3] ^= 0x10;
  spit(warm / bucket_files::tsidx, tsidx);
  auto reports = idx->fsck(false);
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].ok());  // the hot bucket's committed journal
  CHECK(!reports[1].ok());
  reports = idx->fsck(true);
  CHECK(reports[1].repaired);
  for (auto& r : idx->fsck(false)) CHECK(r.ok());
  auto r = bucket_reader::open(warm);
  REQUIRE(r.has_value());
  CHECK(*r->postings("error") == naive_postings(set.events, "error"));
}

TEST_CASE(
    "index: invalid_hot_<id> and temp_ directories are ignored, journal-only rb_ copies count, "
    "their ids are their origin's") {
  temp_dir dir;
  auto c = small_config(dir);
  {
    auto idx = open_index(c);
    append_all(*idx, make_events(200, t0));
    REQUIRE(!idx->roll_hot_buckets());
  }
  auto warm = io::fs::directory_iterator(c.home_path)->path();
  for (auto& e : io::fs::directory_iterator(c.home_path))
    if (e.is_directory()) warm = e.path();
  // A replicated journal-only copy in coldPath, an invalid hot bucket, an operator's temp dir.
  auto rb = bucket_name::parse(warm.filename().string());
  rb->kind = bucket_kind::replicated;
  rb->id = bucket_id{50};
  rb->guid = "PEER2";
  io::fs::copy(warm, c.cold_path / rb->format(), io::fs::copy_options::recursive);
  REQUIRE(!strip_to_journal(c.cold_path / rb->format()));
  io::fs::copy(warm, c.home_path / "invalid_hot_9", io::fs::copy_options::recursive);
  io::fs::copy(warm, c.thawed_path / ("temp_" + warm.filename().string()),
               io::fs::copy_options::recursive);
  auto idx = open_index(c);
  auto buckets = idx->buckets();
  REQUIRE(buckets.size() == 2);
  CHECK(buckets[1].replicated);
  CHECK(!buckets[1].searchable);
  CHECK(buckets[1].problem.empty());
  CHECK(buckets[1].events == 200);
  CHECK(buckets[1].newest == rb->newest * us_per_sec);
  CHECK(idx->facts().size() == 2);
  // Replicated copies carry their origin's ids: they never move this index's next id.
  CHECK(idx->next_bucket_id().value == 1);
}

TEST_CASE(
    "index: a peer's commits and rolls report the durable journal bytes, and replaying them "
    "rebuilds the bucket byte for byte") {
  temp_dir dir;
  auto c = small_config(dir);
  c.peer_guid = "GUID-A";
  auto idx = open_index(c);
  auto set = make_events(3000, t0);
  auto views = set.views();
  // Three commits, then a roll: every record names bucket 0 and its bytes grow.
  std::vector<journal_progress> all;
  for (size_t part = 0; part < 3; ++part) {
    for (size_t i = part * 1000; i < (part + 1) * 1000; ++i) REQUIRE(!idx->append(views[i]));
    REQUIRE(!idx->commit());
    auto p = idx->take_progress();
    REQUIRE(p.size() == 1);
    CHECK(p[0].id.value == 0);
    CHECK(!p[0].rolled);
    if (!all.empty()) CHECK(p[0].durable_bytes > all.back().durable_bytes);
    all.push_back(p[0]);
  }
  CHECK(idx->take_progress().empty());  // taken once
  REQUIRE(!idx->roll_hot_buckets());
  auto rolled = idx->take_progress();
  REQUIRE(rolled.size() == 1);
  CHECK(rolled[0].rolled);
  CHECK(!rolled[0].empty);
  CHECK(rolled[0].durable_bytes == all.back().durable_bytes);  // the roll added nothing unsynced
  auto name = bucket_name::parse(rolled[0].journal.parent_path().parent_path().filename().string());
  REQUIRE(name.has_value());
  CHECK(name->kind == bucket_kind::original);
  CHECK(name->guid == "GUID-A");
  CHECK(name->newest == to_epoch_seconds(set.events.back().time));
  CHECK(rolled[0].newest == name->newest);
  CHECK(rolled[0].oldest == name->oldest);

  // A target appends the reported ranges, each checked as whole slices that continue the copy.
  auto original = slurp(rolled[0].journal);
  std::string copy;
  uint64_t events = 0;
  for (auto& p : all) {
    std::string_view part{original.data() + copy.size(), p.durable_bytes - copy.size()};
    auto n = check_journal_part(part, copy.size(), events);
    REQUIRE_MESSAGE(n.has_value(), n.err().render());
    events += *n;
    copy.append(part);
  }
  CHECK(copy == original);
  CHECK(events == set.events.size());
}

TEST_CASE("index: a standalone index reports no journal progress") {
  temp_dir other;
  auto plain = open_index(small_config(other));
  append_all(*plain, make_events(10, t0));
  REQUIRE(!plain->roll_hot_buckets());
  CHECK(plain->take_progress().empty());
}

TEST_CASE(
    "index: a finished replicated copy is adopted with its origin, ids of other origins do not "
    "clash") {
  temp_dir dir;
  auto c = small_config(dir);
  c.peer_guid = "GUID-A";
  // The source: another index (peer B) whose bucket 0 rolls.
  temp_dir source_dir;
  auto sc = small_config(source_dir);
  sc.peer_guid = "GUID-B";
  auto source = open_index(sc);
  append_all(*source, make_events(500, t0));
  REQUIRE(!source->roll_hot_buckets());
  auto rolled = source->buckets().front().dir;
  // Here: our own bucket 0 and B's bucket 0 as an rb_ copy in coldPath.
  auto idx = open_index(c);
  append_all(*idx, make_events(200, t0));
  REQUIRE(!idx->roll_hot_buckets());
  auto rb = bucket_name::parse(rolled.filename().string());
  rb->kind = bucket_kind::replicated;
  auto target = c.cold_path / rb->format();
  io::fs::copy(rolled, target, io::fs::copy_options::recursive);
  auto adopted = idx->adopt_replica(target);
  REQUIRE_MESSAGE(adopted.has_value(), adopted.err().render());
  CHECK(adopted->origin == "GUID-B");
  CHECK(adopted->replicated);
  CHECK(adopted->searchable);
  CHECK(adopted->events == 500);
  auto all = idx->buckets();
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == all[1].id);  // both are bucket 0, of different origins
  CHECK(all[0].origin != all[1].origin);
  // A lifecycle action names the bucket by id and origin: freezing B's copy keeps ours.
  REQUIRE(!idx->apply({action_kind::freeze, "idx", bucket_id{0}, "test", "GUID-B"}));
  REQUIRE(idx->buckets().size() == 1);
  CHECK(idx->buckets()[0].origin == "GUID-A");
  // Not an rb_ name: refused.
  CHECK(idx->adopt_replica(c.cold_path / "not-a-bucket").err().code() == errc::invalid_argument);
}
