// The forwarder's TOML file.
#include "config/forwarder_config.hpp"

#include <doctest/doctest.h>

using namespace kura;
using namespace kura::config;

namespace {
std::string error_of(const std::string& text) {
  auto c = parse_forwarder_config(text, "fwd.toml", "/home");
  REQUIRE_FALSE(c.has_value());
  return c.err().message();
}
}  // namespace

TEST_CASE("forwarder config: a full file and its defaults") {
  auto c = parse_forwarder_config(R"(
[forwarder]
name = "web1"
[tcpout]
server = ["idx1:9997", "idx2:9998"]
autoLBFrequency = 10
useACK = false
maxQueueSize = "512KB"
[monitor.app]
path = "/var/log/app/*.log"
sourcetype = "app"
[stdin]
index = "ops"
)",
                                  "fwd.toml", "/home/k");
  REQUIRE_MESSAGE(c.has_value(), c.err().message());
  CHECK(c->name == "web1");
  CHECK(c->home == "/home/k");
  CHECK(c->servers == std::vector<std::string>{"idx1:9997", "idx2:9998"});
  CHECK(c->auto_lb_frequency == std::chrono::seconds{10});
  CHECK_FALSE(c->use_ack);
  CHECK(c->max_queue_bytes == 512 * 1024);
  CHECK(c->ack_timeout == std::chrono::seconds{30});
  REQUIRE(c->monitors.size() == 1);
  CHECK(c->monitors[0].path == "/var/log/app/*.log");
  CHECK(c->monitors[0].index == "main");
  CHECK(c->monitors[0].host == "web1");
  REQUIRE(c->stdin_input.has_value());
  CHECK(c->stdin_input->index == "ops");
  CHECK(c->stdin_input->source == "stdin");
}

TEST_CASE("forwarder config: every mistake is named with its place") {
  std::string base = "[tcpout]\nserver = [\"a:1\"]\n[stdin]\n";
  CHECK(error_of("[tcpout]\nserver = [\"a:1\"]\n") == "fwd.toml: no inputs: expected [monitor.NAME] sections or [stdin]");
  CHECK(error_of("[stdin]\n") == "fwd.toml: [tcpout]: expected a section with server = [\"host:port\", …]");
  CHECK(error_of("[tcpout]\nserver = [\"nohost\"]\n[stdin]\n") ==
        "fwd.toml:2:10: [tcpout] server: expected \"host:port\" entries (\"nohost\" is not)");
  CHECK(error_of("[tcpout]\nserver = [\"a:1\"]\nmaxQueueSize = \"7XB\"\n[stdin]\n") ==
        "fwd.toml:3:16: [tcpout] maxQueueSize: expected a size of at least 64KB, like 7MB");
  CHECK(error_of(base + "[monitor.x]\nindex = \"a\"\n") == "fwd.toml:4:1: [monitor.x] path: expected a file path or glob");
  CHECK(error_of(base + "colour = 1\n") == "fwd.toml:4:10: [stdin] colour: expected one of index, sourcetype, host, source");
  CHECK(error_of(base + "[outputs]\n").find("expected a section: [forwarder], [tcpout], [monitor.NAME] or [stdin]") !=
        std::string::npos);
  CHECK(error_of("[tcpout]\nserver = [\"a:1\"]\nautoLBFrequency = 0\n[stdin]\n").find("autoLBFrequency") != std::string::npos);
  CHECK(parse_size("7MB").has_value());
  CHECK(*parse_size("7MB") == 7u * 1024 * 1024);
  CHECK(*parse_size("100") == 100);
  CHECK_FALSE(parse_size("MB").has_value());
}
