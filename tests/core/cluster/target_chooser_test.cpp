// Choosing replication targets for a new hot bucket (clustering.md §3, §4, §8.1).
#include "core/cluster/target_chooser.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/cluster/bucket_table.hpp"

using namespace kura;
using namespace kura::cluster;

namespace {

const std::vector<std::string> five{"P1", "P2", "P3", "P4", "P5"};

std::set<std::string> peers_of(const std::vector<target>& ts) {
  std::set<std::string> out;
  for (const auto& t : ts) out.insert(t.peer);
  return out;
}

/// Starts `buckets` buckets, each from a source picked by `pick_source`, through a bucket
/// table (the origin's copy plus the chosen targets), and returns the copies per peer.
template <class PickSource>
std::map<std::string, uint64_t> simulate(size_t buckets, uint32_t rf, uint32_t sf,
                                         PickSource pick_source, std::mt19937& rng) {
  bucket_table table;
  for (size_t i = 0; i < buckets; ++i) {
    std::string source = pick_source(i);
    bucket_key k{"main", bucket_id{i}, source};
    table.add_copy(k, source, true, bucket_state_kind::hot);
    auto ts = choose_targets(source, five, rf, sf, table.copies_per_peer(), rng);
    REQUIRE(ts.size() == rf - 1);
    for (const auto& t : ts) table.add_copy(k, t.peer, t.searchable, bucket_state_kind::hot);
  }
  CHECK(table.complete(rf, sf));
  return table.copies_per_peer();
}

}  // namespace

TEST_CASE("target chooser: rf - 1 distinct targets, never the source") {
  std::mt19937 rng(1);
  for (int round = 0; round < 200; ++round) {
    auto ts = choose_targets("P3", five, 3, 2, {}, rng);
    REQUIRE(ts.size() == 2);
    CHECK(ts[0].peer != ts[1].peer);
    CHECK(peers_of(ts).count("P3") == 0);
  }
  // Duplicates in the up list count once; the source may be missing from it.
  auto ts = choose_targets("S", {"A", "A", "B", "S", "B"}, 4, 1, {}, rng);
  CHECK(ts.size() == 2);
  CHECK(peers_of(ts) == std::set<std::string>{"A", "B"});
}

TEST_CASE("target chooser: the first sf - 1 targets are searchable") {
  std::mt19937 rng(2);
  auto count_searchable = [](const std::vector<target>& ts) {
    return std::count_if(ts.begin(), ts.end(), [](const target& t) { return t.searchable; });
  };
  for (uint32_t sf = 1; sf <= 5; ++sf) {
    auto ts = choose_targets("P1", five, 5, sf, {}, rng);
    REQUIRE(ts.size() == 4);
    CHECK(count_searchable(ts) == sf - 1);
    for (size_t i = 0; i < ts.size(); ++i) CHECK(ts[i].searchable == (i + 1 < sf));
  }
  // RF 3, SF 2: one searchable target and one with raw data only.
  auto ts = choose_targets("P1", five, 3, 2, {}, rng);
  REQUIRE(ts.size() == 2);
  CHECK(ts[0].searchable);
  CHECK_FALSE(ts[1].searchable);
  // SF 0 (not a valid setting, but harmless): nothing searchable.
  CHECK(count_searchable(choose_targets("P1", five, 3, 0, {}, rng)) == 0);
}

TEST_CASE("target chooser: fewer peers than rf gives as many targets as there are other peers") {
  std::mt19937 rng(3);
  auto ts = choose_targets("P1", {"P1", "P2"}, 3, 3, {}, rng);
  REQUIRE(ts.size() == 1);
  CHECK(ts[0] == target{"P2", true});
  CHECK(choose_targets("P1", {"P1"}, 3, 2, {}, rng).empty());
  CHECK(choose_targets("P1", {}, 3, 2, {}, rng).empty());
  // RF 1: no replication at all.
  CHECK(choose_targets("P1", five, 1, 1, {}, rng).empty());
  CHECK(choose_targets("P1", five, 0, 0, {}, rng).empty());
}

TEST_CASE("target chooser: the peers holding the fewest copies are chosen first") {
  std::mt19937 rng(4);
  std::map<std::string, uint64_t> copies{{"P1", 10}, {"P2", 50}, {"P3", 7}, {"P4", 9}, {"P5", 3}};
  for (int round = 0; round < 50; ++round) {
    auto ts = choose_targets("P5", five, 3, 2, copies, rng);
    REQUIRE(ts.size() == 2);
    CHECK(ts[0].peer == "P3");
    CHECK(ts[1].peer == "P4");
  }
  // A peer missing from the counts holds none and comes first.
  auto ts = choose_targets("P1", {"P1", "P2", "NEW"}, 2, 1, {{"P2", 1}}, rng);
  REQUIRE(ts.size() == 1);
  CHECK(ts[0].peer == "NEW");
}

TEST_CASE("target chooser: ties are broken by the rng, reproducibly and without favourites") {
  std::map<std::string, uint64_t> even{{"P1", 5}, {"P2", 5}, {"P3", 5}, {"P4", 5}, {"P5", 5}};
  std::mt19937 a(42), b(42);
  for (int round = 0; round < 20; ++round)
    CHECK(choose_targets("P1", five, 3, 2, even, a) == choose_targets("P1", five, 3, 2, even, b));
  // Over many draws every tied peer is picked about equally often, in every position.
  std::mt19937 rng(7);
  std::map<std::string, int> first;
  for (int round = 0; round < 4000; ++round)
    ++first[choose_targets("P1", five, 3, 2, even, rng)[0].peer];
  CHECK(first.size() == 4);
  for (const auto& [peer, n] : first) CHECK_MESSAGE((n > 850 && n < 1150), peer << ": " << n);
}

TEST_CASE("target chooser: 1000 buckets over 5 peers at RF 3 spread the copies evenly") {
  std::mt19937 rng(2024);
  SUBCASE("sources at random") {
    std::mt19937 sources(99);
    auto copies = simulate(
        1000, 3, 2, [&](size_t) { return five[sources() % 5]; }, rng);
    uint64_t total = 0, lo = UINT64_MAX, hi = 0;
    for (const auto& [peer, n] : copies) {
      total += n;
      lo = std::min(lo, n);
      hi = std::max(hi, n);
    }
    CHECK(copies.size() == 5);
    CHECK(total == 3000);
    // Mean 600; the chooser keeps every peer within a few copies of it.
    INFO("lowest " << lo << ", highest " << hi);
    CHECK(lo >= 598);
    CHECK(hi <= 602);
  }
  SUBCASE("one peer ingests everything") {
    // The source's own copies are beyond the chooser's reach; the rest even out.
    auto copies = simulate(
        1000, 3, 2, [](size_t) { return std::string("P1"); }, rng);
    CHECK(copies["P1"] == 1000);
    for (const auto& p : {"P2", "P3", "P4", "P5"}) CHECK((copies[p] >= 499 && copies[p] <= 501));
  }
  SUBCASE("sources in turn, all copies searchable") {
    auto copies = simulate(
        1000, 3, 3, [](size_t i) { return five[i % 5]; }, rng);
    for (const auto& [peer, n] : copies) CHECK((n >= 598 && n <= 602));
  }
}
