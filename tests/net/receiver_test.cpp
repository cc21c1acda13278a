// The receiving port with a real node and a client speaking the forwarder
// protocol over a TCP socket.
#include "net/receiver/receiver_server.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actors/test_node.hpp"
#include "core/testing.hpp"
#include "net/forwarder/wire.hpp"

using namespace kura;

namespace {

/// A client connection to the receiver.
class client {
 public:
  explicit client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~client() { ::close(fd_); }

  void send_bytes(std::string_view bytes) { REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size())); }

  /// Sends a block, returns the ack.
  wire::ack send(const wire::block& b) {
    auto frame = wire::encode(b);
    REQUIRE(frame.has_value());
    send_bytes(*frame);
    return read_ack();
  }

  wire::ack read_ack() {
    char buf[4096];
    for (;;) {
      auto m = reader_.next();
      REQUIRE(m.has_value());
      if (*m) return std::get<wire::ack>(**m);
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      REQUIRE(n > 0);
      reader_.feed(std::string_view{buf, size_t(n)});
    }
  }

  /// True when the server closed the connection (within the receive timeout).
  bool closed_by_server() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

 private:
  int fd_ = -1;
  wire::frame_reader reader_;
};

struct fixture {
  testing::temp_dir dir;
  std::unique_ptr<node_runtime> node;
  std::unique_ptr<receiver_server> receiver;
  uint16_t port = 0;

  fixture() { start(); }

  void start() {
    node = testing::start_node(dir, "recv-node");
    receiver_options o;
    o.ledger_file = dir / "receiver" / "channel_ledger";
    o.default_host = "recv-node";
    receiver = std::make_unique<receiver_server>(*node, o);
    auto p = receiver->start();
    REQUIRE_MESSAGE(p.has_value(), p.err().render());
    port = *p;
  }

  void restart() {
    receiver.reset();
    node.reset();
    start();
  }

  uint64_t count(const std::string& search) {
    uint64_t n = 0;
    search::search_options o;
    auto r = node->search(search + " | stats count", o, [&](const search::row& row) {
      n = uint64_t(*row.get("count")->as_number());
      return true;
    });
    REQUIRE_MESSAGE(r.has_value(), r.err().render());
    return n;
  }
};

wire::block block(uint64_t seq, std::string data) {
  return {"fwd1/app.log", seq, "main", "web1", "/var/log/app.log", "app", std::move(data)};
}

}  // namespace

TEST_CASE("receiver: blocks are stored, acknowledged, and a resent block is not stored twice") {
  fixture f;
  {
    client c{f.port};
    auto a = c.send(block(1, "2026-11-22T10:00:00Z alpha one\n2026-11-22T10:00:01Z alpha two\n"));
    CHECK(a.status == wire::ack_status::stored);
    CHECK(a.seq == 1);
    CHECK(f.count("alpha") == 2);
    // The ack was "lost": the forwarder resends the same block.
    CHECK(c.send(block(1, "2026-11-22T10:00:00Z alpha one\n2026-11-22T10:00:01Z alpha two\n")).status ==
          wire::ack_status::duplicate);
    CHECK(f.count("alpha") == 2);
    CHECK(c.send(block(2, "2026-11-22T10:00:02Z alpha three\n")).status == wire::ack_status::stored);
    CHECK(f.count("host=web1 sourcetype=app alpha") == 3);
  }
  // The ledger survives a restart.
  f.restart();
  client c{f.port};
  CHECK(c.send(block(2, "2026-11-22T10:00:02Z alpha three\n")).status == wire::ack_status::duplicate);
  CHECK(f.count("alpha") == 3);
}

TEST_CASE("receiver: a block for an unknown index is rejected with a message") {
  fixture f;
  client c{f.port};
  auto b = block(1, "x\n");
  b.index = "nope";
  auto a = c.send(b);
  CHECK(a.status == wire::ack_status::rejected);
  CHECK(a.message.find("index 'nope' does not exist") != std::string::npos);
}

TEST_CASE(
    "receiver: junk bytes close that connection only, other clients and stored data are "
    "unaffected") {
  fixture f;
  client good{f.port};
  CHECK(good.send(block(1, "2026-11-22T10:00:00Z beta\n")).status == wire::ack_status::stored);
  client junk{f.port};
  junk.send_bytes(std::string(64, '\x7f'));
  CHECK(junk.closed_by_server());
  client torn{f.port};
  auto frame = wire::encode(block(2, "2026-11-22T10:00:00Z gamma\n"));
  (*frame)[frame->size() - 1] ^= 0x55;  // checksum mismatch
  torn.send_bytes(*frame);
  CHECK(torn.closed_by_server());
  CHECK(good.send(block(3, "2026-11-22T10:00:01Z beta\n")).status == wire::ack_status::stored);
  CHECK(f.count("beta") == 2);
  CHECK(f.count("gamma") == 0);
}
