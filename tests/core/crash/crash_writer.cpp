// Helper for the kill -9 test.
//   kura_crash_writer write DIR   appends batches of events "crash-event seq=N" to
//                                 index main of a store in DIR forever. Run k numbers
//                                 its events from k * 10^9; after each acknowledged
//                                 (committed) batch it rewrites DIR/acked, one line
//                                 "<first seq> <acknowledged count>" per run.
//   kura_crash_writer verify DIR  reopens the store (recovering hot buckets) and
//                                 checks that every acknowledged event is there once.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/bucket/bucket_reader.hpp"
#include "core/index/store.hpp"

using namespace kura;

namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "crash_writer: %s\n", msg.c_str());
  return 1;
}

result<std::unique_ptr<store>> open_store(const std::string& dir, std::vector<std::string>* notes) {
  store_config sc;
  sc.db_root = io::fs::path{dir} / "db";
  sc.min_free_space_bytes = 0;
  auto main_cfg = default_index_config("main", sc.db_root);
  main_cfg.max_data_size_bytes = 256 * 1024;  // many rolls while writing
  return store::open(sc, {main_cfg}, notes);
}

constexpr uint64_t run_stride = 1'000'000'000;

/// The (first seq, acknowledged count) of every earlier run.
std::vector<std::pair<uint64_t, uint64_t>> read_acked(const std::string& dir) {
  std::ifstream in(dir + "/acked");
  std::vector<std::pair<uint64_t, uint64_t>> runs;
  uint64_t first, count;
  while (in >> first >> count) runs.emplace_back(first, count);
  return runs;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return fail("usage: kura_crash_writer write|verify DIR");
  std::string mode = argv[1], dir = argv[2];
  std::vector<std::string> notes;
  auto s = open_store(dir, &notes);
  if (!s) return fail(s.err().render());
  if (mode == "write") {
    auto runs = read_acked(dir);
    uint64_t first = (runs.size() + 1) * run_stride, seq = first;
    std::string earlier;
    for (auto& [f, c] : runs) earlier += std::to_string(f) + " " + std::to_string(c) + "\n";
    std::vector<std::string> raws(100);
    for (;;) {
      std::vector<event_view> batch;
      for (auto& raw : raws) {
        raw = "crash-event seq=" + std::to_string(seq + batch.size()) + " some payload text for the journal";
        batch.push_back({time_us(1'700'000'000'000'000) + time_us(seq - first + batch.size()) * 1000, "h", "crash", "test",
                         raw, {}});
      }
      if (auto err = (*s)->append("main", batch, 1'700'000'000)) return fail(err.render());
      seq += batch.size();
      std::ofstream(dir + "/acked.tmp") << earlier << first << " " << seq - first << "\n";
      std::rename((dir + "/acked.tmp").c_str(), (dir + "/acked").c_str());
    }
  }
  if (mode != "verify") return fail("unknown mode " + mode);
  auto runs = read_acked(dir);
  std::map<uint64_t, unsigned> seen;
  uint64_t total = 0;
  for (auto& b : (*s)->find("main")->buckets()) {
    if (!b.problem.empty()) return fail("bucket " + b.dir.string() + ": " + b.problem);
    auto r = bucket_reader::open(b.dir);
    if (!r) return fail(r.err().render());
    Roaring all;
    all.addRange(0, r->manifest().events);
    auto err = r->read_events(all, [&](uint64_t, const event_view& ev) {
      auto at = ev.raw.find("seq=");
      uint64_t n = std::strtoull(std::string{ev.raw.substr(at + 4)}.c_str(), nullptr, 10);
      ++seen[n];
      ++total;
    });
    if (err) return fail(err.render());
  }
  uint64_t acked = 0;
  for (auto& [first, count] : runs)
    for (uint64_t i = first; i < first + count; ++i, ++acked) {
      auto it = seen.find(i);
      if (it == seen.end()) return fail("acknowledged event seq=" + std::to_string(i) + " is missing");
      if (it->second > 1) return fail("event seq=" + std::to_string(i) + " stored " + std::to_string(it->second) + " times");
    }
  for (auto& n : notes) std::printf("note: %s\n", n.c_str());
  std::printf("verified: %llu acknowledged events present once each (%llu stored)\n", (unsigned long long)acked,
              (unsigned long long)total);
  return 0;
}
