// The search side of a bucket: whoever owns buckets answers cursors over them
// (core/search/cursor_table.hpp). A bucket actor owns one warm, cold or
// thawed bucket with its index files open; an index actor answers the same
// messages for its hot buckets.
#pragma once

#include "actors/caf_types.hpp"

namespace kura::actors {

using cursor_actor = caf::typed_actor<
    /// Runs the owner's part of a search; the reply's id names the cursor to read.
    caf::replies_to<open_atom, search::cursor_request>::with<opened_ptr>,
    /// Up to N more rows of cursor ID.
    caf::replies_to<next_atom, uint64_t, uint32_t>::with<batch_ptr>,
    /// Forgets cursor ID (the search stopped early).
    caf::reacts_to<close_atom, uint64_t>,
    /// `| delete`: marks events of the bucket with this key deleted.
    caf::replies_to<delete_atom, std::string, ordinals_ptr>::with<ok_atom>>;

/// One bucket: the cursor messages over that bucket alone.
using bucket_actor = cursor_actor;

/// Spawns the actor of a bucket whose view is open. The actor quits with the
/// error when reading the bucket fails (corruption, I/O), so that its
/// supervisor (the index actor) reopens it from disk.
bucket_actor spawn_bucket_actor(caf::local_actor* parent,
                                std::shared_ptr<search::bucket_view> view);

}  // namespace kura::actors
