// Spawning a peer's replica sink (interfaces/replica_sink_actor.hpp).
#pragma once

#include <map>
#include <string>

#include "actors/cluster/cluster_view.hpp"
#include "actors/cluster/replication_meter.hpp"
#include "actors/interfaces/peer_actor.hpp"
#include "actors/interfaces/replica_sink_actor.hpp"

namespace kura::actors {

struct replica_sink_args {
  std::string name, guid, secret;                  ///< this peer's name, GUID and pass4SymmKey
  std::map<std::string, io::fs::path> cold_paths;  ///< coldPath of every index
  peer_actor peer;                                 ///< told to adopt each finished copy
  std::shared_ptr<cluster_view> view;              ///< told which copies are being received
  std::shared_ptr<replication_meter> meter;        ///< told what arrives (streams in)
};

/// Spawns the sink (the caller publishes it on the replication port).
replica_sink_actor spawn_replica_sink(caf::actor_system& sys, replica_sink_args args);

}  // namespace kura::actors
