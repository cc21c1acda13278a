// The master's view of every bucket copy in the cluster and of the primary copy
// of each bucket in the current generation (clustering.md §§5-7, 13-15).
// Plain class, no CAF: the master actor receives, calls it, and sends what it decides.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
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
  /// The copy's own state, as its peer last reported it (apply_report) or add_copy said.
  /// It may lag behind the bucket's state: see copy_settled.
  bucket_state_kind state = bucket_state_kind::hot;

  bool operator==(const copy_record&) const = default;
};

/// Whether a copy in state `copy` of a bucket in state `bucket` is SETTLED: the copy is not
/// hot, or the bucket is still hot. An unsettled copy (hot on its peer although the bucket has
/// rolled) is one whose stream was cut before the roll, or whose peer has not reported the
/// roll yet: it is not counted toward complete or in the peer counts, never becomes primary in
/// new_generation, and a replicate task to its peer resumes it (fixup_planner.hpp). It
/// settles when its peer reports or confirms it warm or cold (apply_report, add_copy).
///
/// Example: b is hot on A (origin), B and C -> all settled. A rolls b and the table learns
/// it (set_state(b, warm), or B reports its copy warm): A's and B's copies are unsettled
/// until A and B report or confirm them warm; C's stream was cut and C keeps reporting its
/// copy hot, so C's copy stays unsettled until fixup streams the rest of b to C.
inline bool copy_settled(bucket_state_kind bucket, bucket_state_kind copy) {
  return copy != bucket_state_kind::hot || bucket == bucket_state_kind::hot;
}

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

  /// Whether `copy` (one of `copies`) is settled (copy_settled with this bucket's state).
  bool settled(const copy_record& copy) const { return copy_settled(state, copy.state); }
  /// Exactly one copy is primary.
  bool valid() const;
  /// At least rf settled copies, at least sf of them searchable, exactly one primary.
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
  /// Buckets with rf settled copies, sf of them searchable, and one primary.
  uint64_t complete = 0;

  bool operator==(const bucket_counts&) const = default;
};

/// Per-peer counts for the peers status document. Unsettled copies (copy_settled) are not
/// counted in `buckets` and `searchable` (their peer holds only part of the bucket).
struct peer_counts {
  /// Settled copies the peer holds.
  uint64_t buckets = 0;
  /// Copies primary in the current generation (every primary copy: the peer searches it).
  uint64_t primaries = 0;
  /// Settled copies that are searchable.
  uint64_t searchable = 0;

  bool operator==(const peer_counts&) const = default;
};

/// One copy as a scan sees it (bucket_table::for_each_bucket): its peer by number.
struct copy_view {
  /// The peer's number in the table (bucket_table::peer_guid gives its GUID).
  uint32_t peer = 0;
  /// Whether the copy has index files.
  bool searchable = false;
  /// Whether the copy is primary in the current generation.
  bool primary = false;
  /// The copy's own state (copy_record::state).
  bucket_state_kind state = bucket_state_kind::hot;
};

/// One bucket as a scan sees it, without strings; valid only during the call.
struct bucket_view {
  /// The bucket's number while it is in the table (bucket_table::key_of, handle_of).
  uint32_t handle = 0;
  /// The origin's peer number.
  uint32_t origin = 0;
  /// See bucket_record.
  bucket_state_kind state = bucket_state_kind::hot;
  /// See bucket_record.
  uint64_t size_bytes = 0;
  /// Its copies, sorted by peer GUID.
  std::span<const copy_view> copies;

  /// Whether `copy` (one of `copies`) is settled (copy_settled).
  bool settled(const copy_view& copy) const { return copy_settled(state, copy.state); }
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
///
/// Layout (for 2 million buckets on 200 peers, tests/bench/master_bench.cpp): GUIDs and index
/// names are stored once and numbered; buckets sit in one vector of slots, found through a hash
/// of (index, local id, origin) numbers; each peer (and each origin) keeps the slots it holds,
/// so a report, a lost peer or its exceptions touch only that peer's buckets, and a whole scan
/// (new_generation, counts, plan_fixup) reads memory in order. Outputs in key order are
/// sorted when asked for.
class bucket_table {
 public:
  /// An empty table whose next generation is `last_generation + 1`; a fresh master
  /// passes 0, so its first generation is 1.
  explicit bucket_table(uint64_t last_generation = 0);

  /// A peer's FULL report of the copies it holds (level-triggered): replaces whatever the
  /// table knew of that peer's copies. Copies it no longer reports leave the table (and
  /// their primacy). A key listed twice counts once (the first entry wins). Each copy takes
  /// the state reported for it; a bucket's state, size and events become the furthest any
  /// report has shown, so a lagging copy never moves the bucket back (it stays unsettled
  /// until it catches up). A known copy keeps its primacy if still searchable.
  /// Buckets left with no copies stay in the table (lost until a holder returns) until forget.
  void apply_report(const std::string& peer, const std::vector<copy_report>& copies);

  /// One copy appeared or changed (edge-triggered): a source started a hot bucket (peer ==
  /// origin), a target confirmed it holds a copy, rolled it or finished making it searchable.
  /// The copy takes `searchable` and `state`; if the peer already holds a copy, only these
  /// change (a copy that stops being searchable loses primacy). A new bucket starts in
  /// `state` with size and events 0; a known bucket moves on to `state` if that is further
  /// (a warm copy means the bucket has rolled), never back.
  void add_copy(const bucket_key& key, const std::string& peer, bool searchable,
                bucket_state_kind state);

  /// A bucket rolled (or moved to cold): its state, size and events as given.
  /// Copies keep their own states: each settles when its peer reports or confirms it
  /// (apply_report, add_copy). Unknown keys are ignored.
  void set_state(const bucket_key& key, bucket_state_kind state, uint64_t size_bytes,
                 uint64_t events);

  /// A peer left the counts (down, decommissioned): all its copies leave the table; buckets
  /// whose primary it held have none until the next generation. Buckets stay even with no copy.
  void remove_peer(const std::string& peer);

  /// A bucket was frozen everywhere: it leaves the table. Unknown keys are ignored.
  void forget(const bucket_key& key);

  /// Starts generation N+1 and assigns one primary per bucket among settled searchable copies
  /// on `up_peers` (an unsettled copy never becomes primary; a primary that became unsettled
  /// since, e.g. its peer has not reported the roll yet, is kept), in this order of
  /// preference:
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
  /// Every bucket has >= rf settled copies, >= sf of them searchable, and one primary.
  bool complete(uint32_t rf, uint32_t sf) const;
  /// Per-bucket counts: total, valid, complete (product.md §7 "buckets").
  bucket_counts counts(uint32_t rf, uint32_t sf) const;

  /// Counts of one peer's copies (zeros for a peer the table does not know).
  peer_counts counts_of(const std::string& peer) const;
  /// Counts of every peer holding at least one copy (settled or not), by GUID.
  std::map<std::string, peer_counts> peer_summary() const;
  /// Copies held per peer, settled or not (they all take disk), by GUID (input of
  /// choose_targets and of the fixup planner's tie-break).
  std::map<std::string, uint64_t> copies_per_peer() const;

  /// Number of buckets in the table.
  size_t size() const { return live_; }
  /// Every bucket with its copies, sorted by key (for the status documents; a copy).
  std::vector<bucket_record> snapshot() const;

  /// Calls `f(const bucket_view&)` for every bucket, in no particular order, without copying
  /// a string (for planners that scan the whole table; snapshot copies and sorts everything).
  /// Requires: `f` does not change the table.
  template <class F>
  void for_each_bucket(F&& f) const {
    for (uint32_t h = 0; h < slots_.size(); ++h) {
      const entry& e = slots_[h];
      if (e.live) f(bucket_view{h, e.key.origin, e.state, e.size_bytes, e.copies});
    }
  }
  /// The handle of `key` (bucket_view::handle); nullopt when unknown.
  std::optional<uint32_t> handle_of(const bucket_key& key) const;
  /// The key of a bucket by handle. Requires: the bucket is still in the table.
  bucket_key key_of(uint32_t handle) const;
  /// The number of a peer GUID in copy_view and bucket_view; nullopt for a GUID the table
  /// has never seen (holding a copy or as an origin). Numbers are never reused.
  std::optional<uint32_t> peer_number(const std::string& guid) const;
  /// The GUID of a peer number. Requires: number < peer_numbers().
  const std::string& peer_guid(uint32_t number) const { return peers_.name(number); }
  /// Peer numbers in use: 0 .. peer_numbers() - 1.
  uint32_t peer_numbers() const { return peers_.size(); }
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
  /// Strings stored once and numbered in order of arrival (GUIDs, index names).
  class name_pool {
   public:
    /// The number of `name`, added if new.
    uint32_t intern(const std::string& name);
    /// The number of `name`; nullopt when unknown.
    std::optional<uint32_t> find(const std::string& name) const;
    const std::string& name(uint32_t n) const { return names_[n]; }
    uint32_t size() const { return static_cast<uint32_t>(names_.size()); }

   private:
    std::vector<std::string> names_;
    std::unordered_map<std::string, uint32_t> numbers_;
  };

  /// A bucket key by numbers (index name, origin GUID).
  struct packed_key {
    uint32_t index = 0;
    uint32_t origin = 0;
    uint64_t local_id = 0;
    bool operator==(const packed_key&) const = default;
  };
  /// A well-mixed hash of a packed key (its low bits pick a place in index_).
  static uint64_t hash_of(const packed_key& k);

  /// What the table keeps per bucket (one slot).
  struct entry {
    /// The key, by numbers.
    packed_key key;
    /// See bucket_record.
    uint64_t size_bytes = 0;
    /// See bucket_record.
    uint64_t events = 0;
    /// The generation current when the bucket entered the table.
    uint64_t born = 0;
    /// Copies sorted by peer GUID.
    std::vector<copy_view> copies;
    /// See bucket_record.
    bucket_state_kind state = bucket_state_kind::hot;
    /// False for a free slot (a forgotten bucket).
    bool live = false;
  };

  /// The number of `guid`, added if new (with empty by_peer_ and by_origin_ lists).
  uint32_t intern_peer(const std::string& guid);
  /// The packed key of `key`, adding its names if new.
  packed_key intern_key(const bucket_key& key);
  /// The packed key of `key`; nullopt when one of its names is unknown.
  std::optional<packed_key> pack(const bucket_key& key) const;
  /// The slot of `key`, created (born now) in `state` when unknown.
  uint32_t upsert(const bucket_key& key, bucket_state_kind state);
  /// Adds or updates copy `peer` of slot `h` and applies the origin-primary rule.
  void put_copy(uint32_t h, uint32_t peer, bool searchable, bucket_state_kind state);
  /// Removes copy `peer` of slot `h` (and its primacy) if present.
  void drop_copy(uint32_t h, uint32_t peer);
  /// The slot of packed key `k`; nullopt when unknown.
  std::optional<uint32_t> lookup(const packed_key& k) const;
  /// Enters slot `h` (its key set, not yet live) in index_, growing it to stay half empty.
  void index_insert(uint32_t h);
  /// Puts slot `h` at the first free place from its key's home.
  void index_place(uint32_t h);
  /// Removes slot `h` (live) from index_, moving later entries back so that no lookup
  /// stops early at the hole (backward-shift deletion: no tombstones).
  void index_erase(uint32_t h);
  /// Whether slot a's key orders before slot b's (bucket_key order).
  bool key_less(uint32_t a, uint32_t b) const;
  /// Slot `h` as a record.
  bucket_record to_record(uint32_t h) const;
  /// The handles of `peer`'s list in `lists` (by_peer_ or by_origin_); empty if none.
  static const std::vector<uint32_t>& list_of(const std::vector<std::vector<uint32_t>>& lists,
                                              uint32_t peer);

  /// The current generation id.
  uint64_t generation_;
  /// Peer GUIDs (holders and origins) and index names.
  name_pool peers_, indexes_;
  /// Every bucket, by handle; free slots have live == false.
  std::vector<entry> slots_;
  /// Free slots, reused first.
  std::vector<uint32_t> free_;
  /// The slot of each bucket: open addressing with linear probing on hash_of, no_slot where
  /// free; a power of two in size, at most half full (4 bytes a place instead of a node per
  /// bucket, and a lookup reads one cache line).
  std::vector<uint32_t> index_;
  static constexpr uint32_t no_slot = 0xffffffff;
  /// By peer number: the slots of the buckets the peer holds a copy of (unordered).
  std::vector<std::vector<uint32_t>> by_peer_;
  /// By peer number: the slots of the buckets the peer is the origin of (unordered).
  std::vector<std::vector<uint32_t>> by_origin_;
  /// Buckets in the table.
  size_t live_ = 0;
};

}  // namespace kura::cluster
