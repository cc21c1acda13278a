// Storage-engine benchmark: writes Loghub-derived events (already parsed, with
// fresh timestamps) into a searchable bucket and a journal-only copy, then
// rebuilds it and looks up posting lists. Prints throughput, sizes and latencies,
// and as a baseline in the same run the speed of writing the same raw text to a
// plain file. Run from a Release build: scripts/bench-storage [--events N].
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_ops.hpp"
#include "core/bucket/bucket_reader.hpp"
#include "core/bucket/hot_bucket.hpp"
#include "core/io/file.hpp"
#include "loghub_events.hpp"

using namespace kura;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

uint64_t size_of(const io::fs::path& p) {
  std::error_code ec;
  auto n = io::fs::file_size(p, ec);
  return ec ? 0 : n;
}

}  // namespace

int main(int argc, char** argv) {
  bench::bench_args args;
  if (!args.parse(argc, argv, "kura-bench-storage")) return 2;
  auto workload = args.load();
  if (!workload) return 1;
  auto& data = *workload;
  auto dir = args.work_dir("kura-bench");
  const auto& evs = data.events;
  size_t events = evs.size();
  uint64_t raw_bytes = data.raw_bytes;
  double raw_mb = double(raw_bytes) / 1e6;
  std::printf("kura storage benchmark: %zu events, %.1f MB of raw text from %zu Loghub samples, dir %s\n", events,
              raw_mb, data.samples, dir.c_str());

  // Baseline: the same raw text written to a plain file and fsync'd.
  {
    auto t = clock_type::now();
    auto f = io::append_file::open(dir / "baseline.txt");
    std::string buf;
    for (auto& e : evs) {
      buf.append(e.raw);
      buf.push_back('\n');
      if (buf.size() > (1 << 20)) {
        (void)f->append(buf);
        buf.clear();
      }
    }
    (void)f->append(buf);
    (void)f->sync();
    double s = seconds_since(t);
    std::printf("baseline  plain write of the raw text:      %8.3f s  %9.0f events/s  %7.1f MB/s\n", s,
                events / s, raw_mb / s);
    io::remove_all(dir / "baseline.txt");
  }

  // Searchable bucket: journal + index building + roll (index files, bloom filter).
  io::fs::path warm;
  double write_s, roll_s = 0;
  {
    auto t = clock_type::now();
    auto hot = hot_bucket::create(dir, bucket_id{1});
    if (!hot) return std::fprintf(stderr, "error: %s\n", hot.err().render().c_str()), 1;
    for (auto& e : evs)
      if (auto err = hot->append(e)) return std::fprintf(stderr, "error: %s\n", err.render().c_str()), 1;
    auto roll_start = clock_type::now();
    auto rolled = hot->roll("", true);
    roll_s = seconds_since(roll_start);
    if (!rolled) return std::fprintf(stderr, "error: %s\n", rolled.err().render().c_str()), 1;
    warm = *rolled;
    write_s = seconds_since(t);
  }
  auto jbytes = size_of(warm / bucket_files::rawdata_dir / bucket_files::journal);
  auto ibytes = size_of(warm / bucket_files::tsidx) + size_of(warm / bucket_files::manifest) +
                size_of(warm / bucket_files::bloomfilter);
  std::printf("write     searchable bucket (incl. roll):   %8.3f s  %9.0f events/s  %7.1f MB/s   target >= 300000 events/s\n",
              write_s, events / write_s, raw_mb / write_s);
  std::printf("          of which the roll (index files):   %8.3f s\n", roll_s);

  // Journal-only copy: what a non-searchable replica costs to write.
  {
    auto t = clock_type::now();
    auto j = journal_writer::create(dir / "journal-only");
    for (auto& e : evs) (void)j->append(e);
    (void)j->commit();
    double s = seconds_since(t);
    std::printf("write     journal-only copy:                %8.3f s  %9.0f events/s  %7.1f MB/s\n", s, events / s,
                raw_mb / s);
    io::remove_all(dir / "journal-only");
  }
  std::printf("size      journal-only copy:  %7.1f MB = %5.1f%% of raw   target <= 35%%\n", jbytes / 1e6,
              100.0 * double(jbytes) / double(raw_bytes));
  std::printf("size      searchable copy:    %7.1f MB = %5.1f%% of raw   target <= 50%%  (journal %.1f%% + index files %.1f%%)\n",
              (jbytes + ibytes) / 1e6, 100.0 * double(jbytes + ibytes) / double(raw_bytes),
              100.0 * double(jbytes) / double(raw_bytes), 100.0 * double(ibytes) / double(raw_bytes));

  // Rebuild from the journal.
  {
    auto t = clock_type::now();
    auto r = rebuild(warm, true);
    double s = seconds_since(t);
    if (!r) return std::fprintf(stderr, "error: %s\n", r.err().render().c_str()), 1;
    std::printf("rebuild   index files from the journal:     %8.3f s  %9.0f events/s                target >= 300000 events/s\n",
                s, events / s);
  }

  // Posting-list lookups in the warm bucket.
  {
    auto t = clock_type::now();
    auto reader = bucket_reader::open(warm);
    double open_ms = seconds_since(t) * 1e3;
    if (!reader) return std::fprintf(stderr, "error: %s\n", reader.err().render().c_str()), 1;
    std::printf("open      warm bucket:                      %8.3f ms\n", open_ms);
    for (std::string term : {"info", "error", "failed", "sshd", "blk_-8775602795571523802", "sourcetype|linux"}) {
      std::vector<double> lat;
      uint64_t card = 0;
      for (int i = 0; i < 200; ++i) {
        auto t1 = clock_type::now();
        auto p = reader->postings(term);
        lat.push_back(seconds_since(t1) * 1e3);
        card = p ? p->cardinality() : 0;
      }
      std::sort(lat.begin(), lat.end());
      std::printf("lookup    %-28s %8llu events  median %.4f ms  max %.4f ms   target <= 1 ms\n", term.c_str(),
                  (unsigned long long)card, lat[lat.size() / 2], lat.back());
    }
  }
  if (!args.keep) (void)io::remove_all(dir);
  return 0;
}
