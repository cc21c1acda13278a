// Search benchmark: one index of Loghub-derived events (1,000,000 by default,
// plus one event with a unique needle), a search per query class, and GNU grep
// on the same raw text in the same run as the baseline. Prints a table of
// median latencies and the ratio kura/grep. Release build:
//   scripts/bench-search [--events N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "core/index/store.hpp"
#include "core/search/store_search.hpp"
#include "loghub_events.hpp"

using namespace kura;
using clock_type = std::chrono::steady_clock;

namespace {

using bench::median_ms;

/// Median wall time of a shell command (GNU grep), in ms. Its output goes to
/// a file: with stdout on /dev/null GNU grep stops at the first match.
double time_command(const std::string& cmd, const io::fs::path& out, int runs) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto t = clock_type::now();
    if (std::system((cmd + " > '" + out.string() + "'").c_str()) == -1) return -1;
    times.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t).count());
  }
  return median_ms(times);
}

struct query_class {
  const char* name;
  std::string search;
  std::string grep;  // the same question asked of GNU grep
  const char* target;
};

}  // namespace

int main(int argc, char** argv) {
  bench::bench_args args;
  if (!args.parse(argc, argv, "kura-bench-search")) return 2;
  auto workload = args.load();
  if (!workload) return 1;
  auto& data = *workload;
  auto dir = args.work_dir("kura-bench-search");
  // One event carries a token that occurs nowhere else.
  std::string needle_raw = std::string{data.events[data.events.size() / 2].raw} + " kura-needle-5e2f";
  data.events[data.events.size() / 2].raw = needle_raw;

  store_config sc;
  sc.db_root = dir / "db";
  sc.min_free_space_bytes = 0;
  auto main_cfg = default_index_config("main", sc.db_root);
  main_cfg.max_data_size_bytes = 16ull << 20;  // a few buckets, as an index of this size would have
  auto st = store::open(sc, {main_cfg});
  if (!st) return std::fprintf(stderr, "error: %s\n", st.err().render().c_str()), 1;
  auto t = clock_type::now();
  for (size_t at = 0; at < data.events.size(); at += 10000) {
    std::span<const event_view> batch{data.events.data() + at, std::min<size_t>(10000, data.events.size() - at)};
    if (auto err = (*st)->append("main", batch, 0)) return std::fprintf(stderr, "error: %s\n", err.render().c_str()), 1;
  }
  if (auto err = (*st)->roll_hot_buckets("main")) return std::fprintf(stderr, "error: %s\n", err.render().c_str()), 1;
  double ingest_s = std::chrono::duration<double>(clock_type::now() - t).count();
  auto raw_path = dir / "raw.txt";
  {
    std::ofstream raw(raw_path);
    for (auto& e : data.events) raw << e.raw << '\n';
  }
  double raw_mb = double(data.raw_bytes) / 1e6;
  std::printf("kura search benchmark: %zu events, %.1f MB of raw text, %zu buckets (ingest %.2f s)\n",
              data.events.size(), raw_mb, (*st)->find("main")->buckets().size(), ingest_s);
  std::printf("%-34s %10s %10s %10s %9s %11s  %s\n", "query", "results", "kura ms", "grep ms", "kura/grep",
              "kura MB/s", "target");

  std::string g = "LC_ALL=C grep ";
  std::string file = " '" + raw_path.string() + "'";
  std::vector<query_class> classes{
      {"needle (unique token)", "kura-needle-5e2f", g + "-F -c kura-needle-5e2f" + file, "<= 10 ms"},
      {"error | stats count", "error | stats count", g + "-c -i -w error" + file, "<= 20 ms"},
      {"* | stats count by sourcetype", "* | stats count by sourcetype", g + "-c ''" + file, ""},
      {"wildcard *fail* | stats count", "*fail* | stats count", g + "-c -i fail" + file, ">= 1000 MB/s"},
      {"rex over everything", "* | rex \"(?<level>INFO|WARN|ERROR|DEBUG)\" | stats count by level",
       g + "-c -E 'INFO|WARN|ERROR|DEBUG'" + file, ">= 1000 MB/s"},
      {"* | timechart span=1h count", "* | timechart span=1h count", g + "-c ''" + file, ""},
  };
  search::search_options opt;
  opt.now = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch()).count();
  for (auto& c : classes) {
    std::vector<double> times;
    uint64_t results = 0;
    std::string first;
    for (int run = 0; run < 5; ++run) {
      results = 0;
      auto t0 = clock_type::now();
      auto s = search::search_store(**st, c.search, opt, [&](const search::row& r) {
        if (results++ == 0 && r.fields().size() > 0) first = r.fields().back().second.as_string();
        return true;
      });
      times.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
      if (!s) return std::fprintf(stderr, "error: %s: %s\n", c.search.c_str(), s.err().render().c_str()), 1;
    }
    double kura = median_ms(times);
    double grep = time_command(c.grep, dir / "grep.out", 3);
    std::printf("%-34s %10llu %10.2f %10.1f %9.3f %11.0f  %s\n", c.name, (unsigned long long)results, kura, grep,
                kura / grep, raw_mb / (kura / 1000), c.target);
  }
  if (!args.keep) (void)io::remove_all(dir);
  return 0;
}
