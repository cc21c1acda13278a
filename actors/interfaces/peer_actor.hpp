// A node's indexer (standalone mode today): owns the index actors, routes
// events to them, applies Detention (minFreeSpace) and volume caps across
// indexes, runs retention every `retention_period`, and answers the admin
// commands. The cluster will extend it with replication.
#pragma once

#include "actors/caf_types.hpp"
#include "actors/interfaces/index_actor.hpp"
#include "actors/node_settings.hpp"

namespace kura::actors {

using peer_actor = caf::typed_actor<
    /// Stores events durably (every index of the batch committed on reply).
    caf::replies_to<ingest_atom, event_batch>::with<ok_atom>,
    /// What a search reads: every index when the flag is set, else `main`;
    /// warm and cold copies only where the filter (if any) accepts them.
    caf::replies_to<targets_atom, bool, primacy_filter_ptr>::with<std::vector<search_target>>,
    /// `| delete` through a search head: marks events of this node's copy of
    /// the bucket with this cluster id (ok also when it holds none).
    caf::replies_to<delete_atom, std::string, ordinals_ptr>::with<ok_atom>,
    /// A finished replicated copy of index NAME arrived at DIR (replica sink):
    /// ok once the index has it (and reports it).
    caf::replies_to<adopt_atom, std::string, std::string>::with<ok_atom>,
    caf::replies_to<status_atom>::with<server_status>,
    caf::replies_to<indexes_atom>::with<std::vector<index_status>>,
    caf::replies_to<add_atom, std::string>::with<ok_atom>,
    /// An index of the configuration bundle (local only): opened with these
    /// settings, replicated when they say so.
    caf::replies_to<add_atom, index_config>::with<ok_atom>,
    caf::replies_to<remove_atom, std::string>::with<ok_atom>,
    caf::replies_to<disable_atom, std::string, bool>::with<ok_atom>,
    /// Index NAME, or every index when empty.
    caf::replies_to<clean_atom, std::string>::with<ok_atom>,
    caf::replies_to<roll_atom, std::string>::with<ok_atom>,
    caf::replies_to<fsck_atom, std::string, bool>::with<std::vector<fsck_report>>,
    caf::replies_to<rebuild_atom, std::string>::with<ok_atom>,
    /// Retention of every index and volume now (also on its own timer).
    caf::replies_to<retain_atom>::with<ok_atom>,
    /// The retention timer.
    caf::reacts_to<tick_atom>,
    /// Rolls every hot bucket and stops the index actors.
    caf::replies_to<shutdown_atom>::with<ok_atom>>;

/// Opens every index and spawns the peer actor with one index actor each.
/// With a `replicator` (a cluster peer), every index replicates through it.
/// Errors: as store::open (invalid_argument, io_error).
result<peer_actor> spawn_peer_actor(caf::actor_system& sys, const node_settings& settings,
                                    std::vector<std::string>* notes,
                                    replicator_actor replicator = {});

}  // namespace kura::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::index_config)
