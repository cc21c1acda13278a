// Search-time extraction benchmark: `stats count by status` where status comes
// from access_combined's REPORT regex, against the same query where status is
// an indexed field, on the same generated Apache combined-log lines (1,000,000
// by default) in the same run. The target: extracted within 2x of
// indexed. Release build:   scripts/bench-fields [--events N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/index/store.hpp"
#include "core/search/store_search.hpp"
#include "loghub_events.hpp"

using namespace kura;
using clock_type = std::chrono::steady_clock;

namespace {

using bench::median_ms;

/// One Apache combined-log line and its status, from a seeded generator.
struct access_line {
  std::string raw;
  std::string status;
};

std::vector<access_line> generate(size_t n) {
  std::mt19937_64 rng{12};
  const char* methods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
  const char* paths[] = {
      "/", "/index.html", "/shop/cart.php", "/api/v1/items", "/static/app.js", "/login"};
  const char* statuses[] = {"200", "200", "200", "200", "301", "304", "404", "500", "503"};
  const char* agents[] = {"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "curl/8.5.0",
                          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/119.0"};
  std::vector<access_line> out;
  out.reserve(n);
  char buf[512];
  for (size_t i = 0; i < n; ++i) {
    auto r = rng();
    const char* status = statuses[r % 9];
    int sec = int(i % 60), min = int(i / 60 % 60), hour = int(i / 3600 % 24);
    std::snprintf(
        buf, sizeof buf,
        "10.%d.%d.%d - - [22/Nov/2026:%02d:%02d:%02d +0000] \"%s %s?id=%llu HTTP/1.1\" %s %llu "
        "\"https://example.com/ref\" \"%s\"",
        int(r >> 8 & 255), int(r >> 16 & 255), int(r >> 24 & 255), hour, min, sec,
        methods[(r >> 32) % 6], paths[(r >> 40) % 6], (unsigned long long)(r >> 20 & 0xffff),
        status, (unsigned long long)(r >> 48 & 0xfff), agents[(r >> 56) % 3]);
    out.push_back({buf, status});
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bench::bench_args args;
  if (!args.parse(argc, argv, "kura-bench-fields")) return 2;
  auto dir = args.work_dir("kura-bench-fields");
  auto lines = generate(args.events);
  store_config sc;
  sc.db_root = dir / "db";
  sc.min_free_space_bytes = 0;
  auto extracted_cfg = default_index_config("extracted", sc.db_root);
  auto indexed_cfg = default_index_config("indexed", sc.db_root);
  extracted_cfg.max_data_size_bytes = indexed_cfg.max_data_size_bytes = 16ull << 20;
  auto st = store::open(sc, {extracted_cfg, indexed_cfg});
  if (!st) return std::fprintf(stderr, "error: %s\n", st.err().render().c_str()), 1;
  time_us t0 = 1'795'305'600'000'000;
  double raw_mb = 0;
  for (auto* index : {"extracted", "indexed"}) {
    bool indexed = std::string{index} == "indexed";
    for (size_t at = 0; at < lines.size(); at += 10000) {
      std::vector<event_view> batch;
      for (size_t i = at; i < std::min(lines.size(), at + 10000); ++i) {
        event_view ev{t0 + time_us(i) * 1000, "web1",
                      "/var/log/access.log",  indexed ? "access_indexed" : "access_combined",
                      lines[i].raw,           {}};
        if (indexed) ev.fields.push_back({"status", lines[i].status});
        if (!indexed) raw_mb += double(lines[i].raw.size()) / 1e6;
        batch.push_back(std::move(ev));
      }
      if (auto err = (*st)->append(index, batch, 0))
        return std::fprintf(stderr, "error: %s\n", err.render().c_str()), 1;
    }
    if (auto err = (*st)->roll_hot_buckets(index))
      return std::fprintf(stderr, "error: %s\n", err.render().c_str()), 1;
  }
  std::printf("kura fields benchmark: %zu access_combined events, %.1f MB of raw text per index\n",
              lines.size(), raw_mb);
  std::printf("%-52s %10s %10s %11s\n", "query", "groups", "kura ms", "MB/s");
  search::search_options opt;
  opt.now = t0 + 86400'000'000;
  auto time_query = [&](const std::string& q, double& ms, std::string& summary) -> bool {
    std::vector<double> times;
    for (int run = 0; run < 5; ++run) {
      std::string rows;
      auto t = clock_type::now();
      auto s = search::search_store(**st, q, opt, [&](const search::row& r) {
        rows += r.get("status")
                    ? r.get("status")->as_string() + "=" + r.get("count")->as_string() + " "
                    : "";
        return true;
      });
      times.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t).count());
      if (!s)
        return std::fprintf(stderr, "error: %s: %s\n", q.c_str(), s.err().render().c_str()), false;
      summary = rows;
    }
    ms = median_ms(times);
    return true;
  };
  double extracted_ms = 0, indexed_ms = 0;
  std::string extracted_rows, indexed_rows;
  std::string qe = "index=extracted | stats count by status",
              qi = "index=indexed | stats count by status";
  if (!time_query(qe, extracted_ms, extracted_rows) || !time_query(qi, indexed_ms, indexed_rows))
    return 1;
  std::printf("%-52s %10zu %10.1f %11.0f\n", (qe + " (REPORT regex)").c_str(),
              size_t(std::count(extracted_rows.begin(), extracted_rows.end(), ' ')), extracted_ms,
              raw_mb / (extracted_ms / 1000));
  std::printf("%-52s %10zu %10.1f %11.0f\n", (qi + " (indexed field)").c_str(),
              size_t(std::count(indexed_rows.begin(), indexed_rows.end(), ' ')), indexed_ms,
              raw_mb / (indexed_ms / 1000));
  bool same = extracted_rows == indexed_rows;
  double ratio = extracted_ms / indexed_ms;
  std::printf("extracted/indexed: %.2fx (target <= 2x)%s\n", ratio,
              same ? "" : "  ERROR: the counts differ");
  if (!args.keep) (void)io::remove_all(dir);
  return same ? 0 : 1;
}
