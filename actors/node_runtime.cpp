// The node's actor system and the blocking client side of the peer actor:
// the ingest path (parsing in raw_parsing.cpp), status and administration,
// and the indexing of the node's own log. Searches: search_coordinator.cpp;
// the cluster role: cluster_node.cpp.
#include "actors/node_runtime.hpp"

#include <caf/io/all.hpp>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "actors/activity_log.hpp"
#include "actors/blocking_ask.hpp"
#include "actors/cluster_node.hpp"
#include "actors/interfaces/peer_actor.hpp"
#include "actors/raw_parsing.hpp"
#include "actors/search_coordinator.hpp"

namespace kura {

using namespace actors;

namespace {

time_us now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Asks a local actor and waits (local actors always answer: no timeout).
template <class T, class Handle, class... Ts>
result<T> ask(caf::scoped_actor& self, const Handle& to, Ts&&... message) {
  return ask_and_wait<T>(self, to, caf::infinite, std::forward<Ts>(message)...);
}

template <class Handle, class... Ts>
error ask_ok(caf::actor_system& sys, const Handle& to, Ts&&... message) {
  caf::scoped_actor self{sys};
  auto r = ask<ok_atom>(self, to, std::forward<Ts>(message)...);
  return r ? error{} : r.err();
}

/// Lines queued for `_internal` beyond this are dropped (and counted).
constexpr size_t max_queued_log_lines = 10'000;

}  // namespace

struct node_runtime::impl {
  node_settings settings;
  std::unique_ptr<caf::actor_system_config> config;
  std::unique_ptr<caf::actor_system> sys;  // declared after config: destroyed first
  std::unique_ptr<cluster_node> cluster;   // master, peer or search head role; null when standalone
  peer_actor peer;
  std::function<void()> on_stop;
  std::mutex restart_mutex;  // on_restart is set on the main thread, called on an actor's
  std::function<void()> on_restart;
  bool stopped = false;

  activity_log recent;  // for the status page

  // Own log -> _internal.
  std::mutex log_mutex;
  std::condition_variable log_wake;
  std::vector<ingest_event> log_events;  // the node's log lines (and audit events held back)
  uint64_t log_lines_dropped = 0;
  std::string log_source;
  bool log_stop = false;
  std::thread log_thread;

  void count_stored(size_t n) { recent.count_stored(n, now_us()); }

  /// Queues an event for the log thread (which stores them about once a second).
  void hold(ingest_event e) {
    std::lock_guard lock{log_mutex};
    if (log_events.size() >= max_queued_log_lines) {
      ++log_lines_dropped;
      return;
    }
    log_events.push_back(std::move(e));
  }

  void flush_log() {
    // A peer stores nothing, not even its own log, until the cluster may index:
    // the lines wait (at most max_queued_log_lines).
    if (cluster && !cluster->accepting_input()) return;
    auto events = std::make_shared<std::vector<ingest_event>>();
    {
      std::lock_guard lock{log_mutex};
      events->swap(log_events);
    }
    if (events->empty()) return;
    caf::scoped_actor self{*sys};
    if (auto r = ask<ok_atom>(self, peer, ingest_atom::value, event_batch{events}); !r)
      std::fprintf(stderr, "kura: cannot index the node's log into _internal: %s\n",
                   r.err().render().c_str());
  }
};

node_runtime::node_runtime(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

node_runtime::~node_runtime() { (void)stop(); }

result<std::unique_ptr<node_runtime>> node_runtime::start(const node_settings& settings,
                                                          bool with_middleman,
                                                          std::vector<std::string>* notes) {
  auto i = std::make_unique<impl>();
  i->settings = settings;
  i->config = std::make_unique<caf::actor_system_config>();
  i->config->set("scheduler.max-threads", size_t{settings.workers});
  // Workers sleep when there is no work ("sharing": one queue and a condition
  // variable) instead of polling ("stealing", CAF's default): polling workers
  // took the CPU of the other processes on the machine. Measured with
  // scripts/bench-cluster (five nodes on two cores): 0.54-0.70 of a
  // standalone node's ingestion with stealing, 1.0-1.1 with sharing.
  i->config->set("scheduler.policy", caf::atom("sharing"));
  if (with_middleman) {
    i->config->load<caf::io::middleman>();
    enable_connection_heartbeats(*i->config);
  }
  register_kura_types(*i->config);
  i->sys = std::make_unique<caf::actor_system>(*i->config);
  if (settings.role != "standalone") {
    auto with_restart = settings;
    with_restart.cluster.restart = [raw = i.get()] {
      std::lock_guard lock{raw->restart_mutex};
      if (raw->on_restart) raw->on_restart();
    };
    i->cluster = std::make_unique<cluster_node>(*i->sys, with_restart);
  }
  auto peer = spawn_peer_actor(*i->sys, settings, notes,
                               i->cluster ? i->cluster->replicator() : replicator_actor{});
  if (!peer) return peer.err();
  i->peer = *peer;
  if (i->cluster)
    if (auto err = i->cluster->start(i->peer)) {
      caf::anon_send_exit(i->peer, caf::exit_reason::user_shutdown);
      i->cluster->stop();
      return err;
    }
  return std::unique_ptr<node_runtime>{new node_runtime(std::move(i))};
}

caf::actor_system& node_runtime::system() { return *impl_->sys; }

namespace {

/// Input is refused while the cluster may not index (first start: too few peers).
error check_cluster_accepts(const cluster_node* cluster) {
  if (cluster && !cluster->accepting_input())
    return {errc::unavailable,
            "the cluster cannot index yet: fewer than replication_factor peers have registered "
            "with the master"};
  return {};
}

}  // namespace

error node_runtime::ingest(std::vector<ingest_event> events) {
  if (events.empty()) return {};
  if (auto err = check_cluster_accepts(impl_->cluster.get())) return err;
  auto n = events.size();
  auto err = ask_ok(*impl_->sys, impl_->peer, ingest_atom::value,
                    event_batch{std::make_shared<std::vector<ingest_event>>(std::move(events))});
  if (!err) impl_->count_stored(n);
  return err;
}

activity node_runtime::recent_activity() { return impl_->recent.snapshot(now_us()); }

error node_runtime::ingest_raw(std::span<const raw_input> inputs, time_us now) {
  auto events = parse_raw(impl_->settings, inputs, now);
  if (!events) return events.err();
  return ingest(std::move(*events));
}

result<event_stream> node_runtime::open_raw_stream(const input_meta& meta) {
  return open_stream(impl_->settings, meta);
}

error node_runtime::ingest_async(std::vector<ingest_event> events,
                                 std::function<void(error)> done) {
  if (auto err = check_cluster_accepts(impl_->cluster.get())) return err;
  if (events.empty()) {
    done({});
    return {};
  }
  auto n = events.size();
  event_batch batch{std::make_shared<std::vector<ingest_event>>(std::move(events))};
  auto* i = impl_.get();
  // A short-lived actor waits for the peer's reply and reports it.
  i->sys->spawn(
      [peer = i->peer, batch, done = std::move(done), i, n](caf::event_based_actor* self) {
        self->request(peer, caf::infinite, ingest_atom::value, batch)
            .then(
                [=](ok_atom) {
                  i->count_stored(n);
                  done({});
                  self->quit();
                },
                [=](caf::error& e) {
                  done(from_caf(e));
                  self->quit();
                });
      });
  return {};
}

void node_runtime::ingest_raw_async(std::span<const raw_input> inputs, time_us now,
                                    std::function<void(error)> done) {
  if (auto err = check_cluster_accepts(impl_->cluster.get())) return done(err);
  auto events = parse_raw(impl_->settings, inputs, now);
  if (!events) return done(events.err());
  auto on_done = done;  // ingest_async keeps its copy only when it goes on
  if (auto err = ingest_async(std::move(*events), std::move(on_done))) done(err);
}

result<uint64_t> node_runtime::ingest_file(const input_meta& meta, const io::fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in) return error{errc::not_found, "cannot open " + file.string() + " on the node"};
  auto stream = open_stream(impl_->settings, meta);
  if (!stream) return stream.err();
  uint64_t stored = 0;
  std::vector<parsed_event> parsed;
  auto store_parsed = [&] {
    stored += parsed.size();
    return ingest(take_events(meta, parsed));
  };
  std::string chunk(1 << 20, '\0');
  while (in) {
    in.read(chunk.data(), std::streamsize(chunk.size()));
    auto n = size_t(in.gcount());
    if (n == 0) break;
    stream->feed(std::string_view{chunk.data(), n}, now_us(), parsed);
    if (parsed.size() >= 10'000)
      if (auto err = store_parsed()) return err;
  }
  if (in.bad()) return error{errc::io_error, "reading " + file.string() + " failed"};
  stream->finish(now_us(), parsed);
  if (auto err = store_parsed()) return err;
  return stored;
}

result<search::search_summary> node_runtime::search(std::string_view text,
                                                    const search::search_options& given,
                                                    const search::row_sink& emit) {
  search::search_options options = given;
  options.limits = impl_->settings.search_limits;
  if (options.lookup_dir.empty()) options.lookup_dir = impl_->settings.lookup_dir.string();
  if (impl_->settings.role == "peer" && options.bundle_lookup_dirs.empty())  // then the bundle's
    options.bundle_lookup_dirs.push_back(
        (impl_->settings.cluster.slave_apps / config::bundle_lookup_dir).string());
  if (!options.run_subsearch)  // subsearches run as searches of this node (or its search head)
    options.run_subsearch = [this](std::string_view sub, const search::search_options& o,
                                   const search::row_sink& sink) {
      auto done = search(sub, o, sink);
      return done ? error{} : done.err();
    };
  if (impl_->cluster && impl_->cluster->head())
    return impl_->cluster->head()->search(text, options, emit);
  auto local = options;  // this node's events: its name and sourcetype rules
  local.server_name = impl_->settings.name;
  local.extractions = impl_->settings.field_rules;
  auto opened = open_local_parts(*impl_->sys, impl_->peer, text, local, nullptr, 0);
  if (!opened) return opened.err();
  auto summary = search::merge_parts(*opened->q, std::move(opened->parts), local, emit);
  opened->close();
  return summary;
}

server_status node_runtime::server_info() {
  caf::scoped_actor self{*impl_->sys};
  auto r = ask<server_status>(self, impl_->peer, status_atom::value);
  if (!r) return {impl_->settings.name, impl_->settings.role, "0.1.0", 0, r.err().render(), 0};
  return std::move(*r);
}

std::vector<index_status> node_runtime::indexes() {
  caf::scoped_actor self{*impl_->sys};
  auto r = ask<std::vector<index_status>>(self, impl_->peer, indexes_atom::value);
  return r ? std::move(*r) : std::vector<index_status>{};
}

bool node_runtime::accepting() {
  return !check_cluster_accepts(impl_->cluster.get()) && !server_info().detention.has_value();
}

result<master_status> node_runtime::cluster_master_status() {
  if (!impl_->cluster)
    return error{errc::bad_state, "this node is standalone, not a cluster master"};
  return impl_->cluster->master_status_now();
}

error node_runtime::offline(bool enforce_counts) {
  if (!impl_->cluster) return error{errc::bad_state, "this node is standalone, not a cluster peer"};
  // Decommissioning waits for fixup, which may take long (the shell's --timeout bounds it).
  return impl_->cluster->offline(enforce_counts, std::chrono::hours{24});
}

error node_runtime::edit_cluster_config(const std::string& key, double value) {
  if (!impl_->cluster)
    return error{errc::bad_state, "this node is standalone, not a cluster master"};
  return impl_->cluster->edit_setting(key, value);
}

result<std::string> node_runtime::apply_cluster_bundle(bool dry_run) {
  if (!impl_->cluster)
    return error{errc::bad_state, "this node is standalone, not a cluster master"};
  return impl_->cluster->apply_bundle(dry_run);
}

error node_runtime::rolling_restart(uint32_t percent) {
  if (!impl_->cluster)
    return error{errc::bad_state, "this node is standalone, not a cluster master"};
  return impl_->cluster->rolling_restart(percent);
}

result<peer_cluster_status> node_runtime::cluster_peer_status() {
  if (!impl_->cluster) return error{errc::bad_state, "this node is standalone, not a cluster peer"};
  return impl_->cluster->peer_status_now();
}

result<std::vector<searchhead_master_status>> node_runtime::cluster_searchhead_status() {
  if (!impl_->cluster || !impl_->cluster->head())
    return error{errc::bad_state, "this node is not a search head"};
  return impl_->cluster->head()->status();
}

void node_runtime::fill_door(actors::door_args& args) const {
  if (impl_->cluster) impl_->cluster->fill_door(args);
}

error node_runtime::add_index(const std::string& name) {
  return ask_ok(*impl_->sys, impl_->peer, add_atom::value, name);
}

error node_runtime::remove_index(const std::string& name) {
  return ask_ok(*impl_->sys, impl_->peer, remove_atom::value, name);
}

error node_runtime::set_index_disabled(const std::string& name, bool disabled) {
  return ask_ok(*impl_->sys, impl_->peer, disable_atom::value, name, disabled);
}

error node_runtime::clean_eventdata(const std::string& name) {
  return ask_ok(*impl_->sys, impl_->peer, clean_atom::value, name);
}

error node_runtime::roll_hot_buckets(const std::string& name) {
  return ask_ok(*impl_->sys, impl_->peer, roll_atom::value, name);
}

result<std::vector<fsck_report>> node_runtime::fsck(const std::string& name, bool repair) {
  caf::scoped_actor self{*impl_->sys};
  return ask<std::vector<fsck_report>>(self, impl_->peer, fsck_atom::value, name, repair);
}

error node_runtime::rebuild(const std::string& bucket_dir) {
  std::error_code ec;
  if (!io::fs::is_directory(bucket_dir, ec))
    return {errc::not_found, "no bucket directory " + bucket_dir};
  return ask_ok(*impl_->sys, impl_->peer, rebuild_atom::value,
                io::fs::absolute(bucket_dir).string());
}

error node_runtime::enforce_retention() {
  return ask_ok(*impl_->sys, impl_->peer, retain_atom::value);
}

void node_runtime::audit(const std::string& user, const std::string& action,
                         const std::string& info) {
  std::string raw = "user=" + user + " action=" + action + " info=\"";
  for (char ch : info) {
    if (ch == '"' || ch == '\\') raw += '\\';
    raw += ch;
  }
  raw += '"';
  ingest_event e{
      now_us(), impl_->settings.name, "kura_audit", "audittrail", "_audit", std::move(raw), {}};
  if (check_cluster_accepts(impl_->cluster.get()))
    return impl_->hold(std::move(e));  // stored once it may
  auto events = std::make_shared<std::vector<ingest_event>>();
  events->push_back(std::move(e));
  caf::anon_send(impl_->peer, ingest_atom::value, event_batch{events});
}

void node_runtime::on_stop_request(std::function<void()> fn) { impl_->on_stop = std::move(fn); }

void node_runtime::on_restart_request(std::function<void()> fn) {
  std::lock_guard lock{impl_->restart_mutex};
  impl_->on_restart = std::move(fn);
}

void node_runtime::request_stop() {
  if (impl_->on_stop) impl_->on_stop();
}

void node_runtime::index_own_log(std::string source) {
  auto* i = impl_.get();
  i->log_source = std::move(source);
  i->log_thread = std::thread{[i] {
    std::unique_lock lock{i->log_mutex};
    while (!i->log_stop) {
      i->log_wake.wait_for(lock, std::chrono::seconds(1));
      lock.unlock();
      i->flush_log();
      lock.lock();
    }
  }};
}

void node_runtime::queue_log_line(std::string line) {
  impl_->recent.note_line(line);
  std::string source;
  {
    std::lock_guard lock{impl_->log_mutex};
    if (impl_->log_source.empty()) return;
    source = impl_->log_source;
  }
  impl_->hold(
      {now_us(), impl_->settings.name, source, "kura_node", "_internal", std::move(line), {}});
}

error node_runtime::stop() {
  auto& i = *impl_;
  if (i.stopped) return {};
  i.stopped = true;
  if (i.cluster) i.cluster->stopping();
  if (i.log_thread.joinable()) {
    {
      std::lock_guard lock{i.log_mutex};
      i.log_stop = true;
    }
    i.log_wake.notify_all();
    i.log_thread.join();
    i.flush_log();
    std::lock_guard lock{i.log_mutex};
    i.log_source.clear();
  }
  auto err = ask_ok(*i.sys, i.peer, shutdown_atom::value);
  if (i.cluster) i.cluster->stop();
  i.sys->await_all_actors_done();
  return err;
}

}  // namespace kura
