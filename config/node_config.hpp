// A node's whole configuration: the TOML file of product.md §2 turned into
// typed, validated settings. Errors name file, line, column, section, key and
// what was expected; unknown keys are errors. Paths may use $KURA_HOME (the
// node's home).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/index/index_config.hpp"
#include "core/io/file.hpp"
#include "core/pipeline/event_stream.hpp"
#include "core/search/field_rules.hpp"

namespace kura::config {

enum class node_role : uint8_t { standalone, master, peer, search_head };

const char* to_string(node_role r);

/// [node]
struct node_section {
  std::string name;   ///< name; default: the file's stem
  io::fs::path home;  ///< home: everything the node writes lives below it
  node_role role = node_role::standalone;
  uint16_t admin_port = 8089;  ///< actor messaging: shell, master <-> peers
  std::string bind = "0.0.0.0";
  uint32_t workers = 2;  ///< CAF scheduler threads (scheduler.max-threads)
};

/// [http]: HEC ingestion, REST, pages.
struct http_section {
  uint16_t port = 8088;
  std::vector<std::string> hec_tokens;  ///< Authorization: Splunk <token>
  std::vector<std::string> api_tokens;  ///< Authorization: Bearer <token>
  uint64_t max_content_length =
      838'860'800;  ///< bytes of one request body (HEC's max_content_length; Splunk's default)
};

/// [receiver]: the forwarder protocol.
struct receiver_section {
  uint16_t port = 9997;
};

/// [search] (limits.conf's names).
struct search_section {
  /// max_mem_usage_mb: MB of rows and groups one search may hold where its
  /// results merge; a search that needs more stops with an error naming it.
  uint64_t max_mem_usage_mb = 200;
};

/// [clustering] (server.conf's names).
struct clustering_section {
  /// master_uri: "host:port" of the master's admin port; a search head may
  /// name several masters (multi-cluster search), a peer exactly one.
  std::vector<std::string> master_uris;
  std::string pass4SymmKey;  ///< the shared secret (or read from pass4SymmKey_file)
  /// [clustering.masters."host:port"] pass4SymmKey: a search head's secret for
  /// one master when it differs from pass4SymmKey (multi-cluster search).
  std::map<std::string, std::string> master_secrets;
  uint16_t replication_port = 9887;
  uint32_t replication_factor = 3;
  uint32_t search_factor = 2;
  double heartbeat_period = 1;  ///< seconds
  double heartbeat_timeout = 60;
  double restart_timeout = 600;
  double quiet_period = 60;
};

/// The secret to use with master `uri`: its own one, else pass4SymmKey.
const std::string& secret_for_master(const clustering_section& c, const std::string& uri);

struct node_config {
  io::fs::path file;  ///< where it was read from
  node_section node;
  http_section http;
  receiver_section receiver;
  search_section search;
  clustering_section clustering;
  store_config store;                 ///< db root ($KURA_HOME/var/lib/kura), minFreeSpace, volumes
  std::vector<index_config> indexes;  ///< every configured index, defaults and globals applied
  std::map<std::string, sourcetype_rules> sourcetypes;
  search::field_rules_config
      search_fields;  ///< search-time keys of [sourcetypes.*] and [transforms.*]
};

/// Parses and validates a node configuration. `file` names it in messages.
/// `kura_home_env` is the KURA_HOME environment variable (used when [node] home
/// is absent). Errors: invalid_argument.
result<node_config> parse_node_config(std::string_view text, const std::string& file,
                                      const std::string& kura_home_env = {});

/// Reads and parses a configuration file. Errors: not_found, io_error, invalid_argument.
result<node_config> load_node_config(const io::fs::path& file);

}  // namespace kura::config
