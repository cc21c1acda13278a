// JSON field extraction benchmark: extract_json_fields (KV_MODE auto/json:
// every field of an event whose _raw is a JSON object, into a row) over
// generated HEC-style JSON events (1,000,000 by default), on one core, with
// simdjson's bare parse of the same bytes (no fields, no rows) as the baseline
// in the same run. The issue's target: >= 300 MB/s per core.
// Release build:   scripts/bench-search-json [--events N] [--rounds N]
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/search/json_fields.hpp"

using namespace kura;

namespace {

/// This thread's CPU time in seconds: the figure is per core, and other
/// processes on the machine must not count against it.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

/// A seeded mix of what applications send over HEC: strings, integers,
/// decimals, booleans, a nested object, an array of strings and an array of
/// objects (about 300 bytes an event).
std::vector<std::string> generate(size_t n) {
  std::mt19937_64 rng{2026};
  const char* users[] = {"bob", "alice", "carol", "dave", "erin", "frank"};
  const char* countries[][2] = {
      {"JP", "Tokyo"}, {"US", "Boston"}, {"FR", "Paris"}, {"DE", "Berlin"}};
  const char* levels[] = {"INFO", "INFO", "INFO", "WARN", "ERROR"};
  const char* paths[] = {"/api/v1/items", "/api/v1/cart", "/login", "/static/app.js",
                         "/api/v2/search?q=shoes"};
  std::vector<std::string> out;
  out.reserve(n);
  char buf[1024];
  for (size_t i = 0; i < n; ++i) {
    auto r = rng();
    auto* geo = countries[r % 4];
    std::snprintf(
        buf, sizeof buf,
        R"({"time":"2026-11-22T%02d:%02d:%02d.%03dZ","level":"%s","user":"%s","method":"GET",)"
        R"("path":"%s","status":%d,"latency_ms":%d.%02d,"bytes":%llu,"ok":%s,)"
        R"("geo":{"country":"%s","city":"%s"},"tags":["beta","web"],)"
        R"("items":[{"sku":"A%d","qty":%d},{"sku":"B%d","qty":1}],"trace_id":"%016llx"})",
        int(i / 3600 % 24), int(i / 60 % 60), int(i % 60), int(r % 1000), levels[(r >> 8) % 5],
        users[(r >> 12) % 6], paths[(r >> 16) % 5], 200 + int((r >> 20) % 4) * 100,
        int((r >> 24) % 900), int((r >> 32) % 100), (unsigned long long)((r >> 36) % 100000),
        (r >> 52) % 3 ? "true" : "false", geo[0], geo[1], int((r >> 40) % 50), int((r >> 46) % 9),
        int((r >> 50) % 50), (unsigned long long)r);
    out.emplace_back(buf);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  size_t events = 1'000'000, rounds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events")) events = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::stoul(argv[i + 1]);
  }
  auto raws = generate(events);
  size_t bytes = 0;
  for (auto& r : raws) bytes += r.size();
  std::printf("%zu JSON events, %.1f MB (%.0f bytes an event); simdjson kernel: %s\n", events,
              double(bytes) / 1e6, double(bytes) / double(events),
              simdjson::get_active_implementation()->name().c_str());

  // Baseline: simdjson's own parse of the same bytes into its DOM (copied into
  // a padded buffer, as the extractor does), nothing else.
  simdjson::dom::parser parser;
  std::vector<char> padded;
  double best_parse = 1e18;
  size_t check = 0;
  for (size_t round = 0; round < rounds; ++round) {
    double t0 = cpu_seconds();
    for (auto& r : raws) {
      if (padded.size() < r.size() + simdjson::SIMDJSON_PADDING)
        padded.resize(r.size() + simdjson::SIMDJSON_PADDING);
      std::memcpy(padded.data(), r.data(), r.size());
      simdjson::dom::element e;
      if (parser.parse(padded.data(), r.size(), false).get(e)) return 1;
      check += e.is_object();
    }
    best_parse = std::min(best_parse, cpu_seconds() - t0);
  }

  // kura: every field of every event into a row, as a search reads them.
  double best_extract = 1e18;
  size_t fields = 0;
  for (size_t round = 0; round < rounds; ++round) {
    fields = 0;
    double t0 = cpu_seconds();
    for (auto& r : raws) {
      search::row row;
      search::extract_json_fields(r, row);
      fields += row.fields().size();
    }
    best_extract = std::min(best_extract, cpu_seconds() - t0);
  }
  if (fields != events * 15 || check != events * rounds) {
    std::fprintf(stderr, "unexpected: %zu fields (want %zu)\n", fields, events * 15);
    return 1;
  }

  // What a search such as `stats sum(latency_ms) by geo.country` asks for: two fields.
  std::set<std::string> wanted{"latency_ms", "geo.country"};
  double best_wanted = 1e18;
  for (size_t round = 0; round < rounds; ++round) {
    double t0 = cpu_seconds();
    for (auto& r : raws) {
      search::row row;
      if (!search::try_extract_json_fields(r, row, &wanted) || row.fields().size() != 2) return 1;
    }
    best_wanted = std::min(best_wanted, cpu_seconds() - t0);
  }

  double parse_mbs = double(bytes) / best_parse / 1e6,
         extract_mbs = double(bytes) / best_extract / 1e6;
  std::printf("(best of %zu rounds, CPU time of this thread)\n", rounds);
  std::printf("simdjson DOM parse only (baseline): %8.0f MB/s  %6.2f s\n", parse_mbs, best_parse);
  std::printf(
      "kura extract_json_fields:           %8.0f MB/s  %6.2f s  (%.2f M events/s, 15 fields "
      "each)\n",
      extract_mbs, best_extract, double(events) / best_extract / 1e6);
  std::printf("kura, 2 fields a search reads:       %8.0f MB/s  %6.2f s\n",
              double(bytes) / best_wanted / 1e6, best_wanted);
  std::printf("ratio kura (every field) / baseline: %.2f; target >= 300 MB/s per core: %s\n",
              extract_mbs / parse_mbs, extract_mbs >= 300 ? "met" : "NOT met");
  return extract_mbs >= 300 ? 0 : 2;
}
