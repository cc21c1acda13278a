// One index on one node (owner of a core kura::index). It alone writes the
// index: appends go to its hot buckets, which it also searches (cursor
// messages); every warm, cold and thawed bucket is a bucket actor it spawns,
// monitors and restarts from disk when it fails.
#pragma once

#include "actors/caf_types.hpp"
#include "actors/interfaces/bucket_actor.hpp"
#include "actors/interfaces/cluster_atoms.hpp"
#include "actors/interfaces/replicator_actor.hpp"
#include "core/index/index.hpp"

namespace kura::actors {

/// What a search reads of one index: the index actor (its hot buckets) and
/// each bucket actor, with how many buckets each covers (for ranks).
struct search_target {
  cursor_actor owner;
  size_t buckets = 0;
  /// The owner's hot buckets the filter refused (by local id): a hot bucket of
  /// this peer whose primacy moved while the peer was gone (its copies were
  /// rolled elsewhere); the owner reads the others.
  std::vector<uint64_t> skip_hot;
};

/// Which warm, cold and thawed copies a search reads (a search head's search:
/// the primary copies of its generation): (index, local id, origin guid) ->
/// read it. Null: every searchable copy. Local only.
using primacy_filter =
    std::function<bool(const std::string& index, bucket_id id, const std::string& origin)>;
using primacy_filter_ptr = std::shared_ptr<const primacy_filter>;

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
    /// The owners a search reads: this actor (hot buckets) and the bucket
    /// actors the filter accepts.
    caf::replies_to<targets_atom, primacy_filter_ptr>::with<std::vector<search_target>>,
    /// `| delete` through a search head: marks events of this node's copy (any
    /// kind: hot, warm, cold, journal-only, being received) of bucket (local
    /// id, origin guid); ok also when it holds no copy.
    caf::replies_to<delete_atom, uint64_t, std::string, ordinals_ptr>::with<ok_atom>,
    /// A finished replicated copy arrived (replica sink): add the rb_ directory.
    caf::replies_to<adopt_atom, std::string>::with<ok_atom>,
    /// Rebuilds the index files of one of its buckets; false if not its bucket.
    caf::replies_to<rebuild_atom, std::string>::with<bool>,
    /// Rolls the hot buckets and quits (graceful stop, removal).
    caf::replies_to<shutdown_atom>::with<ok_atom>>;

/// Spawns the actor of an opened index. `replicator`, when set, gets the
/// journal progress of every commit and roll, and appends are acknowledged
/// only once it replied (the copies are durable on the targets).
index_actor spawn_index_actor(caf::local_actor* parent, std::unique_ptr<index> idx,
                              replicator_actor replicator);

}  // namespace kura::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<kura::actors::search_target>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::actors::primacy_filter_ptr)
