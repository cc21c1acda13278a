// Sending blocks, acks, failover and autoLB.
#include "net/forwarder/tcp_output.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "core/log.hpp"

namespace kura::forwarder {
namespace {

constexpr const char* component = "TcpOutputProc";
using clock_type = std::chrono::steady_clock;

/// A connected socket to host:port within `timeout`, or -1.
int dial(const std::string& server, std::chrono::milliseconds timeout) {
  auto colon = server.rfind(':');
  std::string host = server.substr(0, colon), port = server.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || !found) return -1;
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int rc = ::connect(fd, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  if (rc != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof err;
  if (::poll(&p, 1, int(timeout.count())) != 1 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{5, 0};  // a receiver that stops reading fails the send instead of blocking the forwarder
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

}  // namespace

tcp_output::tcp_output(const config::forwarder_config& cfg, on_done done)
    : servers_(cfg.servers), auto_lb_(cfg.auto_lb_frequency), ack_timeout_(cfg.ack_timeout), use_ack_(cfg.use_ack),
      max_queue_bytes_(cfg.max_queue_bytes), done_(std::move(done)) {
  current_ = std::uniform_int_distribution<size_t>(0, servers_.size() - 1)(rng_);
}

tcp_output::~tcp_output() {
  if (fd_ >= 0) ::close(fd_);
}

void tcp_output::enqueue(wire::block b) {
  auto frame = wire::encode(b);
  if (!frame) {
    log::error(component, "block " + std::to_string(b.seq) + " dropped: " + frame.err().render());
    return;
  }
  queued_bytes_ += frame->size();
  blocks_[b.seq] = entry{std::move(*frame), false, {}};
}

bool tcp_output::connect_to_next() {
  // Another receiver than the last one when there is a choice.
  if (servers_.size() > 1) {
    size_t next = std::uniform_int_distribution<size_t>(0, servers_.size() - 2)(rng_);
    current_ = next >= current_ ? next + 1 : next;
  }
  fd_ = dial(servers_[current_], std::chrono::milliseconds(2000));
  if (fd_ < 0) {
    log::warn(component, "cannot connect to " + servers_[current_]);
    return false;
  }
  log::info(component, "connected to " + servers_[current_]);
  connected_at_ = clock_type::now();
  reader_ = wire::frame_reader{};
  draining_ = false;
  for (auto& [_, e] : blocks_) {
    if (e.sent) ++resent_;
    e.sent = false;  // everything unacknowledged goes again, in order
  }
  return true;
}

void tcp_output::disconnect(const std::string& why) {
  if (fd_ < 0) return;
  log::warn(component, "leaving " + servers_[current_] + ": " + why);
  ::close(fd_);
  fd_ = -1;
}

void tcp_output::finish(uint64_t seq) {
  auto it = blocks_.find(seq);
  if (it == blocks_.end()) return;
  queued_bytes_ -= it->second.frame.size();
  blocks_.erase(it);
  done_(seq);
}

void tcp_output::send_pending() {
  if (fd_ < 0 || draining_) return;
  std::vector<uint64_t> written;
  for (auto& [seq, e] : blocks_) {
    if (e.sent) continue;
    const char* p = e.frame.data();
    size_t left = e.frame.size();
    while (left > 0) {
      auto n = ::send(fd_, p, left, MSG_NOSIGNAL);
      if (n <= 0) return disconnect(std::string{"send failed: "} + std::strerror(errno));
      p += n;
      left -= size_t(n);
    }
    e.sent = true;
    e.sent_at = clock_type::now();
    if (!use_ack_) written.push_back(seq);
  }
  for (auto seq : written) finish(seq);
}

void tcp_output::read_acks() {
  char buf[16384];
  auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
  if (n == 0) return disconnect("the receiver closed the connection");
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) disconnect(std::string{"receive failed: "} + std::strerror(errno));
    return;
  }
  reader_.feed(std::string_view{buf, size_t(n)});
  for (;;) {
    auto m = reader_.next();
    if (!m) return disconnect("bad frame from the receiver: " + m.err().render());
    if (!*m) return;
    auto* a = std::get_if<wire::ack>(&**m);
    if (!a) return disconnect("the receiver sent a block");
    switch (a->status) {
      case wire::ack_status::stored:
      case wire::ack_status::duplicate: finish(a->seq); break;
      case wire::ack_status::rejected:
        log::error(component, "block " + std::to_string(a->seq) + " rejected by " + servers_[current_] + ": " +
                                  a->message + "; dropped");
        finish(a->seq);
        break;
      case wire::ack_status::busy:
        if (auto it = blocks_.find(a->seq); it != blocks_.end()) it->second.sent = false;  // again later
        log::warn(component, servers_[current_] + " is busy: " + a->message);
        disconnect("busy");
        next_attempt_ = clock_type::now() + std::chrono::seconds(1);
        return;
    }
  }
}

void tcp_output::pump(std::chrono::milliseconds wait) {
  auto now = clock_type::now();
  if (fd_ < 0 && !blocks_.empty() && now >= next_attempt_) {
    if (!connect_to_next()) next_attempt_ = now + std::chrono::milliseconds(500);
  }
  // autoLB: stop sending, and switch once what was sent is acknowledged.
  if (fd_ >= 0 && servers_.size() > 1 && now - connected_at_ >= auto_lb_) {
    draining_ = true;
    bool all_acked = std::none_of(blocks_.begin(), blocks_.end(), [](auto& b) { return b.second.sent; });
    if (all_acked) {
      log::info(component, "autoLB: moving on from " + servers_[current_]);
      ::close(fd_);
      fd_ = -1;
      connect_to_next();
    }
  }
  send_pending();
  if (fd_ < 0) {
    std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(100)));
    return;
  }
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, int(wait.count())) > 0) read_acks();
  // A block without its ack for too long: this receiver is not answering.
  if (fd_ >= 0)
    for (auto& [seq, e] : blocks_)
      if (e.sent && clock_type::now() - e.sent_at > ack_timeout_) {
        disconnect("no ack for block " + std::to_string(seq) + " within " + std::to_string(ack_timeout_.count()) + " s");
        break;
      }
}

}  // namespace kura::forwarder
