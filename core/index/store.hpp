// The set of indexes of one node: index operations (add, remove, disable,
// enable, clean eventdata), appends with the minFreeSpace check (Detention),
// and retention across indexes including volume caps. Owned by the peer (later
// by its actor); not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/index/index.hpp"
#include "core/index/index_config.hpp"

namespace kura {

/// The indexes that always exist.
inline const std::vector<std::string>& builtin_indexes() {
  static const std::vector<std::string> names{"main", "_internal", "_audit"};
  return names;
}

/// The minFreeSpace rule (Detention): below it writes are refused and nothing
/// is deleted; writes resume by themselves once space returns. Logs the
/// transitions.
class detention_guard {
 public:
  explicit detention_guard(uint64_t min_free_space_bytes) : min_free_(min_free_space_bytes) {}
  /// Checks the partition of `home_path`. Errors: disk_full (with the
  /// Detention message), io_error.
  error check(const io::fs::path& home_path);
  /// The Detention message while writes are refused.
  const std::optional<std::string>& message() const { return message_; }

 private:
  uint64_t min_free_;
  std::optional<std::string> message_;
};

/// The volumes with a size cap, as plan_volumes takes them.
std::vector<std::pair<std::string, uint64_t>> capped_volumes(const store_config& cfg);

/// Deletes an index's home, cold and thawed directories (and its own
/// directory once empty). Errors: io_error.
error remove_index_data(const index_config& cfg);

/// Refuses removing a built-in index. Errors: invalid_argument.
error check_removable(const std::string& name);

/// Opens every index of `indexes`, adding the built-in ones with their
/// defaults when not configured. Errors: invalid_argument (an index defined
/// twice), the errors of index::open.
result<std::vector<std::unique_ptr<index>>> open_indexes(const store_config& cfg, std::vector<index_config> indexes,
                                                         std::vector<std::string>* notes);

class store {
 public:
  /// Opens every configured index, adding the built-in ones with their defaults
  /// when not configured. Errors: invalid_argument, io_error.
  static result<std::unique_ptr<store>> open(store_config cfg, std::vector<index_config> indexes,
                                             std::vector<std::string>* notes = nullptr);

  /// Creates a new index (name rules of §3.3; no leading `_` or `-`).
  /// Errors: invalid_argument, already_exists, io_error.
  error add_index(index_config cfg);
  /// Deletes an index and all its data directories. Later events for it are discarded.
  error remove_index(const std::string& name);
  /// A disabled index keeps its data and refuses writes.
  error disable_index(const std::string& name);
  error enable_index(const std::string& name);
  /// Deletes the event data of one index, or of all when `name` is empty.
  /// Bucket ids keep growing.
  error clean_eventdata(const std::string& name);

  /// Appends events to an index and commits them (durable on ok). Events for a
  /// missing index are discarded and counted (not_found). Below minFreeSpace the
  /// store is in Detention: nothing is written (disk_full), nothing is deleted,
  /// and writes resume by themselves once space returns. Rolls trigger retention.
  error append(const std::string& index_name, std::span<const event_view> events, int64_t now_secs);
  /// Rolls the hot buckets of one index, or of all when `name` is empty.
  error roll_hot_buckets(const std::string& name);
  /// Applies every retention rule of every index, then every volume cap.
  error enforce_retention(int64_t now_secs);
  /// fsck of one index, or of all when `name` is empty (see index::fsck).
  /// Errors: not_found.
  result<std::vector<fsck_report>> fsck(const std::string& name, bool repair);
  /// Rolls all hot buckets (graceful stop).
  error close();

  index* find(const std::string& name);
  std::vector<std::string> index_names() const;
  /// Events discarded because their index did not exist.
  uint64_t discarded_events() const { return discarded_; }
  /// The Detention message while writes are refused for lack of disk space.
  const std::optional<std::string>& detention() const { return detention_.message(); }

 private:
  error enforce_volumes();

  store_config cfg_;
  std::map<std::string, std::unique_ptr<index>> indexes_;
  uint64_t discarded_ = 0;
  detention_guard detention_{0};
};

}  // namespace kura
