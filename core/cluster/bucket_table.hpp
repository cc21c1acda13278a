// The master's view of every bucket copy in the cluster and of the primary copy
// of each bucket in the current generation (clustering.md §§5-7, 13-15).
// Plain class, no CAF: the master actor receives, calls it, and sends what it decides.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster/bucket_key.hpp"
#include "core/cluster/generation.hpp"

namespace kura::cluster {

/// Where a bucket is in its life, as the cluster reports it (frozen buckets leave the table).
enum class bucket_state_kind : uint8_t { hot, warm, cold };

/// "hot", "warm" or "cold" (the `state` of the buckets status document).
const char* to_string(bucket_state_kind state);
/// The state named "hot", "warm" or "cold"; nullopt for anything else.
std::optional<bucket_state_kind> parse_bucket_state(std::string_view text);

/// One copy a peer holds, as the peer reports it (an element of a full report).
struct copy_report {
  /// The bucket.
  bucket_key key;
  /// Its state on that peer.
  bucket_state_kind state = bucket_state_kind::hot;
  /// Whether the copy has index files.
  bool searchable = false;
  /// Bytes of the copy on disk.
  uint64_t size_bytes = 0;
  /// Events in the copy.
  uint64_t events = 0;
};

/// One copy of a bucket, as the table knows it.
struct copy_record {
  /// GUID of the peer holding the copy.
  std::string peer;
  /// Whether the copy has index files.
  bool searchable = false;
  /// Whether the copy is the bucket's primary in the current generation.
  bool primary = false;

  bool operator==(const copy_record&) const = default;
};

/// One bucket with all its copies (an element of bucket_table::snapshot).
struct bucket_record {
  /// The bucket.
  bucket_key key;
  /// Its state (the furthest any copy reported, or the last set_state).
  bucket_state_kind state = bucket_state_kind::hot;
  /// Bytes (the largest any copy reported, or the last set_state).
  uint64_t size_bytes = 0;
  /// Events (the largest any copy reported, or the last set_state).
  uint64_t events = 0;
  /// Its copies, sorted by peer GUID, at most one per peer.
  std::vector<copy_record> copies;

  /// Exactly one copy is primary.
  bool valid() const;
  /// At least rf copies, at least sf of them searchable, exactly one primary.
  bool complete(uint32_t rf, uint32_t sf) const;
  /// GUID of the primary copy's peer; nullopt when the bucket has none.
  std::optional<std::string> primary() const;
};

/// Per-bucket counts for the cluster status document: {"total","valid","complete"}.
struct bucket_counts {
  /// Buckets in the table.
  uint64_t total = 0;
  /// Buckets with exactly one primary.
  uint64_t valid = 0;
  /// Buckets with rf copies, sf searchable and one primary.
  uint64_t complete = 0;

  bool operator==(const bucket_counts&) const = default;
};

/// Per-peer counts for the peers status document.
struct peer_counts {
  /// Copies the peer holds.
  uint64_t buckets = 0;
  /// Of those, primary in the current generation.
  uint64_t primaries = 0;
  /// Of those, searchable.
  uint64_t searchable = 0;

  bool operator==(const peer_counts&) const = default;
};

/// Every bucket copy in the cluster and its primacy in the current generation.
///
/// Invariants: a peer holds at most one copy of a bucket; a bucket has at most one
/// primary, and it is a searchable copy. Primacy changes only in new_generation, with
/// three exceptions that keep the table true between generations: a copy that leaves
/// (remove_peer, a report without it) or stops being searchable loses primacy; and a
/// bucket that first appears during the current generation gets its origin's searchable
/// copy as primary at once (§5.4: the source's copy is the initial primary), which is
/// what the origin peer assumes anyway since no exception was sent for it.
///
/// Lifecycle: one per master, owned by the master actor; built empty (or with the last
/// generation id of a previous run) and filled by peer reports. Not thread-safe.
class bucket_table {
 public:
  /// An empty table whose next generation is `last_generation + 1`; a fresh master
  /// passes 0, so its first generation is 1.
  explicit bucket_table(uint64_t last_generation = 0);

  /// A peer's FULL report of the copies it holds (level-triggered): replaces whatever the
  /// table knew of that peer's copies. Copies it no longer reports leave the table (and
  /// their primacy). A key listed twice counts once (the first entry wins). A bucket's
  /// state, size and events become the furthest any report has shown, so a lagging copy
  /// never moves the bucket back. A known copy keeps its primacy if still searchable.
  /// Buckets left with no copies stay in the table (lost until a holder returns) until forget.
  void apply_report(const std::string& peer, const std::vector<copy_report>& copies);

  /// One copy appeared (edge-triggered): a source started a hot bucket (peer == origin), or a
  /// target confirmed it holds a copy or finished making it searchable. If the peer already
  /// holds a copy, only its searchable flag changes (a copy that stops being searchable loses
  /// primacy). A new bucket starts in `state` with size and events 0.
  void add_copy(const bucket_key& key, const std::string& peer, bool searchable,
                bucket_state_kind state);

  /// A bucket rolled (or moved to cold): its state, size and events as given.
  /// Unknown keys are ignored.
  void set_state(const bucket_key& key, bucket_state_kind state, uint64_t size_bytes,
                 uint64_t events);

  /// A peer left the counts (down, decommissioned): all its copies leave the table; buckets
  /// whose primary it held have none until the next generation. Buckets stay even with no copy.
  void remove_peer(const std::string& peer);

  /// A bucket was frozen everywhere: it leaves the table. Unknown keys are ignored.
  void forget(const bucket_key& key);

  /// Starts generation N+1 and assigns one primary per bucket among searchable copies on
  /// `up_peers`, in this order of preference:
  ///   1. the current primary, if its peer is up (primacy moves only when a peer goes down,
  ///      §5.4: a joining or returning peer gets nothing back);
  ///   2. the origin's copy, if searchable and up;
  ///   3. the searchable copy on the up peer with the fewest primaries so far (ties: the
  ///      lowest GUID), so the search load of a lost peer spreads — not for a hot bucket,
  ///      whose copies on other peers get their index files only when the source rolls.
  /// Buckets without a searchable copy on an up peer get no primary (the cluster is not valid).
  /// Returns the new generation id.
  ///
  /// Worked example (RF 3, SF 2, generation 7; bucket b created by A: copies on A searchable
  /// and primary, B searchable, C not searchable): A goes down -> remove_peer(A): b has no
  /// primary -> new_generation({B, C}) returns 8 with B's copy primary (C's copy cannot be:
  /// not searchable). A returns -> apply_report(A, ...) -> new_generation({A, B, C}) returns 9
  /// and keeps B; primary_exceptions(A) = {demoted: [b]}, primary_exceptions(B) = {promoted: [b]}.
  uint64_t new_generation(const std::set<std::string>& up_peers);

  /// The current generation id (0 before the first new_generation of a fresh table).
  uint64_t generation() const { return generation_; }
  /// Sets the current generation id; the next new_generation returns id + 1 (a restarted
  /// master continues from the last id it published).
  void set_generation(uint64_t id) { generation_ = id; }

  /// How many buckets without a primary new_generation(up_peers) would give one now: when
  /// positive (e.g. a conversion finished with SF 1, §14.3), the master should start one.
  uint64_t primaries_assignable(const std::set<std::string>& up_peers) const;

  /// Every bucket has exactly one primary (true for an empty table).
  bool valid() const;
  /// Every bucket has >= rf copies, >= sf searchable copies and one primary.
  bool complete(uint32_t rf, uint32_t sf) const;
  /// Per-bucket counts: total, valid, complete (product.md §7 "buckets").
  bucket_counts counts(uint32_t rf, uint32_t sf) const;

  /// Counts of one peer's copies (zeros for a peer the table does not know).
  peer_counts counts_of(const std::string& peer) const;
  /// Counts of every peer holding at least one copy, by GUID.
  std::map<std::string, peer_counts> peer_summary() const;
  /// Copies held per peer, by GUID (input of choose_targets).
  std::map<std::string, uint64_t> copies_per_peer() const;

  /// Number of buckets in the table.
  size_t size() const { return buckets_.size(); }
  /// Every bucket with its copies, sorted by key (for the status documents; a copy).
  std::vector<bucket_record> snapshot() const;
  /// One bucket with its copies; nullopt when unknown.
  std::optional<bucket_record> find(const bucket_key& key) const;
  /// GUIDs of the peers holding a copy of `key`, sorted; empty when unknown.
  std::vector<std::string> copies_of(const bucket_key& key) const;
  /// GUID of the primary copy's peer; nullopt when the bucket has none or is unknown.
  std::optional<std::string> primary_of(const bucket_key& key) const;

  /// What the master sends `peer` for the current generation (sorted by key):
  /// demoted = buckets with origin == peer whose primary is not on peer;
  /// promoted = copies on peer of buckets with another origin that are primary there.
  primacy_exceptions primary_exceptions(const std::string& peer) const;

 private:
  /// What the table keeps per bucket.
  struct entry {
    /// See bucket_record.
    bucket_state_kind state = bucket_state_kind::hot;
    /// See bucket_record.
    uint64_t size_bytes = 0;
    /// See bucket_record.
    uint64_t events = 0;
    /// Copies sorted by peer GUID.
    std::vector<copy_record> copies;
    /// The generation current when the bucket entered the table.
    uint64_t born = 0;
  };

  /// The entry of `key`, created (born now) in `state` when unknown.
  entry& upsert(const bucket_key& key, bucket_state_kind state);
  /// Adds or updates `peer`'s copy of `key` and applies the origin-primary rule.
  void put_copy(const bucket_key& key, entry& e, const std::string& peer, bool searchable);
  /// Removes `peer`'s copy of `key` (and its primacy) if present.
  void drop_copy(const bucket_key& key, const std::string& peer);
  /// Turns a bucket into its record.
  static bucket_record to_record(const bucket_key& key, const entry& e);

  /// The current generation id.
  uint64_t generation_;
  /// Every bucket, by key.
  std::map<bucket_key, entry> buckets_;
  /// The buckets each peer holds a copy of (mirror of the copies, for reports and removals).
  std::map<std::string, std::set<bucket_key>> by_peer_;
};

}  // namespace kura::cluster
