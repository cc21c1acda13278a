// The master's bucket table: copies, counts, primacy per generation
// (clustering.md §§5-7, 13-15) and bucket cluster ids (product.md §7).
#include "core/cluster/bucket_table.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/cluster/bucket_key.hpp"

using namespace kura;
using namespace kura::cluster;

namespace {

bucket_key key(const std::string& origin, uint64_t id, const std::string& index = "main") {
  return bucket_key{index, bucket_id{id}, origin};
}

copy_report report(const bucket_key& k, bool searchable,
                   bucket_state_kind state = bucket_state_kind::warm, uint64_t size = 100,
                   uint64_t events = 10) {
  return copy_report{k, state, searchable, size, events};
}

/// Adds a bucket created by `origin` (searchable, primary) with the given target copies,
/// rolled to warm, and every copy confirmed warm by its peer (settled, complete).
void add_bucket(bucket_table& t, const bucket_key& k,
                const std::vector<std::pair<std::string, bool>>& targets) {
  t.add_copy(k, k.origin, true, bucket_state_kind::hot);
  for (const auto& [peer, searchable] : targets)
    t.add_copy(k, peer, searchable, bucket_state_kind::hot);
  t.set_state(k, bucket_state_kind::warm, 100, 10);
  t.add_copy(k, k.origin, true, bucket_state_kind::warm);
  for (const auto& [peer, searchable] : targets)
    t.add_copy(k, peer, searchable, bucket_state_kind::warm);
}

}  // namespace

TEST_CASE("bucket key: the cluster id is index, local id and origin guid joined by tildes") {
  bucket_key k{"web_logs", bucket_id{42}, "6A1F0C2E-3B1D-4E0A"};
  CHECK(k.to_string() == "web_logs~42~6A1F0C2E-3B1D-4E0A");
  auto back = bucket_key::parse(k.to_string());
  REQUIRE(back);
  CHECK(*back == k);
  for (auto* s : {"main~0~G", "_internal~18446744073709551615~guid-1", "a~7~b"}) {
    auto p = bucket_key::parse(s);
    REQUIRE_MESSAGE(p, s);
    CHECK(p->to_string() == s);
  }
}

TEST_CASE("bucket key: malformed cluster ids are rejected") {
  for (auto* s : {"",
                  "main",
                  "main~1",
                  "main~1~",
                  "~1~G",
                  "main~~G",
                  "main~x~G",
                  "main~-1~G",
                  "main~+1~G",
                  "main~01~G",
                  "main~1a~G",
                  "main~ 1~G",
                  "main~1~G~H",
                  "~~",
                  "main~18446744073709551616~G",
                  "main~99999999999999999999~G",
                  "main~1~../../etc",
                  "../x~1~G",
                  "main~1~a/b",
                  "main~1~a b"})
    CHECK_MESSAGE(!bucket_key::parse(s), s);
}

TEST_CASE("bucket key: keys order by index, then numeric local id, then origin, and hash alike") {
  CHECK(key("A", 2) < key("A", 10));  // numeric, not textual
  CHECK(key("B", 1) < key("A", 2));
  CHECK(key("A", 1) < key("B", 1));
  CHECK(key("Z", 9, "alpha") < key("A", 1, "beta"));
  CHECK(key("A", 1) == *bucket_key::parse("main~1~A"));
  std::unordered_set<bucket_key> set{key("A", 1), key("A", 1), key("A", 2), key("B", 1)};
  CHECK(set.size() == 3);
  CHECK(std::hash<bucket_key>{}(key("A", 1)) ==
        std::hash<bucket_key>{}(*bucket_key::parse("main~1~A")));
}

TEST_CASE("bucket table: bucket states have the names of the status documents") {
  CHECK(std::string(to_string(bucket_state_kind::hot)) == "hot");
  CHECK(std::string(to_string(bucket_state_kind::warm)) == "warm");
  CHECK(std::string(to_string(bucket_state_kind::cold)) == "cold");
  CHECK(parse_bucket_state("cold") == bucket_state_kind::cold);
  CHECK(!parse_bucket_state("frozen"));
  CHECK(!parse_bucket_state("Hot"));
}

TEST_CASE(
    "bucket table: a peer never holds two copies of a bucket, report duplicates are ignored") {
  bucket_table t;
  auto b = key("A", 1);
  t.apply_report("B", {report(b, false), report(b, true), report(key("A", 2), true)});
  CHECK(t.copies_of(b) == std::vector<std::string>{"B"});
  CHECK(t.counts_of("B") == peer_counts{2, 0, 1});
  auto r = t.find(b);
  REQUIRE(r);
  CHECK(r->copies.size() == 1);
  CHECK_FALSE(r->copies[0].searchable);  // the first entry won
  // The same copy confirmed again changes its flag, never adds a second one.
  t.add_copy(b, "B", true, bucket_state_kind::hot);
  t.add_copy(b, "B", true, bucket_state_kind::hot);
  CHECK(t.copies_of(b) == std::vector<std::string>{"B"});
  CHECK(t.find(b)->copies[0].searchable);
  CHECK(t.copies_per_peer() == std::map<std::string, uint64_t>{{"B", 2}});
}

TEST_CASE("bucket table: a full report replaces what the table knew of that peer's copies") {
  bucket_table t;
  auto b1 = key("A", 1), b2 = key("A", 2), b3 = key("A", 3);
  t.apply_report("B", {report(b1, true), report(b2, false)});
  t.apply_report("C", {report(b1, false)});
  t.apply_report("B", {report(b2, true), report(b3, false)});
  CHECK(t.copies_of(b1) == std::vector<std::string>{"C"});
  CHECK(t.copies_of(b2) == std::vector<std::string>{"B"});
  CHECK(t.copies_of(b3) == std::vector<std::string>{"B"});
  CHECK(t.find(b2)->copies[0].searchable);
  CHECK(t.counts_of("B") == peer_counts{2, 0, 1});
  // An empty report: the peer holds nothing; buckets stay (lost until a holder returns).
  t.apply_report("B", {});
  CHECK(t.counts_of("B") == peer_counts{});
  CHECK(t.size() == 3);
  CHECK(t.copies_of(b2).empty());
}

TEST_CASE("bucket table: a source's new hot bucket is primary at once on its origin") {
  bucket_table t;
  CHECK(t.new_generation({"A", "B", "C"}) == 1);
  auto b = key("A", 1);
  t.add_copy(b, "A", true, bucket_state_kind::hot);
  CHECK(t.primary_of(b) == "A");
  CHECK(t.valid());
  t.add_copy(b, "B", true, bucket_state_kind::hot);
  t.add_copy(b, "C", false, bucket_state_kind::hot);
  CHECK(t.primary_of(b) == "A");
  CHECK(t.complete(3, 2));
  CHECK_FALSE(t.complete(3, 3));
  CHECK(t.generation() == 1);  // a new bucket does not change the generation (§6.2)
  // A target's copy arriving first does not become primary; the origin's then does.
  auto c = key("A", 2);
  t.add_copy(c, "B", true, bucket_state_kind::hot);
  CHECK_FALSE(t.primary_of(c));
  t.add_copy(c, "A", true, bucket_state_kind::hot);
  CHECK(t.primary_of(c) == "A");
  // A non-searchable origin copy cannot be primary.
  auto d = key("A", 3);
  t.add_copy(d, "A", false, bucket_state_kind::hot);
  CHECK_FALSE(t.primary_of(d));
  CHECK_FALSE(t.valid());
}

TEST_CASE("bucket table: generation numbers start at 1 and increase by one per call") {
  bucket_table t;
  CHECK(t.generation() == 0);
  CHECK(t.new_generation({"A"}) == 1);
  CHECK(t.new_generation({"A"}) == 2);
  CHECK(t.new_generation({}) == 3);
  CHECK(t.generation() == 3);
  // A restarted master continues where it stopped.
  bucket_table restarted(41);
  CHECK(restarted.new_generation({"A"}) == 42);
  restarted.set_generation(100);
  CHECK(restarted.new_generation({"A"}) == 101);
  CHECK(restarted.new_generation({"A"}) == 102);
}

TEST_CASE("bucket table: a peer going down moves primacy to a searchable copy") {
  bucket_table t;
  t.new_generation({"A", "B", "C"});
  auto b = key("A", 1);
  add_bucket(t, b, {{"B", false}, {"C", true}});
  CHECK(t.primary_of(b) == "A");
  t.remove_peer("A");
  CHECK_FALSE(t.primary_of(b));
  CHECK_FALSE(t.valid());
  CHECK(t.primaries_assignable({"B", "C"}) == 1);
  CHECK(t.new_generation({"B", "C"}) == 2);
  CHECK(t.primary_of(b) == "C");  // B's copy is not searchable
  CHECK(t.valid());
  CHECK_FALSE(t.complete(3, 2));
  CHECK(t.primaries_assignable({"B", "C"}) == 0);
}

TEST_CASE("bucket table: a hot bucket's copies on its targets never become primary") {
  bucket_table t;
  t.new_generation({"A", "B", "C"});
  auto b = key("A", 1);
  t.add_copy(b, "A", true, bucket_state_kind::hot);
  t.add_copy(b, "B", true, bucket_state_kind::hot);  // being received; index files come at the roll
  t.add_copy(b, "C", false, bucket_state_kind::hot);
  t.remove_peer("A");
  CHECK(t.primaries_assignable({"B", "C"}) == 0);
  t.new_generation({"B", "C"});
  CHECK_FALSE(t.primary_of(b));
  CHECK_FALSE(t.valid());  // searches warn instead of silently missing the bucket
  // The bucket rolls: B's copy is unsettled until B says it has rolled it too.
  t.set_state(b, bucket_state_kind::warm, 100, 10);
  CHECK(t.primaries_assignable({"B", "C"}) == 0);
  t.new_generation({"B", "C"});
  CHECK_FALSE(t.primary_of(b));
  // Once its copy is complete (rolled), B can serve it.
  t.add_copy(b, "B", true, bucket_state_kind::warm);
  CHECK(t.primaries_assignable({"B", "C"}) == 1);
  t.new_generation({"B", "C"});
  CHECK(t.primary_of(b) == "B");
}

TEST_CASE(
    "bucket table: a hot copy of a rolled bucket (a cut stream) does not count and never becomes "
    "primary") {
  bucket_table t;
  t.new_generation({"A", "B", "C"});
  auto b = key("A", 1);
  t.add_copy(b, "A", true, bucket_state_kind::hot);
  t.add_copy(b, "B", true, bucket_state_kind::hot);
  t.add_copy(b, "C", false, bucket_state_kind::hot);
  // While the bucket is hot every copy is settled.
  CHECK(t.complete(3, 2));
  CHECK(t.counts_of("C") == peer_counts{1, 0, 0});
  // A rolls it (a warm copy moves the bucket on), B follows; C's stream was cut.
  t.add_copy(b, "A", true, bucket_state_kind::warm);
  t.apply_report("B", {report(b, true)});
  auto r = t.find(b);
  REQUIRE(r);
  CHECK(r->state == bucket_state_kind::warm);
  CHECK(r->settled(r->copies[0]));
  CHECK(r->settled(r->copies[1]));
  CHECK_FALSE(r->settled(r->copies[2]));
  CHECK_FALSE(t.complete(3, 2));
  CHECK(t.complete(2, 2));
  CHECK(t.counts(3, 2) == bucket_counts{1, 1, 0});
  CHECK(t.counts_of("C") == peer_counts{0, 0, 0});
  CHECK(t.copies_per_peer().at("C") == 1);  // it still takes disk
  CHECK(t.copies_of(b) == std::vector<std::string>{"A", "B", "C"});
  // add_copy never moves the bucket back; C's copy settles when it is complete.
  t.add_copy(b, "C", false, bucket_state_kind::hot);
  CHECK(t.find(b)->state == bucket_state_kind::warm);
  t.add_copy(b, "C", false, bucket_state_kind::warm);
  CHECK(t.complete(3, 2));
  CHECK(t.counts_of("C") == peer_counts{1, 0, 0});

  // A searchable copy that is cut never becomes primary, whichever rule would pick it.
  auto d = key("A", 2);
  t.add_copy(d, "A", true, bucket_state_kind::hot);
  t.add_copy(d, "B", true, bucket_state_kind::hot);
  t.add_copy(d, "C", false, bucket_state_kind::hot);
  t.add_copy(d, "A", true, bucket_state_kind::warm);
  t.add_copy(d, "C", false, bucket_state_kind::warm);
  t.remove_peer("A");
  CHECK(t.primaries_assignable({"B", "C"}) == 1);  // b only
  t.new_generation({"B", "C"});
  CHECK(t.primary_of(b) == "B");
  CHECK_FALSE(t.primary_of(d));
  t.apply_report("B", {report(b, true), report(d, true)});  // the rest of d reached B
  CHECK(t.primaries_assignable({"B", "C"}) == 1);
  t.new_generation({"B", "C"});
  CHECK(t.primary_of(d) == "B");
}

TEST_CASE("bucket table: a primary whose peer has not reported the roll yet keeps its primacy") {
  bucket_table t;
  t.new_generation({"A", "B"});
  auto b = key("A", 1);
  t.add_copy(b, "A", true, bucket_state_kind::hot);
  t.add_copy(b, "B", true, bucket_state_kind::hot);
  t.set_state(b, bucket_state_kind::warm, 100, 10);  // copies keep their states
  auto r = t.find(b);
  CHECK_FALSE(r->settled(r->copies[0]));
  // Primacy moves only when a peer goes down: A keeps it, though no copy counts yet.
  t.new_generation({"A", "B"});
  CHECK(t.primary_of(b) == "A");
  CHECK(t.valid());
  CHECK(t.counts(2, 1) == bucket_counts{1, 1, 0});
  CHECK(t.counts_of("A") == peer_counts{0, 1, 0});
  t.add_copy(b, "A", true, bucket_state_kind::warm);
  t.add_copy(b, "B", true, bucket_state_kind::warm);
  CHECK(t.counts(2, 1) == bucket_counts{1, 1, 1});
  CHECK(t.counts_of("A") == peer_counts{1, 1, 1});
}

TEST_CASE("bucket table: primacy stays put when a peer joins or returns") {
  bucket_table t;
  t.new_generation({"A", "B", "C"});
  auto a1 = key("A", 1), b1 = key("B", 1);
  add_bucket(t, a1, {{"B", true}, {"C", false}});
  add_bucket(t, b1, {{"C", true}, {"A", false}});
  // A goes down: a1 moves to B.
  auto a_copies = std::vector<copy_report>{report(a1, true), report(b1, false)};
  t.remove_peer("A");
  t.new_generation({"B", "C"});
  CHECK(t.primary_of(a1) == "B");
  // A returns with its copies, and D joins: nothing moves back or over (§5.4, §15).
  t.apply_report("A", a_copies);
  t.new_generation({"A", "B", "C", "D"});
  CHECK(t.primary_of(a1) == "B");
  CHECK(t.primary_of(b1) == "B");
  CHECK(t.counts_of("A") == peer_counts{2, 0, 1});
  CHECK(t.counts_of("D") == peer_counts{});
  CHECK(t.complete(3, 2));
  // The returning origin is told not to search its original; B searches it.
  CHECK(t.primary_exceptions("A") == primacy_exceptions{{a1}, {}});
  CHECK(t.primary_exceptions("B") == primacy_exceptions{{}, {a1}});
}

TEST_CASE(
    "bucket table: a new generation prefers the origin, then the peer with the fewest primaries") {
  bucket_table t;
  auto x1 = key("X", 1), x2 = key("X", 2), x3 = key("X", 3), x4 = key("X", 4);
  // Reports from a restarted master's peers: X is down, copies of X's buckets on B, C, D.
  t.set_generation(9);
  t.apply_report("B", {report(x1, true), report(x2, true), report(x3, true), report(x4, true)});
  t.apply_report("C", {report(x1, true), report(x2, true), report(x3, true), report(x4, false)});
  t.apply_report("D", {report(x3, true), report(x4, true), report(key("D", 1), true)});
  CHECK(t.primary_of(key("D", 1)) == "D");  // born in this generation on its origin
  CHECK(t.new_generation({"B", "C", "D"}) == 10);
  // D already holds one primary (its own bucket). x1: B and C have 0 -> B (lowest guid);
  // x2: B 1, C 0 -> C; x3: B 1, C 1, D 1 -> B; x4: B 2, D 1 -> D.
  CHECK(t.primary_of(x1) == "B");
  CHECK(t.primary_of(x2) == "C");
  CHECK(t.primary_of(x3) == "B");
  CHECK(t.primary_of(x4) == "D");
  CHECK(t.valid());
  // X returns: its originals stay where they are.
  t.apply_report("X", {report(x1, true), report(x2, true)});
  t.new_generation({"B", "C", "D", "X"});
  CHECK(t.primary_of(x1) == "B");
  CHECK(t.counts_of("X").primaries == 0);
  // B goes down: x1 goes back to its origin X (preferred), x3 to the least loaded of C, D.
  t.remove_peer("B");
  t.new_generation({"C", "D", "X"});
  CHECK(t.primary_of(x1) == "X");
  CHECK(t.primary_of(x2) == "C");
  CHECK(t.primary_of(x3) == "C");  // C 1, D 2 -> C
  CHECK(t.primary_of(x4) == "D");
}

TEST_CASE("bucket table: copies on peers that are not up never become primary") {
  bucket_table t;
  auto b = key("A", 1);
  t.apply_report("A", {report(b, true)});
  t.apply_report("B", {report(b, true)});
  t.remove_peer("A");
  t.new_generation({"C"});  // B is registered but not up (e.g. Restarting)
  CHECK_FALSE(t.primary_of(b));
  CHECK(t.primaries_assignable({"C"}) == 0);
  CHECK(t.primaries_assignable({"B"}) == 1);
  t.new_generation({"B"});
  CHECK(t.primary_of(b) == "B");
  // A primary whose peer is not in the next generation's up set loses primacy.
  t.new_generation({"C"});
  CHECK_FALSE(t.primary_of(b));
}

TEST_CASE("bucket table: a copy that stops being searchable loses primacy") {
  bucket_table t;
  auto b = key("A", 1);
  t.add_copy(b, "A", true, bucket_state_kind::hot);
  t.add_copy(b, "B", true, bucket_state_kind::hot);
  REQUIRE(t.primary_of(b) == "A");
  t.apply_report("A", {report(b, false)});
  CHECK_FALSE(t.primary_of(b));
  t.apply_report("B", {report(b, true)});  // B has rolled its copy too
  t.new_generation({"A", "B"});
  CHECK(t.primary_of(b) == "B");
  t.add_copy(b, "B", false, bucket_state_kind::warm);
  CHECK_FALSE(t.primary_of(b));
  CHECK(t.counts(2, 1) == bucket_counts{1, 0, 0});
}

TEST_CASE(
    "bucket table: an older bucket without primary waits for a new generation even on its origin") {
  bucket_table t;
  t.new_generation({"A", "B"});
  auto b = key("A", 1);
  add_bucket(t, b, {{"B", false}});
  t.remove_peer("A");
  t.new_generation({"B"});
  CHECK_FALSE(t.primary_of(b));
  // A's exceptions of this generation demote b, so its returning copy must not be primary
  // until the master announces a generation that says so.
  CHECK(t.primary_exceptions("A").demoted == std::vector<bucket_key>{b});
  t.apply_report("A", {report(b, true)});
  CHECK_FALSE(t.primary_of(b));
  CHECK(t.primaries_assignable({"A", "B"}) == 1);
  t.new_generation({"A", "B"});
  CHECK(t.primary_of(b) == "A");
  CHECK(t.primary_exceptions("A") == primacy_exceptions{});
}

TEST_CASE("bucket table: exceptions per peer list demoted originals and promoted copies") {
  bucket_table t;
  t.new_generation({"A", "B", "C"});
  auto a1 = key("A", 1), a2 = key("A", 2), a3 = key("A", 3), b1 = key("B", 1);
  add_bucket(t, a1, {{"B", true}, {"C", false}});
  add_bucket(t, a2, {{"C", true}, {"B", false}});
  add_bucket(t, a3, {{"B", false}, {"C", false}});
  add_bucket(t, b1, {{"A", true}, {"C", false}});
  for (auto& p : {"A", "B", "C"}) CHECK(t.primary_exceptions(p) == primacy_exceptions{});
  t.remove_peer("A");
  t.new_generation({"B", "C"});
  CHECK(t.primary_of(a1) == "B");
  CHECK(t.primary_of(a2) == "C");
  CHECK_FALSE(t.primary_of(a3));
  CHECK(t.primary_exceptions("A") == primacy_exceptions{{a1, a2, a3}, {}});
  CHECK(t.primary_exceptions("B") == primacy_exceptions{{}, {a1}});
  CHECK(t.primary_exceptions("C") == primacy_exceptions{{}, {a2}});
  // B goes down too: b1's other searchable copy was on A (down), C's is not: no primary.
  t.remove_peer("B");
  t.new_generation({"C"});
  CHECK(t.primary_exceptions("B") == primacy_exceptions{{b1}, {}});
  CHECK(t.primary_exceptions("C") == primacy_exceptions{{}, {a2}});
  CHECK(t.counts(3, 2) == bucket_counts{4, 1, 0});
}

TEST_CASE(
    "bucket table: 5 peers RF3 SF2, one fails: valid at once, complete once copies are added "
    "(14.2)") {
  // P5 holds 3 primaries (its originals), 10 searchable copies and 20 copies in all.
  const std::vector<std::string> others{"P1", "P2", "P3", "P4"};
  bucket_table t;
  t.new_generation({"P1", "P2", "P3", "P4", "P5"});
  std::vector<bucket_key> originals, searchable_targets, plain_targets, unrelated;
  uint64_t id = 0;
  for (int i = 0; i < 3; ++i) {
    auto k = key("P5", ++id);
    add_bucket(t, k, {{others[i % 4], true}, {others[(i + 1) % 4], false}});
    originals.push_back(k);
  }
  for (int i = 0; i < 7; ++i) {
    auto k = key(others[i % 4], ++id);
    add_bucket(t, k, {{"P5", true}, {others[(i + 1) % 4], false}});
    searchable_targets.push_back(k);
  }
  for (int i = 0; i < 10; ++i) {
    auto k = key(others[i % 4], ++id);
    add_bucket(t, k, {{others[(i + 2) % 4], true}, {"P5", false}});
    plain_targets.push_back(k);
  }
  for (int i = 0; i < 10; ++i) {
    auto k = key(others[i % 4], ++id);
    add_bucket(t, k, {{others[(i + 1) % 4], true}, {others[(i + 2) % 4], false}});
    unrelated.push_back(k);
  }
  REQUIRE(t.counts_of("P5") == peer_counts{20, 3, 10});
  REQUIRE(t.complete(3, 2));
  CHECK(t.counts(3, 2) == bucket_counts{30, 30, 30});

  // P5 fails; the master waits heartbeat_timeout, drops its copies and starts a generation.
  t.remove_peer("P5");
  CHECK_FALSE(t.valid());
  CHECK(t.counts(3, 2) == bucket_counts{30, 27, 10});
  const std::set<std::string> up(others.begin(), others.end());
  CHECK(t.new_generation(up) == 2);
  // Step 1: each of the 3 primaries moved to the other searchable copy -> valid.
  for (size_t i = 0; i < originals.size(); ++i) CHECK(t.primary_of(originals[i]) == others[i % 4]);
  CHECK(t.valid());
  CHECK_FALSE(t.complete(3, 2));
  CHECK(t.counts(3, 2) == bucket_counts{30, 30, 10});

  // Step 2: for the 10 lost searchable copies, a non-searchable copy becomes searchable.
  for (auto* group : {&originals, &searchable_targets}) {
    for (const auto& k : *group) {
      auto r = t.find(k);
      REQUIRE(r);
      for (const auto& c : r->copies)
        if (!c.searchable) t.add_copy(k, c.peer, true, bucket_state_kind::warm);
    }
  }
  CHECK_FALSE(t.complete(3, 2));  // 20 buckets still have 2 copies
  // Step 3: for the 20 lost copies, stream one to a peer without a copy.
  for (auto* group : {&originals, &searchable_targets, &plain_targets}) {
    for (const auto& k : *group) {
      auto holders = t.copies_of(k);
      REQUIRE(holders.size() == 2);
      for (const auto& p : others) {
        if (std::find(holders.begin(), holders.end(), p) == holders.end()) {
          t.add_copy(k, p, false, bucket_state_kind::warm);
          break;
        }
      }
    }
  }
  CHECK(t.valid());
  CHECK(t.complete(3, 2));
  CHECK(t.counts(3, 2) == bucket_counts{30, 30, 30});
  CHECK(t.generation() == 2);  // fixup itself does not change the generation
}

TEST_CASE(
    "bucket table: 3 peers RF3 SF1, losing the primary leaves buckets without primary until a copy "
    "becomes searchable (14.3)") {
  bucket_table t;
  t.new_generation({"A", "B", "C"});
  std::vector<bucket_key> c_originals;
  for (uint64_t i = 1; i <= 3; ++i) {
    auto k = key("C", i);
    add_bucket(t, k, {{"A", false}, {"B", false}});  // SF 1: only the source's copy is searchable
    c_originals.push_back(k);
  }
  for (uint64_t i = 1; i <= 4; ++i)
    add_bucket(t, key(i % 2 ? "A" : "B", i), {{"C", false}, {i % 2 ? "B" : "A", false}});
  REQUIRE(t.complete(3, 1));

  t.remove_peer("C");
  const std::set<std::string> up{"A", "B"};
  t.new_generation(up);
  // No searchable copy left for C's buckets: the cluster is not valid.
  CHECK_FALSE(t.valid());
  CHECK(t.counts(3, 1) == bucket_counts{7, 4, 0});
  CHECK(t.primaries_assignable(up) == 0);
  for (const auto& k : c_originals) CHECK_FALSE(t.primary_of(k));

  // Step 1: a non-searchable copy of each is converted (index files rebuilt).
  uint64_t converted = 0;
  for (const auto& k : c_originals) {
    t.add_copy(k, "A", true, bucket_state_kind::warm);
    CHECK(t.primaries_assignable(up) == ++converted);
  }
  CHECK_FALSE(t.valid());
  // Step 2: the master starts a generation that makes the converted copies primary -> valid.
  t.new_generation(up);
  CHECK(t.valid());
  for (const auto& k : c_originals) CHECK(t.primary_of(k) == "A");
  // Step 3: nothing can be done: two peers cannot hold three copies.
  CHECK_FALSE(t.complete(3, 1));
  CHECK(t.counts(3, 1) == bucket_counts{7, 7, 0});
}

TEST_CASE("bucket table: buckets added and forgotten at random stay findable, in key order") {
  // Enough buckets to grow the index several times and to make its probe runs collide, so
  // that forget's moves inside the index are exercised.
  bucket_table t;
  std::map<bucket_key, std::string> ref;  // key -> the peer holding its one copy
  std::mt19937 rng(7);
  const std::vector<std::string> peers{"P1", "P2", "P3"}, indexes{"main", "web", "_internal"};
  for (int round = 0; round < 20000; ++round) {
    bucket_key k{indexes[rng() % 3], bucket_id{rng() % 3000}, peers[rng() % 3]};
    if (rng() % 3 == 0) {
      t.forget(k);
      ref.erase(k);
    } else {
      const auto& holder = peers[rng() % 3];
      if (!ref.contains(k)) t.add_copy(k, holder, true, bucket_state_kind::warm);
      ref.try_emplace(k, holder);
    }
  }
  REQUIRE(t.size() == ref.size());
  auto snap = t.snapshot();
  REQUIRE(snap.size() == ref.size());
  auto it = ref.begin();
  for (const auto& r : snap) {
    CHECK(r.key == it->first);
    CHECK(r.copies.size() == 1);
    CHECK(t.copies_of(it->first) == std::vector<std::string>{it->second});
    ++it;
  }
  for (uint64_t id = 0; id < 3000; ++id) {
    bucket_key k{"main", bucket_id{id}, "P1"};
    CHECK(t.find(k).has_value() == ref.contains(k));
  }
  uint64_t held = 0;
  for (const auto& [peer, n] : t.copies_per_peer()) held += n;
  CHECK(held == ref.size());
}

TEST_CASE("bucket table: rolls, lagging copies, forgetting and the snapshot") {
  bucket_table t;
  auto b2 = key("A", 2), b10 = key("A", 10), other = key("A", 1, "_internal");
  t.add_copy(b10, "A", true, bucket_state_kind::hot);
  t.add_copy(b10, "B", false, bucket_state_kind::hot);
  t.add_copy(b2, "A", true, bucket_state_kind::hot);
  t.add_copy(other, "A", true, bucket_state_kind::hot);
  t.set_state(b10, bucket_state_kind::warm, 5000, 70);
  t.set_state(key("Z", 1), bucket_state_kind::warm, 1, 1);  // unknown: ignored
  t.add_copy(b10, "A", true, bucket_state_kind::warm);      // the origin rolled it
  // A target that lags behind reports less; the bucket does not move back.
  t.apply_report("B", {report(b10, false, bucket_state_kind::hot, 4000, 60)});
  t.apply_report("C", {report(b10, false, bucket_state_kind::cold, 5000, 70)});

  auto snap = t.snapshot();
  REQUIRE(snap.size() == 3);
  CHECK(snap[0].key == other);  // "_internal" < "main"
  CHECK(snap[1].key == b2);
  CHECK(snap[2].key == b10);
  CHECK(snap[2].key.to_string() == "main~10~A");
  CHECK(std::string(to_string(snap[2].state)) == "cold");
  CHECK(snap[2].size_bytes == 5000);
  CHECK(snap[2].events == 70);
  using enum bucket_state_kind;
  CHECK(snap[2].copies == std::vector<copy_record>{{"A", true, true, warm},
                                                   {"B", false, false, hot},
                                                   {"C", false, false, cold}});
  CHECK(snap[2].valid());
  // B's copy lags (hot): it does not count until B reports it rolled.
  CHECK_FALSE(snap[2].settled(snap[2].copies[1]));
  CHECK_FALSE(snap[2].complete(3, 1));
  CHECK(snap[2].complete(2, 1));
  CHECK(snap[2].primary() == "A");
  CHECK(t.peer_summary() ==
        std::map<std::string, peer_counts>{{"A", {3, 3, 3}}, {"B", {0, 0, 0}}, {"C", {1, 0, 0}}});
  t.apply_report("B", {report(b10, false, bucket_state_kind::cold, 5000, 70)});
  snap = t.snapshot();
  CHECK(snap[2].complete(3, 1));
  CHECK_FALSE(snap[2].complete(3, 2));
  CHECK(t.peer_summary() ==
        std::map<std::string, peer_counts>{{"A", {3, 3, 3}}, {"B", {1, 0, 0}}, {"C", {1, 0, 0}}});
  t.forget(b10);
  t.forget(b10);
  CHECK(t.size() == 2);
  CHECK(t.copies_of(b10).empty());
  CHECK_FALSE(t.find(b10));
  CHECK(t.copies_per_peer() == std::map<std::string, uint64_t>{{"A", 2}});
  CHECK(t.counts_of("B") == peer_counts{});
}
