// What a node's actors are started with (from config::node_config). No CAF.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/bundle.hpp"
#include "core/index/index_config.hpp"
#include "core/pipeline/event_stream.hpp"
#include "core/search/commands.hpp"
#include "core/search/field_rules.hpp"

namespace kura {

/// What a clustered node needs ([clustering]); unused on a standalone node.
struct cluster_settings {
  std::string guid;                      ///< this node's GUID ($KURA_HOME/etc/instance.toml)
  std::string secret;                    ///< pass4SymmKey
  std::vector<std::string> master_uris;  ///< peer: one; search head: one or more
  std::map<std::string, std::string> master_secrets;   ///< search head: secret per master
  std::string bind = "127.0.0.1";                      ///< where the node listens ([node] bind)
  uint16_t admin_port = 8089;                          ///< where search heads reach a peer
  uint16_t replication_port = 9887;                    ///< peer: where copies arrive
  uint32_t replication_factor = 3, search_factor = 2;  ///< master
  std::chrono::milliseconds heartbeat_period{1000};
  std::chrono::milliseconds heartbeat_timeout{60'000};
  std::chrono::milliseconds restart_timeout{600'000};  ///< master: an offline peer's time to return
  std::chrono::milliseconds quiet_period{60'000};      ///< master: registration time after a start
  io::fs::path state_dir;  ///< master: what survives its restarts
  io::fs::path master_apps;  ///< master: the bundle the operator edits ($KURA_HOME/etc/master-apps)
  /// Peer: its own file's settings (a bundle is validated against them), where
  /// bundles are installed ($KURA_HOME/etc/slave-apps), the installed one.
  std::shared_ptr<const config::node_config> local_config;
  io::fs::path slave_apps;
  std::string active_bundle;  ///< its checksum ("" when none)
  config::bundle_settings active_bundle_settings;
  /// Peer: restarts the node process (a rolling restart); set by node_runtime.
  std::function<void()> restart;
};

struct node_settings {
  std::string name;                 ///< [node] name
  std::string role = "standalone";  ///< standalone | master | peer | search_head
  cluster_settings cluster;
  uint32_t workers = 2;  ///< CAF scheduler threads
  store_config store;
  std::vector<index_config> indexes;  ///< configured ones; main, _internal, _audit are added
  std::map<std::string, sourcetype_rules> sourcetypes;
  /// Search-time fields per sourcetype (the file's and the bundle's over the
  /// built-ins); null: the built-ins alone.
  std::shared_ptr<const search::field_rules> field_rules;
  /// Where lookup, inputlookup and outputlookup find NAME.csv ($KURA_HOME/etc/lookups;
  /// on a cluster, the search head's own: lookups run where the rows are merged).
  io::fs::path lookup_dir;
  /// The limits of every search this node runs or takes part in ([search]).
  search::search_limits search_limits;
  std::chrono::seconds retention_period{30};
};

}  // namespace kura
