// Spawning a node's door (interfaces/door_actor.hpp), the actor published on
// its admin_port.
#pragma once

#include <string>

#include "actors/interfaces/door_actor.hpp"
#include "actors/interfaces/master_actor.hpp"
#include "actors/interfaces/search_service_actor.hpp"

namespace kura::actors {

struct door_args {
  std::string node_name;
  std::string secret;           ///< pass4SymmKey: nodes log in with it
  admin_actor admin;            ///< the shell's commands go here
  master_actor master;          ///< set on a master: joins, heartbeats, targets, generations
  search_service_actor search;  ///< set on a peer: search heads' searches
};

/// Spawns the door (the caller publishes it).
door_actor spawn_door(caf::actor_system& sys, door_args args);

}  // namespace kura::actors
