// Hot bucket, roll to warm, index files, make searchable and rebuild.
#include <doctest/doctest.h>

#include <random>

#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_name.hpp"
#include "core/bucket/bucket_ops.hpp"
#include "core/bucket/bucket_reader.hpp"
#include "core/bucket/hot_bucket.hpp"
#include "core/bucket/tsidx_format.hpp"
#include "core/testing.hpp"
#include "core/text/segmenter.hpp"
#include "core/util/hash.hpp"

using namespace kura;
using namespace kura::testing;

namespace {

constexpr time_us t0 = 1'700'000'000'000'000;

io::fs::path make_warm(const io::fs::path& home, const event_set& set, bool bloom = true,
                       uint64_t id = 1, journal_options journal = {}) {
  auto hot = hot_bucket::create(home, bucket_id{id}, journal);
  REQUIRE(hot.has_value());
  for (auto& v : set.views()) REQUIRE(!hot->append(v));
  auto dir = hot->roll("", bloom);
  REQUIRE(dir.has_value());
  return *dir;
}

/// The events of a warm bucket that contain `term`, which a naive scan finds in `events`
/// events: its posting list, or for a term left out of the dictionary (one event,
/// tsidx_format::may_be_left_out) the one event of the candidates of its slice's filter that
/// a naive scan confirms. FAILs if a left-out term's filters miss it.
Roaring warm_events(const bucket_reader& r, const std::string& term, uint64_t events) {
  auto p = r.postings(term);
  REQUIRE(p.has_value());
  if (!p->isEmpty() || events != 1 || !tsidx_format::may_be_left_out(term)) return *p;
  Roaring found;
  REQUIRE(!r.read_events(r.rare_term_events(term), [&](uint64_t o, const event_view& ev) {
    std::string scratch;
    segmenter::for_each_term(ev.raw, scratch, [&](std::string_view t) {
      if (t == term) found.add(uint32_t(o));
    });
  }));
  return found;
}

std::vector<std::string> probe_terms() {
  return {"error", "login", "needle-97", "needle", "97", "10.0.0.3", "3", "seq=42", "42", "item",
          field_term("host", "web1"), field_term("source", "/var/log/app0.log"), field_term("sourcetype", "syslog"),
          field_term("team", "Blue"), field_term("team", "red"), "absent-term", "zzzz", "0"};
}

}  // namespace

TEST_CASE("bucket: roll renames hot_v1_<id> to db_<newest>_<oldest>_<id> with index files and a bloom filter") {
  temp_dir dir;
  auto set = make_events(3000, t0);
  auto hot = hot_bucket::create(dir.path, bucket_id{5});
  REQUIRE(hot.has_value());
  CHECK(io::fs::exists(dir / "hot_v1_5/rawdata/journal"));
  for (auto& v : set.views()) REQUIRE(!hot->append(v));
  auto warm = hot->roll("", true);
  REQUIRE(warm.has_value());
  auto name = bucket_name::parse(warm->filename().string());
  REQUIRE(name);
  CHECK(name->kind == bucket_kind::original);
  CHECK(name->id.value == 5);
  CHECK(name->oldest == t0 / us_per_sec);
  CHECK(name->newest == (t0 + 2999 * us_per_sec) / us_per_sec);
  CHECK(!io::fs::exists(dir / "hot_v1_5"));
  for (auto* f : {bucket_files::tsidx, bucket_files::manifest, bucket_files::bloomfilter})
    CHECK(io::fs::exists(*warm / f));
}

TEST_CASE("bucket: a clustered original carries the peer guid in its name") {
  temp_dir dir;
  auto hot = hot_bucket::create(dir.path, bucket_id{2});
  REQUIRE(hot.has_value());
  REQUIRE(!hot->append({t0, "h", "s", "st", "x", {}}));
  auto warm = hot->roll("PEER-GUID-1", true);
  REQUIRE(warm.has_value());
  CHECK(warm->filename().string() == "db_1700000000_1700000000_2_PEER-GUID-1");
}

TEST_CASE("bucket: createBloomfilter = false writes no bloom filter and search still works") {
  temp_dir dir;
  auto set = make_events(500, t0);
  auto warm = make_warm(dir.path, set, false);
  CHECK(!io::fs::exists(warm / bucket_files::bloomfilter));
  auto r = bucket_reader::open(warm);
  REQUIRE(r.has_value());
  CHECK(r->may_contain("absent-term"));
  CHECK(*r->postings("error") == naive_postings(set.events, "error"));
}

TEST_CASE("bucket: posting lists equal a naive scan, in hot memory and in the warm files") {
  temp_dir dir;
  auto set = make_events(6000, t0);
  auto hot = hot_bucket::create(dir.path, bucket_id{1});
  REQUIRE(hot.has_value());
  for (auto& v : set.views()) REQUIRE(!hot->append(v));
  for (auto& term : probe_terms()) CHECK_MESSAGE(hot->index().postings(term) == naive_postings(set.events, term), term);
  auto warm = hot->roll("", true);
  REQUIRE(warm.has_value());
  auto r = bucket_reader::open(*warm);
  REQUIRE_MESSAGE(r.has_value(), r.err().render());
  for (auto& term : probe_terms()) {
    auto expect = naive_postings(set.events, term);
    CHECK_MESSAGE(warm_events(*r, term, expect.cardinality()) == expect, term);
    if (!expect.isEmpty()) CHECK(r->may_contain(term));  // no false negatives
  }
}

TEST_CASE("bucket: each way of storing a posting list reads back as a naive scan finds it") {
  // 210,000 events whose terms fall into each encoding of index.tsidx version 3:
  // ev<i> once and "every50" in 4,200 (inline), "all" everywhere (a run-length
  // bitmap), "every2" in 105,000 (too many for deltas: a periodic bitmap,
  // compressed), "third" in 50,000 (periodic deltas, compressed), "half" at random
  // in about 105,000 (random bits: a plain bitmap) and "rand20" at random in about
  // 10,500.
  temp_dir dir;
  event_set set;
  std::mt19937 rng{7};
  for (int i = 0; i < 210000; ++i) {
    std::string raw = "ev" + std::to_string(i) + " all";
    if (i % 2 == 0) raw += " every2";
    if (i % 3 == 0 && i < 150000) raw += " third";
    if (i % 50 == 0) raw += " every50";
    if (rng() % 2) raw += " half";
    if (rng() % 20 == 0) raw += " rand20";
    set.events.push_back({t0 + i * 1000, "web1", "/var/log/a.log", "syslog", {}, raw, {}});
  }
  auto warm = make_warm(dir.path, set);
  auto r = bucket_reader::open(warm);
  REQUIRE_MESSAGE(r.has_value(), r.err().render());
  CHECK(!r->verify_all());
  auto counts = r->encoding_counts();
  REQUIRE(counts.has_value());
  using enc = tsidx_format::posting_encoding;
  for (auto e : {enc::inline_list, enc::bitmap, enc::bitmap_zstd, enc::deltas_zstd})
    CHECK_MESSAGE((*counts)[size_t(e)] > 0, "no list stored with encoding " << int(e));
  for (std::string term :
       std::vector<std::string>{"e0", "e209999", "all", "every2", "third", "every50", "half",
                                "rand20", "e12345", field_term("host", "web1")}) {
    auto p = r->postings(term);
    REQUIRE(p.has_value());
    CHECK_MESSAGE(*p == naive_postings(set.events, term), term);
  }
}

TEST_CASE("bucket: the bloom filter rules out most absent terms") {
  temp_dir dir;
  auto warm = make_warm(dir.path, make_events(3000, t0));
  auto r = bucket_reader::open(warm);
  REQUIRE(r.has_value());
  int maybe = 0;
  for (int i = 0; i < 1000; ++i) maybe += r->may_contain("absent" + std::to_string(i));
  CHECK(maybe < 50);
}

TEST_CASE("bucket: events are read back by ordinal, decompressing only what is needed") {
  temp_dir dir;
  auto set = make_events(4000, t0);
  auto warm = make_warm(dir.path, set);
  auto r = bucket_reader::open(warm);
  REQUIRE(r.has_value());
  auto hits = *r->postings("needle");
  std::vector<uint64_t> seen;
  REQUIRE(!r->read_events(hits, [&](uint64_t o, const event_view& ev) {
    seen.push_back(o);
    CHECK(ev.raw == set.events[o].raw);
    CHECK(ev.time == set.events[o].time);
    CHECK(ev.host == set.events[o].host);
  }));
  CHECK(seen.size() == hits.cardinality());
  CHECK(seen.size() == (4000 + 96) / 97);
}

TEST_CASE("bucket: the time index selects exactly the events in a range") {
  temp_dir dir;
  auto set = make_events(5000, t0, 250'000);  // 4 events per second
  auto warm = make_warm(dir.path, set);
  auto r = bucket_reader::open(warm);
  REQUIRE(r.has_value());
  time_us from = t0 + 100 * us_per_sec + 1, to = t0 + 700 * us_per_sec;
  auto sel = r->in_time_range(from, to);
  REQUIRE(sel.has_value());
  Roaring expect;
  for (size_t i = 0; i < set.events.size(); ++i)
    if (set.events[i].time >= from && set.events[i].time < to) expect.add(uint32_t(i));
  CHECK(*sel == expect);
  CHECK(r->in_time_range(t0 - 10 * us_per_sec, t0)->isEmpty());
}

TEST_CASE("bucket: metadata counts hosts, sources and sourcetypes with first and last times") {
  temp_dir dir;
  auto set = make_events(1000, t0);
  auto warm = make_warm(dir.path, set);
  auto m = read_manifest(warm);
  REQUIRE(m.has_value());
  CHECK(m->events == 1000);
  CHECK(m->min_time == t0);
  CHECK(m->max_time == t0 + 999 * us_per_sec);
  REQUIRE(m->hosts.size() == 3);
  CHECK(m->hosts[0].first == "web0");
  CHECK(m->hosts[0].second.count == 334);
  CHECK(m->hosts[0].second.first_time == t0);
  CHECK(m->hosts[0].second.last_time == t0 + 999 * us_per_sec);
  REQUIRE(m->sourcetypes.size() == 2);
  CHECK(m->sourcetypes[1].first == "syslog");
  CHECK(m->sourcetypes[1].second.count == 200);
}

TEST_CASE("bucket: rebuild writes byte-identical index files from the journal alone") {
  temp_dir dir;
  auto set = make_events(5000, t0);
  auto warm = make_warm(dir.path, set);
  auto tsidx = slurp(warm / bucket_files::tsidx);
  auto manifest = slurp(warm / bucket_files::manifest);
  auto bloom = slurp(warm / bucket_files::bloomfilter);
  io::fs::remove(warm / bucket_files::tsidx);
  spit(warm / bucket_files::manifest, "junk");
  auto report = rebuild(warm, true);
  REQUIRE_MESSAGE(report.has_value(), report.err().render());
  CHECK(report->events == 5000);
  CHECK(slurp(warm / bucket_files::tsidx) == tsidx);
  CHECK(slurp(warm / bucket_files::manifest) == manifest);
  CHECK(slurp(warm / bucket_files::bloomfilter) == bloom);
}

TEST_CASE("bucket: a journal-only copy becomes searchable with make_searchable") {
  temp_dir dir;
  auto set = make_events(2500, t0);
  auto warm = make_warm(dir.path, set);
  REQUIRE(!strip_to_journal(warm));
  CHECK(!is_searchable(warm));
  CHECK(bucket_reader::open(warm).err().code() == errc::not_found);
  auto report = make_searchable(warm, true);
  REQUIRE(report.has_value());
  CHECK(is_searchable(warm));
  auto r = bucket_reader::open(warm);
  REQUIRE(r.has_value());
  CHECK(*r->postings("login") == naive_postings(set.events, "login"));
}

TEST_CASE("bucket: a recovered hot bucket keeps committed events and cuts a torn tail") {
  temp_dir dir;
  auto set = make_events(3000, t0);
  auto views = set.views();
  io::fs::path hot_dir;
  uint64_t committed_size = 0;
  {
    auto hot = hot_bucket::create(dir.path, bucket_id{3});
    REQUIRE(hot.has_value());
    hot_dir = hot->dir();
    for (size_t i = 0; i < 2000; ++i) REQUIRE(!hot->append(views[i]));
    REQUIRE(!hot->commit());
    committed_size = io::fs::file_size(hot_dir / "rawdata/journal");
  }
  // A crash mid-write: half a slice of garbage after the committed data.
  auto journal = hot_dir / "rawdata/journal";
  spit(journal, slurp(journal) + std::string("KSLC\x10\x00\x00\x00garbage-garbage", 23));
  recovery_report report;
  auto hot = hot_bucket::recover(hot_dir, bucket_id{3}, report);
  REQUIRE(hot.has_value());
  CHECK(report.events == 2000);
  CHECK(report.dropped_bytes == 23);
  CHECK(!report.problem.empty());
  CHECK(io::fs::file_size(journal) == committed_size);
  for (size_t i = 2000; i < 3000; ++i) REQUIRE(!hot->append(views[i]));
  auto warm = hot->roll("", true);
  REQUIRE(warm.has_value());
  auto r = bucket_reader::open(*warm);
  REQUIRE(r.has_value());
  CHECK(r->manifest().events == 3000);
  CHECK(*r->postings("error") == naive_postings(set.events, "error"));
}

TEST_CASE("bucket: the index files of a fixed input match the golden checksums") {
  // Pins index.tsidx, bloomfilter and bucket.manifest for each journal codec
  // (the tsidx and manifest hold the journal's slice positions and size): a
  // format change must change FORMAT.md, the version and these values in the
  // same commit. These are of index.tsidx version 3 (compressed bitmaps and time runs);
  // buckets of versions 1 and 2 have a test of their own below.
  struct golden {
    const char* name;
    journal_options journal;
    uint64_t tsidx, bloom, manifest;
  };
  for (auto g : {golden{"snappy",
                        {journal_compression::snappy},
                        6617736458321275687ull,
                        9477264269709357289ull,
                        10269896039655033064ull},
                 golden{"zstd rows",
                        {journal_compression::zstd, 0, 0, true},
                        3022453333360367642ull,
                        9477264269709357289ull,
                        3235679518974756039ull},
                 // Its 40 short lines are smaller in rows: the same files as above.
                 golden{"zstd default",
                        {journal_compression::zstd},
                        3022453333360367642ull,
                        9477264269709357289ull,
                        3235679518974756039ull}}) {
    CAPTURE(std::string{g.name});
    temp_dir dir;
    event_set set;
    for (int i = 0; i < 40; ++i)
      set.events.push_back({t0 + i * us_per_sec,
                            i % 2 ? "web1" : "web2",
                            "/var/log/a.log",
                            "syslog",
                            {},
                            "GET /index.html status=" + std::to_string(200 + i % 3) + " user=u" +
                                std::to_string(i % 9),
                            {}});
    auto warm = make_warm(dir.path, set, true, 1, g.journal);
    CHECK(warm.filename().string() == "db_1700000039_1700000000_1");
    auto sum = [&](const char* f) { return hash::checksum64(slurp(warm / f)); };
    CHECK(sum(bucket_files::tsidx) == g.tsidx);
    CHECK(sum(bucket_files::bloomfilter) == g.bloom);
    CHECK(sum(bucket_files::manifest) == g.manifest);
  }
}

TEST_CASE("bucket: a field term never collides with the text of an event") {
  temp_dir dir;
  event_set set;
  set.events.push_back({t0, "web1", "s", "st", {}, "host|web9 host::web9 sourcetype|x", {}});
  auto warm = make_warm(dir.path, set);
  auto r = bucket_reader::open(warm);
  REQUIRE(r.has_value());
  CHECK(r->postings(field_term("host", "web9"))->isEmpty());
  CHECK(r->postings(field_term("sourcetype", "x"))->isEmpty());
  CHECK(r->postings(field_term("host", "WEB1"))->cardinality() == 1);
  CHECK(r->postings("web9")->cardinality() == 1);
}

TEST_CASE("bucket: buckets written by earlier versions (tsidx versions 1 and 2) still read") {
  // tests/core/bucket/data/tsidx_v<N>/db_1700000599_1700000000_1: make_events(600, t0) rolled
  // by kura 382b0e8 (version 1: 64-term plain blocks, a journal of zstd rows) and by 805ecf3
  // (version 2: 256-term zstd blocks, a journal of zstd columns; bitmaps and times plain).
  for (std::string version : {"1", "2"}) {
    CAPTURE(version);
    temp_dir dir;
    auto warm = dir / "db_1700000599_1700000000_1";
    io::fs::copy(io::fs::path{KURA_TESTS_DIR} / ("core/bucket/data/tsidx_v" + version) /
                     "db_1700000599_1700000000_1",
                 warm, io::fs::copy_options::recursive);
    CHECK(slurp(warm / bucket_files::tsidx).substr(0, 8) == "KURATSX" + version);
    CHECK(slurp(warm / "rawdata/journal")[12] == (version == "1" ? 'Z' : 'T'));
    auto r = bucket_reader::open(warm);
    REQUIRE_MESSAGE(r.has_value(), r.err().render());
    CHECK(!r->verify_all());
    auto set = make_events(600, t0);
    for (auto& term : probe_terms()) {
      CAPTURE(term);
      auto got = r->postings(term);
      REQUIRE(got.has_value());
      CHECK(*got == naive_postings(set.events, term));
    }
    auto seq = r->terms_with_prefix("seq=59");
    REQUIRE(seq.has_value());
    CHECK(seq->size() == 11);  // seq=59 and seq=590 ... seq=599
    Roaring all;
    all.addRange(0, 600);
    size_t seen = 0;
    REQUIRE(!r->read_events(all, [&](uint64_t o, const event_view& ev) {
      CHECK(ev.raw == set.events[o].raw);
      ++seen;
    }));
    CHECK(seen == 600);
  }
}
