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

using namespace kura;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

struct sample {
  std::string name;
  std::vector<std::string> lines;
};

std::vector<sample> load_loghub(const io::fs::path& root) {
  std::vector<sample> out;
  std::error_code ec;
  for (auto& entry : io::fs::directory_iterator(root, ec)) {
    if (!entry.is_directory()) continue;
    auto name = entry.path().filename().string();
    std::ifstream in(entry.path() / (name + "_2k.log"));
    sample s{name, {}};
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) s.lines.push_back(line);
    if (!s.lines.empty()) out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

uint64_t size_of(const io::fs::path& p) {
  std::error_code ec;
  auto n = io::fs::file_size(p, ec);
  return ec ? 0 : n;
}

}  // namespace

int main(int argc, char** argv) {
  io::fs::path loghub = "../shared/datasets/loghub";
  size_t events = 1'000'000;
  io::fs::path dir;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--loghub" && i + 1 < argc) loghub = argv[++i];
    else if (a == "--events" && i + 1 < argc) events = std::stoul(argv[++i]);
    else if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else if (a == "--keep") keep = true;
    else {
      std::fprintf(stderr, "usage: kura-bench-storage [--loghub DIR] [--events N] [--dir D] [--keep]\n");
      return 2;
    }
  }
  auto samples = load_loghub(loghub);
  if (samples.empty()) {
    std::fprintf(stderr, "error: no Loghub samples under %s\n", loghub.c_str());
    return 1;
  }
  if (dir.empty()) {
    std::string tmpl = (io::fs::temp_directory_path() / "kura-bench-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
  }
  // Events: the samples interleaved in runs of 100 lines, as if 16 sources were
  // writing at once, with fresh timestamps 1 ms apart ending now.
  std::vector<event_view> evs;
  evs.reserve(events);
  std::vector<std::string> hosts, sources;
  for (auto& s : samples) {
    hosts.push_back("host-" + s.name);
    sources.push_back("/var/log/" + s.name + ".log");
  }
  time_us now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  uint64_t raw_bytes = 0;
  for (size_t i = 0; i < events; ++i) {
    size_t run = i / 100, which = run % samples.size();
    auto& s = samples[which];
    auto& line = s.lines[((run / samples.size()) * 100 + i % 100) % s.lines.size()];
    evs.push_back({now_us - time_us(events - i) * 1000, hosts[which], sources[which], s.name, line, {}});
    raw_bytes += line.size() + 1;
  }
  double raw_mb = double(raw_bytes) / 1e6;
  std::printf("kura storage benchmark: %zu events, %.1f MB of raw text from %zu Loghub samples, dir %s\n", events,
              raw_mb, samples.size(), dir.c_str());

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
  if (!keep) io::remove_all(dir);
  return 0;
}
