// The SEARCH SERVICE actor of a peer (actors/search_service.cpp): answers the
// searches a search head sends through the door. Each search gets its own
// remote cursor actor (a detached actor: it blocks on the local cursors it
// reads) over the peer's primary copies of the search's generation.
#pragma once

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/interfaces/door_actor.hpp"

namespace kura::actors {

using search_service_actor = caf::typed_actor<
    /// Opens the peer's part of a search: the cursor to read it, the encoded
    /// cursor_opened (aggregations come back whole here) and the encoded first
    /// row batch (empty when there are no rows to read), which saves the
    /// search head a round trip per peer.
    caf::replies_to<search_atom, search_request>::with<remote_cursor_actor, std::string,
                                                       std::string>,
    /// `| delete` from a search head: marks events of this peer's copy of the
    /// bucket (cluster id; ordinals as a portable Roaring bitmap, checked).
    caf::replies_to<delete_atom, std::string, std::string>::with<ok_atom>>;

}  // namespace kura::actors
