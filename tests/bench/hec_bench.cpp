// Ingestion benchmark: a kura-node process (started here, standalone) and this
// program as its one client on the same machine. Sends 1,000,000 Loghub-derived
// events to /services/collector/raw (10,000 lines per request), again to
// /services/collector/event (10,000 JSON events per request), and again to the
// receiving port (forwarder protocol, 64 KB blocks, 16 unacknowledged at a
// time, as kura-forward sends them), and once more through a kura-forward
// process that follows a file of the same lines (into index `fwd`), then times a
// needle search over HTTP and, after stopping the node, the same search
// in-process on the same store: the difference is what HTTP adds.
//   scripts/bench-hec [--events N]
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/node_config.hpp"
#include "core/index/store.hpp"
#include "core/search/store_search.hpp"
#include "loghub_events.hpp"
#include "net/forwarder/wire.hpp"

extern char** environ;

using namespace kura;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

/// Connects to 127.0.0.1:port. Returns the socket or -1.
int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(uint16_t(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
  return fd;
}

/// Starts `path --config config` with stderr going to `log`. Returns the pid or -1.
pid_t start_program(const std::string& path, const std::string& config, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const char* argv[] = {path.c_str(), "--config", config.c_str(), nullptr};
  pid_t pid;
  int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

/// A port that is free now: bind port 0, read it, close.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return -1;
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

int main(int argc, char** argv) {
  std::string node_path, forward_path;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::string{argv[i]} == "--node" && i + 1 < argc)
      node_path = argv[++i];
    else if (std::string{argv[i]} == "--forward" && i + 1 < argc)
      forward_path = argv[++i];
    else
      rest.push_back(argv[i]);
  }
  bench::bench_args args;
  if (node_path.empty() || !args.parse(int(rest.size()), rest.data(), "kura-bench-hec --node PATH"))
    return 2;
  auto workload = args.load();
  if (!workload) return 1;
  auto& data = *workload;
  data.events[data.events.size() / 2].raw = "kura-needle-7c1d in the middle of the raw stream";
  auto dir = args.work_dir("kura-bench-hec");
  int port = free_port(), receiver_port = free_port();
  std::ofstream(dir / "node.toml")
      << "[node]\nname = \"bench\"\nhome = \"" << (dir / "home").string()
      << "\"\nbind = \"127.0.0.1\"\nadmin_port = " << free_port() << "\n[http]\nport = " << port
      << "\nhec_tokens = [\"hec\"]\napi_tokens = [\"api\"]\nmax_content_length = 100000000\n"
      << "[receiver]\nport = " << receiver_port << "\n[indexes.fwd]\n";
  std::string config = (dir / "node.toml").string(), log = (dir / "node.log").string();
  pid_t pid = start_program(node_path, config, log);
  if (pid < 0) return std::fprintf(stderr, "error: cannot start %s\n", node_path.c_str()), 1;
  httplib::Client client{"127.0.0.1", port};
  client.set_read_timeout(120, 0);
  client.set_write_timeout(120, 0);
  bool healthy = false;
  for (int i = 0; i < 300 && !healthy; ++i) {  // wait for health, at most 30 s
    auto r = client.Get("/services/collector/health");
    healthy = r && r->status == 200;
    if (!healthy) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!healthy)
    return std::fprintf(stderr, "error: the node did not start (see %s)\n", log.c_str()), 1;
  httplib::Headers hec{{"Authorization", "Splunk hec"}};
  double mb = double(data.raw_bytes) / 1e6;
  std::printf("kura HEC benchmark: %zu events, %.1f MB of raw text, one client, node pid %d\n",
              data.events.size(), mb, int(pid));

  // Raw: like a live log, each line starts with a fresh ISO 8601 timestamp
  // (the recognizer takes the first one) followed by the Loghub text.
  auto append_line = [&](std::string& body, size_t i) {
    std::time_t secs = data.events[i].time / 1'000'000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[80];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  int(data.events[i].time / 1000 % 1000));
    body.append(stamp).append(data.events[i].raw).append("\n");
  };
  auto t = clock_type::now();
  for (size_t at = 0; at < data.events.size(); at += 10000) {
    std::string body;
    for (size_t i = at; i < std::min(data.events.size(), at + 10000); ++i) append_line(body, i);
    auto r = client.Post("/services/collector/raw?sourcetype=loghub&index=main", hec, body,
                         "text/plain");
    if (!r || r->status != 200)
      return std::fprintf(stderr, "error: raw request failed: %s\n",
                          r ? r->body.c_str() : httplib::to_string(r.error()).c_str()),
             1;
  }
  double raw_s = seconds_since(t);
  std::printf("HEC raw    %8.2f s  %9.0f events/s  %6.1f MB/s   target >= 250000 events/s\n", raw_s,
              data.events.size() / raw_s, mb / raw_s);

  // JSON events with explicit metadata and time.
  t = clock_type::now();
  for (size_t at = 0; at < data.events.size(); at += 10000) {
    std::string body;
    for (size_t i = at; i < std::min(data.events.size(), at + 10000); ++i) {
      auto& e = data.events[i];
      nlohmann::json j{{"time", double(e.time) / 1e6}, {"host", e.host},       {"source", e.source},
                       {"sourcetype", e.sourcetype},   {"index", "_internal"}, {"event", e.raw}};
      body += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    auto r = client.Post("/services/collector/event", hec, body, "application/json");
    if (!r || r->status != 200)
      return std::fprintf(stderr, "error: event request failed: %s\n",
                          r ? r->body.c_str() : httplib::to_string(r.error()).c_str()),
             1;
  }
  double json_s = seconds_since(t);
  std::printf("HEC JSON   %8.2f s  %9.0f events/s                target >= 150000 events/s\n",
              json_s, data.events.size() / json_s);

  // The receiving port: blocks of about 64 KB of whole lines into _audit (the
  // needle stays unique in main), at most 16 waiting for their acks.
  int fd = connect_to(receiver_port);
  if (fd < 0) return std::fprintf(stderr, "error: cannot connect to the receiving port\n"), 1;
  t = clock_type::now();
  wire::frame_reader acks;
  uint64_t sent = 0, acked = 0;
  char buf[65536];
  auto read_ack = [&]() -> bool {
    for (;;) {
      auto m = acks.next();
      if (!m) return false;
      if (*m) {
        auto& a = std::get<wire::ack>(**m);
        if (a.status != wire::ack_status::stored)
          return std::fprintf(stderr, "error: block %llu: %s\n", (unsigned long long)a.seq,
                              a.message.c_str()),
                 false;
        ++acked;
        return true;
      }
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      acks.feed(std::string_view{buf, size_t(n)});
    }
  };
  for (size_t i = 0; i < data.events.size();) {
    wire::block b{"bench/loghub", ++sent, "_audit", "bench-host", "loghub", "loghub", {}};
    while (i < data.events.size() && b.data.size() < 64 * 1024) append_line(b.data, i++);
    auto frame = wire::encode(b);
    if (!frame || ::send(fd, frame->data(), frame->size(), MSG_NOSIGNAL) != ssize_t(frame->size()))
      return std::fprintf(stderr, "error: sending a block failed\n"), 1;
    while (sent - acked >= 16)
      if (!read_ack()) return std::fprintf(stderr, "error: no ack from the receiving port\n"), 1;
  }
  while (acked < sent)
    if (!read_ack()) return std::fprintf(stderr, "error: no ack from the receiving port\n"), 1;
  double recv_s = seconds_since(t);
  ::close(fd);
  std::printf(
      "receiver   %8.2f s  %9.0f events/s  %6.1f MB/s   target >= 250000 events/s (%llu blocks)\n",
      recv_s, data.events.size() / recv_s, mb / recv_s, (unsigned long long)sent);

  // kura-forward following a file of the same lines.
  if (!forward_path.empty()) {
    {
      std::ofstream lines(dir / "fwd.log");
      for (size_t i = 0; i < data.events.size(); ++i) {
        std::string line;
        append_line(line, i);
        lines << line;
      }
    }
    std::ofstream(dir / "fwd.toml")
        << "[forwarder]\nname = \"bench\"\nhome = \"" << (dir / "fwdhome").string()
        << "\"\n[tcpout]\nserver = [\"127.0.0.1:" << receiver_port
        << "\"]\n[monitor.bench]\npath = \"" << (dir / "fwd.log").string()
        << "\"\nindex = \"fwd\"\nsourcetype = \"loghub\"\n";
    std::string fwd_config = (dir / "fwd.toml").string(), fwd_log = (dir / "forward.log").string();
    t = clock_type::now();
    pid_t fwd_pid = start_program(forward_path, fwd_config, fwd_log);
    if (fwd_pid < 0)
      return std::fprintf(stderr, "error: cannot start %s\n", forward_path.c_str()), 1;
    httplib::Headers api_h{{"Authorization", "Bearer api"}};
    size_t stored = 0;
    while (stored < data.events.size() && seconds_since(t) < 300) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      httplib::Params count_search{{"search", "index=fwd | stats count"}, {"output_mode", "json"}};
      auto r = client.Post("/services/search/jobs/export", api_h, count_search);
      if (!r || r->status != 200) continue;
      auto j = nlohmann::json::parse(r->body, nullptr, false);
      if (!j.is_discarded()) stored = std::stoull(j["result"]["count"].get<std::string>());
    }
    double fwd_s = seconds_since(t);
    kill(fwd_pid, SIGTERM);
    waitpid(fwd_pid, nullptr, 0);
    if (stored < data.events.size())
      return std::fprintf(stderr, "error: the forwarder delivered %zu events (see %s)\n", stored,
                          fwd_log.c_str()),
             1;
    std::printf(
        "forwarder  %8.2f s  %9.0f events/s  %6.1f MB/s   target >= 250000 events/s (kura-forward "
        "process -> node)\n",
        fwd_s, data.events.size() / fwd_s, mb / fwd_s);
  }

  // A needle over HTTP, then the same in-process on the same store.
  httplib::Headers api{{"Authorization", "Bearer api"}};
  std::vector<double> http_ms;
  for (int i = 0; i < 20; ++i) {
    auto t0 = clock_type::now();
    auto r =
        client.Post("/services/search/jobs/export", api, "search=kura-needle-7c1d&output_mode=json",
                    "application/x-www-form-urlencoded");
    http_ms.push_back(seconds_since(t0) * 1000);
    if (!r || r->status != 200 || r->body.find("kura-needle-7c1d") == std::string::npos)
      return std::fprintf(stderr, "error: needle search failed\n"), 1;
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  auto cfg = config::load_node_config(dir / "node.toml");
  auto st = store::open(cfg->store, cfg->indexes);
  if (!st) return std::fprintf(stderr, "error: %s\n", st.err().render().c_str()), 1;
  search::search_options opt;
  opt.now = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  std::vector<double> local_ms;
  for (int i = 0; i < 20; ++i) {
    auto t0 = clock_type::now();
    size_t n = 0;
    auto s = search::search_store(**st, "kura-needle-7c1d", opt,
                                  [&](const search::row&) { return ++n, true; });
    local_ms.push_back(seconds_since(t0) * 1000);
    if (!s || n != 1) return std::fprintf(stderr, "error: in-process needle search failed\n"), 1;
  }
  std::sort(http_ms.begin(), http_ms.end());
  std::sort(local_ms.begin(), local_ms.end());
  double h = http_ms[http_ms.size() / 2], l = local_ms[local_ms.size() / 2];
  std::printf(
      "needle     HTTP %.2f ms, in-process %.2f ms (medians of 20): HTTP adds %.2f ms   target <= "
      "2 ms\n",
      h, l, h - l);
  std::printf("node exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  if (!args.keep) (void)io::remove_all(dir);
  return 0;
}
