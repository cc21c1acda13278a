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
result<std::string> bucket_list(const std::vector<index_status>& indexes, const std::string& index_name);

}  // namespace kura::status
