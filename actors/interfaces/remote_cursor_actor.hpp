// The REMOTE CURSOR actor: one peer's part of a search head's search
// (actors/search_service.cpp). It holds the peer's combined part (its primary
// copies of the search's generation) and hands out rows in batches encoded
// with core/search/search_wire.hpp. It ends when read to its end, closed, or
// idle for cursor_table::idle_limit.
#pragma once

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <string>

#include "actors/caf_types.hpp"

namespace kura::actors {

using remote_cursor_actor = caf::typed_actor<
    /// Up to N more rows: an encoded row_batch.
    caf::replies_to<next_atom, uint32_t>::with<std::string>,
    /// The search head stopped early.
    caf::reacts_to<close_atom>>;

}  // namespace kura::actors
