// Spawning a peer's member actor, its link to the master (interfaces/member_actor.hpp).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "actors/cluster/cluster_view.hpp"
#include "actors/interfaces/door_actor.hpp"
#include "actors/interfaces/peer_actor.hpp"
#include "actors/interfaces/replica_sink_actor.hpp"
#include "actors/interfaces/replicator_actor.hpp"

namespace kura::actors {

struct peer_link_args {
  std::string name, guid, secret;  ///< this peer's name, GUID and pass4SymmKey
  std::string master_uri;          ///< "host:port" of the master's admin port
  peer_hello hello;                ///< where this peer is reached
  std::chrono::milliseconds heartbeat_period{1000};
  peer_actor peer;                     ///< asked for status and buckets (reports), rolls, rebuilds
  replicator_actor replicator;         ///< streams whole buckets (fixup)
  replica_sink_actor sink;             ///< rolls the copies of a lost source's hot buckets
  std::shared_ptr<cluster_view> view;  ///< updated from the master's answers
  /// The peer's own file (bundles are validated against it); where bundles
  /// are installed; the installed one's settings (its checksum: hello.active_bundle).
  std::shared_ptr<const config::node_config> local_config;
  io::fs::path slave_apps;
  config::bundle_settings bundle;
  /// Restarts the node process (a rolling restart), after going offline.
  std::function<void()> restart;
};

/// Spawns the member actor; it joins the cluster at once and keeps trying.
member_actor spawn_peer_link(caf::actor_system& sys, peer_link_args args);

}  // namespace kura::actors
