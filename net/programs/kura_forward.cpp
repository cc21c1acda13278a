// kura-forward: the forwarder (product.md §1). Follows files (tail -F over
// globs, positions kept across restarts) and standard input, cuts the data
// into blocks of about 64 KB of whole lines, and sends them to receivers with
// automatic load balancing, keeping every block until it is acknowledged.
//   kura-forward --config FILE.toml [--check]
// SIGTERM/SIGINT: stop reading, wait (at most ackTimeout) for the acks of what
// was sent, save positions, exit 0.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>

#include "config/forwarder_config.hpp"
#include "core/log.hpp"
#include "net/forwarder/file_tailer.hpp"
#include "net/forwarder/tcp_output.hpp"
#include "net/programs/program_cli.hpp"

namespace {

using namespace kura;
using clock_type = std::chrono::steady_clock;
constexpr size_t block_bytes = 64 * 1024;
constexpr const char* component = "kura-forward";

std::atomic<bool> stopping{false};

/// Where a block came from, to move the read position when it is acknowledged.
struct origin {
  forwarder::file_id file;
  uint64_t end_offset = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kura-forward: ships log files and standard input to kura receivers"};
  std::string config_file;
  bool check = false;
  app.add_option("--config", config_file, "the forwarder's TOML configuration file")->required();
  app.add_flag("--check", check, "validate the configuration and exit (0 valid, 2 invalid)");
  if (auto rc = kura::programs::parse_command_line(app, argc, argv)) return *rc;
  auto cfg = config::load_forwarder_config(config_file);
  if (!cfg) {
    std::fprintf(stderr, "error: %s\n", cfg.err().message().c_str());
    return 2;
  }
  if (check) {
    std::printf("config OK: %s (forwarder %s, %zu receivers, %zu monitored inputs%s, home %s)\n",
                config_file.c_str(), cfg->name.c_str(), cfg->servers.size(), cfg->monitors.size(),
                cfg->stdin_input ? " and stdin" : "", cfg->home.c_str());
    return 0;
  }
  if (auto err = io::make_dirs(cfg->home)) {
    std::fprintf(stderr, "error: %s\n", err.render().c_str());
    return 1;
  }
  log::set_sink(log::file_sink((cfg->home / "kura-forward.log").string()));
  if (!cfg->use_ack)
    log::warn(
        component,
        "useACK is off: a block is forgotten once written, so a receiver that fails can lose it");

  auto positions_file = cfg->home / "positions";
  auto saved = forwarder::load_positions(positions_file);
  if (!saved) {
    log::error(component, "read positions: " + saved.err().render() +
                              " (remove the file to read every file again)");
    return 1;
  }
  forwarder::file_tailer tailer{cfg->monitors, std::move(*saved)};
  // The channel names this run: a resend within the run is recognized by the receiver.
  std::string channel =
      cfg->name + "/" + std::to_string(std::time(nullptr)) + "-" + std::to_string(::getpid());
  uint64_t seq = 0, acknowledged = 0;
  std::map<uint64_t, origin> origins;
  forwarder::tcp_output out{*cfg, [&](uint64_t s) {
                              ++acknowledged;
                              auto it = origins.find(s);
                              if (it == origins.end()) return;
                              tailer.acknowledge(it->second.file, it->second.end_offset);
                              origins.erase(it);
                            }};

  struct sigaction sa {};
  sa.sa_handler = [](int) { stopping = true; };
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  std::string stdin_buf;
  bool stdin_open = cfg->stdin_input.has_value();
  if (stdin_open) ::fcntl(0, F_SETFL, ::fcntl(0, F_GETFL) | O_NONBLOCK);
  auto send_block = [&](const config::input_settings& in, std::string source, std::string data) {
    wire::block b{channel,
                  ++seq,
                  in.index,
                  in.host,
                  in.source.empty() ? std::move(source) : in.source,
                  in.sourcetype.empty() ? in.name : in.sourcetype,
                  std::move(data)};
    out.enqueue(std::move(b));
  };
  log::info(component, "forwarder " + cfg->name +
                           " started: " + std::to_string(cfg->monitors.size()) +
                           " monitored inputs" + (stdin_open ? " and stdin" : "") + ", " +
                           std::to_string(cfg->servers.size()) + " receivers, channel " + channel);

  auto last_scan = clock_type::now();
  bool queue_full_logged = false;
  std::optional<clock_type::time_point> stop_deadline;
  for (;;) {
    auto now = clock_type::now();
    if (stopping && !stop_deadline) {
      log::info(component, "stopping: waiting for the acks of " +
                               std::to_string(out.unacknowledged()) + " blocks");
      stop_deadline = now + cfg->ack_timeout;
    }
    if (stop_deadline && (out.unacknowledged() == 0 || now > *stop_deadline)) break;
    if (now - last_scan >= std::chrono::milliseconds(250)) {  // tail -F looks about this often
      tailer.scan();
      last_scan = now;
    }
    if (tailer.take_changed())
      if (auto err = forwarder::save_positions(positions_file, tailer.positions()))
        log::error(component, "save positions: " + err.render());
    // Inputs, as long as the queue has room (back-pressure otherwise).
    while (!stopping && out.has_room()) {
      auto c = tailer.read(block_bytes);
      if (!c) break;
      origins[seq + 1] = {c->file, c->end_offset};
      send_block(cfg->monitors[c->input], c->path, std::move(c->data));
    }
    while (!stopping && stdin_open && out.has_room()) {
      char buf[block_bytes];
      auto n = ::read(0, buf, sizeof buf);
      if (n == 0) {  // end of input: the last partial line too
        if (!stdin_buf.empty()) send_block(*cfg->stdin_input, "stdin", std::move(stdin_buf));
        stdin_buf.clear();
        stdin_open = false;
        break;
      }
      if (n < 0) break;
      stdin_buf.append(buf, size_t(n));
      auto cut = stdin_buf.rfind('\n');
      if (cut == std::string::npos && stdin_buf.size() < block_bytes) continue;
      size_t take = cut == std::string::npos ? stdin_buf.size() : cut + 1;
      send_block(*cfg->stdin_input, "stdin", stdin_buf.substr(0, take));
      stdin_buf.erase(0, take);
    }
    if (!out.has_room() && !queue_full_logged)
      log::warn(component, "queue full (" + std::to_string(out.queued_bytes()) +
                               " bytes, maxQueueSize " + std::to_string(cfg->max_queue_bytes) +
                               "): inputs wait for acks");
    queue_full_logged = !out.has_room();
    // Only stdin, and it ended: stop once everything is acknowledged.
    if (cfg->monitors.empty() && !stdin_open && out.unacknowledged() == 0) break;
    out.pump(std::chrono::milliseconds(50));
  }
  if (auto err = forwarder::save_positions(positions_file, tailer.positions()))
    log::error(component, "save positions: " + err.render());
  log::info(component, "stopped: " + std::to_string(seq) + " blocks sent, " +
                           std::to_string(acknowledged) + " acknowledged, " +
                           std::to_string(out.resent()) + " sent again, " +
                           std::to_string(out.unacknowledged()) + " unacknowledged");
  return out.unacknowledged() == 0 ? 0 : 1;
}
