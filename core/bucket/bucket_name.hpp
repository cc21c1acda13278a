// The one owner of bucket directory names (see indexing.md §4.3). No other code
// builds or parses these strings.
//
//   hot_v1_<id>                              hot bucket, in homePath
//   db_<newest>_<oldest>_<id>                warm/cold, non-clustered
//   db_<newest>_<oldest>_<id>_<guid>         warm/cold, clustered original copy
//   rb_<newest>_<oldest>_<id>_<guid>         replicated copy (in coldPath)
//   <id>_<guid>                              replication in flight (target side)
//   invalid_hot_<id>                         ignored: not searched, written or counted
//
// <newest> and <oldest> are UTC epoch seconds of the newest and oldest event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace kura {

enum class bucket_kind : uint8_t { hot, original, replicated, in_flight, invalid_hot };

/// A parsed bucket directory name.
struct bucket_name {
  bucket_kind kind = bucket_kind::hot;
  bucket_id id;
  int64_t newest = 0;  ///< epoch seconds; original/replicated only
  int64_t oldest = 0;  ///< epoch seconds; original/replicated only
  std::string guid;    ///< peer guid of the original; empty for non-clustered

  /// The directory name. Requires: the fields fit the kind (a guid for rb_ and in_flight).
  std::string format() const;
  /// Parses a directory name; nullopt when it is not a bucket name (e.g. temp_db_…).
  static std::optional<bucket_name> parse(std::string_view name);

  static bucket_name hot(bucket_id id) { return {bucket_kind::hot, id, 0, 0, {}}; }
  static bucket_name warm(bucket_id id, int64_t newest, int64_t oldest, std::string guid = {}) {
    return {bucket_kind::original, id, newest, oldest, std::move(guid)};
  }
  bool operator==(const bucket_name&) const = default;
};

}  // namespace kura
