// Test helpers for core: a temporary directory per test, deterministic event
// generators, a log capture, and a naive reader used as an oracle.
#pragma once

#include <roaring/roaring.hh>

#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/io/file.hpp"
#include "core/log.hpp"

namespace kura::testing {

/// A fresh directory under /tmp, removed with its content on destruction.
struct temp_dir {
  temp_dir();
  ~temp_dir();
  io::fs::path path;
  io::fs::path operator/(const std::string& sub) const { return path / sub; }
};

/// Owned events with views onto them (event_view needs storage that outlives it).
struct event_set {
  std::vector<event> events;
  std::vector<event_view> views() const;
};

/// `n` varied log events starting at `start` (one per `step` microseconds), with
/// a few hosts, sources and sourcetypes, and tokens that repeat with known rates.
event_set make_events(size_t n, time_us start, time_us step = 1'000'000, unsigned seed = 1);

/// Collects log lines while alive.
struct log_capture {
  log_capture();
  ~log_capture();
  bool contains(const std::string& needle) const;
  std::vector<std::string> lines;
  log::sink previous;
};

/// The ordinals whose event contains `term`, found by segmenting every event
/// (the oracle for posting lists). Field terms (field_term("host", "x")) are checked too.
Roaring naive_postings(const std::vector<event>& events, const std::string& term);

/// Bytes of a file (REQUIRE-style helper: empty on error).
std::string slurp(const io::fs::path& p);
/// Overwrites a file with `bytes`.
void spit(const io::fs::path& p, const std::string& bytes);

}  // namespace kura::testing
