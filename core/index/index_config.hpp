// The settings of one index and of the store, with Splunk's names and
// defaults (indexes.conf, server.conf [diskUsage]). config/ fills these from
// TOML; core validates them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/io/file.hpp"
#include "core/journal/journal.hpp"
#include "core/types.hpp"

namespace kura {

/// `maxDataSize = auto`: 750 MB.
constexpr uint64_t max_data_size_auto_mb = 750;
/// `maxDataSize = auto_high_volume`: 10240 MB.
constexpr uint64_t max_data_size_auto_high_volume_mb = 10240;

/// `maxHotIndexMemMB` default: the in-memory indexes of an index's hot buckets.
constexpr uint64_t max_hot_index_mem_default_mb = 128;
/// `maxHotIndexMemMB` minimum: an empty hot bucket's index already takes about
/// 5 MiB (its first posting pool and term arena chunks and tables).
constexpr uint64_t max_hot_index_mem_min_mb = 16;

/// The fewest events of one part of a batch written in parallel
/// (`parallelHotBuckets`): smaller batches are not worth a thread.
constexpr size_t parallel_part_min_events = 2048;

/// A `[volumes.NAME]` section: a directory shared by indexes, with a size cap.
struct volume_config {
  std::string name;                      ///< the volume's name
  io::fs::path path;                     ///< `path`
  uint64_t max_volume_data_size_mb = 0;  ///< `maxVolumeDataSizeMB`; 0 means no limit
  bool operator==(const volume_config&) const = default;
};

/// One index's settings. Paths are resolved (no `volume:` or `$KURA_HOME` left).
struct index_config {
  std::string name;          ///< index name (§3.3 rules)
  io::fs::path home_path;    ///< `homePath`: hot and warm buckets
  io::fs::path cold_path;    ///< `coldPath`: cold buckets and replicated copies
  io::fs::path thawed_path;  ///< `thawedPath`: thawed buckets (never aged)
  std::string home_volume;   ///< the volume homePath is on, or empty
  std::string cold_volume;   ///< the volume coldPath is on, or empty
  uint64_t max_data_size_bytes = mb_to_bytes(max_data_size_auto_mb);  ///< `maxDataSize`
  /// `maxHotIndexMemMB` (kura's own key): when the in-memory indexes (terms,
  /// postings, times) of the index's hot buckets hold this much together, the
  /// largest rolls to warm, so a node's memory is bounded by settings, not data.
  uint64_t max_hot_index_mem_bytes = mb_to_bytes(max_hot_index_mem_default_mb);
  uint32_t max_hot_buckets = 3;  ///< `maxHotBuckets` (main: 10)
  /// `parallelHotBuckets` (kura's own key): a batch of at least
  /// 2 × `parallel_part_min_events` events is cut into this many parts (at most
  /// maxHotBuckets), each written to its own hot bucket on its own thread, so
  /// that one client's stream keeps more than one core busy. 1: one thread.
  uint32_t parallel_hot_buckets = 2;
  int64_t max_hot_span_secs =
      7776000;  ///< `maxHotSpanSecs`: widest time span of one hot bucket (90 days)
  uint32_t max_warm_db_count = 300;                          ///< `maxWarmDBCount`
  uint64_t max_total_data_size_bytes = mb_to_bytes(500000);  ///< `maxTotalDataSizeMB`
  int64_t frozen_time_period_secs =
      188697600;  ///< `frozenTimePeriodInSecs`, judged on a bucket's newest event
  uint64_t home_max_data_size_bytes = 0;  ///< `homePath.maxDataSizeMB`; 0 means no limit
  uint64_t cold_max_data_size_bytes = 0;  ///< `coldPath.maxDataSizeMB`; 0 means no limit
  io::fs::path
      cold_to_frozen_dir;  ///< `coldToFrozenDir`: archive the journal here; wins over the script
  std::string cold_to_frozen_script;  ///< `coldToFrozenScript`: run with the bucket path as $1
  bool create_bloomfilter = true;     ///< `createBloomfilter`
  /// `journalCompression`: the codec of new buckets' journals (existing ones keep theirs).
  journal_compression journal_codec = default_journal_compression;
  bool disabled = false;              ///< `disabled`: refuse writes, keep data
  /// `repFactor = "auto"`: a cluster peer replicates the index (the master's
  /// bundle defines such indexes; the built-in ones are replicated on peers).
  bool replicated = false;
  std::string peer_guid;              ///< the peer's guid when clustered (names db_…_<guid>)

  /// Checks sizes and paths. Errors: invalid_argument naming the key.
  error validate() const;
  bool operator==(const index_config&) const = default;
};

/// The defaults of a new index below `db_root` ($KURA_HOME/var/lib/kura):
/// `<db_root>/<name>/{db,colddb,thaweddb}`, except `main` whose directory is
/// `defaultdb` and which gets maxHotBuckets 10 and maxDataSize auto_high_volume.
index_config default_index_config(const std::string& name, const io::fs::path& db_root);

/// Parses a maxDataSize value: "auto", "auto_high_volume" or a whole number of MB.
/// Errors: invalid_argument.
result<uint64_t> parse_max_data_size(std::string_view text);

/// Parses a journalCompression value: "snappy" or "zstd". Errors: invalid_argument.
result<journal_compression> parse_journal_compression(std::string_view text);

/// Checks an index name: ASCII letters, digits, `_` and `-`; a new index may not
/// start with `_` or `-` (internal ones like `_internal` are created by kura).
/// Errors: invalid_argument saying which rule failed.
error validate_index_name(std::string_view name, bool internal = false);

/// Resolves a homePath/coldPath/thawedPath value: `volume:<name>/<sub>` becomes
/// `<volume path>/<sub>` and the volume's name is stored in `volume_out`. A
/// thawedPath may not use a volume. Errors: invalid_argument, not_found (volume).
result<io::fs::path> resolve_index_path(std::string_view key, std::string_view value,
                                        const std::vector<volume_config>& volumes,
                                        std::string& volume_out);

/// Settings of the whole store (server.conf [diskUsage] and friends).
struct store_config {
  io::fs::path db_root;                               ///< default root of index directories
  uint64_t min_free_space_bytes = mb_to_bytes(2000);  ///< `minFreeSpace` (MB in config)
  std::vector<volume_config> volumes;                 ///< `[volumes.*]`
  /// The node's GUID when it is a cluster peer: every index names its buckets
  /// with it (db_…_<guid>) and reports what it commits for replication.
  std::string peer_guid;
};

}  // namespace kura
