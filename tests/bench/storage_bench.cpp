// Storage-engine benchmark: writes Loghub-derived events (already parsed, with
// fresh timestamps) or generated Apache access lines (--apache) into a
// searchable bucket and journal-only copies, then rebuilds it and looks up
// posting lists. Prints throughput, sizes and latencies, and as a baseline in
// the same run the speed of writing the same raw text to a plain file. The
// journal-only copies compare codecs in the same run: Snappy, zstd levels 1, 3
// and 6 (in columns) and zstd level 1 in rows (--journal-compression snappy|zstd
// narrows it; --journal-slice-kb N tries another slice size). Run from a Release build:
// scripts/bench-storage [--events N].
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "apache_events.hpp"
#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_ops.hpp"
#include "core/bucket/bucket_reader.hpp"
#include "core/bucket/hot_bucket.hpp"
#include "core/io/file.hpp"
#include "core/journal/journal.hpp"
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

/// This program's own flags, taken out of argv before bench_args sees the rest.
struct journal_args {
  bool apache = false;
  std::vector<journal_compression> codecs{journal_compression::snappy, journal_compression::zstd};
  size_t slice_kb = 0;

  /// Removes the flags it knows from argv. Prints why and returns false on a bad value.
  bool take(int& argc, char** argv) {
    int out = 1;
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--apache") {
        apache = true;
      } else if (a == "--journal-compression" && i + 1 < argc) {
        std::string v = argv[++i];
        if (v == "snappy")
          codecs = {journal_compression::snappy};
        else if (v == "zstd")
          codecs = {journal_compression::zstd};
        else
          return std::fprintf(stderr, "error: --journal-compression: expected snappy or zstd\n"),
                 false;
      } else if (a == "--journal-slice-kb" && i + 1 < argc) {
        slice_kb = std::strtoul(argv[++i], nullptr, 10);
        if (slice_kb == 0 || slice_kb > 16384)
          return std::fprintf(stderr, "error: --journal-slice-kb: expected 1..16384\n"), false;
      } else {
        argv[out++] = argv[i];
      }
    }
    argc = out;
    return true;
  }
};

/// Writes the events as a journal-only copy with `opts`, then scans and decodes
/// it; prints write and decode speed and the size against the raw text.
int journal_only(const io::fs::path& path, const std::vector<event_view>& evs, uint64_t raw_bytes,
                 journal_options opts, const std::string& name) {
  double raw_mb = double(raw_bytes) / 1e6;
  auto t = clock_type::now();
  auto j = journal_writer::create(path, opts);
  if (!j) return std::fprintf(stderr, "error: %s\n", j.err().render().c_str()), 1;
  for (auto& e : evs)
    if (auto err = j->append(e))
      return std::fprintf(stderr, "error: %s\n", err.render().c_str()), 1;
  if (auto err = j->commit()) return std::fprintf(stderr, "error: %s\n", err.render().c_str()), 1;
  double ws = seconds_since(t);
  uint64_t bytes = j->file_size();
  size_t slices = j->slices().size();
  auto mapped = io::mapped_file::open(path);
  if (!mapped) return std::fprintf(stderr, "error: %s\n", mapped.err().render().c_str()), 1;
  t = clock_type::now();
  auto scan = scan_journal(mapped->bytes());
  if (!scan || !scan->clean() || scan->events != evs.size())
    return std::fprintf(stderr, "error: the %s journal does not scan clean\n", name.c_str()), 1;
  slice_scratch scratch;
  uint64_t decoded = 0, raw_seen = 0;
  for (auto& slice : scan->slices) {
    auto err = decode_slice(mapped->bytes(), slice, scratch, [&](uint64_t, const event_view& ev) {
      ++decoded;
      raw_seen += ev.raw.size() + 1;
    });
    if (err) return std::fprintf(stderr, "error: %s\n", err.render().c_str()), 1;
  }
  double ds = seconds_since(t);
  if (decoded != evs.size() || raw_seen != raw_bytes)
    return std::fprintf(stderr, "error: the %s journal decodes to other events\n", name.c_str()), 1;
  std::printf(
      "journal   %-11s %5zu slices of %3zu KiB: %5.1f%% of raw (%6.1f MB)  write %8.0f events/s "
      "%6.1f MB/s"
      "  decode %8.0f events/s %6.1f MB/s\n",
      name.c_str(), slices, size_t(raw_bytes / std::max<size_t>(slices, 1) / 1024),
      100.0 * double(bytes) / double(raw_bytes), bytes / 1e6, evs.size() / ws, raw_mb / ws,
      evs.size() / ds, raw_mb / ds);
  (void)io::remove_all(path);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  journal_args jargs;
  if (!jargs.take(argc, argv)) return 2;
  bench::bench_args args;
  if (!args.parse(argc, argv, "kura-bench-storage")) {
    std::fprintf(stderr,
                 "  and [--apache] [--journal-compression snappy|zstd] [--journal-slice-kb N]\n");
    return 2;
  }
  std::unique_ptr<bench::loghub_events> loghub;
  std::unique_ptr<bench::apache_events> apache;
  if (jargs.apache) {
    apache = std::make_unique<bench::apache_events>(args.events);
  } else {
    loghub = args.load();
    if (!loghub) return 1;
  }
  auto dir = args.work_dir("kura-bench");
  const auto& evs = apache ? apache->events : loghub->events;
  size_t events = evs.size();
  uint64_t raw_bytes = apache ? apache->raw_bytes : loghub->raw_bytes;
  double raw_mb = double(raw_bytes) / 1e6;
  std::string origin = apache ? "generated Apache access lines"
                              : "from " + std::to_string(loghub->samples) + " Loghub samples";
  std::printf("kura storage benchmark: %zu events, %.1f MB of raw text, %s, dir %s\n", events,
              raw_mb, origin.c_str(), dir.c_str());

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

  // Journal-only copies: what a non-searchable replica costs to write, per codec.
  std::printf("journal-only copies (target <= 12%% of raw):\n");
  for (auto codec : jargs.codecs) {
    for (int level :
         codec == journal_compression::zstd ? std::vector<int>{1, 3, 6} : std::vector<int>{0}) {
      journal_options opts{codec, level, jargs.slice_kb * 1024};
      std::string name{to_string(codec)};
      if (level) name += "-" + std::to_string(level);
      if (int rc = journal_only(dir / ("journal-" + name), evs, raw_bytes, opts, name)) return rc;
    }
  }
  // zstd of the row layout, what zstd journals were before the column layout.
  if (std::count(jargs.codecs.begin(), jargs.codecs.end(), journal_compression::zstd)) {
    journal_options rows{journal_compression::zstd, 1, jargs.slice_kb * 1024, true};
    if (int rc = journal_only(dir / "journal-rows", evs, raw_bytes, rows, "zstd-rows-1")) return rc;
  }
  std::printf(
      "size      journal-only copy (default, %s):  %7.1f MB = %5.1f%% of raw   target <= 12%%\n",
      std::string{to_string(default_journal_compression)}.c_str(), jbytes / 1e6,
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
