// kura-forward's configuration: inputs (Splunk's inputs.conf `monitor` and
// stdin) and the output (outputs.conf `[tcpout]`), from TOML:
//
//   [forwarder]
//   name = "web1"                       # channel prefix and default host (default: the host name)
//   home = "/var/lib/kura-forward"      # read positions live here (default: $KURA_HOME)
//
//   [tcpout]
//   server = ["idx1:9997", "idx2:9997"]
//   autoLBFrequency = 30                # s; switch to a random other receiver
//   useACK = true
//   maxQueueSize = "7MB"                # blocks held for sending or acks; inputs wait when full
//   ackTimeout = 30                     # s without an ack: resend elsewhere
//
//   [monitor.app]                       # one table per monitored glob
//   path = "/var/log/app/*.log"
//   index = "main"; sourcetype = "app"; host = "…"; source = "…"   (optional)
//
//   [stdin]                             # read standard input (same optional keys)
//
// Errors name file, line, column, section, key and what was expected.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/io/file.hpp"

namespace kura::config {

/// Metadata a forwarder gives the events of one input.
struct input_settings {
  std::string name;        ///< the [monitor.NAME] name, or "stdin"
  std::string path;        ///< glob of files to follow (monitor only)
  std::string index = "main", sourcetype, host, source;  ///< empty host/source: defaults
};

struct forwarder_config {
  io::fs::path file;
  std::string name;                  ///< [forwarder] name
  io::fs::path home;                 ///< [forwarder] home
  std::vector<std::string> servers;  ///< [tcpout] server, "host:port"
  std::chrono::seconds auto_lb_frequency{30};
  bool use_ack = true;
  uint64_t max_queue_bytes = 7 * 1024 * 1024;
  std::chrono::seconds ack_timeout{30};
  std::vector<input_settings> monitors;
  std::optional<input_settings> stdin_input;
};

/// Parses "7MB", "512KB", "1GB" or a number of bytes. Errors: invalid_argument.
result<uint64_t> parse_size(std::string_view text);

/// Parses and validates. `kura_home_env`: the KURA_HOME environment variable
/// (the default home). Errors: invalid_argument.
result<forwarder_config> parse_forwarder_config(std::string_view text, const std::string& file,
                                                const std::string& kura_home_env = {});
/// Reads and parses a file. Errors: not_found, io_error, invalid_argument.
result<forwarder_config> load_forwarder_config(const io::fs::path& file);

}  // namespace kura::config
