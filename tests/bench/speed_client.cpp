// The sending side of scripts/bench-speed, and the sinks that measure its own
// ceiling. It reads a file of lines into memory first (so disk reads are not
// timed) and prints one JSON line with what it measured.
//   kura-bench-speed-client hec --port P --token T --file F [--batch-bytes B] [--clients C]
//       HEC raw: the file cut into batches of whole lines of at most B bytes (default 1 MB),
//       batch i sent by client i % C (default 1), each client one keep-alive connection and
//       its own channel, one request in flight. Timed from the first byte sent until every
//       request was answered Success with an ackId and /services/collector/ack says every
//       ackId is true (polled; true once the commit's fsync returned: acknowledged = durable).
//   kura-bench-speed-client receiver --port P --file F
//       The receiving port as kura-forward sends to it: blocks of about 64 KB of whole
//       lines, at most its default maxQueueSize (7 MB) of them unacknowledged; timed until
//       every block is acknowledged Stored.
//   kura-bench-speed-client sink-hec --port P | sink-receiver --port P
//       Discarding servers that answer as kura does without storing anything: the client
//       sending to one of them measures the client's own ceiling. They run until killed.
// Every event goes to index main, sourcetype access_combined.
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/forwarder_config.hpp"
#include "net/forwarder/wire.hpp"

using namespace kura;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
  std::string mode, token = "hec", file;
  int port = 0, clients = 1;
  size_t batch_bytes = 1'000'000;
};

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

int fail(const std::string& what) {
  std::fprintf(stderr, "error: %s\n", what.c_str());
  return 1;
}

/// The whole file, or an empty string (after saying why) when it cannot be read.
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::fprintf(stderr, "error: cannot read %s\n", path.c_str()), std::string{};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// `text` cut after newlines into pieces of at most `limit` bytes (a longer
/// line is a piece of its own).
std::vector<std::string_view> cut_lines(std::string_view text, size_t limit) {
  std::vector<std::string_view> pieces;
  while (!text.empty()) {
    size_t end = text.size();
    if (end > limit) {
      end = text.rfind('\n', limit - 1);
      if (end == std::string_view::npos) end = text.find('\n', limit);
      end = end == std::string_view::npos ? text.size() : end + 1;
    }
    pieces.push_back(text.substr(0, end));
    text.remove_prefix(end);
  }
  return pieces;
}

size_t count_lines(std::string_view text) {
  return size_t(std::count(text.begin(), text.end(), '\n')) +
         (!text.empty() && text.back() != '\n');
}

/// A channel id in the GUID form HEC requires, distinct per client.
std::string channel_of(int client) {
  char c[40];
  std::snprintf(c, sizeof c, "5eed0000-0000-4000-8000-%012x", client + 1);
  return c;
}

int run_hec(const options& o) {
  std::string text = read_file(o.file);
  if (text.empty()) return 1;
  auto batches = cut_lines(text, o.batch_bytes);
  std::atomic<bool> failed{false};
  std::vector<std::string> errors(size_t(o.clients));
  std::vector<size_t> requests(size_t(o.clients), 0);
  auto t = clock_type::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c)
    threads.emplace_back([&, c] {
      httplib::Client client{"127.0.0.1", o.port};
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // as the node's server: no Nagle wait on a request's tail
      client.set_read_timeout(300, 0);
      client.set_write_timeout(300, 0);
      std::string channel = channel_of(c);
      httplib::Headers h{{"Authorization", "Splunk " + o.token},
                         {"X-Splunk-Request-Channel", channel}};
      std::vector<uint64_t> ids;
      for (size_t b = size_t(c); b < batches.size() && !failed; b += size_t(o.clients)) {
        std::string body{batches[b]};
        auto r = client.Post("/services/collector/raw?sourcetype=access_combined&index=main", h,
                             body, "text/plain");
        auto j = r ? nlohmann::json::parse(r->body, nullptr, false) : nlohmann::json{};
        if (!r || r->status != 200 || !j.is_object() || j.value("code", -1) != 0 ||
            !j.contains("ackId")) {
          errors[size_t(c)] =
              "HEC raw request failed: " +
              (r ? std::to_string(r->status) + " " + r->body : httplib::to_string(r.error()));
          failed = true;
          return;
        }
        ids.push_back(j["ackId"].get<uint64_t>());
        ++requests[size_t(c)];
      }
      if (failed) return;
      // The node answers a request once it is parsed; its ack turns true once
      // it is durable. Polled as Splunk's clients do, until every id is true.
      auto deadline = clock_type::now() + std::chrono::seconds(300);
      std::string last;
      while (!ids.empty()) {
        auto r = client.Post("/services/collector/ack", h, nlohmann::json{{"acks", ids}}.dump(),
                             "application/json");
        auto j = r ? nlohmann::json::parse(r->body, nullptr, false) : nlohmann::json{};
        if (!r || r->status != 200 || !j.is_object() || !j["acks"].is_object()) {
          errors[size_t(c)] = "acks: " + (r ? r->body : httplib::to_string(r.error()));
          failed = true;
          return;
        }
        std::vector<uint64_t> open;
        for (auto id : ids) {
          auto& ok = j["acks"][std::to_string(id)];
          if (!ok.is_boolean() || !ok.get<bool>()) open.push_back(id);
        }
        ids.swap(open);
        last = r->body;
        if (ids.empty()) break;
        if (clock_type::now() > deadline) {
          errors[size_t(c)] = "acks: " + std::to_string(ids.size()) +
                              " not true after 300 s: " + last.substr(0, 300);
          failed = true;
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  for (auto& th : threads) th.join();
  double s = seconds_since(t);
  for (auto& e : errors)
    if (!e.empty()) return fail(e);
  size_t total = 0;
  for (auto n : requests) total += n;
  std::printf("{\"seconds\": %.4f, \"events\": %zu, \"bytes\": %zu, \"requests\": %zu}\n", s,
              count_lines(text), text.size(), total);
  return 0;
}

/// Connects to 127.0.0.1:port. Returns the socket or -1.
int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(uint16_t(port));
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
  return fd;
}

// The receiving-port loop of tests/bench/hec_bench.cpp: 64 KB blocks, 16 in flight.
int run_receiver(const options& o) {
  std::string text = read_file(o.file);
  if (text.empty()) return 1;
  auto blocks = cut_lines(text, 64 * 1024);
  int fd = connect_to(o.port);
  if (fd < 0) return fail("cannot connect to the receiving port");
  auto t = clock_type::now();
  wire::frame_reader acks;
  uint64_t sent = 0, acked = 0;
  char buf[65536];
  std::string problem;
  auto read_ack = [&]() -> bool {
    for (;;) {
      auto m = acks.next();
      if (!m) return problem = "bad frame from the receiving port", false;
      if (*m) {
        auto& a = std::get<wire::ack>(**m);
        if (a.status != wire::ack_status::stored)
          return problem = "block " + std::to_string(a.seq) + ": " + a.message, false;
        ++acked;
        return true;
      }
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return problem = "the receiving port closed the connection", false;
      acks.feed(std::string_view{buf, size_t(n)});
    }
  };
  for (auto piece : blocks) {
    wire::block b{
        "bench/speed",     ++sent, "main", "bench-host", "bench/access.log", "access_combined",
        std::string{piece}};
    auto frame = wire::encode(b);
    if (!frame || ::send(fd, frame->data(), frame->size(), MSG_NOSIGNAL) != ssize_t(frame->size()))
      return fail("sending a block failed");
    while ((sent - acked) * 64 * 1024 >= config::forwarder_config{}.max_queue_bytes)
      if (!read_ack()) return fail(problem);
  }
  while (acked < sent)
    if (!read_ack()) return fail(problem);
  double s = seconds_since(t);
  ::close(fd);
  std::printf("{\"seconds\": %.4f, \"events\": %zu, \"bytes\": %zu, \"blocks\": %llu}\n", s,
              count_lines(text), text.size(), (unsigned long long)sent);
  return 0;
}

int run_sink_hec(const options& o) {
  httplib::Server server;
  std::atomic<uint64_t> next_id{0};
  server.Post("/services/collector/raw", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"text\":\"Success\",\"code\":0,\"ackId\":" + std::to_string(next_id++) + "}",
                    "application/json");
  });
  server.Post("/services/collector/ack", [&](const httplib::Request& req, httplib::Response& res) {
    auto j = nlohmann::json::parse(req.body, nullptr, false);
    nlohmann::json out = nlohmann::json::object();
    if (j.is_object() && j["acks"].is_array())
      for (auto& id : j["acks"]) out[std::to_string(id.get<uint64_t>())] = true;
    res.set_content(nlohmann::json{{"acks", out}}.dump(), "application/json");
  });
  server.set_payload_max_length(1ull << 30);
  server.set_tcp_nodelay(true);
  return server.listen("127.0.0.1", o.port) ? 0 : fail("cannot listen");
}

int run_sink_receiver(const options& o) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(uint16_t(o.port));
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 8) != 0)
    return fail("cannot listen");
  for (;;) {
    int fd = ::accept(lfd, nullptr, nullptr);
    if (fd < 0) continue;
    std::thread([fd] {
      wire::frame_reader reader;
      char buf[65536];
      for (;;) {
        auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        reader.feed(std::string_view{buf, size_t(n)});
        for (auto m = reader.next(); m && *m; m = reader.next()) {
          auto& b = std::get<wire::block>(**m);
          auto frame = wire::encode(wire::ack{b.channel, b.seq, wire::ack_status::stored, {}});
          if (frame) (void)::send(fd, frame->data(), frame->size(), MSG_NOSIGNAL);
        }
      }
      ::close(fd);
    }).detach();
  }
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  if (argc >= 2) o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port")
      o.port = std::atoi(v.c_str());
    else if (k == "--token")
      o.token = v;
    else if (k == "--file")
      o.file = v;
    else if (k == "--batch-bytes")
      o.batch_bytes = std::stoull(v);
    else if (k == "--clients")
      o.clients = std::max(1, std::atoi(v.c_str()));
    else
      return fail("unknown option " + k);
  }
  if (o.port <= 0)
    return fail("usage: kura-bench-speed-client hec|receiver|sink-hec|sink-receiver --port P ...");
  if (o.mode == "hec") return run_hec(o);
  if (o.mode == "receiver") return run_receiver(o);
  if (o.mode == "sink-hec") return run_sink_hec(o);
  if (o.mode == "sink-receiver") return run_sink_receiver(o);
  return fail("unknown mode " + o.mode);
}
