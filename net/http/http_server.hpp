// The HTTP server of a node (cpp-httplib): HEC ingestion (/services/collector/
// event, raw, ack, health), search export (/services/search/jobs/export) and
// the status documents, with Splunk's tokens, status codes and error bodies.
// It talks to the node only through node_api.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/node_api.hpp"
#include "core/error.hpp"

namespace kura {

struct http_options {
  std::string bind = "127.0.0.1";
  uint16_t port = 0;                      ///< 0: any free port (tests)
  std::vector<std::string> hec_tokens;    ///< Authorization: Splunk <token>
  std::vector<std::string> api_tokens;    ///< Authorization: Bearer <token>
  uint64_t max_content_length = 838'860'800;       ///< larger bodies get 413 (Splunk's default)
  std::chrono::milliseconds read_timeout{10'000};  ///< a client that stalls is cut off
  std::string default_host = "kura";      ///< host of events that name none
  size_t threads = 8;
};

class http_server {
 public:
  http_server(node_api& api, http_options options);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds and serves on background threads. Returns the port.
  /// Errors: io_error (cannot bind).
  result<uint16_t> start();
  /// Stops serving and joins the threads.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace kura
