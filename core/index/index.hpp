// One index on one node: its hot, warm, cold and thawed buckets on disk, the
// appending of events to hot buckets, rolling, and carrying out the retention
// plan. Owned by the store (later by the index actor, which supervises one
// actor per bucket). Not thread-safe.
//
// Lifecycle: open() scans homePath, coldPath and thawedPath; every hot bucket
// left by a stop or a crash is recovered from its journal and rolled to warm
// ("roll on restart"); warm buckets whose index files are missing are rebuilt.
// close() rolls the hot buckets (graceful stop).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/bucket/bucket_ops.hpp"
#include "core/bucket/hot_bucket.hpp"
#include "core/error.hpp"
#include "core/event.hpp"
#include "core/index/index_config.hpp"
#include "core/index/lifecycle_policy.hpp"

namespace kura {

/// What the index knows about one of its buckets.
struct bucket_info {
  bucket_id id;
  bucket_state state = bucket_state::warm;
  io::fs::path dir;
  time_us oldest = 0;
  time_us newest = 0;
  uint64_t events = 0;
  uint64_t size_bytes = 0;
  bool searchable = false;  ///< index files present (hot buckets: in memory)
  bool replicated = false;  ///< an rb_ copy
  std::string origin;       ///< guid of the peer that made the bucket; empty when not clustered
  std::string problem;      ///< why the bucket is not usable; empty when fine
};

/// What a commit or a roll made durable in one hot bucket: the source of
/// replication (a cluster peer streams these bytes to the bucket's targets).
/// Recorded only when `index_config::peer_guid` is set.
struct journal_progress {
  bucket_id id;
  io::fs::path journal;            ///< the bucket's rawdata/journal where it is now
  uint64_t durable_bytes = 0;      ///< the journal's bytes [0, durable_bytes) are synced
  bool rolled = false;             ///< the bucket rolled: its journal is complete
  bool empty = false;              ///< it rolled without events (its directory is gone)
  int64_t newest = 0, oldest = 0;  ///< epoch seconds of its events (rolled only)
};

class index {
 public:
  /// Opens (creating directories as needed) the index described by `cfg`.
  /// Lines describing recoveries and problems are appended to `notes` and logged.
  /// Errors: invalid_argument (config), io_error.
  static result<std::unique_ptr<index>> open(const index_config& cfg,
                                             std::vector<std::string>* notes = nullptr);

  ~index();

  const index_config& config() const { return cfg_; }

  /// Appends one event to the hot bucket the policy picks, rolling buckets that
  /// reach maxDataSize. Errors: index_disabled, io_error.
  error append(const event_view& ev);
  /// Appends a batch: in `parallelHotBuckets` parts, each to its own hot bucket
  /// on its own thread, when it is large enough and every part's time range
  /// fits a hot bucket; else event by event as append(ev). Buckets written in
  /// parallel roll after the batch (maxDataSize may be passed by one part).
  /// On an error, events before it may have been appended (as with append(ev)).
  /// Errors: as append(ev).
  error append(std::span<const event_view> events);
  /// Makes every appended event durable (group commit; see journal_writer).
  error commit();
  /// Rolls every hot bucket to warm (roll-hot-buckets).
  error roll_hot_buckets();
  /// Plans and applies the retention rules at `now_secs`. Returns what it did.
  result<std::vector<lifecycle_action>> enforce_retention(int64_t now_secs);
  /// Applies one planned action (also used by the store for volume caps).
  error apply(const lifecycle_action& action);

  /// Every bucket, hot ones first, then by id.
  std::vector<bucket_info> buckets() const;
  /// Policy facts of every bucket (thawed and unusable ones excluded).
  std::vector<bucket_facts> facts() const;
  /// The id the next new bucket will get.
  bucket_id next_bucket_id() const { return next_id_; }
  /// Journal progress of hot buckets since the last call, in the order it
  /// happened (several records of one bucket may follow each other).
  std::vector<journal_progress> take_progress() { return std::exchange(progress_, {}); }
  /// Adds a finished replicated copy (an `rb_` directory in coldPath that
  /// replication completed) to the index's buckets. Errors: invalid_argument
  /// (not an rb_ name), corruption (its files do not check out).
  result<bucket_info> adopt_replica(const io::fs::path& dir);
  /// Reads the bucket in `dir` again after its index files were rebuilt (a
  /// journal-only replicated copy made searchable by fixup).
  /// Errors: not_found (not a bucket of this index), corruption (it does not check out).
  error refresh(const io::fs::path& dir);
  /// Rolls made since the last call (the store runs retention after rolls).
  size_t take_roll_count() { return std::exchange(rolls_, 0); }
  /// The hot buckets (for searching hot data).
  const std::vector<std::unique_ptr<hot_bucket>>& hot_buckets() const { return hot_; }

  /// Checks every bucket (hot buckets: the committed part of their journal).
  /// With `repair`, damaged warm, cold and thawed buckets are rebuilt from their
  /// journals (a damaged journal is cut after its last valid slice, and the loss
  /// reported) and become usable again.
  std::vector<fsck_report> fsck(bool repair);

  /// Deletes every bucket (hot, warm, cold, thawed); bucket ids keep growing.
  error clean();
  /// Rolls hot buckets; the index must not be used afterwards except to destroy it.
  error close();
  void set_disabled(bool disabled) { cfg_.disabled = disabled; }

 private:
  explicit index(index_config cfg) : cfg_(std::move(cfg)) {}
  error scan(std::vector<std::string>& notes);
  error open_hot(time_us first_event_time);
  error roll(size_t hot_index);
  /// The hot bucket for events at [lo, hi] outside those `taken`, opened (or
  /// made room for) as the policy says.
  result<hot_bucket*> hot_for(time_us lo, time_us hi, const std::vector<const hot_bucket*>& taken);
  /// Rolls the hot buckets that reached maxDataSize or maxHotIndexMemMB.
  error roll_full();
  error save_next_id();
  bucket_info* find(bucket_id id, const std::string& origin);

  index_config cfg_;
  std::vector<std::unique_ptr<hot_bucket>> hot_;
  std::vector<uint64_t> hot_last_write_;
  std::vector<uint64_t> hot_memory_;  // scratch of append's memory rule: no allocation per event
  std::vector<bucket_info> buckets_;  // warm, cold and thawed
  bucket_id next_id_{0};
  uint64_t write_seq_ = 0;
  size_t last_roll_terms_ = 0;  // distinct terms of the last bucket rolled: a new one's hint
  size_t rolls_ = 0;
  std::vector<journal_progress> progress_;
};

}  // namespace kura
