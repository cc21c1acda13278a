// The default sink writes "LEVEL component - message" lines to stderr.
#include "core/log.hpp"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>

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

sink file_sink(const std::string& file, std::function<void(std::string_view line)> also) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path{file}.parent_path(), ec);
  auto out = std::make_shared<std::ofstream>(file, std::ios::app);
  return [out, also = std::move(also)](level l, std::string_view component, std::string_view message) {
    char stamp[32];
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string line = std::string{stamp} + " " + level_name(l) + " ";
    line.append(component).append(" - ").append(message);
    if (also) also(line);
    line += '\n';
    *out << line << std::flush;
    std::fputs(line.c_str(), stderr);
  };
}

}  // namespace kura::log
