// The atoms of the cluster's messages (at most 10 characters each; CAF 0.17
// needs no registration for atoms). Alphabetical.
#pragma once

#include <caf/atom.hpp>

namespace kura::actors {

using adopt_atom = caf::atom_constant<caf::atom("adopt")>;
using bundle_atom = caf::atom_constant<caf::atom("bundle")>;
using challenge_atom = caf::atom_constant<caf::atom("challenge")>;
using doc_atom = caf::atom_constant<caf::atom("doc")>;
using drop_atom = caf::atom_constant<caf::atom("drop")>;
using finalize_atom = caf::atom_constant<caf::atom("finalize")>;
using fixup_atom = caf::atom_constant<caf::atom("fixup")>;
using generation_atom = caf::atom_constant<caf::atom("generation")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using login_atom = caf::atom_constant<caf::atom("login")>;
using offline_atom = caf::atom_constant<caf::atom("offline")>;
using primacy_atom = caf::atom_constant<caf::atom("primacy")>;
using register_atom = caf::atom_constant<caf::atom("register")>;
using replicate_atom = caf::atom_constant<caf::atom("replicate")>;
using restart_atom = caf::atom_constant<caf::atom("restart")>;
using search_atom = caf::atom_constant<caf::atom("search")>;
using send_atom = caf::atom_constant<caf::atom("send")>;
using setting_atom = caf::atom_constant<caf::atom("setting")>;
using slice_atom = caf::atom_constant<caf::atom("slice")>;

}  // namespace kura::actors
