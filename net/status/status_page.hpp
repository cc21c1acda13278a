// The status page at `/`, for people: the node, its indexes with sizes, event
// counts and buckets by state, ingestion over the last minutes as a small
// chart, and recent problems. Server-rendered HTML with inline CSS and SVG: it
// needs nothing from the internet; it reloads itself every 10 seconds. The
// pieces it shares with the cluster dashboards are in page_html.hpp.
#pragma once

#include <string>
#include <vector>

#include "actors/node_api.hpp"

namespace kura::status {

/// The whole page (the caller owns it) for a standalone node; every name in it is escaped.
std::string status_page(const server_status& server, const std::vector<index_status>& indexes, const activity& recent);

}  // namespace kura::status
