// Bucket fixup planning (clustering.md §§13-15): what the master must do so
// that every bucket has one primary (valid), search_factor searchable copies and
// replication_factor copies (complete) on the peers that count. Plain function,
// no CAF: the master actor calls it when something changed, starts the tasks it
// returns and tells it which are still running.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/cluster/bucket_table.hpp"

namespace kura::cluster {

/// The three fixup activities of clustering.md §14.1.
enum class fixup_kind : uint8_t {
  primary,     ///< give a bucket a primary (instant where a searchable copy exists)
  searchable,  ///< build index files for a non-searchable copy
  replicate,   ///< stream a whole bucket to a peer that has no copy of it
};

/// "primary", "searchable" or "replicate".
const char* to_string(fixup_kind kind);

/// One unit of fixup work.
struct fixup_task {
  fixup_kind kind = fixup_kind::primary;
  /// The bucket.
  bucket_key key;
  /// searchable: the peer that builds index files for its copy.
  /// replicate: the peer that streams its (complete) copy.
  /// primary: empty (a new generation does it).
  std::string peer;
  /// replicate: the peer that receives the copy; empty for the other kinds.
  std::string target;
  /// replicate: the new copy gets index files (it replaces a searchable copy).
  bool searchable = false;
  /// The bucket's size (bytes to go while the task runs).
  uint64_t bytes = 0;

  bool operator==(const fixup_task&) const = default;
};

/// How the master sees each peer, for planning. A GUID in several sets counts as the
/// first of up, restarting, leaving; a peer in none (Down) neither counts nor works.
struct fixup_peers {
  /// Up (or Pending/Detention): its copies count, it may do tasks and receive copies,
  /// and its searchable copies may be primary.
  std::set<std::string> up;
  /// Restarting (fast offline, waiting for restart_timeout): its copies still count
  /// toward complete (§13.2: it comes back), but it does no task and holds no primary.
  std::set<std::string> restarting;
  /// Decommissioning (offline --enforce-counts): its copies do not count, but it may
  /// stream them to other peers (it is the best source of what it alone holds).
  std::set<std::string> leaving;
};

/// Limits of one plan.
struct fixup_limits {
  uint32_t replication_factor = 3;
  uint32_t search_factor = 2;
  /// Tasks at most per peer at a time, counting both ends of a replicate task.
  uint32_t tasks_per_peer = 2;
};

/// Work not finished, by kind (product.md §7 "fixup") and bytes.
struct fixup_counts {
  uint64_t primary = 0, searchable = 0, replicate = 0;
  /// Sum of the sizes of the buckets of the searchable and replicate tasks counted.
  uint64_t bytes_to_go = 0;
  uint64_t pending() const { return primary + searchable + replicate; }

  bool operator==(const fixup_counts&) const = default;
};

/// A plan: what to start now, and how much is left in all.
struct fixup_plan {
  /// Tasks to start now (never primary tasks), in order: searchable before
  /// replicate, buckets without a primary first, then by key. Respects tasks_per_peer
  /// together with `running`; never duplicates a running task's bucket and kind, nor
  /// starts two of one bucket and kind: at most one task per (bucket, kind) is in flight,
  /// so the master may key its running tasks by them.
  std::vector<fixup_task> start;
  /// Work not finished: running tasks plus every task that could be started now
  /// or once a peer is free (not work that no peer can do, e.g. the third copy
  /// when only two peers are up). `primary` = warm or cold buckets without a
  /// primary on an up peer that a new generation would give one now (a settled
  /// searchable copy on an up peer) or once one of their searchable tasks finishes (a
  /// conversion, or a replicate task whose new copy is searchable). Running tasks count
  /// with their `bytes`, including tasks of buckets the table no longer knows.
  fixup_counts left;
};

/// Plans fixup over `table` (clustering.md §14).
///
/// A copy COUNTS when its peer is up or restarting and it is settled: the copy's
/// own state is not hot, or the bucket is still hot (a hot copy of a bucket that has
/// rolled is a copy whose stream was cut; it does not count, and a replicate task
/// to its peer resumes it). Hot buckets get no task: their copies are still
/// streaming (the master rolls a dead source's copies itself).
///
/// For each warm or cold bucket, buckets without a primary first:
///   1. searchable: while counted searchable copies (+ running searchable tasks) <
///      search_factor, a non-searchable settled copy on an up peer builds index files
///      (with search_factor 1 this comes before the primary: a new generation gives
///      the converted copy primacy once it is searchable, §14.3);
///   2. replicate: while counted copies (+ running replicate tasks) <
///      replication_factor, an up or leaving peer holding a settled copy streams it to
///      an up peer holding no counted copy (a peer holding an unsettled copy first, so
///      it resumes; never the bucket's origin, which refuses copies of its own
///      buckets); the new copy is searchable when searchable copies would otherwise
///      stay below search_factor (no non-searchable copy left to convert).
/// Among candidates with a free slot, the peer with the fewest tasks (then fewest
/// copies, counting the copies this plan sends it) is chosen, ties by GUID, so the plan
/// depends only on the table's contents and the arguments. Work whose candidates are all
/// busy is counted in `left` and started by a later plan.
///
/// Worked example (§14.2; RF 3, SF 2, peers A..E): A held 3 primaries, 10
/// searchable copies, 20 copies; A is gone (remove_peer). primary: 3 (a new
/// generation gives each a searchable copy elsewhere, instantly); searchable: 10
/// (a non-searchable copy on another peer of each builds index files); replicate:
/// 20 (each bucket streamed to a peer without a copy). With SF 1 and 3 peers
/// (§14.3), C held 3 primaries, 10 searchable copies, 20 copies: with SF 1 the buckets of
/// the 7 searchable copies that were not primary kept their primary's searchable copy, so
/// searchable 3, primary 3 (only once those finish), replicate 0 (no third peer). Had C
/// held the only searchable copy of 10 buckets, it would be searchable 10, primary 10.
///
/// Cost: one pass over the table without copying strings (bucket_table::for_each_bucket);
/// about 0.1 s for 2 million buckets on 200 peers (tests/bench/master_bench.cpp).
fixup_plan plan_fixup(const bucket_table& table, const fixup_peers& peers,
                      const fixup_limits& limits, const std::vector<fixup_task>& running);

}  // namespace kura::cluster
