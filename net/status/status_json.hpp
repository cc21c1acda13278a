// The JSON documents of a node's status endpoints and of `kura … --json`:
// /services/server/info, the index list and the bucket list, built from the
// store's state.
#pragma once

#include <cstdint>
#include <string>

#include "core/index/store.hpp"

namespace kura::status {

/// What the server info document says besides the store.
struct server_facts {
  std::string name;
  std::string role;
  std::string version;
  int64_t started_at = 0;  ///< epoch seconds
  int64_t now = 0;         ///< epoch seconds
};

/// {"name","role","version","uptime_secs","detention":{…}|null,"discarded_events","indexes":N}
std::string server_info(const server_facts& facts, store& s);

/// {"indexes":[{"name","disabled","home_path","cold_path","thawed_path","events","size_bytes",
///   "buckets":{"hot":N,"warm":N,"cold":N,"thawed":N},"earliest","latest"}…]}
std::string index_list(store& s);

/// {"buckets":[{"index","id","state","dir","events","size_bytes","earliest","latest","searchable","problem"}…]},
/// of one index or, when `index_name` is empty, of all. Errors: not_found.
result<std::string> bucket_list(store& s, const std::string& index_name);

}  // namespace kura::status
