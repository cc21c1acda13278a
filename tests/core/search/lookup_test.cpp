// Where lookup tables are found: the node's own directory first, then the
// bundle's directories in order (core/search/lookup.hpp).
#include "core/search/lookup.hpp"

#include <doctest/doctest.h>

#include "core/testing.hpp"

using namespace kura;
using namespace kura::search;

namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("lookup: the node's own table first, then the bundle's directories in order") {
  testing::temp_dir dir;
  auto own = dir / "etc/lookups", first = dir / "cluster-lookups/m1", second = dir / "slave-apps";
  for (auto& d : {own, first, second}) io::fs::create_directories(d);
  testing::spit(second / "geo.csv", "k,v\nsecond,2\n");
  testing::spit(first / "geo.csv", "k,v\nfirst,1\n");
  testing::spit(second / "only.csv", "k,v\nonly,3\n");
  lookup_dirs dirs{own.string(), {first.string(), second.string()}};

  CHECK(*find_lookup(dirs, "geo") == first / "geo.csv");
  CHECK(*find_lookup(dirs, "only.csv") == second / "only.csv");
  CHECK(read_lookup(dirs, "geo", 100)->records.at(0).at(0) == "first");
  testing::spit(own / "geo.csv", "k,v\nown,0\n");
  CHECK(*find_lookup(dirs, "geo") == own / "geo.csv");
  CHECK(read_lookup(dirs, "geo", 100)->records.at(0).at(0) == "own");

  // Without a directory of its own, a node still reads the bundle's.
  CHECK(read_lookup({"", {second.string()}}, "geo", 100)->records.at(0).at(0) == "second");
  // Empty entries are skipped.
  CHECK(*find_lookup({"", {"", second.string()}}, "only") == second / "only.csv");
}

TEST_CASE("lookup: a missing table names every place looked at, no directory, bad names") {
  testing::temp_dir dir;
  lookup_dirs dirs{(dir / "own").string(), {(dir / "b1").string(), (dir / "b2").string()}};
  auto missing = find_lookup(dirs, "nope");
  REQUIRE(!missing.has_value());
  CHECK(missing.err().code() == errc::invalid_argument);
  for (auto* d : {"own", "b1", "b2"})
    CHECK(contains(missing.err().message(), (dir / d / "nope.csv").string()));

  auto none = find_lookup({"", {}}, "geo");
  REQUIRE(!none.has_value());
  CHECK(contains(none.err().message(), "no lookup directory"));

  for (auto* bad : {"../geo", "a/b", ".hidden", ""}) {
    CAPTURE(bad);
    auto r = find_lookup(dirs, bad);
    REQUIRE(!r.has_value());
    CHECK(contains(r.err().message(), "invalid lookup name"));
  }
}

TEST_CASE("lookup: outputlookup's write goes to the node's own directory only") {
  testing::temp_dir dir;
  auto own = dir / "own", bundle = dir / "bundle";
  io::fs::create_directories(bundle);
  testing::spit(bundle / "geo.csv", "k,v\nbundle,1\n");
  csv_table t{{"k", "v"}, {{"mine", "2"}}};
  REQUIRE(!write_lookup(own.string(), "geo", t));
  CHECK(testing::slurp(own / "geo.csv") == "k,v\r\nmine,2\r\n");
  CHECK(testing::slurp(bundle / "geo.csv") == "k,v\nbundle,1\n");
  CHECK(read_lookup({own.string(), {bundle.string()}}, "geo", 10)->records.at(0).at(0) == "mine");
  CHECK(write_lookup("", "geo", t));  // no directory of its own: refused
}
