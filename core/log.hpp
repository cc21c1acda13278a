// The core logger: one process-wide sink, one component tag per module. The node
// (issue 4) installs a sink that writes its log file and feeds `_internal`.
#pragma once

#include <functional>
#include <string_view>

namespace kura::log {

enum class level { debug, info, warn, error };

/// Receives every log line. Must be thread-safe; the default writes to stderr.
using sink = std::function<void(level, std::string_view component, std::string_view message)>;

/// Replaces the sink and returns the previous one (tests capture lines with it).
sink set_sink(sink s);

/// A program's sink: "<UTC time> LEVEL component - message" lines appended to
/// `file` (created with its directory) and to stderr; `also` (if set) gets
/// each line without its newline (the node indexes its own log with it).
sink file_sink(const std::string& file, std::function<void(std::string_view line)> also = {});

/// Writes one line through the current sink.
void write(level lvl, std::string_view component, std::string_view message);

inline void info(std::string_view component, std::string_view message) {
  write(level::info, component, message);
}
inline void warn(std::string_view component, std::string_view message) {
  write(level::warn, component, message);
}
inline void error(std::string_view component, std::string_view message) {
  write(level::error, component, message);
}

}  // namespace kura::log
