// Bucket fixup planning: what the master starts so that the cluster becomes valid and
// complete again (clustering.md §§13-15), including the worked examples of §14.2 and §14.3.
#include "core/cluster/fixup_planner.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/cluster/bucket_table.hpp"

using namespace kura;
using namespace kura::cluster;

namespace {

constexpr auto hot = bucket_state_kind::hot;
constexpr auto warm = bucket_state_kind::warm;
constexpr uint64_t bucket_size = 1000;

bucket_key key(const std::string& origin, uint64_t id) {
  return bucket_key{"main", bucket_id{id}, origin};
}

/// Adds a rolled (warm) bucket whose copies are all settled; the first copy listed for the
/// origin becomes primary when the bucket is new in this generation.
void add_warm(bucket_table& t, const bucket_key& k,
              const std::vector<std::pair<std::string, bool>>& copies) {
  for (const auto& [peer, searchable] : copies) t.add_copy(k, peer, searchable, warm);
  t.set_state(k, warm, bucket_size, 10);
}

fixup_peers up(std::set<std::string> peers) { return fixup_peers{std::move(peers), {}, {}}; }

/// What a finished task leaves in the table (what the master does on its reply).
void execute(bucket_table& t, const fixup_task& task) {
  auto state = t.find(task.key)->state;
  if (task.kind == fixup_kind::searchable)
    t.add_copy(task.key, task.peer, true, state);
  else
    t.add_copy(task.key, task.target, task.searchable, state);
}

/// The contract of every plan: no primary tasks, searchable before replicate, at most
/// tasks_per_peer per peer counting both ends and the running tasks, no (bucket, kind) twice
/// in flight, never a copy to the origin or to a peer that counts one.
void check_plan(const bucket_table& t, const fixup_plan& plan,
                const std::vector<fixup_task>& running, const fixup_limits& limits) {
  std::map<std::string, uint32_t> tasks;
  std::set<std::pair<bucket_key, fixup_kind>> in_flight;
  for (const auto& r : running) {
    ++tasks[r.peer];
    if (r.kind == fixup_kind::replicate) ++tasks[r.target];
    in_flight.insert({r.key, r.kind});
  }
  bool replicate_seen = false;
  for (const auto& s : plan.start) {
    CHECK(s.kind != fixup_kind::primary);
    if (s.kind == fixup_kind::replicate) replicate_seen = true;
    CHECK_FALSE((s.kind == fixup_kind::searchable && replicate_seen));
    CHECK_MESSAGE(in_flight.insert({s.key, s.kind}).second, s.key.to_string());
    ++tasks[s.peer];
    CHECK(s.bytes == t.find(s.key)->size_bytes);
    if (s.kind == fixup_kind::replicate) {
      ++tasks[s.target];
      CHECK(s.target != s.key.origin);
      CHECK(s.target != s.peer);
      auto r = t.find(s.key);
      for (const auto& c : r->copies) CHECK_FALSE((c.peer == s.target && r->settled(c)));
    } else {
      CHECK(s.target.empty());
    }
  }
  for (const auto& [peer, n] : tasks) CHECK_MESSAGE(n <= limits.tasks_per_peer, peer);
}

/// Runs fixup to the end as the master would: each round the tasks started in the previous
/// round finish, a new generation follows when buckets can have a primary, and the plan is
/// made again with the tasks still running. Returns the tasks executed, by kind.
std::map<fixup_kind, uint64_t> run_to_the_end(bucket_table& t, const fixup_peers& peers,
                                              const fixup_limits& limits) {
  std::map<fixup_kind, uint64_t> done;
  std::vector<fixup_task> running;
  uint64_t pending = UINT64_MAX;
  for (int round = 0; round < 1000; ++round) {
    if (t.primaries_assignable(peers.up) > 0) t.new_generation(peers.up);
    auto plan = plan_fixup(t, peers, limits, running);
    check_plan(t, plan, running, limits);
    CHECK(plan.left.pending() <= pending);  // work only ever goes down
    pending = plan.left.pending();
    for (const auto& r : running) {
      execute(t, r);
      ++done[r.kind];
    }
    if (plan.start.empty() && running.empty()) break;
    running = plan.start;
  }
  return done;
}

}  // namespace

TEST_CASE("fixup planner: task kinds have the names of the status documents") {
  CHECK(std::string(to_string(fixup_kind::primary)) == "primary");
  CHECK(std::string(to_string(fixup_kind::searchable)) == "searchable");
  CHECK(std::string(to_string(fixup_kind::replicate)) == "replicate");
}

TEST_CASE("fixup planner: a valid and complete cluster needs nothing") {
  bucket_table t;
  t.new_generation({"A", "B", "C"});
  add_warm(t, key("A", 1), {{"A", true}, {"B", true}, {"C", false}});
  add_warm(t, key("B", 1), {{"B", true}, {"A", false}, {"C", true}});
  REQUIRE(t.complete(3, 2));
  auto plan = plan_fixup(t, up({"A", "B", "C"}), {3, 2, 2}, {});
  CHECK(plan.start.empty());
  CHECK(plan.left == fixup_counts{});
  CHECK(plan_fixup(bucket_table{}, up({}), {}, {}).left == fixup_counts{});
}

TEST_CASE(
    "fixup planner: 5 peers RF3 SF2, A fails with 3 primaries, 10 searchable copies and 20 "
    "copies: primary 3, searchable 10, replicate 20, then valid and complete (14.2)") {
  const std::vector<std::string> others{"B", "C", "D", "E"};
  auto other = [&](int i) { return others[i % 4]; };
  bucket_table t;
  t.new_generation({"A", "B", "C", "D", "E"});
  std::vector<bucket_key> originals;
  uint64_t id = 0;
  for (int i = 0; i < 3; ++i) {  // A's own: primary on A
    auto k = key("A", ++id);
    add_warm(t, k, {{"A", true}, {other(i), true}, {other(i + 1), false}});
    originals.push_back(k);
  }
  for (int i = 0; i < 7; ++i)  // A holds a searchable copy
    add_warm(t, key(other(i), ++id), {{other(i), true}, {"A", true}, {other(i + 1), false}});
  for (int i = 0; i < 10; ++i)  // A holds a non-searchable copy
    add_warm(t, key(other(i), ++id), {{other(i), true}, {other(i + 2), true}, {"A", false}});
  for (int i = 0; i < 10; ++i)  // A holds nothing
    add_warm(t, key(other(i), ++id),
             {{other(i), true}, {other(i + 1), true}, {other(i + 2), false}});
  REQUIRE(t.counts_of("A") == peer_counts{20, 3, 10});
  REQUIRE(t.complete(3, 2));

  t.remove_peer("A");
  const auto peers = up({"B", "C", "D", "E"});
  const fixup_limits limits{3, 2, 2};
  auto plan = plan_fixup(t, peers, limits, {});
  CHECK(plan.left == fixup_counts{3, 10, 20, 30 * bucket_size});
  check_plan(t, plan, {}, limits);
  // Searchable tasks of the buckets without primary go first.
  REQUIRE(plan.start.size() >= 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(plan.start[i].kind == fixup_kind::searchable);
    CHECK(plan.start[i].key == originals[i]);
    CHECK(plan.start[i].peer == other(i + 1));  // the only non-searchable copy left
  }
  // Step 1 (primary) is instant: a new generation makes the cluster valid.
  CHECK(t.primaries_assignable(peers.up) == 3);
  t.new_generation(peers.up);
  CHECK(t.valid());
  for (int i = 0; i < 3; ++i) CHECK(t.primary_of(originals[i]) == other(i));
  // The same plan again while its tasks run: nothing new that duplicates them, same work left.
  auto again = plan_fixup(t, peers, limits, plan.start);
  check_plan(t, again, plan.start, limits);
  CHECK(again.left == fixup_counts{0, 10, 20, 30 * bucket_size});
  // Deterministic: the same input gives the same plan.
  CHECK(plan_fixup(t, peers, limits, plan.start).start == again.start);

  // Steps 2 and 3 run to the end.
  auto done = run_to_the_end(t, peers, limits);
  CHECK(done ==
        std::map<fixup_kind, uint64_t>{{fixup_kind::searchable, 10}, {fixup_kind::replicate, 20}});
  CHECK(t.valid());
  CHECK(t.complete(3, 2));
  CHECK(t.counts(3, 2) == bucket_counts{30, 30, 30});
  auto last = plan_fixup(t, peers, limits, {});
  CHECK(last.start.empty());
  CHECK(last.left == fixup_counts{});
  // The lost copies were spread: every survivor holds between 15 and 30 copies.
  for (const auto& p : others) {
    CHECK(t.counts_of(p).buckets >= 15);
    CHECK(t.counts_of(p).buckets <= 30);
  }
}

TEST_CASE(
    "fixup planner: 3 peers RF3 SF1, C fails: conversions first, primaries only once they "
    "finish, nothing to replicate, valid but incomplete (14.3)") {
  // C held 3 primaries (its originals, their only searchable copies), 10 searchable copies
  // and 20 copies. With SF 1, the 7 other buckets whose searchable copy C held keep their
  // primary's searchable copy: only the 3 originals need a conversion (see the next test for
  // 10 buckets that lost their only searchable copy).
  bucket_table t;
  t.new_generation({"A", "B", "C"});
  auto ab = [](uint64_t i) { return std::string(i % 2 ? "A" : "B"); };
  auto ba = [](uint64_t i) { return std::string(i % 2 ? "B" : "A"); };
  std::vector<bucket_key> originals;
  for (uint64_t i = 1; i <= 3; ++i) {
    originals.push_back(key("C", i));
    add_warm(t, originals.back(), {{"C", true}, {"A", false}, {"B", false}});
  }
  for (uint64_t i = 1; i <= 7; ++i)
    add_warm(t, key(ab(i), i), {{ab(i), true}, {"C", true}, {ba(i), false}});
  for (uint64_t i = 8; i <= 17; ++i)
    add_warm(t, key(ab(i), i), {{ab(i), true}, {"C", false}, {ba(i), false}});
  REQUIRE(t.counts_of("C") == peer_counts{20, 3, 10});

  t.remove_peer("C");
  const auto peers = up({"A", "B"});
  const fixup_limits limits{3, 1, 2};
  t.new_generation(peers.up);
  CHECK_FALSE(t.valid());
  CHECK(t.primaries_assignable(peers.up) == 0);  // no searchable copy left for C's buckets
  auto plan = plan_fixup(t, peers, limits, {});
  check_plan(t, plan, {}, limits);
  CHECK(plan.left == fixup_counts{3, 3, 0, 3 * bucket_size});  // no third peer: replicate 0
  REQUIRE(plan.start.size() == 3);
  std::set<std::string> converting;
  for (const auto& s : plan.start) {
    CHECK(s.kind == fixup_kind::searchable);
    converting.insert(s.peer);
  }
  CHECK(converting == std::set<std::string>{"A", "B"});  // spread by task count
  CHECK(t.primaries_assignable(peers.up) == 0);          // primary waits for the conversions

  auto done = run_to_the_end(t, peers, limits);
  CHECK(done == std::map<fixup_kind, uint64_t>{{fixup_kind::searchable, 3}});
  for (const auto& k : originals) CHECK(t.primary_of(k));
  CHECK(t.valid());
  CHECK_FALSE(t.complete(3, 1));
  CHECK(t.counts(3, 1) == bucket_counts{20, 20, 0});
  CHECK(plan_fixup(t, peers, limits, {}).left == fixup_counts{});  // nothing any peer can do
}

TEST_CASE(
    "fixup planner: with SF 1, every bucket that lost its only searchable copy gets a primary once "
    "converted") {
  bucket_table t;
  t.new_generation({"A", "B", "C"});
  for (uint64_t i = 1; i <= 10; ++i)
    add_warm(t, key("C", i), {{"C", true}, {"A", false}, {"B", false}});
  t.remove_peer("C");
  const auto peers = up({"A", "B"});
  auto plan = plan_fixup(t, peers, {3, 1, 2}, {});
  CHECK(plan.left == fixup_counts{10, 10, 0, 10 * bucket_size});
  CHECK(plan.start.size() == 4);  // two slots on A and on B
  run_to_the_end(t, peers, {3, 1, 2});
  CHECK(t.valid());
  CHECK(t.counts(3, 1) == bucket_counts{10, 10, 0});
}

TEST_CASE(
    "fixup planner: tasks_per_peer bounds each peer's tasks, both ends of a copy, running ones "
    "included") {
  bucket_table t;
  t.new_generation({"A", "B", "C", "D"});
  // Five buckets whose only copy that can be converted is on B; each also lacks a copy.
  for (uint64_t i = 1; i <= 5; ++i) add_warm(t, key("A", i), {{"A", true}, {"B", false}});
  const auto peers = up({"A", "B", "C", "D"});
  const fixup_limits limits{3, 2, 2};
  auto plan = plan_fixup(t, peers, limits, {});
  check_plan(t, plan, {}, limits);
  CHECK(plan.left == fixup_counts{0, 5, 5, 10 * bucket_size});
  // B converts two; the copies go to C and D (the origin A refuses its own buckets) from A,
  // whose two slots limit them to two.
  std::vector<fixup_task> expected{
      {fixup_kind::searchable, key("A", 1), "B", "", false, bucket_size},
      {fixup_kind::searchable, key("A", 2), "B", "", false, bucket_size},
      {fixup_kind::replicate, key("A", 1), "A", "C", false, bucket_size},
      {fixup_kind::replicate, key("A", 2), "A", "D", false, bucket_size},
  };
  CHECK(plan.start == expected);
  // While they run, nothing more can start: A and B are full, C and D need a source.
  auto again = plan_fixup(t, peers, limits, plan.start);
  CHECK(again.start.empty());
  CHECK(again.left == plan.left);
  // A larger limit lets more start, never more than the limit per peer.
  auto wide = plan_fixup(t, peers, {3, 2, 4}, {});
  check_plan(t, wide, {}, {3, 2, 4});
  CHECK(wide.start.size() == 8);  // B converts 4, A streams 4
  CHECK(plan_fixup(t, peers, {3, 2, 0}, {}).start.empty());
}

TEST_CASE("fixup planner: a running task's bucket and kind is never started again") {
  bucket_table t;
  t.new_generation({"A", "B", "C", "D", "E"});
  auto b = key("A", 1);
  add_warm(t, b, {{"A", true}, {"B", false}, {"C", false}});  // SF 3: two conversions
  t.remove_peer("A");
  t.new_generation({"B", "C", "D", "E"});
  const auto peers = up({"B", "C", "D", "E"});
  const fixup_limits limits{4, 3, 2};
  auto plan = plan_fixup(t, peers, limits, {});
  // One task per bucket and kind at a time, though two conversions and two copies are due.
  REQUIRE(plan.start.size() == 2);
  CHECK(plan.start[0].kind == fixup_kind::searchable);
  CHECK(plan.start[1].kind == fixup_kind::replicate);
  CHECK(plan.start[1].searchable);  // both convertible copies are spoken for by SF 3
  CHECK(plan.left == fixup_counts{1, 2, 2, 4 * bucket_size});
  auto again = plan_fixup(t, peers, limits, plan.start);
  check_plan(t, again, plan.start, limits);
  CHECK(again.start.empty());
  CHECK(again.left == plan.left);
  // Once the first conversion is done the second starts, on the other copy; the running
  // copy still holds back a second one.
  execute(t, plan.start[0]);
  auto next = plan_fixup(t, peers, limits, {plan.start[1]});
  check_plan(t, next, {plan.start[1]}, limits);
  REQUIRE(next.start.size() == 1);
  CHECK(next.start[0].kind == fixup_kind::searchable);
  CHECK(next.start[0].peer != plan.start[0].peer);
}

TEST_CASE("fixup planner: a peer holding a cut copy receives the bucket again, so it resumes") {
  bucket_table t;
  t.new_generation({"A", "B", "C", "D", "E"});
  auto b = key("A", 1);
  t.add_copy(b, "A", true, hot);
  t.add_copy(b, "B", true, hot);
  t.add_copy(b, "C", false, hot);
  // A rolls; B follows, C's stream was cut: its copy stays hot.
  t.add_copy(b, "A", true, warm);
  t.add_copy(b, "B", true, warm);
  t.set_state(b, warm, bucket_size, 10);
  // C holds more copies and has a task: without the preference D or E would be chosen.
  add_warm(t, key("C", 1), {{"C", true}, {"D", true}, {"E", false}});
  add_warm(t, key("C", 2), {{"C", true}, {"D", true}, {"E", false}});
  REQUIRE_FALSE(t.complete(3, 2));
  CHECK(t.counts_of("C") == peer_counts{2, 2, 2});  // the cut copy is not counted
  const auto peers = up({"A", "B", "C", "D", "E"});
  std::vector<fixup_task> running{{fixup_kind::searchable, key("Z", 9), "C", "", false, 5}};
  auto plan = plan_fixup(t, peers, {3, 2, 2}, running);
  REQUIRE(plan.start.size() == 1);
  CHECK(plan.start[0] == fixup_task{fixup_kind::replicate, b, "A", "C", false, bucket_size});
  CHECK(plan.left == fixup_counts{0, 1, 1, 5 + bucket_size});
  execute(t, plan.start[0]);
  CHECK(t.complete(3, 2));
}

TEST_CASE("fixup planner: a decommissioning peer streams its copies but they do not count") {
  bucket_table t;
  t.new_generation({"A", "B", "C", "D"});
  auto only = key("A", 1), shared = key("A", 2);
  add_warm(t, only, {{"A", true}});  // A alone holds it
  add_warm(t, shared, {{"A", true}, {"B", true}, {"C", false}});
  fixup_peers peers{{"B", "C", "D"}, {}, {"A"}};
  t.new_generation(peers.up);  // primacy leaves A first (§13.4)
  CHECK(t.primary_of(shared) == "B");
  auto plan = plan_fixup(t, peers, {3, 2, 2}, {});
  check_plan(t, plan, {}, {3, 2, 2});
  // only: 3 copies to make (two of them searchable), from A, and a primary once one exists;
  // the origin A may not receive. shared: A's copy does not count: one conversion, one copy.
  CHECK(plan.left == fixup_counts{1, 1, 4, 5 * bucket_size});
  // `only` goes to D (no task, fewest copies); `shared` from B, the least busy holder.
  std::vector<fixup_task> expected{
      {fixup_kind::searchable, shared, "C", "", false, bucket_size},
      {fixup_kind::replicate, only, "A", "D", true, bucket_size},
      {fixup_kind::replicate, shared, "B", "D", false, bucket_size},
  };
  CHECK(plan.start == expected);
  run_to_the_end(t, peers, {3, 2, 2});
  CHECK(t.copies_of(only) == std::vector<std::string>{"A", "B", "C", "D"});
  // A may leave now: the cluster is complete without it.
  t.remove_peer("A");
  CHECK(t.complete(3, 2));
  CHECK(t.valid());
}

TEST_CASE("fixup planner: a restarting peer's copies count, and it gets no task") {
  bucket_table t;
  t.new_generation({"A", "B", "C", "D"});
  auto counted = key("A", 1), waits = key("B", 1);
  add_warm(t, counted, {{"A", true}, {"B", true}, {"C", false}});
  add_warm(t, waits, {{"B", true}, {"A", false}});
  fixup_peers peers{{"B", "C", "D"}, {"A"}, {}};
  t.new_generation(peers.up);
  CHECK(t.primary_of(counted) == "B");
  // RF 2, SF 2: counted is complete with A's copies; waits would need A's copy converted,
  // which A cannot do while it restarts, and a new copy is not needed: nothing to do.
  auto plan = plan_fixup(t, peers, {2, 2, 2}, {});
  CHECK(plan.start.empty());
  CHECK(plan.left == fixup_counts{});
  // RF 3: waits needs one more copy; it is made searchable (A's copy cannot be converted).
  plan = plan_fixup(t, peers, {3, 2, 2}, {});
  REQUIRE(plan.start.size() == 1);
  CHECK(plan.start[0].key == waits);
  CHECK(plan.start[0].peer == "B");
  CHECK(plan.start[0].target == "D");  // C and D have no task; D holds fewer copies
  CHECK(plan.start[0].searchable);
}

TEST_CASE("fixup planner: hot buckets get no task, and the origin never receives a copy") {
  bucket_table t;
  t.new_generation({"A", "B", "C"});
  auto streaming = key("A", 1);
  t.add_copy(streaming, "A", true, hot);  // its targets are not chosen yet
  auto lost = key("A", 2);
  add_warm(t, lost, {{"A", true}, {"B", true}, {"C", true}});
  t.apply_report("A", {{streaming, hot, true, 10, 1}});  // A lost its copy of `lost`
  t.new_generation({"A", "B", "C"});
  CHECK(t.primary_of(lost) == "B");
  const fixup_limits limits{3, 2, 2};
  auto plan = plan_fixup(t, up({"A", "B", "C"}), limits, {});
  CHECK(plan.start.empty());  // only A lacks a copy of `lost`, and A is its origin
  CHECK(plan.left == fixup_counts{});
  plan = plan_fixup(t, up({"A", "B", "C", "D"}), limits, {});
  REQUIRE(plan.start.size() == 1);
  CHECK(plan.start[0].key == lost);
  CHECK(plan.start[0].target == "D");
  CHECK(plan.left == fixup_counts{0, 0, 1, bucket_size});
}
