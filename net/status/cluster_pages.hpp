// The cluster dashboards at `/` (clustering.md §23), one per role, for people:
// server-rendered HTML with inline CSS and SVG in the look of the standalone
// status page (the shared pieces are in page_html.hpp), reloading every 5 s so
// that a peer going Down and fixup progressing show without a click. They take
// the same data as the JSON documents of product.md §7 (node_api.hpp), so a
// page and /services/cluster/… read at the same moment agree. Every name that
// came from a peer, a config or a user is escaped. No CAF here.
#pragma once

#include <string>
#include <vector>

#include "actors/node_api.hpp"

namespace kura::status {

/// The master's dashboard (§23.1-23.2): the master's details (name,
/// replication and search factors, generation, bundle); the overview (valid,
/// complete, searchable peers and indexes, indexing ready, the warnings "No
/// peers configured", "Peers are down", "Replication factor not met", "Search
/// factor not met") with a bar of valid and complete buckets; the peers
/// (status, searchable, buckets, primaries, searchable copies, last heartbeat),
/// each with a detail box (location, GUID, heartbeat, bundle) its name links
/// to; the index details derived from the bucket table; fixup (tasks left by
/// kind, bytes to go, running tasks); a rolling restart in progress; recent
/// problems. Returns the page (the caller owns it).
std::string master_page(const server_status& server, const master_status& cluster,
                        const activity& recent);

/// A peer's dashboard (§23.3): its cluster details (status, master location,
/// registered, generation, replication port, bundle), its replication streams
/// out and in with their rates ("none" when there is none), then its indexes,
/// the ingestion chart and recent problems as on the standalone page.
std::string peer_page(const server_status& server, const peer_cluster_status& cluster,
                      const std::vector<index_status>& indexes, const activity& recent);

/// A search head's dashboard (§23.4): per master, its location, whether it
/// answers, whether its cluster is valid, the generation the search head uses
/// and that generation's peers by GUID; then recent problems.
std::string searchhead_page(const server_status& server,
                            const std::vector<searchhead_master_status>& masters,
                            const activity& recent);

}  // namespace kura::status
