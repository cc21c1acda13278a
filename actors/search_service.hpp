// Spawning a peer's search service (interfaces/search_service_actor.hpp).
#pragma once

#include <memory>

#include "actors/cluster/cluster_view.hpp"
#include "actors/interfaces/peer_actor.hpp"
#include "actors/interfaces/search_service_actor.hpp"

namespace kura::actors {

/// Spawns the search service of a peer; `view` says which copies are primary
/// in which generation.
search_service_actor spawn_search_service(caf::actor_system& sys, peer_actor peer,
                                          std::shared_ptr<const cluster_view> view);

}  // namespace kura::actors
