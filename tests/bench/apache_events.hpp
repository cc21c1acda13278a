// A generated workload of Apache combined access-log lines (the ingest target's
// data: 1M lines, about 145 MB), as events with timestamps 1 ms apart.
#pragma once

#include <string>
#include <vector>

#include "core/event.hpp"

namespace kura::bench {

struct apache_events {
  /// Makes `count` lines from a seeded generator (the same lines every run):
  /// 20,000 client addresses, 40 paths (a quarter with an id), weighted
  /// status codes, 8 user agents, one host and source. The views point into this object.
  explicit apache_events(size_t count);

  std::vector<event_view> events;
  uint64_t raw_bytes = 0;  ///< bytes of _raw plus one newline per event

 private:
  std::vector<std::string> lines_;
};

}  // namespace kura::bench
