// What the wire (HTTP server, receiving port, admin shell) asks of a node.
// The actor layer implements it (a client of the peer actor); tests use a
// store-backed double. No CAF here: net/ includes it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

/// What /services/server/info reports.
struct server_status {
  std::string name, role, version;
  int64_t uptime_secs = 0;
  std::optional<std::string> detention;  ///< the Detention message while writes are refused
  uint64_t discarded_events = 0;         ///< events for indexes that do not exist
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
  /// Runs raw text arriving at `now` through the pipeline of `meta.sourcetype`
  /// and stores the events durably. Errors: as ingest.
  virtual error ingest_raw(const input_meta& meta, std::string_view body, time_us now) = 0;
  /// Runs a search, streaming rows to `emit`. Errors: as search_store.
  virtual result<search::search_summary> search(std::string_view text, const search::search_options& options,
                                                const search::row_sink& emit) = 0;
  /// The node's status.
  virtual server_status server_info() = 0;
  /// Every index with its buckets.
  virtual std::vector<index_status> indexes() = 0;
  /// False while the node refuses data (Detention).
  virtual bool accepting() = 0;
};

}  // namespace kura
