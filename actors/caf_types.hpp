// What every actor TU shares: the atoms of kura's messages, the local message
// types (registered as unsafe: they never leave the process; what crosses
// nodes has an inspect() in its interface header), and the mapping between
// kura::error and caf::error (category "kura", code = errc, context = message).
#pragma once

#include <caf/all.hpp>
#include <memory>
#include <roaring/roaring.hh>
#include <vector>

#include "actors/node_api.hpp"
#include "core/bucket/bucket_ops.hpp"
#include "core/index/lifecycle_policy.hpp"
#include "core/search/cursor_table.hpp"

namespace kura::actors {

// Atoms (at most 10 characters; no registration needed in CAF 0.17).
using open_atom = caf::atom_constant<caf::atom("open")>;
using next_atom = caf::atom_constant<caf::atom("next")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;
using append_atom = caf::atom_constant<caf::atom("append")>;
using ingest_atom = caf::atom_constant<caf::atom("ingest")>;
using roll_atom = caf::atom_constant<caf::atom("roll")>;
using retain_atom = caf::atom_constant<caf::atom("retain")>;
using facts_atom = caf::atom_constant<caf::atom("facts")>;
using apply_atom = caf::atom_constant<caf::atom("apply")>;
using fsck_atom = caf::atom_constant<caf::atom("fsck")>;
using clean_atom = caf::atom_constant<caf::atom("clean")>;
using disable_atom = caf::atom_constant<caf::atom("disable")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using targets_atom = caf::atom_constant<caf::atom("targets")>;
using rebuild_atom = caf::atom_constant<caf::atom("rebuild")>;
using remove_atom = caf::atom_constant<caf::atom("remove")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using indexes_atom = caf::atom_constant<caf::atom("indexes")>;
using tick_atom = caf::tick_atom;
using add_atom = caf::add_atom;
using ok_atom = caf::ok_atom;

/// Shared, immutable payloads of local messages (no copies between actors).
using event_batch = std::shared_ptr<const std::vector<ingest_event>>;
using opened_ptr = std::shared_ptr<search::cursor_opened>;
using batch_ptr = std::shared_ptr<search::row_batch>;
using ordinals_ptr = std::shared_ptr<const Roaring>;

/// kura::error -> caf::error of category "kura".
caf::error to_caf(const error& e);
/// caf::error -> kura::error; CAF's own errors (timeouts, unreachable actors)
/// become io_error with CAF's rendering.
error from_caf(const caf::error& e);

/// Registers the category renderer (and, for remote use, message types) with a config.
void register_kura_types(caf::actor_system_config& cfg);

/// Turns on CAF's connection heartbeats (every program that talks to a node:
/// both sides must send them, or the silent side is dropped). A node that went
/// silent (a cut link, a frozen host) is then noticed within 5 s; without
/// heartbeats CAF never notices.
void enable_connection_heartbeats(caf::actor_system_config& cfg);

}  // namespace kura::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::actors::event_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::actors::opened_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::actors::batch_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::actors::ordinals_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::search::cursor_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::index_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::server_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::index_volume_facts)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::lifecycle_action)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<kura::fsck_report>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<kura::index_status>)
