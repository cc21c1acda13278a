// kura-node: one node process, configured by a TOML file (product.md §1).
//   kura-node [--config FILE.toml] [--check]
// Without --config it runs a standalone node from the embedded default
// configuration (home $KURA_HOME or ./kura-home, HTTP on 127.0.0.1:8088).
// --check validates the configuration and exits: 0 valid, 2 invalid.
// SIGTERM/SIGINT stop it gracefully: serving stops, hot buckets roll to warm.
// Every role runs the node's actors (node_runtime), HTTP and the door on the
// admin port (the `kura` shell and the cluster's messages); standalone nodes
// and peers also take forwarders on the receiving port, peers copies of
// other peers' buckets on the replication port.
#include <dirent.h>
#include <malloc.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "actors/door.hpp"
#include "actors/node_runtime.hpp"
#include "config/bundle.hpp"
#include "config/instance.hpp"
#include "config/node_config.hpp"
#include "core/log.hpp"
#include "net/admin/admin_auth.hpp"
#include "net/admin/admin_endpoint.hpp"
#include "net/http/http_server.hpp"
#include "net/programs/program_cli.hpp"
#include "net/receiver/receiver_server.hpp"

namespace {

constexpr const char* default_config =
    R"(# kura-node's embedded default: a standalone node for trying kura out.
[node]
name = "standalone"
role = "standalone"
bind = "127.0.0.1"

admin_port = 8089

[receiver]
port = 9997

[http]
port = 8088
hec_tokens = ["kura-hec-token"]
api_tokens = ["kura-api-token"]
max_content_length = 838860800
)";

/// Once the node runs, log lines are also indexed into _internal.
std::atomic<kura::node_runtime*> indexing_log{nullptr};

/// Starts this program again in place (a rolling restart): same pid, same
/// arguments, nothing inherited but stdin, stdout and stderr.
int restart_in_place(char** argv) {
  std::vector<int> open_fds;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (auto* e = ::readdir(d))
      if (int fd = std::atoi(e->d_name); fd > 2 && fd != ::dirfd(d)) open_fds.push_back(fd);
    ::closedir(d);
  }
  for (int fd : open_fds) ::close(fd);
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, nullptr);
  ::execv("/proc/self/exe", argv);
  std::fprintf(stderr, "error: cannot restart kura-node: %s\n", std::strerror(errno));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Two malloc arenas, not glibc's eight per core: the threads that write a
  // batch's parts and a roll's files come and go, and memory they freed stayed
  // in their arenas (peak RSS through 1M events: 320 MB with the default, 254 MB
  // with two, at the same speed).
  mallopt(M_ARENA_MAX, 2);
  CLI::App app{"kura-node: a node of the kura log store"};
  std::string config_file;
  bool check = false;
  app.add_option("--config", config_file,
                 "the node's TOML configuration file (default: the embedded one)");
  app.add_flag("--check", check, "validate the configuration and exit (0 valid, 2 invalid)");
  if (auto rc = kura::programs::parse_command_line(app, argc, argv)) return *rc;
  const char* env_home = std::getenv("KURA_HOME");
  std::string home = env_home ? env_home : (std::filesystem::current_path() / "kura-home").string();
  auto cfg = config_file.empty()
                 ? kura::config::parse_node_config(default_config, "(embedded default)", home)
                 : kura::config::load_node_config(config_file);
  if (!cfg) {
    std::fprintf(stderr, "error: %s\n", cfg.err().message().c_str());
    return 2;
  }
  std::string name = config_file.empty() ? "(embedded default)" : config_file;
  // A peer runs its own file plus the bundle in slave-apps (product.md §7).
  auto local_config = std::make_shared<const kura::config::node_config>(*cfg);
  kura::config::config_bundle bundle;
  kura::config::bundle_settings bundle_settings;
  if (cfg->node.role == kura::config::node_role::peer) {
    auto installed = kura::config::read_bundle(cfg->node.home / "etc/slave-apps");
    if (!installed) {
      std::fprintf(stderr, "error: %s\n", installed.err().message().c_str());
      return 2;
    }
    auto parsed = kura::config::parse_bundle(*installed, *cfg);
    if (!parsed) {
      std::fprintf(stderr, "error: %s\n", parsed.err().message().c_str());
      return 2;
    }
    bundle = std::move(*installed);
    bundle_settings = std::move(*parsed);
    *cfg = kura::config::with_bundle(std::move(*cfg), bundle_settings);
  }
  if (check) {
    std::printf(
        "config OK: %s (node %s, role %s, home %s, %zu indexes configured, %zu sourcetypes)\n",
        name.c_str(), cfg->node.name.c_str(), kura::config::to_string(cfg->node.role),
        cfg->node.home.c_str(), cfg->indexes.size(), cfg->sourcetypes.size());
    return 0;
  }
  auto role = cfg->node.role;
  using kura::config::node_role;
  std::string guid;
  if (role != node_role::standalone) {
    auto g = kura::config::load_or_create_guid(cfg->node.home);
    if (!g) {
      std::fprintf(stderr, "error: the node's identity: %s\n", g.err().render().c_str());
      return 2;
    }
    guid = *g;
  }

  // Signals are handled by sigtimedwait below, so every thread must block them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto log_file = cfg->node.home / "var/log/kura/kura.log";
  kura::log::set_sink(kura::log::file_sink(log_file.string(), [](std::string_view line) {
    if (auto* node = indexing_log.load()) node->queue_log_line(std::string{line});
  }));
  kura::node_settings settings;
  settings.name = cfg->node.name;
  settings.workers = cfg->node.workers;
  settings.store = cfg->store;
  settings.indexes = cfg->indexes;
  settings.sourcetypes = cfg->sourcetypes;
  settings.lookup_dir = cfg->node.home / "etc/lookups";
  settings.search_limits.max_memory = size_t(cfg->search.max_mem_usage_mb) << 20;
  {
    auto rules = kura::search::field_rules::compile(cfg->search_fields);  // checked when parsed
    if (!rules) {
      std::fprintf(stderr, "error: %s\n", rules.err().message().c_str());
      return 2;
    }
    settings.field_rules = *rules;
  }
  settings.role = kura::config::to_string(role);
  auto& cl = settings.cluster;
  cl.guid = guid;
  cl.secret = cfg->clustering.pass4SymmKey;
  cl.master_uris = cfg->clustering.master_uris;
  cl.master_secrets = cfg->clustering.master_secrets;
  cl.bind = cfg->node.bind;
  cl.admin_port = cfg->node.admin_port;
  cl.replication_port = cfg->clustering.replication_port;
  cl.replication_factor = cfg->clustering.replication_factor;
  cl.search_factor = cfg->clustering.search_factor;
  auto millis = [](double secs) { return std::chrono::milliseconds(int64_t(secs * 1000)); };
  cl.heartbeat_period = millis(cfg->clustering.heartbeat_period);
  cl.heartbeat_timeout = millis(cfg->clustering.heartbeat_timeout);
  cl.restart_timeout = millis(cfg->clustering.restart_timeout);
  cl.quiet_period = millis(cfg->clustering.quiet_period);
  cl.state_dir = cfg->node.home / "var/lib/kura/cluster";
  cl.master_apps = cfg->node.home / "etc/master-apps";
  if (role == node_role::master) (void)kura::io::make_dirs(cl.master_apps);
  cl.local_config = local_config;
  cl.slave_apps = cfg->node.home / "etc/slave-apps";
  cl.active_bundle = bundle.checksum;
  cl.active_bundle_settings = bundle_settings;
  if (role == node_role::peer) settings.store.peer_guid = guid;
  std::vector<std::string> notes;
  auto started = kura::node_runtime::start(settings, true, &notes);
  if (!started) {
    kura::log::error("kura-node", "cannot open the indexes: " + started.err().render());
    return 1;
  }
  auto& node = **started;
  node.on_stop_request([] { ::kill(::getpid(), SIGTERM); });
  static std::atomic<bool> restart_requested{false};
  node.on_restart_request([] {
    restart_requested = true;
    ::kill(::getpid(), SIGTERM);
  });
  node.index_own_log(log_file.string());
  indexing_log = &node;
  auto stop_node = [&](int rc) {
    indexing_log = nullptr;
    if (auto err = node.stop()) {
      kura::log::error("kura-node", "rolling hot buckets: " + err.render());
      return 1;
    }
    return rc;
  };

  auto secret = kura::admin::node_secret(cfg->clustering.pass4SymmKey, cfg->node.home);
  if (!secret) {
    kura::log::error("kura-node", "the node's secret: " + secret.err().render());
    return stop_node(1);
  }
  auto admin = kura::admin::admin_endpoint::start(
      node.system(), node, node, *secret, cfg->node.bind, cfg->node.admin_port,
      [&](kura::actors::door_args& door) { node.fill_door(door); });
  if (!admin) {
    kura::log::error("kura-node", admin.err().render());
    return stop_node(1);
  }

  kura::http_options http;
  http.bind = cfg->node.bind;
  http.port = cfg->http.port;
  http.hec_tokens = cfg->http.hec_tokens;
  http.api_tokens = cfg->http.api_tokens;
  http.max_content_length = cfg->http.max_content_length;
  http.default_host = cfg->node.name;
  kura::http_server server{node, http};
  auto port = server.start();
  if (!port) {
    kura::log::error("kura-node", port.err().render());
    admin->reset();
    return stop_node(1);
  }
  kura::receiver_options receiving;
  receiving.bind = cfg->node.bind;
  receiving.port = cfg->receiver.port;
  receiving.ledger_file = cfg->node.home / "var/lib/kura/receiver/channel_ledger";
  receiving.default_host = cfg->node.name;
  // Masters and search heads hold no data: they take none from forwarders.
  bool takes_input = role == node_role::standalone || role == node_role::peer;
  kura::receiver_server receiver{node, receiving};
  uint16_t receiver_port = 0;
  if (takes_input) {
    auto listening = receiver.start();
    if (!listening) {
      kura::log::error("kura-node", listening.err().render());
      server.stop();
      admin->reset();
      return stop_node(1);
    }
    receiver_port = *listening;
  }
  kura::log::info(
      "kura-node",
      "node " + cfg->node.name + " (" + settings.role + (guid.empty() ? "" : ", guid " + guid) +
          ") serving HTTP on " + http.bind + ":" + std::to_string(*port) + ", the shell on " +
          cfg->node.bind + ":" + std::to_string((*admin)->port()) +
          (takes_input ? ", forwarders on " + receiving.bind + ":" + std::to_string(receiver_port)
                       : "") +
          ", home " + cfg->node.home.string());
  if (config_file.empty())
    std::fprintf(
        stderr,
        "\nkura is running. Send data and search:\n"
        "  curl -H 'Authorization: Splunk kura-hec-token' -d '{\"event\": \"hello kura\"}' "
        "http://127.0.0.1:%u/services/collector/event\n"
        "  curl -H 'Authorization: Bearer kura-api-token' --data-urlencode 'search=hello' "
        "http://127.0.0.1:%u/services/search/jobs/export\n"
        "Administer it with the shell (it reads the secret from $KURA_HOME/etc/pass4SymmKey):\n"
        "  build/net/kura list indexes\n"
        "Stop with Ctrl-C (hot buckets roll to warm).\n\n",
        unsigned(*port), unsigned(*port));

  // Retention runs on the peer actor's timer; this thread only waits for a signal.
  int sig = 0;
  while (sigwait(&signals, &sig) != 0 || (sig != SIGTERM && sig != SIGINT)) {
  }
  kura::log::info("kura-node", "stopping: no more requests; rolling hot buckets");
  server.stop();
  if (takes_input) receiver.stop();
  admin->reset();
  int rc = stop_node(0);
  if (rc == 0)
    kura::log::info("kura-node", restart_requested ? "stopped; starting again" : "stopped");
  if (rc == 0 && restart_requested) {
    started->reset();  // the actor system (and its sockets) ends before the program starts again
    return restart_in_place(argv);
  }
  return rc;
}
