// What the node does for each `kura` shell command: runs it against the node
// (node_api, node_admin) and renders the reply as text or, with --json, as
// one JSON document. No CAF: the admin actor calls it and tests call it
// directly.
#pragma once

#include <string>
#include <vector>

#include "actors/node_api.hpp"

namespace kura::admin {

struct admin_reply {
  int exit_code = 0;  ///< 0 ok, 1 the command failed, 2 usage or authentication
  std::string out;    ///< for standard output
  std::string err;    ///< for standard error: "error: …" lines, warnings
};

/// Most rows a shell search returns (more: use the HTTP export).
constexpr size_t max_shell_rows = 100'000;

/// Parses and runs one command for `user` (recorded in `_audit`).
admin_reply run_command(node_api& node, node_admin& admin, const std::vector<std::string>& words,
                        bool json, const std::string& user);

}  // namespace kura::admin
