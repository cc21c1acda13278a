// Index-time CPU per event, stage by stage, on generated Apache combined lines
// (the ingest target's data): line breaking + timestamp recognition through
// event_stream, timestamp recognition alone, segmentation, index_builder::add
// (segmentation + term table + postings) and write_files (index.tsidx, bloom
// filter, manifest). Prints ns/event and events/s per stage, best of --repeat
// runs, and an XXH3 of index.tsidx so that two builds can be checked to write
// byte-identical files. Run from a Release build: scripts/bench-index. With
// --file F the events' text is F's first N lines (e.g. scripts/bench-speed's
// data, kept with --keep), their times and metadata the generator's.
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "apache_events.hpp"
#include "core/bucket/bucket_files.hpp"
#include "core/bucket/index_builder.hpp"
#include "core/io/file.hpp"
#include "core/pipeline/event_stream.hpp"
#include "core/pipeline/timestamp.hpp"
#include "core/text/segmenter.hpp"

using namespace kura;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

/// Runs `fn` `repeat` times and returns the fastest run in seconds.
template <class F>
double best_of(int repeat, F&& fn) {
  double best = 1e300;
  for (int r = 0; r < repeat; ++r) {
    auto t0 = clock_type::now();
    fn();
    best = std::min(best, seconds_since(t0));
  }
  return best;
}

void print_stage(const char* name, double secs, size_t events) {
  std::printf("%-34s %9.1f ns/event %12.0f events/s\n", name, secs * 1e9 / double(events),
              double(events) / secs);
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = 1'000'000;
  int repeat = 3;
  std::string dir = "/tmp/kura-bench-index-" + std::to_string(getpid());
  std::string file;  // --file: its first N lines as the events' text (scripts/bench-speed's data)
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--events" && i + 1 < argc) {
      count = std::strtoul(argv[++i], nullptr, 10);
    } else if (a == "--repeat" && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--file" && i + 1 < argc) {
      file = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: kura-bench-index [--events N] [--repeat R] [--dir D] [--file F]\n");
      return 2;
    }
  }
  if (count == 0) {
    std::fprintf(stderr, "error: --events must be at least 1\n");
    return 2;
  }
  bench::apache_events data(count);
  std::vector<std::string> file_lines;
  if (!file.empty()) {
    std::ifstream in(file);
    for (std::string line; file_lines.size() < count && std::getline(in, line);)
      file_lines.push_back(std::move(line));
    if (file_lines.size() < count) {
      std::fprintf(stderr, "error: %s has fewer than %zu lines\n", file.c_str(), count);
      return 2;
    }
    for (size_t i = 0; i < count; ++i) data.events[i].raw = file_lines[i];
  }
  std::string body;
  body.reserve(data.raw_bytes);
  for (auto& ev : data.events) {
    body.append(ev.raw);
    body += '\n';
  }
  std::printf("%zu Apache combined lines, %.1f MB, best of %d\n", count, double(body.size()) / 1e6,
              repeat);

  // Line breaking + timestamps: the HEC raw path (default sourcetype rules),
  // fed in 1 MB bodies.
  const time_us now = 1'796'169'600'000'000;  // 2026-12-02T00:00:00Z
  input_meta meta{"web-01", "/var/log/apache2/access.log", "access_combined", "main"};
  // The events of each body are dropped before the next, as the node does
  // once they are stored.
  size_t parsed_count = 0;
  double t_pipeline = best_of(repeat, [&] {
    auto stream = event_stream::open(sourcetype_rules{}, meta);
    if (!stream) std::abort();
    std::vector<parsed_event> out;
    parsed_count = 0;
    for (size_t at = 0; at < body.size(); at += 1 << 20) {
      stream->feed(std::string_view{body}.substr(at, 1 << 20), now, out);
      parsed_count += out.size();
      out.clear();
    }
    stream->finish(now, out);
    parsed_count += out.size();
  });
  if (parsed_count != count) {
    std::fprintf(stderr, "error: the pipeline made %zu events of %zu lines\n", parsed_count, count);
    return 1;
  }

  size_t found = 0;
  double t_timestamp = best_of(repeat, [&] {
    auto rec = timestamp_recognizer::make(timestamp_rules{});
    if (!rec) std::abort();
    found = 0;
    // The lines carry whole seconds.
    for (auto& ev : data.events) found += rec->find(ev.raw, now) == ev.time - ev.time % us_per_sec;
  });
  if (found != count && file.empty()) {  // a file's lines carry their own times
    std::fprintf(stderr, "error: %zu of %zu timestamps recognized correctly\n", found, count);
    return 1;
  }

  size_t terms = 0;
  double t_segment = best_of(repeat, [&] {
    std::string scratch;
    size_t n = 0, bytes = 0;
    for (auto& ev : data.events)
      segmenter::for_each_term(ev.raw, scratch, [&](std::string_view t) {
        ++n;
        bytes += t.size();
      });
    terms = n;
    if (bytes == 0) std::abort();  // uses the terms' sizes, so the loop is not optimized away
  });

  index_builder last;
  double t_add = best_of(repeat, [&] {
    index_builder b;
    for (size_t i = 0; i < data.events.size(); ++i) b.add(i, data.events[i]);
    last = std::move(b);
  });
  size_t distinct = 0;
  last.for_each_term([&](std::string_view) { ++distinct; });

  std::vector<slice_info> slices{
      {0, 0, uint32_t(body.size()), uint32_t(count), 0, last.min_time(), last.max_time()}};
  io::fs::path out_dir{dir};
  if (auto err = io::make_dirs(out_dir)) {
    std::fprintf(stderr, "error: %s\n", err.message().c_str());
    return 1;
  }
  double t_write = best_of(repeat, [&] {
    if (auto err = last.write_files(out_dir, bucket_id{1}, slices, body.size(), true)) {
      std::fprintf(stderr, "error: %s\n", err.message().c_str());
      std::exit(1);
    }
  });
  auto tsidx = io::read_file(out_dir / bucket_files::tsidx);
  if (!tsidx) {
    std::fprintf(stderr, "error: %s\n", tsidx.err().message().c_str());
    return 1;
  }
  uint64_t tsidx_hash = XXH3_64bits(tsidx->data(), tsidx->size());
  (void)io::remove_all(out_dir);

  std::printf("%zu terms per event on average, %zu distinct terms\n", terms / count, distinct);
  print_stage("pipeline (line breaking+timestamp)", t_pipeline, count);
  print_stage("  timestamp recognition alone", t_timestamp, count);
  print_stage("segmentation", t_segment, count);
  print_stage("index add (segment+terms+postings)", t_add, count);
  print_stage("  term table + postings (add-seg)", std::max(0.0, t_add - t_segment), count);
  print_stage("write_files (tsidx+bloom+manifest)", t_write, count);
  print_stage("total (pipeline+add+write)", t_pipeline + t_add + t_write, count);
  std::printf("index.tsidx %zu bytes, xxh3 %016llx\n", tsidx->size(),
              (unsigned long long)tsidx_hash);
  return 0;
}
