// HEC bodies parsed as they arrive and stored in groups.
#include "net/hec/body_stream.hpp"

#include <utility>

#include "actors/raw_parsing.hpp"

namespace kura::hec {

status store_status(const error& err) {
  switch (err.code()) {
    case errc::not_found:
    case errc::index_disabled:
      return status::incorrect_index;
    case errc::disk_full:
    case errc::unavailable:
      return status::server_busy;
    default:
      return status::internal_error;
  }
}

group_store::group_store(store_fn store, size_t group_bytes)
    : store_(std::move(store)), group_bytes_(group_bytes) {}

bool group_store::arrived(size_t n) {
  body_bytes_ += n;
  return !failed_ && body_bytes_ - group_start_ > group_bytes_;
}

bool group_store::flush() {
  group_start_ = body_bytes_;
  if (pending_.empty()) return true;
  auto n = pending_.size();
  if (auto err = store_(std::exchange(pending_, {}))) {
    fail(store_status(err), std::nullopt, err.render(), false);
    return false;
  }
  stored_ += n;
  return true;
}

void group_store::fail(status s, std::optional<size_t> invalid_event, std::string detail,
                       bool keep_pending) {
  failed_ = true;
  keep_pending_ = keep_pending;
  outcome_ = {s, invalid_event, std::move(detail), 0};
  if (!keep_pending) pending_.clear();
}

body_result group_store::finish() {
  if (!failed_) {
    flush();
  } else if (keep_pending_ && body_bytes_ > group_bytes_) {
    // A big body's events before the bad one; when they cannot be stored, that is the answer.
    auto bad_event = std::move(outcome_);
    if (flush()) outcome_ = std::move(bad_event);
  }
  pending_.clear();
  outcome_.stored = stored_;
  return outcome_;
}

namespace {

/// Errors about one event carry its number, as Splunk's replies do.
bool per_event(status s) {
  return s == status::invalid_data_format || s == status::event_field_required ||
         s == status::event_field_blank || s == status::indexed_fields_error;
}

}  // namespace

event_body_stream::event_body_stream(store_fn store, input_meta defaults, size_t group_bytes)
    : groups_(std::move(store), group_bytes), defaults_(std::move(defaults)) {}

void event_body_stream::feed(std::string_view bytes, time_us now) {
  bool due = groups_.arrived(bytes.size());
  if (groups_.failed()) return;  // the rest of a bad body is only counted
  bool ok = parser_.feed(bytes, parsed_);
  auto& pending = groups_.pending();
  for (auto& e : parsed_)
    pending.push_back({e.time.value_or(now), e.host.value_or(defaults_.host),
                       e.source.value_or(defaults_.source),
                       e.sourcetype.value_or(defaults_.sourcetype),
                       e.index.value_or(defaults_.index), std::move(e.raw), std::move(e.fields)});
  parsed_.clear();
  if (!ok) {
    auto s = parser_.result();
    groups_.fail(s, per_event(s) ? std::optional<size_t>{parser_.events()} : std::nullopt,
                 parser_.detail(), true);
    return;
  }
  if (due) groups_.flush();
}

body_result event_body_stream::finish() {
  if (!groups_.failed() && !parser_.finish()) {
    auto s = parser_.result();
    groups_.fail(s, per_event(s) ? std::optional<size_t>{parser_.events()} : std::nullopt,
                 parser_.detail(), true);
  }
  return groups_.finish();
}

raw_body_stream::raw_body_stream(store_fn store, event_stream pipeline, size_t group_bytes)
    : groups_(std::move(store), group_bytes), pipeline_(std::move(pipeline)) {}

void raw_body_stream::feed(std::string_view bytes, time_us now) {
  bool due = groups_.arrived(bytes.size());
  if (groups_.failed()) return;
  if (!any_data_) any_data_ = bytes.find_first_not_of(" \t\r\n") != std::string_view::npos;
  pipeline_.feed(bytes, now, parsed_);
  auto events = take_events(pipeline_.meta(), parsed_);
  auto& pending = groups_.pending();
  for (auto& e : events) pending.push_back(std::move(e));
  if (due) groups_.flush();
}

body_result raw_body_stream::finish(time_us now) {
  if (!groups_.failed()) {
    if (!any_data_) {
      groups_.fail(status::no_data, std::nullopt, "empty body", false);
    } else {
      pipeline_.finish(now, parsed_);
      auto events = take_events(pipeline_.meta(), parsed_);
      auto& pending = groups_.pending();
      for (auto& e : events) pending.push_back(std::move(e));
    }
  }
  return groups_.finish();
}

}  // namespace kura::hec
