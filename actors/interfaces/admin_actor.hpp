// The node's admin actor, published on [node] admin_port: what the `kura`
// shell talks to. Only CAF's built-in types cross the wire, so nothing needs
// registering on either side. Every command carries a proof that the shell
// knows the node's pass4SymmKey (net/admin/admin_auth.hpp):
//
//   shell                                   node
//   hello                               --> a fresh nonce (single use, 60 s)
//   run(nonce, proof, json, words...)   --> (exit code, stdout text, stderr text)
//
// proof = hex HMAC-SHA256(pass4SymmKey, nonce, json flag, words). A wrong
// proof gets exit code 2 and "error: authentication failed: …".
#pragma once

#include <caf/all.hpp>
#include <string>
#include <vector>

namespace kura::actors {

using hello_atom = caf::atom_constant<caf::atom("hello")>;
using run_atom = caf::atom_constant<caf::atom("run")>;

using admin_actor = caf::typed_actor<
    caf::replies_to<hello_atom>::with<std::string>,
    caf::replies_to<run_atom, std::string, std::string, bool,
                    std::vector<std::string>>::with<int32_t, std::string, std::string>>;

}  // namespace kura::actors
