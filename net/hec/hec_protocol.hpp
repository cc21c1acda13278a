// The HTTP Event Collector protocol, as Splunk defines it, without the HTTP
// server: the status codes (HTTP status, text, code) and the parsing of
// /services/collector/event bodies — one or more JSON objects, concatenated or
// separated by white space — into events, whole or as the bytes arrive. Every
// check reports the status a Splunk HEC client expects, and the number of the
// first invalid event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/types.hpp"

namespace kura::hec {

/// HEC's status codes (Splunk's numbers; the reply body is {"text":…,"code":N}).
enum class status : uint8_t {
  success = 0,
  token_disabled = 1,
  token_required = 2,
  invalid_authorization = 3,
  invalid_token = 4,
  no_data = 5,
  invalid_data_format = 6,
  incorrect_index = 7,
  internal_error = 8,
  server_busy = 9,
  data_channel_missing = 10,
  invalid_data_channel = 11,
  event_field_required = 12,
  event_field_blank = 13,
  ack_disabled = 14,
  indexed_fields_error = 15,
  query_string_auth_disabled = 16,
  healthy = 17,
  unhealthy_queues_full = 18,
};

/// The HTTP status and the text of a HEC status.
struct status_info {
  int http_status;
  const char* text;
};
status_info info(status s);

/// The reply body: {"text":"…","code":N[,"invalid-event-number":K][,"ackId":A]}.
std::string reply_body(status s, std::optional<size_t> invalid_event = std::nullopt,
                       std::optional<uint64_t> ack_id = std::nullopt);

/// One event of a HEC request, before defaults (token, request) are applied.
struct event {
  std::optional<time_us> time;   ///< "time": epoch seconds, fractional allowed (number or numeric string)
  std::optional<std::string> host, source, sourcetype, index;
  std::string raw;               ///< "event": a string as is; any other JSON value as its JSON text
  std::vector<std::pair<std::string, std::string>> fields;  ///< "fields": indexed fields
};

/// The outcome of parsing a request body.
struct parsed_body {
  status result = status::success;
  size_t invalid_event = 0;      ///< 0-based number of the first bad event (for errors)
  std::string detail;            ///< what was wrong, for the log
  std::vector<event> events;
};

/// Parses a whole /services/collector/event body; all or nothing (no events
/// when one is bad). Empty: no_data; not JSON, a field of the wrong type or an
/// object over event_parser::max_event_bytes: invalid_data_format; no "event":
/// event_field_required; null or empty "event": event_field_blank; bad
/// "fields": indexed_fields_error.
parsed_body parse_event_body(std::string_view body);

/// Parses a /services/collector/event body as its bytes arrive, in pieces of
/// any size: an object may span pieces, and each is parsed once its closing
/// brace arrives. Between objects only white space may appear.
/// Memory: the bytes of the one object being received (at most max_event_bytes)
/// and a JSON parser sized for the largest object so far; never the body.
/// Lifecycle: feed the pieces in order, then finish once; after the first bad
/// event every call returns false and result() tells why.
class event_parser {
 public:
  /// The largest object accepted (its JSON text); a larger one is invalid_data_format.
  static constexpr size_t max_event_bytes = size_t(4) << 20;

  event_parser();
  ~event_parser();
  event_parser(const event_parser&) = delete;
  event_parser& operator=(const event_parser&) = delete;

  /// Takes the next bytes of the body and appends the events they complete to
  /// `out`. False once the body is bad (then nothing is appended for the bad event).
  bool feed(std::string_view bytes, std::vector<event>& out);
  /// The end of the body. False when it ends inside an object
  /// (invalid_data_format) or held no event (no_data), or was bad before.
  bool finish();

  /// success, or the status of the first bad event (or of the body: no_data).
  status result() const { return result_; }
  /// Good events so far; after a failure, the 0-based number of the bad event.
  size_t events() const { return events_; }
  /// What was wrong, for the log ("" while all is well).
  const std::string& detail() const { return detail_; }

 private:
  bool fail(status s, std::string detail);
  bool parse_object(std::string_view text, std::vector<event>& out);

  struct json;  // the simdjson parser and its padded input (simdjson stays out of this header)
  std::unique_ptr<json> json_;
  std::string partial_;  // the bytes of an object whose closing brace has not arrived
  size_t depth_ = 0;     // open braces and brackets of the object being received
  bool in_string_ = false, escaped_ = false;
  size_t events_ = 0;
  status result_ = status::success;
  std::string detail_;
};

}  // namespace kura::hec
