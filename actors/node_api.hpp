// What the wire (HTTP server, receiving port, admin shell) asks of a node.
// The actor layer implements it (a client of the peer actor); tests use a
// store-backed double. No CAF here: net/ includes it.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bucket/bucket_ops.hpp"
#include "core/error.hpp"
#include "core/index/index.hpp"
#include "core/pipeline/event_stream.hpp"
#include "core/search/executor.hpp"

namespace kura {

/// One event to store, owned (HEC /event after defaults are applied).
struct ingest_event {
  time_us time = 0;
  std::string host, source, sourcetype, index, raw;
  std::vector<std::pair<std::string, std::string>> fields;
};

/// Raw text from one input with its metadata (a HEC raw request, a forwarder block).
struct raw_input {
  input_meta meta;
  std::string_view body;
};

/// What /services/server/info reports.
struct server_status {
  std::string name, role, version;
  int64_t uptime_secs = 0;
  std::optional<std::string> detention;  ///< the Detention message while writes are refused
  uint64_t discarded_events = 0;         ///< events for indexes that do not exist
};

/// What the node did lately, for the status page.
struct activity {
  int interval_secs = 10;
  std::vector<uint64_t>
      events;  ///< events stored per interval, oldest first; the last is the current one
  std::vector<std::string> problems;  ///< the latest WARN and ERROR log lines, oldest first
};

/// One index and its buckets, for the index and bucket lists.
struct index_status {
  std::string name;
  bool disabled = false;
  bool replicated = false;  ///< a cluster peer replicates it (repFactor = "auto")
  std::string home_path, cold_path, thawed_path;
  std::vector<bucket_info> buckets;
};

/// One copy of a bucket in the master's table.
struct cluster_copy_status {
  std::string peer, guid;  ///< the peer's name and GUID
  bool searchable = false, primary = false;
};

/// One bucket in the master's table (GET /services/cluster/master/buckets).
struct cluster_bucket_status {
  std::string id, index, state;  ///< cluster id, index, hot | warm | cold
  uint64_t size_bytes = 0, events = 0;
  bool valid = false, complete = false;
  std::vector<cluster_copy_status> copies;
};

/// One peer as the master sees it (GET /services/cluster/master/peers).
struct cluster_peer_status {
  std::string name, guid, status, host_port;  ///< status: Up, Pending, Detention, Down, …
  std::string active_bundle;                  ///< the checksum of the bundle it runs
  uint64_t buckets = 0, primaries = 0, searchable = 0;
  double last_heartbeat_secs_ago = 0;
};

/// A peer of a generation.
struct cluster_generation_peer {
  std::string name, guid, host_port;
};

/// Everything the master's status documents show (product.md §7).
struct master_status {
  uint64_t generation = 0;
  bool valid = false, complete = false, indexing_ready = false;
  uint32_t replication_factor = 0, search_factor = 0;
  uint64_t peers_up = 0;
  uint64_t buckets_total = 0, buckets_valid = 0, buckets_complete = 0;
  /// Fixup tasks not finished, by kind, and the bytes of their buckets.
  uint64_t fixup_primary = 0, fixup_searchable = 0, fixup_replicate = 0, fixup_bytes_to_go = 0;
  /// Fixup tasks running now, one line each ("replicate main~3~G from peer1 to peer4").
  std::vector<std::string> fixup_running;
  std::vector<cluster_peer_status> peers;
  std::vector<cluster_bucket_status> buckets;
  std::vector<cluster_generation_peer> generation_peers;
  /// A rolling restart in progress, one line ("" when none): "2 of 3 peers restarted; restarting
  /// peer3".
  std::string rolling_restart;
  /// The checksum of the configuration bundle the peers should run ("" before the first).
  std::string active_bundle;
};

/// A bucket's journal streaming between two peers (a hot bucket's replication or a fixup copy).
struct replication_stream {
  std::string bucket;        ///< the bucket's cluster id
  std::string peer;          ///< the other end: host:port of the target, or the source's name
  uint64_t bytes = 0;        ///< bytes of the journal sent or received so far
  double bytes_per_sec = 0;  ///< over the last seconds
};

/// A peer's own view (GET /services/cluster/peer/info).
struct peer_cluster_status {
  std::string name, guid, status, master_uri;
  bool master_reachable = false;
  uint64_t generation = 0;
  uint16_t replication_port = 0;
  std::string active_bundle;  ///< the checksum of the bundle in slave-apps ("" before the first)
  std::vector<replication_stream> streams_out, streams_in;
};

/// What a search head knows of one master (GET /services/cluster/searchhead/generation).
struct searchhead_master_status {
  std::string master_uri;
  uint64_t generation = 0;
  bool reachable = false;
  bool valid = false;  ///< the master's cluster is valid (every bucket has a primary)
  std::vector<cluster_generation_peer> peers;
};

class node_api {
 public:
  virtual ~node_api() = default;
  /// Stores the events durably; on ok every one is committed (an ack may be sent).
  /// Errors: not_found (index), index_disabled, disk_full (Detention), io_error.
  virtual error ingest(std::vector<ingest_event> events) = 0;
  /// As ingest, but storing goes on in the background and `done` gets its
  /// outcome (on another thread). When the checks that come first fail (the
  /// cluster cannot index yet, the peer is offline), returns that error at
  /// once and never calls `done`.
  virtual error ingest_async(std::vector<ingest_event> events, std::function<void(error)> done) = 0;
  /// Runs raw texts arriving at `now` through the pipelines of their
  /// sourcetypes and stores all their events durably, with one commit per
  /// index (group commit). Errors: as ingest; when a check fails (index,
  /// disabled, Detention) nothing is stored.
  virtual error ingest_raw(std::span<const raw_input> inputs, time_us now) = 0;
  /// As ingest_raw, but only the parsing happens here: storing goes on in the
  /// background and `done` gets its outcome (on another thread), so that the
  /// caller can parse its next input meanwhile.
  virtual void ingest_raw_async(std::span<const raw_input> inputs, time_us now,
                                std::function<void(error)> done) = 0;
  /// The parsing pipeline of `meta.sourcetype` on this node, for raw text that
  /// arrives in pieces (a HEC raw body read as it comes): feed it, and store
  /// the events it gives with ingest. Errors: invalid_argument (its rules).
  virtual result<event_stream> open_raw_stream(const input_meta& meta) = 0;
  /// Runs a search, streaming rows to `emit`. Errors: as search_store.
  virtual result<search::search_summary> search(std::string_view text,
                                                const search::search_options& options,
                                                const search::row_sink& emit) = 0;
  /// The node's status.
  virtual server_status server_info() = 0;
  /// Every index with its buckets.
  virtual std::vector<index_status> indexes() = 0;
  /// False while the node refuses data (Detention).
  virtual bool accepting() = 0;
  /// Ingestion over the last minutes and recent problems.
  virtual activity recent_activity() = 0;
  /// Records a search or an admin action in the `_audit` index (without waiting).
  virtual void audit(const std::string& user, const std::string& action,
                     const std::string& info) = 0;
  /// The cluster as a master sees it. Errors: bad_state on other roles.
  virtual result<master_status> cluster_master_status() {
    return error{errc::bad_state, "this node is not a cluster master"};
  }
  /// The cluster as a peer sees it. Errors: bad_state on other roles.
  virtual result<peer_cluster_status> cluster_peer_status() {
    return error{errc::bad_state, "this node is not a cluster peer"};
  }
  /// The generations a search head uses. Errors: bad_state on other roles.
  virtual result<std::vector<searchhead_master_status>> cluster_searchhead_status() {
    return error{errc::bad_state, "this node is not a search head"};
  }
};

/// The administration the `kura` shell asks of a node (product.md §1).
class node_admin {
 public:
  virtual ~node_admin() = default;
  /// Errors: invalid_argument (name rules), already_exists, io_error.
  virtual error add_index(const std::string& name) = 0;
  /// Deletes the index and its data. Errors: not_found, invalid_argument (built-in index).
  virtual error remove_index(const std::string& name) = 0;
  /// Errors: not_found.
  virtual error set_index_disabled(const std::string& name, bool disabled) = 0;
  /// Index `name`, or every index when empty. Errors: not_found, io_error.
  virtual error clean_eventdata(const std::string& name) = 0;
  virtual error roll_hot_buckets(const std::string& name) = 0;
  virtual result<std::vector<fsck_report>> fsck(const std::string& name, bool repair) = 0;
  /// Rebuilds a bucket's index files from its journal. Errors: not_found, corruption, io_error.
  virtual error rebuild(const std::string& bucket_dir) = 0;
  /// Reads a file on the node through the pipeline of `meta.sourcetype` and
  /// stores its events; returns how many. Errors: not_found, io_error, as ingest.
  virtual result<uint64_t> ingest_file(const input_meta& meta, const io::fs::path& file) = 0;
  /// Records an admin action or a search in the `_audit` index.
  virtual void audit(const std::string& user, const std::string& action,
                     const std::string& info) = 0;
  /// Asks the node process to stop gracefully (as SIGTERM does).
  virtual void request_stop() = 0;
  /// A peer goes offline (clustering.md §13.3-13.4): no more input, primaries
  /// moved (and with enforce_counts, the cluster complete without it); the
  /// caller then stops the node. Errors: bad_state (not a peer), unavailable.
  virtual error offline(bool enforce_counts) = 0;
  /// A master's live setting (restart_timeout, heartbeat_timeout,
  /// quiet_period in seconds; replication_factor, search_factor). Errors:
  /// bad_state (not a master), invalid_argument.
  virtual error edit_cluster_config(const std::string& key, double value) = 0;
  /// `apply cluster-bundle [--dry-run]` on a master: returns a one-line
  /// summary. Errors: bad_state (not a master), invalid_argument (naming the
  /// peer, file, line and key), unavailable (no peer up).
  virtual result<std::string> apply_cluster_bundle(bool dry_run) = 0;
  /// `rolling-restart cluster-peers` on a master: started (progress in the
  /// master's status). Errors: bad_state, invalid_argument, unavailable.
  virtual error rolling_restart(uint32_t percent) = 0;
};

}  // namespace kura
