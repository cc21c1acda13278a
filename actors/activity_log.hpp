// What a node did lately, for its status page: events stored per 10 s over
// the last 5 minutes, and the latest WARN and ERROR log lines. Thread-safe
// (HTTP threads read it, ingestion and the log sink write it). No CAF.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "actors/node_api.hpp"

namespace kura {

class activity_log {
 public:
  /// The chart: 30 intervals of 10 s; and how many problem lines are kept.
  static constexpr int interval_secs = 10;
  static constexpr size_t intervals = 30;
  static constexpr size_t kept_problems = 20;

  /// Counts `n` events stored at `now`.
  void count_stored(size_t n, time_us now);
  /// Keeps a log line when it is a WARN or ERROR line.
  void note_line(const std::string& line);
  /// The chart up to `now` (oldest interval first) and the problems.
  activity snapshot(time_us now) const;

 private:
  mutable std::mutex mutex_;
  std::map<int64_t, uint64_t> stored_;  // interval number -> events
  std::deque<std::string> problems_;
};

}  // namespace kura
