// The default sink writes "LEVEL component - message" lines to stderr.
#include "core/log.hpp"

#include <cstdio>
#include <mutex>

namespace kura::log {
namespace {

const char* level_name(level l) {
  switch (l) {
    case level::debug: return "DEBUG";
    case level::info: return "INFO";
    case level::warn: return "WARN";
    case level::error: return "ERROR";
  }
  return "?";
}

std::mutex& sink_mutex() {
  static std::mutex m;
  return m;
}

sink& current() {
  static sink s = [](level l, std::string_view component, std::string_view message) {
    std::fprintf(stderr, "%-5s %.*s - %.*s\n", level_name(l), int(component.size()),
                 component.data(), int(message.size()), message.data());
  };
  return s;
}

}  // namespace

sink set_sink(sink s) {
  std::lock_guard lock{sink_mutex()};
  std::swap(current(), s);
  return s;
}

void write(level lvl, std::string_view component, std::string_view message) {
  std::lock_guard lock{sink_mutex()};
  current()(lvl, component, message);
}

}  // namespace kura::log
