// Spawning a peer's search service (interfaces/search_service_actor.hpp).
#pragma once

#include <memory>
#include <string>

#include "actors/cluster/cluster_view.hpp"
#include "actors/interfaces/peer_actor.hpp"
#include "actors/interfaces/search_service_actor.hpp"
#include "core/search/commands.hpp"
#include "core/search/field_rules.hpp"

namespace kura::actors {

/// Spawns the search service of a peer; `view` says which copies are primary
/// in which generation. Searches of its events see `server_name` as
/// splunk_server and run `field_rules` (null: the built-ins) within `limits`
/// (the peer's [search] settings).
search_service_actor spawn_search_service(
    caf::actor_system& sys, peer_actor peer, std::shared_ptr<const cluster_view> view,
    std::string server_name = {}, std::shared_ptr<const search::field_rules> field_rules = {},
    const search::search_limits& limits = {});

}  // namespace kura::actors
