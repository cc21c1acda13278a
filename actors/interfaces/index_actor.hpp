// One index on one node (owner of a core kura::index). It alone writes the
// index: appends go to its hot buckets, which it also searches (cursor
// messages); every warm, cold and thawed bucket is a bucket actor it spawns,
// monitors and restarts from disk when it fails.
#pragma once

#include "actors/caf_types.hpp"
#include "actors/interfaces/bucket_actor.hpp"
#include "core/index/index.hpp"

namespace kura::actors {

/// What a search reads of one index: the index actor (its hot buckets) and
/// each bucket actor, with how many buckets each covers (for ranks).
struct search_target {
  cursor_actor owner;
  size_t buckets = 0;
};

using index_actor = cursor_actor::extend<
    /// Appends and commits (durable on reply); true when a bucket rolled.
    caf::replies_to<append_atom, event_batch>::with<bool>,
    caf::replies_to<roll_atom>::with<ok_atom>,
    /// Applies the index's retention rules at NOW (seconds).
    caf::replies_to<retain_atom, int64_t>::with<ok_atom>,
    caf::replies_to<facts_atom>::with<index_volume_facts>,
    caf::replies_to<apply_atom, lifecycle_action>::with<ok_atom>,
    caf::replies_to<fsck_atom, bool>::with<std::vector<fsck_report>>,
    caf::replies_to<clean_atom>::with<ok_atom>, caf::replies_to<disable_atom, bool>::with<ok_atom>,
    caf::replies_to<status_atom>::with<index_status>,
    caf::replies_to<targets_atom>::with<std::vector<search_target>>,
    /// Rebuilds the index files of one of its buckets; false if not its bucket.
    caf::replies_to<rebuild_atom, std::string>::with<bool>,
    /// Rolls the hot buckets and quits (graceful stop, removal).
    caf::replies_to<shutdown_atom>::with<ok_atom>>;

/// Spawns the actor of an opened index.
index_actor spawn_index_actor(caf::local_actor* parent, std::unique_ptr<index> idx);

}  // namespace kura::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<kura::actors::search_target>)
