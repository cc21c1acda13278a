// The health of a node, by role.
#include "net/status/health.hpp"

#include <nlohmann/json.hpp>

namespace kura::status {

node_health check_health(node_api& api) {
  auto server = api.server_info();
  if (server.role == "master") {
    auto s = api.cluster_master_status();
    if (!s) return {false, "the master does not answer: " + s.err().message()};
    if (!s->indexing_ready)
      return {false, "not ready: " + std::to_string(s->peers_up) +
                         " peer(s) up, the replication factor is " +
                         std::to_string(s->replication_factor)};
    return {true, ""};
  }
  if (server.role == "search_head") {
    auto s = api.cluster_searchhead_status();
    if (!s) return {false, "the search head does not answer: " + s.err().message()};
    for (auto& m : *s)
      if (m.reachable && m.generation > 0) return {true, ""};
    return {false, "no master reachable (or none has told this search head its peers yet)"};
  }
  if (server.detention) return {false, "Detention: " + *server.detention};
  if (server.role == "peer") {
    auto s = api.cluster_peer_status();
    if (!s) return {false, "the peer does not answer: " + s.err().message()};
    if (s->status == "Restarting") return {false, "offline (kura offline): takes no data"};
    if (s->status != "Up")
      return {false, std::string{"not registered with a master ready to index (master "} +
                         (s->master_reachable ? "reachable" : "unreachable") + " at " +
                         s->master_uri + ")"};
  }
  if (!api.accepting()) return {false, "refusing data"};
  return {true, ""};
}

std::string health_json(const node_health& h, const std::string& role) {
  nlohmann::json j{{"healthy", h.healthy}, {"role", role}};
  if (!h.healthy) j["reason"] = h.reason;
  return j.dump();
}

}  // namespace kura::status
