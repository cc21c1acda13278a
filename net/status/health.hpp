// GET /services/server/health: whether a node can do its job, for load
// balancers and keepalived's HTTP_GET (which sends no credentials, so the
// endpoint needs none and tells nothing but the reason).
#pragma once

#include <string>

#include "actors/node_api.hpp"

namespace kura::status {

struct node_health {
  bool healthy = false;
  std::string reason;  ///< why not, when not healthy ("" when healthy)
};

/// By role: a standalone node or a peer takes data (a peer: registered with a
/// master whose cluster is ready to index, not offline, not in Detention); a
/// search head reaches at least one master that knows a generation; a master
/// has enough peers to index (indexing_ready).
node_health check_health(node_api& api);

/// {"healthy":true,"role":"peer"} or {"healthy":false,"role":"peer","reason":"…"}
std::string health_json(const node_health& h, const std::string& role);

}  // namespace kura::status
