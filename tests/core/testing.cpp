// Test helpers.
#include "core/testing.hpp"

#include <unistd.h>

#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

#include "core/bucket/index_builder.hpp"
#include "core/text/segmenter.hpp"

namespace kura::testing {

temp_dir::temp_dir() {
  std::string tmpl = (io::fs::temp_directory_path() / "kura-test-XXXXXX").string();
  path = ::mkdtemp(tmpl.data());
}

temp_dir::~temp_dir() {
  std::error_code ec;
  io::fs::remove_all(path, ec);
}

std::vector<event_view> event_set::views() const {
  std::vector<event_view> out;
  out.reserve(events.size());
  for (auto& e : events) {
    event_view v{e.time, e.host, e.source, e.sourcetype, e.raw, {}};
    for (auto& [k, val] : e.fields) v.fields.push_back({k, val});
    out.push_back(std::move(v));
  }
  return out;
}

event_set make_events(size_t n, time_us start, time_us step, unsigned seed) {
  std::mt19937 rng(seed);
  static const char* words[] = {"error", "warning", "info", "connection", "closed", "user", "login",
                                "failed", "disk", "timeout", "request", "GET", "POST", "ok"};
  event_set set;
  set.events.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    event e;
    e.time = start + time_us(i) * step;
    e.host = "web" + std::to_string(i % 3);
    e.source = "/var/log/app" + std::to_string(i % 2) + ".log";
    e.sourcetype = i % 5 == 0 ? "syslog" : "app_log";
    std::ostringstream raw;
    raw << "2026-11-22 seq=" << i << " " << words[rng() % 14] << " " << words[rng() % 14]
        << " src=10.0.0." << (i % 7) << " id=" << rng() % 100000 << " msg=\"Item " << i % 11 << "\"";
    if (i % 97 == 0) raw << " needle-" << i;
    e.raw = raw.str();
    if (i % 4 == 0) e.fields.push_back({"team", i % 8 == 0 ? "Blue" : "red"});
    set.events.push_back(std::move(e));
  }
  return set;
}

log_capture::log_capture() {
  auto* self = this;
  previous = log::set_sink([self](log::level, std::string_view c, std::string_view m) {
    self->lines.push_back(std::string{c} + " - " + std::string{m});
  });
}

log_capture::~log_capture() { log::set_sink(previous); }

bool log_capture::contains(const std::string& needle) const {
  for (auto& l : lines)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

Roaring naive_postings(const std::vector<event>& events, const std::string& term) {
  Roaring out;
  std::string scratch;
  for (size_t i = 0; i < events.size(); ++i) {
    auto& e = events[i];
    bool hit = false;
    segmenter::for_each_term(e.raw, scratch, [&](std::string_view t) { hit |= t == term; });
    auto field_hit = [&](const std::string& k, const std::string& v) { return term == field_term(k, v); };
    hit |= field_hit("host", e.host) || field_hit("source", e.source) || field_hit("sourcetype", e.sourcetype);
    for (auto& [k, v] : e.fields) hit |= field_hit(k, v);
    if (hit) out.add(uint32_t(i));
  }
  return out;
}

std::string slurp(const io::fs::path& p) {
  auto r = io::read_file(p);
  return r ? *r : std::string{};
}

void spit(const io::fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace kura::testing
