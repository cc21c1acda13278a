// The HTTP Event Collector protocol, as Splunk defines it, without the HTTP
// server: the status codes (HTTP status, text, code) and the parsing of
// /services/collector/event bodies — one or more JSON objects, concatenated or
// separated by white space — into events. Every check reports the status a
// Splunk HEC client expects, and the number of the first invalid event.
#pragma once

#include <cstdint>
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

/// Parses a /services/collector/event body. Empty: no_data; not JSON or a
/// field of the wrong type: invalid_data_format; no "event": event_field_required;
/// null or empty "event": event_field_blank; bad "fields": indexed_fields_error.
parsed_body parse_event_body(std::string_view body);

}  // namespace kura::hec
