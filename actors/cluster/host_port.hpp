// "host:port" strings as the configuration and the master's documents carry
// them. No CAF.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include "core/error.hpp"

namespace kura::actors {

/// Splits "host:port" (port 1-65535). Errors: invalid_argument naming the string.
result<std::pair<std::string, uint16_t>> split_host_port(const std::string& uri);

/// "host:port" where others reach a node that listens on `bind`:`port`
/// (0.0.0.0 is advertised as 127.0.0.1: set a real bind address for several hosts).
std::string advertised(const std::string& bind, uint16_t port);

/// Opens a TCP connection to host:port and closes it again; blocks (name lookup
/// included) for at most about `timeout`. Errors: unavailable (refused, unreachable,
/// no answer within `timeout`, unknown host).
error probe_tcp(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);

}  // namespace kura::actors
