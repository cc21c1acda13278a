// The REPLICA SINK actor: a peer's replication_port (actors/replica_sink.cpp).
// Sources stream the journals of their hot buckets to it; it keeps each copy
// as `<localid>_<guid>` in the index's coldPath while it is hot and renames it
// to `rb_<newest>_<oldest>_<localid>_<guid>` when the source rolls (building
// index files first when the copy is to be searchable). Every journal part is
// checked (whole slices, checksums, ordinals) before it is appended and
// fdatasync'd, so the copy is byte-identical to the original.
//
//   source                                        sink
//   challenge / login                         --> token (as the door)
//   open(token, bucket, searchable)           --> bytes it holds (resume point)
//   slice(token, bucket, offset, bytes)       --> bytes it holds, durable
//   roll(token, bucket, newest, oldest, size) --> ok: rb_ copy complete
//   drop(token, bucket)                       --> ok: the source's bucket ended empty
//
// The same protocol streams a whole warm or cold bucket for fixup (from the
// byte the sink holds). Copies being received survive a restart of the sink's
// node: they are opened again at start (reported as hot copies), and resumed
// when their source opens them again or rolled when the master says their
// source is gone.
//
// `bucket` is the cluster id <index>~<localid>~<origin guid>.
#pragma once

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <string>

#include "actors/interfaces/door_actor.hpp"

namespace kura::actors {

using replica_sink_actor = caf::typed_actor<
    caf::replies_to<challenge_atom>::with<std::string>,
    caf::replies_to<login_atom, login_identity, std::string, std::string>::with<std::string>,
    caf::replies_to<open_atom, std::string, std::string, bool>::with<uint64_t>,
    caf::replies_to<slice_atom, std::string, std::string, uint64_t, std::string>::with<uint64_t>,
    caf::replies_to<roll_atom, std::string, std::string, int64_t, int64_t, uint64_t>::with<ok_atom>,
    caf::replies_to<drop_atom, std::string, std::string>::with<ok_atom>,
    /// LOCAL ONLY (the member actor; refused from another node): source GUID
    /// is gone, roll every copy of its buckets being received here to an rb_
    /// copy (its time range from the journal; index files when searchable).
    caf::replies_to<finalize_atom, std::string>::with<ok_atom>,
    /// LOCAL ONLY (the member actor, a bundle's new index): copies of index
    /// NAME go to coldPath DIR.
    caf::replies_to<add_atom, std::string, std::string>::with<ok_atom>>;

}  // namespace kura::actors
