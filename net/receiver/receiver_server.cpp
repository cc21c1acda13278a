// Threads: one accepts, one per connection (at most max_connections). The
// ledger is shared under a mutex; a block being stored is "in flight" so that
// the same (channel, seq) arriving on two connections is stored once.
#include "net/receiver/receiver_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <future>
#include <list>
#include <mutex>
#include <set>
#include <thread>

#include "core/ingest/channel_ledger.hpp"
#include "core/log.hpp"
#include "net/forwarder/wire.hpp"

namespace kura {
namespace {

constexpr const char* component = "TcpInputProc";

time_us now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(size_t(n));
  }
  return true;
}

}  // namespace

struct receiver_server::impl {
  node_api& node;
  receiver_options opts;
  int listen_fd = -1;
  std::atomic<bool> stopping{false};
  std::thread acceptor;

  std::mutex mutex;  // guards ledger, in_flight, connections
  std::optional<channel_ledger> ledger;
  std::set<std::pair<std::string, uint64_t>> in_flight;
  struct connection {
    int fd;
    std::thread thread;
    bool done = false;
  };
  std::list<connection> connections;

  impl(node_api& n, receiver_options o) : node(n), opts(std::move(o)) {}

  /// Blocks that arrived together, stored with one commit (group commit) and
  /// one ledger save.
  struct group {
    std::vector<wire::block> blocks;
    std::vector<wire::ack> acks;  // one per block
    std::vector<size_t> fresh;    // blocks to store (not duplicates, not in flight elsewhere)
    std::future<error> stored;    // the commit of the fresh blocks
  };
  /// Groups of one connection whose commit may be under way at once: the
  /// connection parses the next group while the index actors store the last.
  static constexpr size_t max_groups_in_flight = 2;

  raw_input input_of(const wire::block& b) const {
    return raw_input{{b.host.empty() ? opts.default_host : b.host, b.source, b.sourcetype,
                      b.index.empty() ? "main" : b.index},
                     b.data};
  }

  /// Sorts out duplicates and starts storing the rest.
  group start(std::vector<wire::block> blocks) {
    group g;
    g.blocks = std::move(blocks);
    {
      std::lock_guard lock{mutex};
      for (size_t i = 0; i < g.blocks.size(); ++i) {
        auto& b = g.blocks[i];
        g.acks.push_back({b.channel, b.seq, wire::ack_status::stored, {}});
        if (ledger->contains(b.channel, b.seq)) {
          g.acks.back().status = wire::ack_status::duplicate;
        } else if (!in_flight.insert({b.channel, b.seq}).second) {
          g.acks.back().status = wire::ack_status::busy;
          g.acks.back().message = "the same block is being stored from another connection";
        } else {
          g.fresh.push_back(i);
        }
      }
    }
    std::vector<raw_input> inputs;
    for (auto i : g.fresh) inputs.push_back(input_of(g.blocks[i]));
    auto promise = std::make_shared<std::promise<error>>();
    g.stored = promise->get_future();
    node.ingest_raw_async(inputs, now_us(),
                          [promise](error err) { promise->set_value(std::move(err)); });
    return g;
  }

  /// Waits for a group's commit, records it in the ledger and returns its
  /// acks. If the group failed, each block is tried alone so that only the bad
  /// one is rejected.
  std::vector<wire::ack> finish(group& g) {
    std::vector<size_t> stored;
    if (!g.stored.get()) {
      stored = g.fresh;
    } else {
      for (auto i : g.fresh) {
        auto one = input_of(g.blocks[i]);
        if (auto err = node.ingest_raw({&one, 1}, now_us())) {
          // Busy: the forwarder sends the block again later (not_replicated: it
          // may then be stored twice, as a resent block may be).
          g.acks[i].status = err.code() == errc::disk_full || err.code() == errc::unavailable ||
                                     err.code() == errc::not_replicated
                                 ? wire::ack_status::busy
                                 : wire::ack_status::rejected;
          g.acks[i].message = err.message();
        } else {
          stored.push_back(i);
        }
      }
    }
    std::lock_guard lock{mutex};
    for (auto i : g.fresh) in_flight.erase({g.blocks[i].channel, g.blocks[i].seq});
    for (auto i : stored) ledger->record(g.blocks[i].channel, g.blocks[i].seq);
    if (!stored.empty())
      if (auto saved = ledger->save())  // the events are stored; without the record a resend could
                                        // be stored twice
        log::error(component, "channel ledger: " + saved.render());
    return std::move(g.acks);
  }

  void serve(int fd, std::string peer) {
    wire::frame_reader reader;
    std::vector<char> buf(256 * 1024);
    std::deque<group> pending;
    auto idle_ms = int(opts.idle_timeout.count() * 1000);
    for (;;) {
      // Acks of the groups whose commit is done, in order.
      bool failed_send = false;
      while (!pending.empty() && (pending.size() >= max_groups_in_flight ||
                                  pending.front().stored.wait_for(std::chrono::seconds(0)) ==
                                      std::future_status::ready)) {
        std::string replies;
        for (auto& a : finish(pending.front())) {
          auto encoded = wire::encode(a);
          if (encoded) replies += *encoded;
        }
        pending.pop_front();
        if (!send_all(fd, replies)) failed_send = true;
      }
      if (failed_send) break;
      pollfd p{fd, POLLIN, 0};
      int ready = ::poll(&p, 1, pending.empty() ? idle_ms : 1);
      if (stopping) break;
      if (ready == 0) {
        if (!pending.empty()) continue;
        log::info(component, "closing idle connection from " + peer);
        break;
      }
      auto n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n <= 0) break;
      reader.feed(std::string_view{buf.data(), size_t(n)});
      // Take what else has arrived, so that the group below is as large as it can be.
      while (reader.pending() < 4 * 1024 * 1024) {
        auto more = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (more <= 0) break;
        reader.feed(std::string_view{buf.data(), size_t(more)});
      }
      std::vector<wire::block> blocks;
      bool close = false;
      for (;;) {
        auto m = reader.next();
        if (!m) {
          log::warn(component, "closing connection from " + peer + ": " + m.err().render());
          close = true;
          break;
        }
        if (!*m) break;
        auto* b = std::get_if<wire::block>(&**m);
        if (!b) {
          log::warn(component,
                    "closing connection from " + peer + ": an ack frame sent to the receiver");
          close = true;
          break;
        }
        blocks.push_back(std::move(*b));
      }
      if (!blocks.empty()) pending.push_back(start(std::move(blocks)));
      if (close) break;
    }
    // Blocks already being stored are recorded even though their acks cannot be sent.
    for (auto& g : pending) finish(g);
  }

  void accept_loop() {
    for (;;) {
      sockaddr_in addr{};
      socklen_t len = sizeof addr;
      int fd = ::accept(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
      if (stopping) {
        if (fd >= 0) ::close(fd);
        return;
      }
      if (fd < 0) continue;
      char ip[INET_ADDRSTRLEN] = "?";
      inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
      std::string peer = std::string{ip} + ":" + std::to_string(ntohs(addr.sin_port));
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard lock{mutex};
      connections.remove_if([](connection& c) {
        if (!c.done) return false;
        c.thread.join();
        return true;
      });
      if (connections.size() >= opts.max_connections) {
        log::warn(component, "refusing connection from " + peer + ": " +
                                 std::to_string(opts.max_connections) + " connections open");
        ::close(fd);
        continue;
      }
      auto& c = connections.emplace_back(connection{fd, {}, false});
      c.thread = std::thread{[this, &c, fd, peer] {
        serve(fd, peer);
        std::lock_guard lock{mutex};
        ::close(fd);
        c.done = true;
      }};
    }
  }
};

receiver_server::receiver_server(node_api& node, receiver_options options)
    : impl_(std::make_unique<impl>(node, std::move(options))) {}

receiver_server::~receiver_server() { stop(); }

result<uint16_t> receiver_server::start() {
  auto& i = *impl_;
  if (auto err = io::make_dirs(i.opts.ledger_file.parent_path())) return err;
  auto ledger = channel_ledger::open(i.opts.ledger_file);
  if (!ledger) return ledger.err();
  i.ledger = std::move(*ledger);
  i.listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(i.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(i.opts.port);
  if (inet_pton(AF_INET, i.opts.bind.c_str(), &addr.sin_addr) != 1)
    return error{errc::invalid_argument, "receiver: bad bind address " + i.opts.bind};
  if (::bind(i.listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(i.listen_fd, 64) != 0) {
    auto msg = "receiver: cannot listen on " + i.opts.bind + ":" + std::to_string(i.opts.port) +
               ": " + std::strerror(errno);
    ::close(i.listen_fd);
    i.listen_fd = -1;
    return error{errc::io_error, msg};
  }
  socklen_t len = sizeof addr;
  ::getsockname(i.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  auto port = ntohs(addr.sin_port);
  i.acceptor = std::thread{[&i] { i.accept_loop(); }};
  log::info(component, "receiving forwarder data on " + i.opts.bind + ":" + std::to_string(port));
  return port;
}

void receiver_server::stop() {
  auto& i = *impl_;
  if (i.listen_fd < 0 || i.stopping.exchange(true)) return;
  ::shutdown(i.listen_fd, SHUT_RDWR);
  if (i.acceptor.joinable()) i.acceptor.join();
  ::close(i.listen_fd);
  std::list<impl::connection> connections;
  {
    std::lock_guard lock{i.mutex};
    for (auto& c : i.connections)
      if (!c.done) ::shutdown(c.fd, SHUT_RDWR);
    connections.swap(i.connections);
  }
  for (auto& c : connections) c.thread.join();
}

}  // namespace kura
