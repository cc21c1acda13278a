// The event model: what the pipeline produces and a bucket stores.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/types.hpp"

namespace kura {

/// One indexed field (`key::value` in the term index), e.g. from HEC `fields`.
struct field_view {
  std::string_view key;
  std::string_view value;
};

/// A borrowed view of an event, the unit of appending. The index it belongs to is
/// the index it is appended to, so it is not repeated per event.
/// Requires: every view outlives the call it is passed to.
struct event_view {
  time_us time = 0;                ///< `_time`, microseconds since the epoch
  std::string_view host;           ///< `host`
  std::string_view source;         ///< `source`
  std::string_view sourcetype;     ///< `sourcetype`
  std::string_view raw;            ///< `_raw`, the event text
  std::vector<field_view> fields;  ///< indexed fields
};

/// An owned event, as read back from a bucket.
struct event {
  time_us time = 0;                ///< `_time`, microseconds since the epoch
  std::string host;                ///< `host`
  std::string source;              ///< `source`
  std::string sourcetype;          ///< `sourcetype`
  std::string index;               ///< `index` (filled by the reader that knows it)
  std::string raw;                 ///< `_raw`
  std::vector<std::pair<std::string, std::string>> fields;  ///< indexed fields

  bool operator==(const event&) const = default;
};

}  // namespace kura
