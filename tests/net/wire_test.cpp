// Forwarder protocol frames: round trips across arbitrary TCP reads, and
// damaged input at every offset.
#include "net/forwarder/wire.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace kura;
using namespace kura::wire;

namespace {
block sample_block() {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += "2026-11-22 10:00:00 line " + std::to_string(i) + "\n";
  return {"fwd1 /var/log/app.log", 42, "main", "web1", "/var/log/app.log", "app", data};
}
}  // namespace

TEST_CASE("wire: blocks and acks round-trip through frames split at any point") {
  std::vector<message> sent{sample_block(), ack{"fwd1 /var/log/app.log", 42, ack_status::stored, ""},
                            ack{"c", 7, ack_status::rejected, "index 'x' does not exist"}};
  std::string stream;
  for (auto& m : sent) stream += *encode(m);
  std::mt19937 rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    frame_reader r;
    std::vector<message> got;
    size_t at = 0;
    while (at < stream.size()) {
      size_t n = std::min<size_t>(stream.size() - at, 1 + rng() % 9000);
      r.feed(std::string_view{stream}.substr(at, n));
      at += n;
      for (;;) {
        auto m = r.next();
        REQUIRE(m.has_value());
        if (!*m) break;
        got.push_back(std::move(**m));
      }
    }
    CHECK(got == sent);
    CHECK(r.pending() == 0);
  }
}

TEST_CASE("wire: damaged, truncated and junk input is an error, never a crash or a message") {
  auto frame = *encode(sample_block());
  for (size_t at = 0; at < frame.size(); at += 37) {
    auto bad = frame;
    bad[at] = char(bad[at] ^ 0x55);
    frame_reader r;
    r.feed(bad);
    auto m = r.next();
    // A damaged length may just ask for more bytes; with all bytes given it must never decode.
    CHECK_MESSAGE((!m.has_value() || !*m), at);
  }
  frame_reader junk;
  junk.feed(std::string(64, '\xff'));
  CHECK(junk.next().err().code() == errc::corruption);
  frame_reader zero;
  zero.feed(std::string(16, '\0'));
  CHECK(zero.next().err().message().find("frame length 0") == 0);
  frame_reader partial;
  partial.feed(frame.substr(0, frame.size() - 1));
  CHECK(!*partial.next());  // incomplete: waits for more
  CHECK(encode(block{"c", 1, "", "", "", "", std::string(2 << 20, 'x')}).err().code() == errc::invalid_argument);
  // A block without a channel or with seq 0 is refused even with a valid checksum.
  frame_reader r;
  r.feed(*encode(block{"", 1, "", "", "", "", "x"}));
  CHECK(r.next().err().message().find("without channel") != std::string::npos);
}
