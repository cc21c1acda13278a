// The benchmark workload: events made from the 16 Loghub samples, interleaved
// in runs of 100 lines (as if 16 sources wrote at once), already parsed, with
// fresh timestamps 1 ms apart ending now. Shared by every benchmark program.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/io/file.hpp"

namespace kura::bench {

struct loghub_events {
  /// Loads the samples below `root` and makes `count` events. The views point
  /// into this object; `samples` is 0 when nothing was found.
  loghub_events(const io::fs::path& root, size_t count);

  std::vector<event_view> events;
  uint64_t raw_bytes = 0;  ///< bytes of _raw plus one newline per event
  size_t samples = 0;

 private:
  std::vector<std::string> names_, hosts_, sources_;
  std::vector<std::vector<std::string>> lines_;
};

/// A fresh directory below the system's temporary directory.
io::fs::path make_temp_dir(const std::string& prefix);

/// The median of `v` (the upper one of an even count); `v` must not be empty.
double median_ms(std::vector<double> v);

/// Common flags of the benchmark programs: --loghub DIR --events N --dir D --keep.
struct bench_args {
  io::fs::path loghub = "../shared/datasets/loghub";
  size_t events = 1'000'000;
  io::fs::path dir;
  bool keep = false;
  /// Parses argv; prints usage and returns false on a bad flag.
  bool parse(int argc, char** argv, const char* program);
  /// The workload of --events events from --loghub; nullptr (after saying why) when no sample is found.
  std::unique_ptr<loghub_events> load() const;
  /// --dir, or a fresh temporary directory named after `prefix`.
  io::fs::path work_dir(const std::string& prefix) const;
};

}  // namespace kura::bench
