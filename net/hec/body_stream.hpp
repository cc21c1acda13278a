// A HEC request body streamed into the store: the bytes of a
// /services/collector/event or /raw body are parsed as they arrive and their
// events handed to the store in groups (one durable commit each), so that
// memory follows the group size, never the body's. What a body that turns bad
// leaves stored is decided here (net/README.md, "Big bodies").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/node_api.hpp"
#include "core/pipeline/event_stream.hpp"
#include "net/hec/hec_protocol.hpp"

namespace kura::hec {

/// Stores one group of events durably (node_api::ingest): ok means every one
/// is committed; an error means none of the group is.
using store_fn = std::function<error(std::vector<ingest_event>)>;

/// Bytes of body per group: a group is stored once more than this has arrived
/// since the last one, and at the end of the body.
constexpr size_t default_group_bytes = size_t(1) << 20;

/// The HEC status of a failed store (unknown or disabled index: incorrect_index;
/// Detention or a cluster not ready: server_busy; else internal_error).
status store_status(const error& err);

/// How a body ended.
struct body_result {
  status result = status::success;
  std::optional<size_t> invalid_event;  ///< the bad event's 0-based number (per-event errors only)
  std::string detail;                   ///< what went wrong, for the log
  uint64_t stored = 0;                  ///< events of this body stored (also when it failed)
};

/// The rule both bodies follow. A group is stored once more than group_bytes
/// of body have arrived since the last group, and at the end. So a body of at
/// most group_bytes is stored whole or not at all. In a larger body the groups
/// stored before a failure stay stored, and when event N is bad the events
/// before it are stored too: exactly events 0 … N-1, none from N on.
/// Example (group_bytes 1 MiB): a 3 MiB body whose event 20,000 (at 2.5 MiB)
/// is bad: groups of about 1 MiB are stored as they fill, the events between
/// the last group and event 20,000 when the body has been read; reply 400 with
/// invalid-event-number 20000. The same bad event in a 0.9 MiB body: nothing
/// is stored.
class group_store {
 public:
  group_store(store_fn store, size_t group_bytes);
  /// Events waiting for the next group.
  std::vector<ingest_event>& pending() { return pending_; }
  /// Counts `n` more bytes of body; true when a group is due.
  bool arrived(size_t n);
  /// Stores the pending events as one group. False (and the body failed) when
  /// the store refuses them.
  bool flush();
  /// The body turned bad: nothing more is parsed; `keep_pending` when the
  /// pending events (those before the bad one) may still be stored.
  void fail(status s, std::optional<size_t> invalid_event, std::string detail, bool keep_pending);
  bool failed() const { return failed_; }
  /// The end of the body: stores what the rule allows and says how it ended.
  body_result finish();

 private:
  store_fn store_;
  size_t group_bytes_;
  std::vector<ingest_event> pending_;
  uint64_t body_bytes_ = 0, group_start_ = 0;  // bytes of body so far; where this group began
  uint64_t stored_ = 0;
  bool failed_ = false, keep_pending_ = false;
  body_result outcome_;
};

/// A /services/collector/event body (JSON objects) into the store.
/// Lifecycle: one per request; feed every piece, then finish once. A request
/// cut off (client gone, body over the limit) just ends without finish: what
/// it stored so far stays, the pending events are dropped.
class event_body_stream {
 public:
  event_body_stream(store_fn store, input_meta defaults, size_t group_bytes = default_group_bytes);
  /// The next bytes of the body, arriving at `now` (the time of events that name none).
  void feed(std::string_view bytes, time_us now);
  /// The end of the body: the last group, and how the body ended.
  body_result finish();

 private:
  group_store groups_;
  input_meta defaults_;
  event_parser parser_;
  std::vector<event> parsed_;
};

/// A /services/collector/raw body through its sourcetype's pipeline into the
/// store (lifecycle as event_body_stream). Raw text has no bad data: only a
/// store can fail, or the body be white space only (no_data).
class raw_body_stream {
 public:
  raw_body_stream(store_fn store, event_stream pipeline, size_t group_bytes = default_group_bytes);
  /// The next bytes of the body, arriving at `now` (the pipeline's arrival time).
  void feed(std::string_view bytes, time_us now);
  /// The end of the body: the pipeline's last event, the last group, and how the body ended.
  body_result finish(time_us now);

 private:
  group_store groups_;
  event_stream pipeline_;
  std::vector<parsed_event> parsed_;
  bool any_data_ = false;  // a byte other than white space has arrived
};

}  // namespace kura::hec
