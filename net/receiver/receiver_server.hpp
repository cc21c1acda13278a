// The receiving port ([receiver] port): the forwarder protocol of
// net/forwarder/FORMAT.md over TCP. Each block is parsed by the pipeline of
// its sourcetype, stored (committed), recorded in the channel ledger, and only
// then acknowledged `Stored`; a block the ledger already holds (its ack was
// lost and it was resent) is answered `Duplicate` and not stored again.
// A connection that sends a bad frame (junk, wrong checksum, failed
// verification) is logged and closed; nothing it sent before is affected.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/node_api.hpp"
#include "core/io/file.hpp"

namespace kura {

struct receiver_options {
  std::string bind = "127.0.0.1";
  uint16_t port = 0;                         ///< 0: any free port
  io::fs::path ledger_file;                  ///< the channel ledger (under the node's home)
  std::string default_host;                  ///< host of blocks that name none
  size_t max_connections = 64;               ///< more are refused (closed at once)
  std::chrono::seconds idle_timeout{300};    ///< a connection silent this long is closed
};

class receiver_server {
 public:
  receiver_server(node_api& node, receiver_options options);
  ~receiver_server();  ///< stops

  /// Loads the ledger and starts listening. Returns the port.
  /// Errors: corruption (ledger), io_error (bind, listen).
  result<uint16_t> start();
  /// Stops accepting, closes every connection, waits for their threads.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace kura
