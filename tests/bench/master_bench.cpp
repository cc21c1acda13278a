// Cluster master benchmark: a simulated cluster of --peers peers and --buckets warm
// buckets (replication factor 3, search factor 2: each bucket's origin is random and
// holds a searchable copy, one other peer a searchable copy, one a plain copy), kept in
// the master's bucket_table. Measures what the master does per heartbeat, one peer's
// full report, a peer lost (remove_peer, new_generation, plan_fixup) and the table's
// memory per bucket, against targets. No CAF, no network. Run from a Release build:
// scripts/bench-master [--peers N] [--buckets N] [--seed S].
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/cluster/bucket_table.hpp"
#include "core/cluster/fixup_planner.hpp"

using namespace kura;
using namespace kura::cluster;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

/// Resident memory of this process in bytes (VmRSS of /proc/self/status), 0 if unknown.
uint64_t rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  return 0;
}

/// A GUID as peers make them: 36 characters, upper-case hex.
std::string make_guid(std::mt19937_64& rng) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    out.push_back(hex[rng() % 16]);
  }
  return out;
}

/// What the master keeps per peer for heartbeats (as in actors/master).
struct peer_entry {
  std::string name, status = "Up";
  clock_type::time_point last_heartbeat;
};

struct row {
  const char* figure;
  double value;
  const char* unit;
  double target;
};

}  // namespace

int main(int argc, char** argv) {
  size_t peer_count = 200, bucket_count = 2'000'000;
  uint64_t seed = 42;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--peers" && i + 1 < argc)
      peer_count = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--buckets" && i + 1 < argc)
      bucket_count = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--seed" && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: kura-bench-master [--peers N] [--buckets N] [--seed S]\n");
      return 2;
    }
  }
  if (peer_count < 4) return std::fprintf(stderr, "error: --peers must be at least 4\n"), 2;
  const uint32_t rf = 3, sf = 2;
  std::mt19937_64 rng(seed);
  std::vector<std::string> guids;
  for (size_t i = 0; i < peer_count; ++i) guids.push_back(make_guid(rng));
  std::set<std::string> all(guids.begin(), guids.end());
  const std::vector<std::string> indexes{"main", "web_access", "os", "_internal"};
  std::printf("kura master benchmark: %zu peers, %zu buckets, RF %u, SF %u\n", peer_count,
              bucket_count, rf, sf);

  // (d) Fill: as the master learns the buckets (a hot bucket and its targets, then the roll
  // and each copy confirmed warm), measuring resident memory before and after.
  uint64_t rss_before = rss_bytes();
  auto t0 = clock_type::now();
  bucket_table table;
  table.new_generation(all);
  {
    std::vector<uint64_t> next_id(peer_count, 0);
    std::uniform_int_distribution<size_t> pick(0, peer_count - 1);
    for (size_t b = 0; b < bucket_count; ++b) {
      size_t o = pick(rng), t1 = pick(rng), t2 = pick(rng);
      while (t1 == o) t1 = pick(rng);
      while (t2 == o || t2 == t1) t2 = pick(rng);
      bucket_key key{indexes[b % indexes.size()], bucket_id{++next_id[o]}, guids[o]};
      table.add_copy(key, guids[o], true, bucket_state_kind::warm);
      table.add_copy(key, guids[t1], true, bucket_state_kind::warm);
      table.add_copy(key, guids[t2], false, bucket_state_kind::warm);
      table.set_state(key, bucket_state_kind::warm, 10'000'000 + b % 1000, 50'000);
    }
  }
  double fill_s = seconds_since(t0);
  uint64_t rss_after = rss_bytes();
  double bytes_per_bucket = double(rss_after - rss_before) / double(bucket_count);
  auto counts = table.counts(rf, sf);
  std::printf("filled in %.2f s: %llu buckets, %llu valid, %llu complete; RSS %.0f -> %.0f MB\n",
              fill_s, (unsigned long long)counts.total, (unsigned long long)counts.valid,
              (unsigned long long)counts.complete, rss_before / 1e6, rss_after / 1e6);

  // (a) A heartbeat without report: find the peer by GUID, note the time.
  double heartbeat_us;
  {
    std::map<std::string, peer_entry> peers;
    for (size_t i = 0; i < peer_count; ++i)
      peers[guids[i]] = {"peer" + std::to_string(i), "Up", clock_type::now()};
    const size_t rounds = 2'000'000;
    size_t misses = 0;
    auto t = clock_type::now();
    for (size_t i = 0; i < rounds; ++i) {
      auto it = peers.find(guids[(i * 7919) % peer_count]);
      if (it == peers.end()) {
        ++misses;
        continue;
      }
      it->second.last_heartbeat = clock_type::now();
    }
    heartbeat_us = seconds_since(t) * 1e6 / double(rounds);
    if (misses) std::printf("heartbeat: %zu unknown peers?\n", misses);
  }

  // The peer under test: the one holding the most copies (about rf * buckets / peers).
  auto per_peer = table.copies_per_peer();
  auto victim = std::max_element(per_peer.begin(), per_peer.end(), [](auto& a, auto& b) {
                  return a.second < b.second;
                })->first;
  std::vector<copy_report> report;
  uint32_t victim_number = *table.peer_number(victim);
  table.for_each_bucket([&](const bucket_view& b) {
    for (const auto& c : b.copies)
      if (c.peer == victim_number)
        report.push_back({table.key_of(b.handle), b.state, c.searchable, b.size_bytes, 50'000});
  });
  std::shuffle(report.begin(), report.end(), rng);  // peers list their copies in their own order

  // (b) That peer's full report (nothing changed since the last one: the usual case).
  double report_ms = 0;
  {
    const int rounds = 5;
    std::vector<double> ms;
    for (int i = 0; i < rounds; ++i) {
      auto t = clock_type::now();
      table.apply_report(victim, report);
      ms.push_back(seconds_since(t) * 1e3);
    }
    std::sort(ms.begin(), ms.end());
    report_ms = ms[rounds / 2];
  }
  std::printf("report of %s: %zu copies (median of 5)\n", victim.c_str(), report.size());

  // (c) The peer goes Down: its copies leave, a new generation, the fixup plan.
  double remove_ms, generation_ms, plan_ms, exceptions_ms;
  size_t exceptions = 0;
  fixup_plan plan;
  {
    auto t = clock_type::now();
    table.remove_peer(victim);
    remove_ms = seconds_since(t) * 1e3;
    fixup_peers peers;
    peers.up = all;
    peers.up.erase(victim);
    t = clock_type::now();
    table.new_generation(peers.up);
    generation_ms = seconds_since(t) * 1e3;
    // Not in the total: what the master then sends every up peer for the new generation.
    t = clock_type::now();
    for (const auto& g : peers.up) {
      auto ex = table.primary_exceptions(g);
      exceptions += ex.demoted.size() + ex.promoted.size();
    }
    exceptions_ms = seconds_since(t) * 1e3;
    // plan_fixup changes nothing: the median of 5 plans.
    std::vector<double> ms;
    for (int i = 0; i < 5; ++i) {
      t = clock_type::now();
      plan = plan_fixup(table, peers, {rf, sf, 2}, {});
      ms.push_back(seconds_since(t) * 1e3);
    }
    std::sort(ms.begin(), ms.end());
    plan_ms = ms[2];
  }
  auto after = table.counts(rf, sf);
  std::printf(
      "after the loss: %llu valid, %llu complete, %zu primacy exceptions; plan: start %zu "
      "tasks, left primary %llu, searchable %llu, replicate %llu, %.1f GB to go\n",
      (unsigned long long)after.valid, (unsigned long long)after.complete, exceptions,
      plan.start.size(), (unsigned long long)plan.left.primary,
      (unsigned long long)plan.left.searchable, (unsigned long long)plan.left.replicate,
      plan.left.bytes_to_go / 1e9);

  double lost_ms = remove_ms + generation_ms + plan_ms;
  std::vector<row> rows{
      {"heartbeat without report", heartbeat_us, "us", 50},
      {"apply_report, 1 peer (med)", report_ms, "ms", 100},
      {"peer lost: remove_peer", remove_ms, "ms", 0},
      {"peer lost: new_generation", generation_ms, "ms", 0},
      {"peer lost: plan_fixup (med)", plan_ms, "ms", 0},
      {"peer lost: total", lost_ms, "ms", 1000},
      {"exceptions, every up peer", exceptions_ms, "ms", 0},
      {"table memory per bucket", bytes_per_bucket, "B", 1024},
  };
  std::printf("\n%-28s %12s   %-12s %s\n", "figure", "value", "target", "");
  bool all_ok = true;
  for (const auto& r : rows) {
    char target[32] = "";
    if (r.target > 0) std::snprintf(target, sizeof target, "< %g %s", r.target, r.unit);
    bool ok = r.target <= 0 || r.value < r.target;
    all_ok = all_ok && ok;
    std::printf("%-28s %9.3f %-2s   %-12s %s\n", r.figure, r.value, r.unit, target,
                r.target <= 0 ? "" : (ok ? "ok" : "MISSED"));
  }
  return all_ok ? 0 : 1;
}
