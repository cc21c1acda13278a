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
  std::vector<uint64_t> events;        ///< events stored per interval, oldest first; the last is the current one
  std::vector<std::string> problems;   ///< the latest WARN and ERROR log lines, oldest first
};

/// One index and its buckets, for the index and bucket lists.
struct index_status {
  std::string name;
  bool disabled = false;
  std::string home_path, cold_path, thawed_path;
  std::vector<bucket_info> buckets;
};

class node_api {
 public:
  virtual ~node_api() = default;
  /// Stores the events durably; on ok every one is committed (an ack may be sent).
  /// Errors: not_found (index), index_disabled, disk_full (Detention), io_error.
  virtual error ingest(std::vector<ingest_event> events) = 0;
  /// Runs raw texts arriving at `now` through the pipelines of their
  /// sourcetypes and stores all their events durably, with one commit per
  /// index (group commit). Errors: as ingest; when a check fails (index,
  /// disabled, Detention) nothing is stored.
  virtual error ingest_raw(std::span<const raw_input> inputs, time_us now) = 0;
  /// As ingest_raw, but only the parsing happens here: storing goes on in the
  /// background and `done` gets its outcome (on another thread), so that the
  /// caller can parse its next input meanwhile.
  virtual void ingest_raw_async(std::span<const raw_input> inputs, time_us now, std::function<void(error)> done) = 0;
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
  virtual void audit(const std::string& user, const std::string& action, const std::string& info) = 0;
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
};

}  // namespace kura
