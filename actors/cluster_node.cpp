// Starting and stopping a node's cluster role.
#include "actors/cluster_node.hpp"

#include <caf/io/all.hpp>

#include "actors/blocking_ask.hpp"
#include "actors/cluster/host_port.hpp"
#include "actors/cluster/remote.hpp"
#include "actors/master/master.hpp"
#include "actors/peer_link.hpp"
#include "actors/replica_sink.hpp"
#include "actors/search_service.hpp"
#include "core/index/store.hpp"

namespace kura::actors {

cluster_node::cluster_node(caf::actor_system& sys, node_settings settings)
    : sys_(sys), settings_(std::move(settings)) {
  auto& c = settings_.cluster;
  if (settings_.role == "peer") {
    view_ = std::make_shared<cluster_view>(c.guid);
    meter_ = std::make_shared<replication_meter>();
    replicator_ =
        spawn_replicator(sys_, {settings_.name, c.guid, c.secret, member_actor{}, meter_});
  }
}

cluster_node::~cluster_node() { stop(); }

error cluster_node::start(const peer_actor& peer) {
  auto& c = settings_.cluster;
  if (settings_.role == "master") {
    master_args args;
    args.replication_factor = c.replication_factor;
    args.search_factor = c.search_factor;
    args.heartbeat_period = c.heartbeat_period;
    args.heartbeat_timeout = c.heartbeat_timeout;
    args.restart_timeout = c.restart_timeout;
    args.quiet_period = c.quiet_period;
    args.state_dir = c.state_dir;
    args.master_apps = c.master_apps;
    auto m = spawn_master(sys_, args);
    if (!m) return m.err();
    master_ = *m;
  } else if (settings_.role == "peer") {
    replica_sink_args sink_args{settings_.name, c.guid, c.secret, {}, peer, view_, meter_};
    std::vector<index_config> configs = settings_.indexes;
    for (auto& name : builtin_indexes())
      if (std::none_of(configs.begin(), configs.end(), [&](auto& x) { return x.name == name; }))
        configs.push_back(default_index_config(name, settings_.store.db_root));
    for (auto& cfg : configs) sink_args.cold_paths[cfg.name] = cfg.cold_path;
    sink_ = spawn_replica_sink(sys_, std::move(sink_args));
    auto published = sys_.middleman().publish(sink_, c.replication_port, c.bind.c_str(), true);
    if (!published)
      return error{errc::io_error, "cannot listen for replication on " + c.bind + ":" +
                                       std::to_string(c.replication_port) + ": " +
                                       sys_.render(published.error())};
    sink_port_ = *published;
    peer_link_args link;
    link.name = settings_.name;
    link.guid = c.guid;
    link.secret = c.secret;
    link.master_uri = c.master_uris.at(0);
    link.hello.host_port = advertised(c.bind, c.admin_port);
    link.hello.replication_uri = advertised(c.bind, sink_port_);
    link.heartbeat_period = c.heartbeat_period;
    link.peer = peer;
    link.replicator = replicator_;
    link.sink = sink_;
    link.view = view_;
    link.local_config = c.local_config;
    link.slave_apps = c.slave_apps;
    link.hello.active_bundle = c.active_bundle;
    view_->set_active_bundle(c.active_bundle);
    link.bundle = c.active_bundle_settings;
    link.restart = c.restart;
    member_ = spawn_peer_link(sys_, link);
    caf::anon_send(replicator_, register_atom::value, member_);
    search_ = spawn_search_service(sys_, peer, view_, settings_.name, settings_.field_rules,
                                   settings_.search_limits);
  } else if (settings_.role == "search_head") {
    search_head_args args{settings_.name, c.guid, c.master_uris, {}, {}};
    if (!settings_.lookup_dir.empty())  // beside etc/lookups: the masters' bundle lookups
      args.lookups_root = settings_.lookup_dir.parent_path() / "cluster-lookups";
    for (auto& uri : c.master_uris) {
      auto it = c.master_secrets.find(uri);
      args.secrets[uri] = it == c.master_secrets.end() ? c.secret : it->second;
    }
    head_ = std::make_unique<search_head>(sys_, std::move(args));
  }
  return {};
}

void cluster_node::fill_door(door_args& args) const {
  args.master = master_;
  args.search = search_;
}

bool cluster_node::accepting_input() const {
  return !view_ || (view_->indexing_ready() && !view_->offline());
}

result<master_status> cluster_node::master_status_now() const {
  if (!master_) return error{errc::bad_state, settings_.name + " is not a cluster master"};
  caf::scoped_actor self{sys_};
  return ask_and_wait<master_status>(self, master_, remote_timeout, status_atom::value);
}

error cluster_node::offline(bool enforce_counts, std::chrono::seconds timeout) const {
  if (!member_) return error{errc::bad_state, settings_.name + " is not a cluster peer"};
  caf::scoped_actor self{sys_};
  auto done = ask_and_wait<ok_atom>(self, member_, timeout, offline_atom::value, enforce_counts);
  return done ? error{} : done.err();
}

error cluster_node::edit_setting(const std::string& key, double value) const {
  if (!master_) return error{errc::bad_state, settings_.name + " is not a cluster master"};
  caf::scoped_actor self{sys_};
  if (key == "replication_factor" || key == "search_factor") {
    if (!(value >= 1 && value <= 64) || value != double(uint32_t(value)))
      return error{errc::invalid_argument, key + ": expected a whole number from 1 to 64"};
    auto done = ask_and_wait<ok_atom>(self, master_, remote_timeout, setting_atom::value, key,
                                      uint32_t(value));
    return done ? error{} : done.err();
  }
  auto done = ask_and_wait<ok_atom>(self, master_, remote_timeout, setting_atom::value, key, value);
  return done ? error{} : done.err();
}

result<std::string> cluster_node::apply_bundle(bool dry_run) const {
  if (!master_) return error{errc::bad_state, settings_.name + " is not a cluster master"};
  caf::scoped_actor self{sys_};
  // Validation and installation each wait up to a minute per peer (in parallel).
  return ask_and_wait<std::string>(self, master_, std::chrono::seconds{150}, bundle_atom::value,
                                   dry_run);
}

error cluster_node::rolling_restart(uint32_t percent) const {
  if (!master_) return error{errc::bad_state, settings_.name + " is not a cluster master"};
  caf::scoped_actor self{sys_};
  auto done = ask_and_wait<ok_atom>(self, master_, remote_timeout, restart_atom::value, percent);
  return done ? error{} : done.err();
}

result<peer_cluster_status> cluster_node::peer_status_now() const {
  if (!view_) return error{errc::bad_state, settings_.name + " is not a cluster peer"};
  peer_cluster_status s;
  s.name = settings_.name;
  s.guid = settings_.cluster.guid;
  s.status = view_->offline() ? "Restarting" : view_->indexing_ready() ? "Up" : "Pending";
  s.master_uri = settings_.cluster.master_uris.at(0);
  s.master_reachable = view_->master_reachable();
  s.generation = view_->generation();
  s.replication_port = sink_port_;
  s.active_bundle = view_->active_bundle();
  s.streams_out = meter_->streams(replication_meter::direction::out);
  s.streams_in = meter_->streams(replication_meter::direction::in);
  return s;
}

void cluster_node::stopping() {
  if (member_) caf::anon_send(member_, shutdown_atom::value);
}

void cluster_node::stop() {
  head_.reset();
  if (sink_) {
    (void)sys_.middleman().unpublish(sink_, sink_port_);
    caf::anon_send_exit(sink_, caf::exit_reason::kill);
  }
  for (auto a : {caf::actor_cast<caf::actor>(member_), caf::actor_cast<caf::actor>(replicator_),
                 caf::actor_cast<caf::actor>(search_), caf::actor_cast<caf::actor>(master_)})
    if (a) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  sink_ = replica_sink_actor{};
  member_ = member_actor{};
  replicator_ = replicator_actor{};
  search_ = search_service_actor{};
  master_ = master_actor{};
}

}  // namespace kura::actors
