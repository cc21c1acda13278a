// Corrupt and truncated bucket files are detected and reported, never crash,
// and fsck --repair rebuilds from the journal.
#include <doctest/doctest.h>

#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_ops.hpp"
#include "core/bucket/bucket_reader.hpp"
#include "core/bucket/hot_bucket.hpp"
#include "core/testing.hpp"

using namespace kura;
using namespace kura::testing;

namespace {

constexpr time_us t0 = 1'700'000'000'000'000;

io::fs::path make_warm(const io::fs::path& home, const event_set& set) {
  auto hot = hot_bucket::create(home, bucket_id{1});
  REQUIRE(hot.has_value());
  for (auto& v : set.views()) REQUIRE(!hot->append(v));
  auto dir = hot->roll("", true);
  REQUIRE(dir.has_value());
  return *dir;
}

/// Opens and fully reads the bucket; returns whether every step succeeded.
bool usable(const io::fs::path& dir) {
  auto r = bucket_reader::open(dir);
  if (!r) return false;
  if (r->verify_all()) return false;
  auto p = r->postings("error");
  return p.has_value();
}

}  // namespace

TEST_CASE("corruption: damaged index files are found by open or fsck at every offset, and repaired") {
  temp_dir dir;
  auto set = make_events(3000, t0);
  auto warm = make_warm(dir.path, set);
  auto expect_error = *bucket_reader::open(warm)->postings("error");
  for (auto* file : {bucket_files::tsidx, bucket_files::manifest, bucket_files::bloomfilter}) {
    auto path = warm / file;
    auto original = slurp(path);
    REQUIRE(!original.empty());
    size_t step = std::max<size_t>(1, original.size() / 61);
    for (size_t at = 0; at < original.size(); at += step) {
      for (int mode = 0; mode < 3; ++mode) {
        std::string bad = original;
        if (mode == 0) bad[at] = char(bad[at] ^ 0x21);        // flipped byte
        if (mode == 1) bad.resize(at);                         // truncated
        if (mode == 2) bad.replace(at, std::min<size_t>(16, bad.size() - at), std::string(16, '\xff'));  // junk
        if (bad == original) continue;
        spit(path, bad);
        bool detected = !usable(warm);
        auto report = fsck_bucket(warm, false);
        CHECK_MESSAGE(detected, file << " mode " << mode << " at " << at);
        CHECK_MESSAGE(!report.ok(), file << " mode " << mode << " at " << at);
        spit(path, original);
      }
    }
    // Repair rebuilds the damaged file from the journal.
    spit(path, original.substr(0, original.size() / 2));
    auto report = fsck_bucket(warm, true);
    CHECK(report.repaired);
    CHECK(fsck_bucket(warm, false).ok());
    auto r = bucket_reader::open(warm);
    REQUIRE(r.has_value());
    CHECK(*r->postings("error") == expect_error);
  }
}

TEST_CASE(
    "corruption: a damaged warm journal is reported, repair cuts it and rebuilds what is left") {
  temp_dir dir;
  auto set = make_events(40000, t0);  // several slices with any codec
  auto warm = make_warm(dir.path, set);
  auto journal = warm / "rawdata/journal";
  auto original = slurp(journal);
  auto bad = original;
  bad[original.size() * 2 / 3] ^= 0x40;
  spit(journal, bad);
  auto report = fsck_bucket(warm, false);
  CHECK(!report.ok());
  CHECK(report.problems[0].find("checksum mismatch") != std::string::npos);
  CHECK(!usable(warm));
  report = fsck_bucket(warm, true);
  CHECK(report.repaired);
  CHECK(report.problems.back().find("repair cut") != std::string::npos);
  auto r = bucket_reader::open(warm);
  REQUIRE(r.has_value());
  CHECK(r->manifest().events > 0);
  CHECK(r->manifest().events < 40000);
  CHECK(fsck_bucket(warm, false).ok());
}

TEST_CASE("corruption: a healthy bucket passes fsck") {
  temp_dir dir;
  auto warm = make_warm(dir.path, make_events(1000, t0));
  auto report = fsck_bucket(warm, false);
  CHECK(report.ok());
  CHECK(!report.repaired);
}
