// choose_targets: least loaded peers first, ties at random.
#include "core/cluster/target_chooser.hpp"

#include <algorithm>
#include <set>

namespace kura::cluster {

std::vector<target> choose_targets(const std::string& source,
                                   const std::vector<std::string>& up_peers, uint32_t rf,
                                   uint32_t sf,
                                   const std::map<std::string, uint64_t>& copies_per_peer,
                                   std::mt19937& rng) {
  std::vector<target> out;
  if (rf <= 1) return out;
  // A set first: the candidates' order must not depend on the caller's order (or
  // duplicates), only on the counts and the rng.
  std::set<std::string> unique(up_peers.begin(), up_peers.end());
  unique.erase(source);
  std::vector<std::pair<uint64_t, std::string>> candidates;
  candidates.reserve(unique.size());
  for (const auto& peer : unique) {
    auto it = copies_per_peer.find(peer);
    candidates.emplace_back(it == copies_per_peer.end() ? 0 : it->second, peer);
  }
  // Shuffle, then a stable sort by count: peers with equal counts keep the random order.
  std::shuffle(candidates.begin(), candidates.end(), rng);
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  size_t n = std::min<size_t>(rf - 1, candidates.size());
  // The source's copy is one of the sf searchable copies.
  size_t searchable = sf == 0 ? 0 : sf - 1;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(target{candidates[i].second, i < searchable});
  return out;
}

}  // namespace kura::cluster
