// Primacy per generation: what the master tells each peer (primacy_exceptions) and
// what a peer remembers of it to pick its primary copies for a search (primacy_book).
// clustering.md §5.4, §6.
//
// A peer searches, in generation G, its own originals (origin == its guid) unless G
// demoted them, plus the copies of other peers' buckets that G promoted on it. So
// the master only sends the exceptions to "the origin is primary", which are few:
// a peer that never went down has none.
//
// Worked example (peers A, B, C; A created buckets a1, a2; B created b1):
//   generation 4: no exceptions: A searches a1, a2; B searches b1.
//   A goes down; generation 5 moves a1 to B and a2 to C:
//     B gets {promoted: [a1]}, C gets {promoted: [a2]}.
//   A returns; generation 6 (primacy does not move back, §15):
//     A gets {demoted: [a1, a2]}, B {promoted: [a1]}, C {promoted: [a2]}.
//   A search that started in generation 4 and still runs asks A's book for
//   generation 4 and gets "a1 primary on A"; one of generation 6 gets "not primary".
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/cluster/bucket_key.hpp"

namespace kura::cluster {

/// One peer's exceptions to "a bucket's origin copy is its primary" in one generation.
/// Computed by bucket_table::primary_exceptions, sent by the master to each peer with
/// every new generation (a full statement for that generation, level-triggered).
struct primacy_exceptions {
  /// Buckets created by this peer whose primary is elsewhere (or nowhere): do not search them.
  std::vector<bucket_key> demoted;
  /// Copies on this peer of other peers' buckets that are primary here: search them.
  std::vector<bucket_key> promoted;

  bool operator==(const primacy_exceptions&) const = default;
};

/// A peer's memory of its primacy exceptions for the last few generations, so that a
/// search can pick its primary copies for the generation it runs in, also an older one
/// (a long search that spans a generation change, §6.3).
/// Lifecycle: one per peer, owned by the peer actor; filled as the master announces
/// generations; lives as long as the peer. Not thread-safe.
class primacy_book {
 public:
  /// How many generations are kept by default (the oldest are dropped first).
  static constexpr size_t default_capacity = 16;

  /// An empty book: every generation means "originals only".
  /// Requires: capacity >= 1.
  explicit primacy_book(size_t capacity = default_capacity);

  /// Records the exceptions the master sent for `generation` (replacing any earlier
  /// record of the same id), then drops the oldest generations beyond the capacity.
  /// Recording a generation older than every kept one of a full book keeps nothing.
  void record(uint64_t generation, const primacy_exceptions& exceptions);

  /// Whether this peer's copy of `key` is primary in `generation`:
  /// (key.origin == my_guid && not demoted) || promoted. For a generation it has no
  /// record of, the newest recorded generation older than it answers; when there is
  /// none (nothing older recorded, or dropped), "originals only": key.origin == my_guid.
  /// Requires: the peer holds a searchable copy of `key` (the book knows nothing of copies).
  bool is_primary(const bucket_key& key, uint64_t generation, const std::string& my_guid) const;

  /// The newest recorded generation id; 0 when nothing is recorded.
  uint64_t newest() const;
  /// The recorded generation ids, oldest first.
  std::vector<uint64_t> generations() const;

 private:
  /// The exceptions of one generation, as sets for lookups.
  struct entry {
    /// See primacy_exceptions::demoted.
    std::set<bucket_key> demoted;
    /// See primacy_exceptions::promoted.
    std::set<bucket_key> promoted;
  };

  /// Maximum number of generations kept.
  size_t capacity_;
  /// Recorded generations by id.
  std::map<uint64_t, entry> by_generation_;
};

}  // namespace kura::cluster
