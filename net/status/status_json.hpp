// The JSON documents of a node's status endpoints and of `kura … --json`:
// /services/server/info, the index list and the bucket list.
#pragma once

#include <string>
#include <vector>

#include "actors/node_api.hpp"

namespace kura::status {

/// {"name","role","version","uptime_secs","detention":"…"|null,"discarded_events"}
std::string server_info(const server_status& s);

/// {"indexes":[{"name","disabled","home_path","cold_path","thawed_path","events","size_bytes",
///   "buckets":{"hot":N,"warm":N,"cold":N,"thawed":N},"earliest","latest"}…]}
std::string index_list(const std::vector<index_status>& indexes);

/// {"buckets":[{"index","id","state","dir","events","size_bytes","earliest","latest","searchable","replicated","problem"}…]}
/// of one index or, when `index_name` is empty, of all. Errors: not_found.
result<std::string> bucket_list(const std::vector<index_status>& indexes,
                                const std::string& index_name);

/// GET /services/cluster/master/info = `kura --json show cluster-status` (product.md §7):
/// {"generation","valid","complete","indexing_ready","replication_factor","search_factor",
///  "peers_up","buckets":{"total","valid","complete"},"fixup":{"pending","primary","searchable","replicate"}}
std::string master_info(const master_status& s);
/// GET /services/cluster/master/peers = `kura --json list cluster-peers`: [{"name","guid","status",
/// "host_port","buckets","primaries","searchable","last_heartbeat_secs_ago"}…]
std::string master_peers(const master_status& s);
/// GET /services/cluster/master/buckets: [{"id","index","state","size_bytes","events","valid",
/// "complete","copies":[{"peer","guid","searchable","primary"}…]}…]
std::string master_buckets(const master_status& s);
/// GET /services/cluster/master/generation = `kura --json list cluster-generation`:
/// {"generation","peers":[{"name","guid","host_port"}…]}
std::string master_generation(const master_status& s);
/// `kura --json show cluster-bundle-status` (product.md §7): {"active_bundle",
/// "rolling_restart", "peers":[{"name","active_bundle","status"}…]}; a peer's status
/// is peer_bundle_status's.
std::string bundle_status(const master_status& s);
/// A peer's bundle status: "applied", "restarting" (a rolling restart or
/// offline under way), "pending" (it runs another bundle), or "Down".
std::string peer_bundle_status(const master_status& s, const cluster_peer_status& p);
/// GET /services/cluster/peer/info: {"name","guid","status","master_uri","master_reachable",
/// "generation","replication_port"}
std::string peer_info(const peer_cluster_status& s);
/// GET /services/cluster/searchhead/generation:
/// [{"master_uri","generation","peers":[…],"reachable"}…]
std::string searchhead_generation(const std::vector<searchhead_master_status>& masters);

}  // namespace kura::status
