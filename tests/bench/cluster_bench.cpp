// Cluster ingestion and search benchmark, on this machine, in one run:
//  1. one standalone kura-node (started here): N Loghub-derived events sent to
//     /services/collector/raw (10,000 lines per request) by two client threads
//     in parallel, each request answered only after the commit; then a needle
//     search over HTTP export (median of 20);
//  2. a cluster of kura-node processes: a master, 3 peers (replication factor
//     3, search factor 2) and a search head; the same N events, thread 1 to
//     peer1's HEC and thread 2 to peer2's (a request is answered once its data
//     is durable on the source and its 2 targets); `index=main | stats count`
//     through the search head must be N; the same needle search through the
//     search head;
//  3. a table of both, with the targets: cluster events/s >= 0.75 x standalone,
//     cluster needle <= 2 x standalone + 5 ms.
// Every node process is stopped on exit (on errors and Ctrl-C too; a node
// also gets SIGTERM if this program dies) and the work directory is removed.
//   scripts/bench-cluster [--events N]
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "loghub_events.hpp"

using namespace kura;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr size_t lines_per_request = 10'000;
constexpr int needle_runs = 20;
const std::string hec_token = "bench-hec-token";
const std::string api_token = "bench-api-token";

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

/// A port that is free now (bind port 0, read it, close), never one handed out before.
int free_port() {
  static std::set<int> given;
  for (;;) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      if (fd >= 0) ::close(fd);
      return -1;
    }
    ::close(fd);
    int port = ntohs(addr.sin_port);
    if (given.insert(port).second) return port;
  }
}

/// One kura-node process started here.
struct node_proc {
  std::string name;
  pid_t pid = -1;
  std::string log;
  int http_port = 0;
  bool exited = false;
  int status = 0;
};

/// What must be undone on every way out: the running processes and the work
/// directory. Shared with the thread that waits for SIGINT/SIGTERM/SIGHUP.
struct cleanup_state {
  std::mutex mutex;
  std::deque<node_proc> procs;  // deque: references stay valid as processes are added
  io::fs::path dir;
  bool keep = false;
} g;

/// Whether `p` has exited (reaps it then).
bool has_exited(node_proc& p) {
  if (p.exited) return true;
  int status = 0;
  if (::waitpid(p.pid, &status, WNOHANG) == p.pid) {
    p.exited = true;
    p.status = status;
  }
  return p.exited;
}

std::string describe_exit(const node_proc& p) {
  if (WIFEXITED(p.status)) return "exit status " + std::to_string(WEXITSTATUS(p.status));
  if (WIFSIGNALED(p.status)) return std::string{"killed by "} + strsignal(WTERMSIG(p.status));
  return "status " + std::to_string(p.status);
}

/// SIGTERM to each of `procs`, then waits for them, at most `timeout_s` (then SIGKILL).
void stop_procs(std::vector<node_proc*> procs, double timeout_s = 60) {
  for (auto* p : procs)
    if (!has_exited(*p)) ::kill(p->pid, SIGTERM);
  auto t = clock_type::now();
  for (;;) {
    bool all = true;
    for (auto* p : procs) all = has_exited(*p) && all;
    if (all) return;
    if (seconds_since(t) > timeout_s) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto* p : procs)
    if (!has_exited(*p)) {
      std::fprintf(stderr, "warning: %s (pid %d) did not stop within %.0f s of SIGTERM: SIGKILL\n",
                   p->name.c_str(), int(p->pid), timeout_s);
      ::kill(p->pid, SIGKILL);
      int status = 0;
      ::waitpid(p->pid, &status, 0);
      p->exited = true;
      p->status = status;
    }
}

/// Every process still running, stopped; the work directory removed (unless --keep).
void clean_up_everything() {
  std::lock_guard lock{g.mutex};
  std::vector<node_proc*> all;
  for (auto& p : g.procs) all.push_back(&p);
  stop_procs(all, 30);
  if (!g.keep && !g.dir.empty()) (void)io::remove_all(g.dir);
}

/// The last `lines` lines of a file.
std::string tail_of(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(std::move(line));
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (auto& l : last) out += "    " + l + "\n";
  return out;
}

/// Says what went wrong, prints the logs of the processes of this stage, stops
/// everything, removes the work directory and exits 1.
std::atomic<bool> interrupted{false};

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "\nerror: %s\n", message.c_str());
  if (interrupted) {  // the signal's thread is stopping everything and ends the program
    std::fflush(stderr);
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  {
    std::lock_guard lock{g.mutex};
    for (auto& p : g.procs) {
      bool gone = has_exited(p);
      std::fprintf(stderr, "\n--- %s (pid %d, %s), last 80 lines of %s ---\n%s", p.name.c_str(),
                   int(p.pid), gone ? describe_exit(p).c_str() : "running", p.log.c_str(),
                   tail_of(p.log, 80).c_str());
    }
  }
  std::fflush(stderr);
  clean_up_everything();
  std::exit(1);
}

/// Starts `node --config config` with stdout and stderr going to `log`; the
/// child gets SIGTERM when this program dies. Only called from the main thread.
node_proc& start_node(const std::string& name, const std::string& node, const std::string& config,
                      const std::string& log, int http_port) {
  std::string path = node, flag = "--config", cfg = config;
  char* argv[] = {path.data(), flag.data(), cfg.data(), nullptr};
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {  // async-signal-safe calls only until exec
    sigset_t none;
    sigemptyset(&none);
    ::pthread_sigmask(SIG_SETMASK, &none, nullptr);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    ::execv(path.c_str(), argv);
    ::_exit(127);
  }
  if (pid < 0) fail("cannot fork to start " + node);
  std::lock_guard lock{g.mutex};
  g.procs.push_back({name, pid, log, http_port});
  return g.procs.back();
}

/// Fails when one of the running processes has exited.
void check_alive() {
  std::string dead;
  {
    std::lock_guard lock{g.mutex};
    for (auto& p : g.procs)
      if (has_exited(p))
        dead += (dead.empty() ? "" : ", ") + p.name + " (" + describe_exit(p) + ")";
  }
  if (!dead.empty()) fail("a node process ended early: " + dead);
}

/// Peak resident set size of a running process (VmHWM), in MB; -1 when unknown.
double peak_rss_mb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  return -1;
}

std::unique_ptr<httplib::Client> client_for(int port) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_connection_timeout(5, 0);
  c->set_read_timeout(300, 0);
  c->set_write_timeout(300, 0);
  c->set_tcp_nodelay(true);
  return c;
}

std::string describe(const httplib::Result& r) {
  if (!r) return "no reply (" + httplib::to_string(r.error()) + ")";
  std::string body = r->body.size() > 400 ? r->body.substr(0, 400) + "…" : r->body;
  return "HTTP " + std::to_string(r->status) + ": " + body;
}

const httplib::Headers& api_headers() {
  static const httplib::Headers h{{"Authorization", "Bearer " + api_token}};
  return h;
}

/// GET `path` with the API token; the parsed JSON body, or discarded JSON.
nlohmann::json get_json(int port, const std::string& path, std::string* raw = nullptr) {
  auto c = client_for(port);
  c->set_read_timeout(5, 0);
  auto r = c->Get(path, api_headers());
  if (raw) *raw = describe(r);
  if (!r || r->status != 200) return nlohmann::json::value_t::discarded;
  return nlohmann::json::parse(r->body, nullptr, false);
}

/// An export search; each line of the reply parsed, plus the WARN texts.
struct search_reply {
  std::vector<nlohmann::json> results;
  std::vector<std::string> warnings;
  std::string error;  // empty when the search ran
};

search_reply export_search(httplib::Client& c, const std::string& search) {
  search_reply out;
  httplib::Params params{{"search", search}, {"output_mode", "json"}};
  auto r = c.Post("/services/search/jobs/export", api_headers(), params);
  if (!r || r->status != 200) {
    out.error = describe(r);
    return out;
  }
  std::istringstream lines(r->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      out.error = "not JSON: " + line.substr(0, 200);
      return out;
    }
    if (j.contains("result")) out.results.push_back(j["result"]);
    if (j.contains("messages"))
      for (auto& m : j["messages"]) out.warnings.push_back(m.dump());
  }
  return out;
}

/// `index=main | stats count` through the node at `port`.
uint64_t count_events(int port, std::string& detail) {
  auto c = client_for(port);
  auto s = export_search(*c, "index=main | stats count");
  if (!s.error.empty()) return detail = s.error, 0;
  for (auto& w : s.warnings) detail += " warning " + w;
  if (s.results.size() != 1 || !s.results[0].contains("count"))
    return detail += " unexpected reply with " + std::to_string(s.results.size()) + " results", 0;
  auto& v = s.results[0]["count"];
  return v.is_string() ? std::stoull(v.get<std::string>()) : v.get<uint64_t>();
}

/// The median time of `needle_runs` needle searches through the node at
/// `port`, in ms; fails unless each finds exactly the one event.
double needle_median_ms(int port, const std::string& needle, const char* where) {
  // A connection per search, as hec_bench and curl do: on a kept-alive
  // connection each request and reply waits for a delayed ACK (Nagle; kura's
  // HTTP server does not set TCP_NODELAY), about 40 ms each way.
  auto c = client_for(port);
  std::vector<double> ms;
  for (int i = 0; i < needle_runs; ++i) {
    auto t0 = clock_type::now();
    auto s = export_search(*c, needle);
    ms.push_back(seconds_since(t0) * 1000);
    if (!s.error.empty()) fail(std::string{"needle search ("} + where + "): " + s.error);
    std::string warnings;
    for (auto& w : s.warnings) warnings += " " + w;
    if (s.results.size() != 1 ||
        s.results[0].value("_raw", std::string{}).find(needle) == std::string::npos)
      fail(std::string{"needle search ("} + where + ") found " + std::to_string(s.results.size()) +
           " events, expected exactly 1 containing " + needle + warnings);
    if (!warnings.empty()) fail(std::string{"needle search ("} + where + ") warned:" + warnings);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

/// Sends `bodies[0]` from one thread to `ports[0]` and `bodies[1]` from another
/// to `ports[1]`, in parallel; each request must get HTTP 200 code 0. The
/// seconds from the first send to the last reply.
double send_in_parallel(const std::vector<std::string> (&bodies)[2], const int (&ports)[2]) {
  std::atomic<bool> go{false};
  std::atomic<int> ready{0};
  std::string errors[2];
  std::vector<std::thread> threads;
  for (int k = 0; k < 2; ++k)
    threads.emplace_back([&, k] {
      auto c = client_for(ports[k]);  // a connection per request, like hec_bench
      httplib::Headers hec{{"Authorization", "Splunk " + hec_token}};
      ++ready;
      while (!go) std::this_thread::yield();
      size_t n = 0;
      for (auto& body : bodies[k]) {
        auto r = c->Post("/services/collector/raw?sourcetype=loghub&index=main", hec, body,
                         "text/plain");
        bool ok = r && r->status == 200;
        if (ok) {
          auto j = nlohmann::json::parse(r->body, nullptr, false);
          ok = !j.is_discarded() && j.value("code", -1) == 0;
        }
        if (!ok) {
          errors[k] = "client " + std::to_string(k + 1) + ", request " + std::to_string(n + 1) +
                      " of " + std::to_string(bodies[k].size()) + " to port " +
                      std::to_string(ports[k]) + ": " + describe(r);
          return;
        }
        ++n;
      }
    });
  while (ready < 2) std::this_thread::yield();
  auto t = clock_type::now();
  go = true;
  for (auto& th : threads) th.join();
  double s = seconds_since(t);
  for (auto& e : errors)
    if (!e.empty()) fail("HEC raw request failed: " + e);
  return s;
}

std::string random_hex(size_t n) {
  std::random_device rd;
  std::mt19937_64 gen{(uint64_t(rd()) << 32) ^ rd()};
  std::string out;
  const char* digits = "0123456789abcdef";
  while (out.size() < n) out += digits[gen() % 16];
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string node_path;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::string{argv[i]} == "--node" && i + 1 < argc)
      node_path = argv[++i];
    else
      rest.push_back(argv[i]);
  }
  bench::bench_args args;
  if (node_path.empty() ||
      !args.parse(int(rest.size()), rest.data(), "kura-bench-cluster --node PATH"))
    return 2;
  if (args.events < 2) return std::fprintf(stderr, "error: --events must be at least 2\n"), 2;

  // Ctrl-C, SIGTERM, SIGHUP: one thread waits for them and cleans up. Blocked
  // here, before any other thread exists, so that every thread inherits it;
  // the node processes unblock them again.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop_signals, s);
  ::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::thread([stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    interrupted = true;
    std::fprintf(stderr, "\n%s: stopping the node processes\n", strsignal(sig));
    clean_up_everything();
    std::_Exit(128 + sig);
  }).detach();

  auto workload = args.load();
  if (!workload) return 1;
  auto& data = *workload;
  const size_t n_events = data.events.size();
  // The needle: one line with a token that occurs nowhere else.
  const std::string needle = "needle-" + random_hex(16);
  const size_t needle_at = n_events / 3;
  const std::string needle_line = std::string{data.events[needle_at].raw} + " " + needle;
  data.events[needle_at].raw = needle_line;

  // The request bodies, made once before any timing and sent to both set-ups:
  // like a live log, each line starts with an ISO 8601 timestamp followed by
  // the Loghub text. Client 1 sends the first half, client 2 the second.
  std::vector<std::string> bodies[2];
  const size_t half = n_events / 2;
  for (int k = 0; k < 2; ++k) {
    size_t from = k == 0 ? 0 : half, to = k == 0 ? half : n_events;
    for (size_t at = from; at < to; at += lines_per_request) {
      std::string body;
      for (size_t i = at; i < std::min(to, at + lines_per_request); ++i) {
        auto& e = data.events[i];
        std::time_t secs = e.time / 1'000'000;
        std::tm tm{};
        gmtime_r(&secs, &tm);
        char stamp[80];
        std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ",
                      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                      tm.tm_sec, int(e.time / 1000 % 1000));
        body.append(stamp).append(e.raw).append("\n");
      }
      bodies[k].push_back(std::move(body));
    }
  }
  uint64_t body_bytes = 0;
  for (auto& side : bodies)
    for (auto& b : side) body_bytes += b.size();
  const double mb = double(body_bytes) / 1e6;

  {
    std::lock_guard lock{g.mutex};
    g.dir = args.work_dir("kura-bench-cluster");
    g.keep = args.keep;
  }
  const io::fs::path dir = g.dir;
  if (std::error_code ec; !io::fs::create_directories(dir, ec) && ec)
    fail("cannot create " + dir.string() + ": " + ec.message());
  std::printf(
      "kura cluster benchmark: %zu events (%.1f MB of raw lines, %zu + %zu requests of up to %zu "
      "lines), two HEC raw clients, needle %s\nwork directory %s\n",
      n_events, mb, bodies[0].size(), bodies[1].size(), lines_per_request, needle.c_str(),
      dir.c_str());
  std::fflush(stdout);

  // The [node]/[http]/[receiver] part of a node's configuration.
  auto node_toml = [&](const std::string& name, const std::string& role, int admin_port,
                       int http_port) {
    std::ostringstream t;
    t << "[node]\nname = \"" << name << "\"\nhome = \"" << (dir / name).string() << "\"\nrole = \""
      << role << "\"\nbind = \"127.0.0.1\"\nadmin_port = " << admin_port
      << "\n[http]\nport = " << http_port << "\nhec_tokens = [\"" << hec_token
      << "\"]\napi_tokens = [\"" << api_token
      << "\"]\nmax_content_length = 100000000\n[receiver]\nport = " << free_port() << "\n";
    return t.str();
  };
  auto write_file = [&](const io::fs::path& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out) fail("cannot write " + path.string());
  };

  // ---- 1. Standalone ----
  double standalone_s = 0, standalone_needle = 0, standalone_rss = -1;
  {
    int port = free_port();
    write_file(dir / "standalone.toml", node_toml("standalone", "standalone", free_port(), port));
    auto& node = start_node("standalone", node_path, (dir / "standalone.toml").string(),
                            (dir / "standalone.log").string(), port);
    auto c = client_for(port);
    bool healthy = false;
    for (int i = 0; i < 600 && !healthy; ++i) {  // at most 60 s
      check_alive();
      auto r = c->Get("/services/collector/health");
      healthy = r && r->status == 200;
      if (!healthy) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!healthy) fail("the standalone node did not become healthy within 60 s");
    std::printf("standalone node pid %d: sending...\n", int(node.pid));
    std::fflush(stdout);
    standalone_s = send_in_parallel(bodies, {port, port});
    std::printf("  standalone  %7.2f s  %9.0f events/s  %6.1f MB/s\n", standalone_s,
                n_events / standalone_s, mb / standalone_s);
    std::string detail;
    uint64_t count = count_events(port, detail);
    if (count != n_events)
      fail("standalone: index=main | stats count = " + std::to_string(count) + ", expected " +
           std::to_string(n_events) + detail);
    standalone_needle = needle_median_ms(port, needle, "standalone");
    std::printf("  count %llu ok; needle %.2f ms (median of %d)\n", (unsigned long long)count,
                standalone_needle, needle_runs);
    standalone_rss = peak_rss_mb(node.pid);
    stop_procs({&node});
    if (!WIFEXITED(node.status) || WEXITSTATUS(node.status) != 0)
      fail("the standalone node ended with " + describe_exit(node));
    std::lock_guard lock{g.mutex};
    g.procs.clear();
  }
  std::fflush(stdout);

  // ---- 2. Cluster ----
  struct member {
    std::string name, role;
    int admin = 0, http = 0, replication = 0;
    node_proc* proc = nullptr;
  };
  std::vector<member> members{{"master", "master"},
                              {"peer1", "peer"},
                              {"peer2", "peer"},
                              {"peer3", "peer"},
                              {"search-head", "search_head"}};
  const std::string secret = "kura-bench-secret-" + random_hex(16);
  int master_admin = 0;  // where the others find the master
  for (auto& m : members) {
    m.admin = free_port();
    m.http = free_port();
    m.replication = free_port();
    if (m.role == "master") master_admin = m.admin;
  }
  for (auto& m : members) {
    std::ostringstream clustering;
    clustering << "[clustering]\npass4SymmKey = \"" << secret
               << "\"\nmaster_uri = \"127.0.0.1:" << master_admin
               << "\"\nreplication_port = " << m.replication
               << "\nreplication_factor = 3\nsearch_factor = 2\nheartbeat_period = 1\n"
                  "heartbeat_timeout = 60\n";
    write_file(dir / (m.name + ".toml"),
               node_toml(m.name, m.role, m.admin, m.http) + clustering.str());
  }
  auto cluster_start = clock_type::now();
  for (auto& m : members)
    m.proc = &start_node(m.name, node_path, (dir / (m.name + ".toml")).string(),
                         (dir / (m.name + ".log")).string(), m.http);
  auto& master = members[0];
  auto& sh = members[4];
  {
    bool ready = false;
    std::string last_master, last_sh, last_peers;
    while (!ready && seconds_since(cluster_start) < 120) {
      check_alive();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      auto info = get_json(master.http, "/services/cluster/master/info", &last_master);
      if (info.is_discarded() || !info.value("indexing_ready", false) ||
          info.value("peers_up", 0) != 3)
        continue;
      auto gen = get_json(sh.http, "/services/cluster/searchhead/generation", &last_sh);
      bool sh_ok = false;
      if (gen.is_array())
        for (auto& e : gen)
          if (e.value("reachable", false) && e.contains("peers") && e["peers"].is_array() &&
              e["peers"].size() == 3)
            sh_ok = true;
      if (!sh_ok) continue;
      ready = true;
      for (int p = 1; p <= 3; ++p) {  // each peer's HEC takes data (not 503 Server is busy)
        auto r = client_for(members[size_t(p)].http)->Get("/services/collector/health");
        if (!r || r->status != 200) {
          ready = false;
          last_peers = members[size_t(p)].name + " health: " + describe(r);
        }
      }
    }
    if (!ready)
      fail("the cluster was not ready within 120 s; master info: " + last_master +
           "; search head generation: " + last_sh + (last_peers.empty() ? "" : "; " + last_peers));
    std::printf(
        "cluster ready in %.1f s: master pid %d, peers %d %d %d, search head pid %d; sending "
        "(client 1 -> peer1, client 2 -> peer2)...\n",
        seconds_since(cluster_start), int(master.proc->pid), int(members[1].proc->pid),
        int(members[2].proc->pid), int(members[3].proc->pid), int(sh.proc->pid));
    std::fflush(stdout);
  }
  double cluster_s = send_in_parallel(bodies, {members[1].http, members[2].http});
  std::printf("  cluster     %7.2f s  %9.0f events/s  %6.1f MB/s\n", cluster_s,
              n_events / cluster_s, mb / cluster_s);
  {
    std::string detail;
    uint64_t count = count_events(sh.http, detail);
    if (count != n_events) {
      std::string more;
      for (int p = 1; p <= 3; ++p) {
        std::string d;
        uint64_t c = count_events(members[size_t(p)].http, d);
        more += "; " + members[size_t(p)].name +
                " directly (its searchable copies): " + std::to_string(c) + d;
      }
      std::string buckets;
      get_json(master.http, "/services/cluster/master/info", &buckets);
      fail("cluster: index=main | stats count through the search head = " + std::to_string(count) +
           ", expected " + std::to_string(n_events) + detail + more + "; master info: " + buckets);
    }
    std::printf("  count through the search head %llu ok\n", (unsigned long long)count);
  }
  {
    // What the master knows of the copies (for the record, not checked).
    std::string raw;
    auto buckets = get_json(master.http, "/services/cluster/master/buckets", &raw);
    if (!buckets.is_array()) {
      std::printf("  master buckets: %s\n", raw.c_str());
    } else {
      size_t n = 0, copies_min = SIZE_MAX, copies_max = 0, searchable_min = SIZE_MAX,
             searchable_max = 0, primaries_bad = 0;
      uint64_t events = 0;
      for (auto& b : buckets) {
        if (b.value("index", std::string{}) != "main") continue;
        ++n;
        events += b.value("events", uint64_t{0});
        size_t copies = 0, searchable = 0, primaries = 0;
        if (b.contains("copies"))
          for (auto& c : b["copies"]) {
            ++copies;
            searchable += c.value("searchable", false);
            primaries += c.value("primary", false);
          }
        copies_min = std::min(copies_min, copies), copies_max = std::max(copies_max, copies);
        searchable_min = std::min(searchable_min, searchable);
        searchable_max = std::max(searchable_max, searchable);
        primaries_bad += primaries != 1;
      }
      if (n == 0) copies_min = searchable_min = 0;
      std::printf(
          "  master: %zu buckets of main, %llu events, copies %zu-%zu, searchable copies %zu-%zu, "
          "%zu without exactly one primary\n",
          n, (unsigned long long)events, copies_min, copies_max, searchable_min, searchable_max,
          primaries_bad);
    }
  }
  double cluster_needle = needle_median_ms(sh.http, needle, "search head");
  // For the record: the same straight to peer1, which got the needle from
  // client 1 and holds the only copy of its bucket that it searches.
  double peer_needle = needle_median_ms(members[1].http, needle, "peer1 directly");
  std::printf(
      "  needle through the search head %.2f ms (median of %d); straight to peer1 %.2f ms\n",
      cluster_needle, needle_runs, peer_needle);
  std::vector<std::pair<std::string, double>> rss;
  rss.emplace_back("standalone", standalone_rss);
  for (auto& m : members) rss.emplace_back(m.name, peak_rss_mb(m.proc->pid));
  {
    // The search head first, then the peers, then the master.
    stop_procs({sh.proc});
    stop_procs({members[1].proc, members[2].proc, members[3].proc});
    stop_procs({master.proc});
    for (auto& m : members)
      if (!WIFEXITED(m.proc->status) || WEXITSTATUS(m.proc->status) != 0)
        std::fprintf(stderr, "warning: %s ended with %s (log %s)\n", m.name.c_str(),
                     describe_exit(*m.proc).c_str(), m.proc->log.c_str());
  }

  // ---- 3. The table ----
  double sa_rate = n_events / standalone_s, cl_rate = n_events / cluster_s;
  double ratio = cl_rate / sa_rate;
  double needle_target = 2 * standalone_needle + 5;
  auto verdict = [](bool met) { return met ? "met" : "MISSED"; };
  std::printf("\n%-28s %12s %12s   %-34s %s\n", "", "standalone", "cluster", "target", "");
  std::printf("%-28s %12.0f %12.0f   %-34s\n", "ingest, events/s", sa_rate, cl_rate, "");
  char target[80];
  std::snprintf(target, sizeof target, "ratio %.3f >= 0.75", ratio);
  std::printf("%-28s %12s %12s   %-34s %s\n", "ingest, cluster/standalone", "", "", target,
              verdict(ratio >= 0.75));
  std::snprintf(target, sizeof target, "cluster <= 2 x %.2f + 5 = %.2f ms", standalone_needle,
                needle_target);
  std::printf("%-28s %12.2f %12.2f   %-34s %s\n", "needle, ms (median of 20)", standalone_needle,
              cluster_needle, target, verdict(cluster_needle <= needle_target));
  std::printf("\npeak RSS (VmHWM):");
  for (auto& [name, mb_rss] : rss) std::printf("  %s %.0f MB", name.c_str(), mb_rss);
  std::printf("\n");
  {
    std::lock_guard lock{g.mutex};
    g.procs.clear();
  }
  clean_up_everything();
  return 0;
}
