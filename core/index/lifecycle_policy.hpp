// What the index decides about its buckets, as plain functions without I/O or
// actors: which hot bucket takes an event, which buckets roll to cold, which
// freeze, and what a full volume gives up. The index (later its actor) applies
// the returned actions; tests call these directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/index/index_config.hpp"
#include "core/types.hpp"

namespace kura {

enum class bucket_state : uint8_t { hot, warm, cold, thawed };

const char* to_string(bucket_state s);

/// What the policy needs to know of one bucket.
struct bucket_facts {
  std::string index;  ///< the index it belongs to (volume planning spans indexes)
  bucket_id id;
  bucket_state state = bucket_state::warm;
  time_us newest = 0;  ///< newest event
  uint64_t size_bytes = 0;
  std::string
      origin;  ///< guid of the peer that made the bucket (clustered); ids repeat across origins
};

enum class action_kind : uint8_t { move_to_cold, freeze };

/// One step the index must take. `reason` names the rule, for the log.
struct lifecycle_action {
  action_kind kind;
  std::string index;
  bucket_id id;
  std::string reason;
  std::string origin;  ///< the bucket's origin guid (bucket_facts::origin)
  bool operator==(const lifecycle_action&) const = default;
};

/// The retention plan of one index, in order: maxWarmDBCount and
/// homePath.maxDataSizeMB (oldest warm to cold), frozenTimePeriodInSecs (every
/// warm or cold bucket whose newest event is older), coldPath.maxDataSizeMB
/// (oldest cold frozen), maxTotalDataSizeMB (oldest warm or cold frozen).
/// "Oldest" is the bucket with the oldest newest event, then the lowest id.
/// Hot and thawed buckets are never moved or frozen; hot buckets still count
/// towards sizes. Example: maxWarmDBCount = 2 and warm buckets with newest
/// events at 10, 20, 30 → {move_to_cold the one at 10}.
std::vector<lifecycle_action> plan_retention(const index_config& cfg,
                                             const std::vector<bucket_facts>& buckets,
                                             int64_t now_secs);

/// Which volume usage a bucket counts towards.
struct volume_bucket {
  bucket_facts facts;
  bool on_home = false;  ///< counted because its index's homePath is on the volume
};

/// The plan for one volume over `cap_bytes`: a volume holding only homePaths
/// moves its oldest warm buckets to cold; one holding only coldPaths freezes
/// its oldest cold buckets; a mixed one freezes its oldest bucket of either
/// kind. Stops when the volume is within its cap or nothing is left to give.
std::vector<lifecycle_action> plan_volume(uint64_t cap_bytes,
                                          const std::vector<volume_bucket>& buckets);

/// One index as the volume planner sees it.
struct index_volume_facts {
  std::string home_volume, cold_volume;  ///< volumes of homePath and coldPath, or empty
  std::vector<bucket_facts> buckets;
};

/// The plans of every capped volume (`max_volume_data_size_mb` > 0, in
/// `volumes`' order) over the buckets of `indexes`.
std::vector<lifecycle_action> plan_volumes(
    const std::vector<std::pair<std::string, uint64_t>>& capped_volumes,
    const std::vector<index_volume_facts>& indexes);

/// A hot bucket as the chooser sees it.
struct hot_facts {
  time_us oldest = 0;
  time_us newest = 0;
  uint64_t events = 0;
  uint64_t last_write = 0;  ///< a sequence number: higher means written more recently
  bool taken = false;       ///< another part of the same batch writes to it: not a choice
};

/// Where an event goes.
struct hot_choice {
  enum kind_t { use, open_new, roll_then_open } kind;
  size_t bucket = 0;  ///< for use and roll_then_open: index into the hot list
};

/// Chooses the hot bucket for events at times [lo, hi] (one event: lo = hi):
/// an empty one, else one whose span would stay within maxHotSpanSecs (the
/// closest in time), else a new one while fewer than maxHotBuckets exist, else
/// the least recently written is rolled to make room. Buckets `taken` are
/// never chosen nor rolled. Requires: when maxHotBuckets exist, one is not taken.
hot_choice choose_hot_bucket(const std::vector<hot_facts>& hot, time_us lo, time_us hi,
                             const index_config& cfg);

/// The hot bucket to roll because the in-memory indexes of an index's hot
/// buckets (`memory`: bytes per hot bucket) together hold at least
/// maxHotIndexMemMB: the one holding the most (the first of equals); none
/// while they hold less.
std::optional<size_t> choose_memory_roll(const std::vector<uint64_t>& memory,
                                         const index_config& cfg);

}  // namespace kura
