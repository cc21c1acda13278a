// The REPLICATOR actor: the source side of replication on a peer
// (actors/replicator.cpp). Index actors hand it what each commit and roll
// made durable (core index::take_progress); it streams those journal bytes to
// the bucket's targets (asking the member actor for targets when a hot bucket
// is new) and replies once every target that is up has them on disk — only
// then is the block acknowledged (product.md §7). A target that fails or
// times out is dropped for that bucket (logged), the bucket rolls at once
// (through the member actor) and the next one gets new targets avoiding it;
// fixup then copies the rolled bucket to a replacement.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "actors/caf_types.hpp"
#include "actors/cluster/replication_meter.hpp"
#include "actors/interfaces/cluster_atoms.hpp"
#include "actors/interfaces/member_actor.hpp"

namespace kura::actors {

/// Journal progress of one index (local only: never leaves the process).
using progress_ptr = std::shared_ptr<const std::vector<journal_progress>>;

using replicator_actor = caf::typed_actor<
    /// From an index actor: stream this progress of index NAME to the targets.
    caf::replies_to<replicate_atom, std::string, progress_ptr>::with<ok_atom>,
    /// From the member actor (fixup): stream the whole warm or cold copy of
    /// bucket KEY in directory DIR to the target (resuming what it holds);
    /// ok once the target has its complete copy.
    caf::replies_to<send_atom, std::string, std::string, target_info>::with<ok_atom>,
    /// INTERNAL (from cluster_node, once at start): the member actor to ask for targets.
    caf::reacts_to<register_atom, member_actor>>;

/// What the replicator logs in with.
struct replicator_args {
  std::string name, guid, secret;  ///< this peer's name, GUID and pass4SymmKey
  member_actor member;  ///< asked for the targets of new hot buckets (or set by register)
  std::shared_ptr<replication_meter> meter;  ///< told what each target holds (streams out)
};

/// Spawns the replicator.
replicator_actor spawn_replicator(caf::actor_system& sys, replicator_args args);

}  // namespace kura::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::actors::progress_ptr)
