// Scan benchmark: searches that must read raw text, against GNU grep on the
// same text in the same run. 1,000,000 generated Apache combined log lines
// (deterministic; 146 MB) go into one index of a few buckets; then, each
// timed as the median of several runs beside its grep equivalent:
//   needle     one request id (answered by the term index)
//   phrase     " 404 " | stats count                 grep -c ' 404 '
//   regex      * | regex _raw=" 5\d\d " | stats count  grep -cE ' 5[0-9][0-9] '
//   rex by     * | rex "…(?<status>\d{3}) " | stats count by status
//                                                    grep -oE … | sort | uniq -c
// Results must agree with grep's (the program fails otherwise). Release build:
//   scripts/bench-scan [--events N] [--dir D] [--keep] [--runs N] [--only NAME]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/index/store.hpp"
#include "core/search/store_search.hpp"
#include "loghub_events.hpp"

using namespace kura;
using clock_type = std::chrono::steady_clock;

namespace {

/// splitmix64: a small deterministic generator.
struct rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return size_t(next() % n); }
};

/// `count` Apache combined lines, one second apart from 2026-11-01 00:00:00 UTC.
/// Line `needle_at` carries the request id `needle` in its query string.
std::vector<std::string> apache_lines(size_t count, size_t needle_at, const std::string& needle) {
  static const char* methods[] = {"GET", "GET", "GET", "GET", "POST", "GET", "PUT", "HEAD"};
  static const char* paths[] = {"/index.html",
                                "/static/css/site.css",
                                "/static/js/app.min.js",
                                "/api/v2/orders",
                                "/api/v2/users/profile",
                                "/images/logo.png",
                                "/products/list",
                                "/cart/checkout",
                                "/search",
                                "/docs/getting-started",
                                "/favicon.ico",
                                "/login",
                                "/api/v2/inventory/items",
                                "/blog/2026/11/release-notes"};
  static const char* agents[] = {"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
                                 "Mozilla/5.0 (Windows NT 10.0) Chrome/130.0",
                                 "Mozilla/5.0 (iPhone) Mobile/15E148",
                                 "curl/8.5.0",
                                 "python-requests/2.31.0",
                                 "Googlebot/2.1"};
  static const char* referers[] = {"-", "-", "-", "https://www.example.com/",
                                   "https://www.google.com/"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // Status codes by weight (per mille).
  static const std::pair<int, int> statuses[] = {{200, 780}, {304, 60}, {301, 30}, {302, 20},
                                                 {404, 60},  {403, 10}, {500, 20}, {502, 8},
                                                 {503, 10},  {504, 2}};
  rng r{42};
  std::vector<std::string> out;
  out.reserve(count);
  char buf[512];
  for (size_t i = 0; i < count; ++i) {
    int w = int(r.below(1000)), status = 200;
    for (auto [code, weight] : statuses) {
      if (w < weight) {
        status = code;
        break;
      }
      w -= weight;
    }
    uint64_t t = i;  // seconds after 2026-11-01T00:00:00Z
    int day = 1 + int(t / 86400), hh = int(t / 3600 % 24), mm = int(t / 60 % 60), ss = int(t % 60);
    std::string path = paths[r.below(std::size(paths))];
    if (r.below(3) == 0) path += "?page=" + std::to_string(r.below(50)) + "&sort=price";
    if (i == needle_at) path += (path.find('?') == std::string::npos ? "?req=" : "&req=") + needle;
    int n =
        std::snprintf(buf, sizeof buf,
                      "%zu.%zu.%zu.%zu - - [%02d/%s/2026:%02d:%02d:%02d +0000] \"%s %s HTTP/1.1\" "
                      "%d %zu \"%s\" \"%s\"",
                      10 + r.below(200), r.below(256), r.below(256), 1 + r.below(254), day,
                      months[10], hh, mm, ss, methods[r.below(std::size(methods))], path.c_str(),
                      status, status == 304 ? 0 : 200 + r.below(50000),
                      referers[r.below(std::size(referers))], agents[r.below(std::size(agents))]);
    out.emplace_back(buf, size_t(n));
  }
  return out;
}

/// Runs a shell command; returns its wall time in ms and its output.
double run_command(const std::string& cmd, const io::fs::path& out, std::string& output) {
  auto t = clock_type::now();
  int rc = std::system((cmd + " > '" + out.string() + "'").c_str());
  double ms = std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
  if (rc == -1) return -1;
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  output = ss.str();
  return ms;
}

struct scan_query {
  const char* name;
  std::string search;
  std::string grep;  // the same question asked of GNU grep
  bool by_value;     // grep prints "count value" lines; else one count
};

}  // namespace

int main(int argc, char** argv) {
  size_t events = 1'000'000;
  io::fs::path dir;
  bool keep = false;
  int runs = 5;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--events" && i + 1 < argc)
      events = std::stoul(argv[++i]);
    else if (a == "--dir" && i + 1 < argc)
      dir = argv[++i];
    else if (a == "--keep")
      keep = true;
    else if (a == "--runs" && i + 1 < argc)
      runs = std::max(1, std::stoi(argv[++i]));
    else if (a == "--only" && i + 1 < argc)
      only = argv[++i];
    else {
      std::fprintf(
          stderr,
          "usage: kura-bench-scan [--events N] [--dir D] [--keep] [--runs N] [--only NAME]\n");
      return 2;
    }
  }
  if (dir.empty()) dir = bench::make_temp_dir("kura-bench-scan");
  const std::string needle = "7f3a9c2e4b1d";
  auto raw_path = dir / "raw.txt";
  bool reuse =
      io::fs::exists(raw_path) && io::fs::exists(dir / "db");  // --dir of an earlier --keep run

  store_config sc;
  sc.db_root = dir / "db";
  sc.min_free_space_bytes = 0;
  auto main_cfg = default_index_config("main", sc.db_root);
  main_cfg.max_data_size_bytes = 16ull << 20;  // a few buckets, as an index of this size would have
  auto st = store::open(sc, {main_cfg});
  if (!st) return std::fprintf(stderr, "error: %s\n", st.err().render().c_str()), 1;
  double ingest_s = 0;
  if (!reuse) {
    auto lines = apache_lines(events, events / 2, needle);
    auto t = clock_type::now();
    std::vector<event_view> batch;
    const time_us start = 1'793'491'200'000'000;  // 2026-11-01T00:00:00Z
    for (size_t at = 0; at < lines.size(); at += 10000) {
      batch.clear();
      for (size_t i = at; i < std::min(lines.size(), at + 10000); ++i)
        batch.push_back(event_view{start + time_us(i) * 1'000'000,
                                   "web-01",
                                   "/var/log/apache2/access.log",
                                   "apache_access",
                                   lines[i],
                                   {}});
      if (auto err = (*st)->append("main", batch, 0))
        return std::fprintf(stderr, "error: %s\n", err.render().c_str()), 1;
    }
    if (auto err = (*st)->roll_hot_buckets("main"))
      return std::fprintf(stderr, "error: %s\n", err.render().c_str()), 1;
    ingest_s = std::chrono::duration<double>(clock_type::now() - t).count();
    std::ofstream raw(raw_path);
    for (auto& l : lines) raw << l << '\n';
  }
  double raw_mb = double(io::fs::file_size(raw_path)) / 1e6;
  std::printf("kura scan benchmark: %.1f MB of Apache access lines, %zu buckets%s\n", raw_mb,
              (*st)->find("main")->buckets().size(),
              reuse ? " (reused)" : (" (ingest " + std::to_string(ingest_s) + " s)").c_str());
  std::printf("%-10s %9s %9s %9s %10s %11s  %s\n", "query", "results", "kura ms", "grep ms",
              "kura/grep", "kura MB/s", "search");

  std::string g = "LC_ALL=C grep ";
  std::string file = " '" + raw_path.string() + "'";
  std::vector<scan_query> queries{
      {"needle", needle + " | stats count", g + "-c -F " + needle + file, false},
      {"phrase", "\" 404 \" | stats count", g + "-c ' 404 '" + file, false},
      {"regex", "* | regex _raw=\" 5\\d\\d \" | stats count", g + "-cE ' 5[0-9][0-9] '" + file,
       false},
      {"rex by", "* | rex \"HTTP/1\\.1\\\" (?<status>\\d{3}) \" | stats count by status",
       g + "-oE 'HTTP/1\\.1\" [0-9]{3} '" + file + " | LC_ALL=C sort | uniq -c", true},
  };
  search::search_options opt;
  opt.now = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  int failures = 0;
  for (auto& q : queries) {
    if (!only.empty() && only != q.name) continue;
    std::vector<double> kura_ms, grep_ms;
    std::map<std::string, uint64_t> got;  // value (or "") -> count
    for (int run = 0; run < runs; ++run) {
      got.clear();
      auto t0 = clock_type::now();
      auto s = search::search_store(**st, q.search, opt, [&](const search::row& r) {
        auto* count = r.get("count");
        auto* status = r.get("status");
        got[status ? status->as_string() : ""] +=
            count ? uint64_t(count->as_number().value_or(0)) : 0;
        return true;
      });
      kura_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
      if (!s)
        return std::fprintf(stderr, "error: %s: %s\n", q.search.c_str(), s.err().render().c_str()),
               1;
    }
    std::string output;
    for (int run = 0; run < std::max(3, runs / 2); ++run)
      grep_ms.push_back(run_command(q.grep, dir / "grep.out", output));
    // grep's answer: one count, or "  count HTTP/1.1" 404 " lines.
    std::map<std::string, uint64_t> want;
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
      if (!q.by_value) {
        if (std::stoull(line) > 0) want[""] = std::stoull(line);
        continue;
      }
      std::istringstream fields(line);
      uint64_t n;
      std::string http, code;
      fields >> n >> http >> code;
      want[code] = n;
    }
    std::erase_if(got, [](auto& kv) { return kv.second == 0; });
    uint64_t results = 0;
    for (auto& [_, n] : got) results += n;
    double kura = bench::median_ms(kura_ms), grep = bench::median_ms(grep_ms);
    std::printf("%-10s %9llu %9.1f %9.1f %10.2f %11.0f  %s%s\n", q.name,
                (unsigned long long)results, kura, grep, kura / grep, raw_mb / (kura / 1000),
                q.search.c_str(), got == want ? "" : "  MISMATCH with grep");
    failures += got != want;
  }
  if (!keep) (void)io::remove_all(dir);
  return failures ? 1 : 0;
}
