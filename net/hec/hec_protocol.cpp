// HEC status table and body parsing (simdjson for reading, nlohmann for writing).
#include "net/hec/hec_protocol.hpp"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <cmath>

namespace kura::hec {

status_info info(status s) {
  // Codes 0-7 and 17 checked against Splunk's published table; the others
  // follow Splunk's "Troubleshoot HTTP Event Collector" documentation.
  switch (s) {
    case status::success: return {200, "Success"};
    case status::token_disabled: return {403, "Token disabled"};
    case status::token_required: return {401, "Token is required"};
    case status::invalid_authorization: return {401, "Invalid authorization"};
    case status::invalid_token: return {403, "Invalid token"};
    case status::no_data: return {400, "No data"};
    case status::invalid_data_format: return {400, "Invalid data format"};
    case status::incorrect_index: return {400, "Incorrect index"};
    case status::internal_error: return {500, "Internal server error"};
    case status::server_busy: return {503, "Server is busy"};
    case status::data_channel_missing: return {400, "Data channel is missing"};
    case status::invalid_data_channel: return {400, "Invalid data channel"};
    case status::event_field_required: return {400, "Event field is required"};
    case status::event_field_blank: return {400, "Event field cannot be blank"};
    case status::ack_disabled: return {400, "ACK is disabled"};
    case status::indexed_fields_error: return {400, "Error in handling indexed fields"};
    case status::query_string_auth_disabled: return {400, "Query string authorization is not enabled"};
    case status::healthy: return {200, "HEC is healthy"};
    case status::unhealthy_queues_full: return {503, "HEC is unhealthy, queues are full"};
  }
  return {500, "Internal server error"};
}

std::string reply_body(status s, std::optional<size_t> invalid_event, std::optional<uint64_t> ack_id) {
  nlohmann::ordered_json j;
  j["text"] = info(s).text;
  j["code"] = int(s);
  if (invalid_event) j["invalid-event-number"] = *invalid_event;
  if (ack_id) j["ackId"] = *ack_id;
  return j.dump();
}

namespace {

namespace od = simdjson::ondemand;

/// A string member, or a wrong type (detail set).
bool optional_string(od::object& obj, std::string_view key, std::optional<std::string>& out, std::string& detail) {
  auto field = obj.find_field_unordered(key);
  if (field.error() == simdjson::NO_SUCH_FIELD) return true;
  if (field.error()) {
    detail = std::string{key} + ": " + simdjson::error_message(field.error());
    return false;
  }
  auto value = field.value();
  if (value.is_null()) return true;
  std::string_view s;
  if (value.get_string().get(s)) {
    detail = std::string{key} + " must be a string";
    return false;
  }
  out = std::string{s};
  return true;
}

bool parse_time(od::value v, std::optional<time_us>& out, std::string& detail) {
  double d;
  if (v.type() == od::json_type::number) {
    if (v.get_double().get(d)) {
      detail = "time is not a number";
      return false;
    }
  } else if (v.type() == od::json_type::string) {
    std::string_view s;
    if (v.get_string().get(s)) return false;
    char* end = nullptr;
    std::string copy{s};
    d = std::strtod(copy.c_str(), &end);
    if (copy.empty() || *end != '\0') {
      detail = "time \"" + copy + "\" is not epoch seconds";
      return false;
    }
  } else {
    detail = "time must be epoch seconds";
    return false;
  }
  if (!std::isfinite(d) || d < 0 || d > 4102444800.0) {
    detail = "time is out of range";
    return false;
  }
  out = time_us(std::llround(d * 1e6));
  return true;
}

}  // namespace

namespace {

/// One event object into `e`: success, or the status and `detail` of what is wrong.
status parse_object_fields(od::object& obj, event& e, std::string& detail) {
  auto bad = [&](status s, std::string text) {
    detail = std::move(text);
    return s;
  };
  // "event": required, not blank; a non-string value is kept as its JSON text.
  auto ev = obj.find_field_unordered("event");
  if (ev.error() == simdjson::NO_SUCH_FIELD)
    return bad(status::event_field_required, "no \"event\" field");
  if (ev.error()) return bad(status::invalid_data_format, simdjson::error_message(ev.error()));
  od::value v = ev.value();
  if (v.is_null()) return bad(status::event_field_blank, "\"event\" is null");
  if (v.type() == od::json_type::string) {
    std::string_view s;
    if (v.get_string().get(s))
      return bad(status::invalid_data_format, "\"event\" is not a valid string");
    e.raw = std::string{s};
  } else {
    std::string_view json;
    // simdjson 3.0 has no value::raw_json(); to_json_string gives the source text.
    if (simdjson::to_json_string(v).get(json))
      return bad(status::invalid_data_format, "\"event\" is not valid JSON");
    e.raw = std::string{json};
    while (!e.raw.empty() && (e.raw.back() == ' ' || e.raw.back() == '\n' || e.raw.back() == '\r' ||
                              e.raw.back() == '\t'))
      e.raw.pop_back();
  }
  if (e.raw.find_first_not_of(" \t\r\n") == std::string::npos)
    return bad(status::event_field_blank, "\"event\" is empty");
  auto t = obj.find_field_unordered("time");
  if (!t.error()) {
    if (!t.value().is_null() && !parse_time(t.value(), e.time, detail))
      return status::invalid_data_format;
  } else if (t.error() != simdjson::NO_SUCH_FIELD) {
    return bad(status::invalid_data_format, simdjson::error_message(t.error()));
  }
  if (!optional_string(obj, "host", e.host, detail) ||
      !optional_string(obj, "source", e.source, detail) ||
      !optional_string(obj, "sourcetype", e.sourcetype, detail) ||
      !optional_string(obj, "index", e.index, detail))
    return status::invalid_data_format;
  auto f = obj.find_field_unordered("fields");
  if (!f.error() && !f.value().is_null()) {
    od::object fields;
    if (f.value().get_object().get(fields))
      return bad(status::indexed_fields_error, "\"fields\" must be an object");
    for (auto member : fields) {
      std::string_view key;
      if (member.unescaped_key().get(key))
        return bad(status::indexed_fields_error, "bad key in \"fields\"");
      od::value fv = member.value();
      std::string text;
      if (fv.type() == od::json_type::string) {
        std::string_view s;
        if (fv.get_string().get(s))
          return bad(status::indexed_fields_error, "bad value in \"fields\"");
        text = std::string{s};
      } else if (fv.type() == od::json_type::number) {
        text = std::string{fv.raw_json_token()};
        while (!text.empty() && text.back() == ' ') text.pop_back();
      } else {
        return bad(status::indexed_fields_error,
                   "field \"" + std::string{key} + "\" must be a string or a number");
      }
      e.fields.emplace_back(std::string{key}, std::move(text));
    }
  } else if (f.error() && f.error() != simdjson::NO_SUCH_FIELD) {
    return bad(status::indexed_fields_error, simdjson::error_message(f.error()));
  }
  return status::success;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

struct event_parser::json {
  od::parser parser;
  std::string padded;  // one object's text followed by SIMDJSON_PADDING bytes
};

event_parser::event_parser() : json_(std::make_unique<json>()) {}
event_parser::~event_parser() = default;

bool event_parser::fail(status s, std::string detail) {
  result_ = s;
  detail_ = std::move(detail);
  partial_.clear();
  partial_.shrink_to_fit();
  return false;
}

bool event_parser::parse_object(std::string_view text, std::vector<event>& out) {
  if (text.size() > max_event_bytes)
    return fail(status::invalid_data_format,
                "an event of more than " + std::to_string(max_event_bytes) + " bytes");
  auto& j = *json_;
  j.padded.assign(text);
  j.padded.append(simdjson::SIMDJSON_PADDING, ' ');
  od::document doc;
  if (auto err = j.parser.iterate(j.padded.data(), text.size(), j.padded.size()).get(doc))
    return fail(status::invalid_data_format, simdjson::error_message(err));
  od::object obj;
  if (doc.get_object().get(obj))
    return fail(status::invalid_data_format, "each event must be a JSON object");
  event e;
  std::string detail;
  if (auto s = parse_object_fields(obj, e, detail); s != status::success)
    return fail(s, std::move(detail));
  out.push_back(std::move(e));
  ++events_;
  return true;
}

bool event_parser::feed(std::string_view bytes, std::vector<event>& out) {
  if (result_ != status::success) return false;
  size_t i = 0;
  while (i < bytes.size()) {
    size_t begin = i;   // where this piece of an object starts in `bytes`
    if (depth_ == 0) {  // between objects: white space, then '{'
      while (i < bytes.size() && is_space(bytes[i])) ++i;
      if (i == bytes.size()) break;
      if (bytes[i] != '{')
        return fail(status::invalid_data_format, "each event must be a JSON object");
      begin = i;
    }
    // Find the brace that closes the object: braces and brackets count outside strings only.
    for (; i < bytes.size(); ++i) {
      char c = bytes[i];
      if (in_string_) {
        if (escaped_)
          escaped_ = false;
        else if (c == '\\')
          escaped_ = true;
        else if (c == '"')
          in_string_ = false;
      } else if (c == '"') {
        in_string_ = true;
      } else if (c == '{' || c == '[') {
        ++depth_;
      } else if ((c == '}' || c == ']') && --depth_ == 0) {
        ++i;
        break;
      }
    }
    auto piece = bytes.substr(begin, i - begin);
    if (depth_ > 0) {  // the object goes on in the next piece
      if (partial_.size() + piece.size() > max_event_bytes)
        return fail(status::invalid_data_format,
                    "an event of more than " + std::to_string(max_event_bytes) + " bytes");
      partial_.append(piece);
      break;
    }
    if (partial_.empty()) {
      if (!parse_object(piece, out)) return false;
    } else {
      partial_.append(piece);
      bool ok = parse_object(partial_, out);
      partial_.clear();
      if (!ok) return false;
      if (partial_.capacity() > (size_t(1) << 20))
        partial_.shrink_to_fit();  // a big object has passed
    }
  }
  return true;
}

bool event_parser::finish() {
  if (result_ != status::success) return false;
  if (depth_ > 0)
    return fail(status::invalid_data_format, "the body ends with an incomplete event");
  if (events_ == 0) return fail(status::no_data, "no events");
  return true;
}

parsed_body parse_event_body(std::string_view body) {
  parsed_body out;
  event_parser parser;
  if (!parser.feed(body, out.events) || !parser.finish()) {
    out.result = parser.result();
    out.invalid_event = parser.events();
    out.detail = parser.detail();
    out.events.clear();
  }
  return out;
}

}  // namespace kura::hec
