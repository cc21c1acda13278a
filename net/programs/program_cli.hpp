// What the programs share about their command lines (CLI11).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace kura::programs {

/// Parses the command line; on --help or a mistake returns the exit code
/// (0 for --help, 2 for a usage error, after CLI11 printed the message).
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return std::nullopt;
}

}  // namespace kura::programs
