// Where the copies of a new hot bucket go: the master picks replication targets
// per bucket (clustering.md §3, §4, §8.1; the user cannot configure it).
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace kura::cluster {

/// One peer that will receive a copy of the source's new bucket.
struct target {
  /// GUID of the target peer.
  std::string peer;
  /// Whether the target builds index files for its copy (one of the SF - 1 searchable
  /// copies besides the source's own, which is always searchable).
  bool searchable = false;

  bool operator==(const target&) const = default;
};

/// Chooses the targets for a bucket that `source` starts: rf - 1 distinct peers from
/// `up_peers`, never the source, the first sf - 1 of them searchable. When fewer peers
/// are up, it returns as many as there are (the size of the result says how many could be
/// chosen; the cluster then cannot be complete for this bucket). Duplicates in `up_peers`
/// count once. Returns an empty list for rf <= 1.
///
/// Spread: the peers holding the fewest copies (`copies_per_peer`, from
/// bucket_table::copies_per_peer; a peer missing from it holds 0) come first; equal counts
/// are ordered by `rng`. Why this spreads: each new bucket adds one copy to each of the
/// least loaded peers, so a peer that falls behind is picked until it catches up and the
/// counts stay within a few copies of each other whatever the sources ingest (only the
/// source's own copy is outside the chooser's control). Breaking ties at random rather than
/// by GUID keeps the pairs of peers that share buckets mixed, so when a peer fails, the
/// fixup work (copies to make searchable, to stream) spreads over all survivors instead of
/// falling on the same one or two. `rng` makes this reproducible in tests.
/// Requires: sf <= rf (a larger sf makes every target searchable).
std::vector<target> choose_targets(const std::string& source,
                                   const std::vector<std::string>& up_peers, uint32_t rf,
                                   uint32_t sf,
                                   const std::map<std::string, uint64_t>& copies_per_peer,
                                   std::mt19937& rng);

}  // namespace kura::cluster
