// Spawning the master actor (interfaces/master_actor.hpp).
#pragma once

#include <chrono>
#include <string>

#include "actors/interfaces/master_actor.hpp"
#include "core/io/file.hpp"

namespace kura::actors {

struct master_args {
  uint32_t replication_factor = 3, search_factor = 2;
  std::chrono::milliseconds heartbeat_period{1000};
  std::chrono::milliseconds heartbeat_timeout{60'000};
  /// How long a peer that went offline may take to come back before fixup.
  std::chrono::milliseconds restart_timeout{600'000};
  /// After a start, how long the master lets peers register before fixup.
  std::chrono::milliseconds quiet_period{60'000};
  /// Fixup tasks at most per peer at a time.
  uint32_t tasks_per_peer = 2;
  /// Where the master keeps what must survive a restart (the last generation,
  /// whether the cluster has ever been ready to index).
  io::fs::path state_dir;
  /// The configuration bundle the operator edits: $KURA_HOME/etc/master-apps.
  io::fs::path master_apps;
};

/// Spawns the master. Errors: io_error (its state file cannot be read).
result<master_actor> spawn_master(caf::actor_system& sys, master_args args);

}  // namespace kura::actors
