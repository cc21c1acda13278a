// The search over one node's own buckets, as parts (core/search/executor.hpp):
// the peer actor names the owners (each index actor for its hot buckets, each
// bucket actor), a cursor is opened on all of them at once (each runs
// execute_part in parallel) and every cursor becomes a part that reads its
// rows in batches growing from 64 to 4096. A standalone node merges the parts
// itself (node_runtime::search); a peer combines them into the one part it
// sends a search head (search_service.cpp).
//
// The parts block the thread that opened them on actor replies: open and read
// them on one thread that is not an actor's scheduler thread (an HTTP thread,
// a detached actor).
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "actors/interfaces/peer_actor.hpp"
#include "core/search/ast.hpp"

namespace kura::actors {

/// The parts of a search, with what they need to stay readable.
struct local_parts {
  std::unique_ptr<search::query> q;  ///< the parsed search; the parts point into it
  std::vector<search::search_part> parts;
  std::shared_ptr<caf::scoped_actor> self;  ///< reads the cursors (on the opening thread)
  std::shared_ptr<std::vector<std::pair<cursor_actor, uint64_t>>> cursors;  ///< opened cursors
  /// Closes the cursors that were not read to their end (a search stopped early).
  void close();
};

/// Parses `text` and opens its parts over this node's buckets. `filter`, when
/// set, keeps only the warm/cold copies it accepts (a search head's search:
/// the primary copies of its generation); hot buckets are always this node's
/// own originals and are searched. Buckets are ranked from `first_rank` on.
/// Errors: as parse_query and the owners' execute_part.
result<local_parts> open_local_parts(caf::actor_system& sys, const peer_actor& peer,
                                     std::string_view text, const search::search_options& options,
                                     primacy_filter_ptr filter, size_t first_rank);

}  // namespace kura::actors
