// The forwarder's output ([tcpout]): blocks to a list of receivers with
// automatic load balancing and acknowledgments.
//
// - Every block is kept until its ack (`Stored` or `Duplicate`) arrives; a
//   block without an ack after `ack_timeout`, or on a connection that fails,
//   is sent again, to another receiver when there is one. Acks come back in
//   order on a connection.
// - autoLB: every `auto_lb_frequency` the output moves to a random other
//   receiver at a block boundary: it stops sending, waits for the acks of
//   what it sent (at most ack_timeout), then switches. A failing receiver is
//   left at once.
// - The queue (blocks not yet acknowledged) holds at most `max_queue_bytes`;
//   has_room() tells the inputs to wait.
// - Without useACK a block is forgotten once written to the socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "config/forwarder_config.hpp"
#include "net/forwarder/wire.hpp"

namespace kura::forwarder {

class tcp_output {
 public:
  /// Called once per block when it is acknowledged (or, without useACK, written).
  using on_done = std::function<void(uint64_t seq)>;

  tcp_output(const config::forwarder_config& cfg, on_done done);
  ~tcp_output();
  tcp_output(const tcp_output&) = delete;
  tcp_output& operator=(const tcp_output&) = delete;

  bool has_room() const { return queued_bytes_ < max_queue_bytes_; }
  /// Takes a block (its seq set by the caller, increasing).
  void enqueue(wire::block b);
  /// Connects, sends, reads acks, handles timeouts and load balancing; waits at
  /// most `wait` for something to happen.
  void pump(std::chrono::milliseconds wait);
  size_t unacknowledged() const { return blocks_.size(); }
  uint64_t queued_bytes() const { return queued_bytes_; }
  uint64_t resent() const { return resent_; }

 private:
  struct entry {
    std::string frame;
    bool sent = false;
    std::chrono::steady_clock::time_point sent_at;
  };
  bool connect_to_next();
  void disconnect(const std::string& why);
  void send_pending();
  void read_acks();
  void finish(uint64_t seq);

  std::vector<std::string> servers_;
  std::chrono::seconds auto_lb_, ack_timeout_;
  bool use_ack_;
  uint64_t max_queue_bytes_;
  on_done done_;

  std::map<uint64_t, entry> blocks_;  // by seq: waiting to be sent or for an ack
  uint64_t queued_bytes_ = 0, resent_ = 0;
  int fd_ = -1;
  size_t current_ = 0;
  std::chrono::steady_clock::time_point connected_at_, next_attempt_;
  bool draining_ = false;  // autoLB: no new sends until the acks are in
  wire::frame_reader reader_;
  std::mt19937 rng_{std::random_device{}()};
};

}  // namespace kura::forwarder
