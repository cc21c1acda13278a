// A rolling restart of the peers (clustering.md §17.4 step 6, §22): peers
// restart in waves of about `percent` % (at least one); the next wave starts
// once every peer of the current one has gone away and registered again (or
// was lost for good). Each peer of a wave first hands its primaries to other
// searchable copies (the master's fast offline), so searches stay whole.
//
// The plan only decides; the master sends the restart orders and reports
// what happens to the peers.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace kura::cluster {

class rolling_restart {
 public:
  /// Peers by GUID, in the order they restart. Errors are not possible: an
  /// empty list finishes at once. percent is clamped to 1..100.
  rolling_restart(std::vector<std::string> peers, uint32_t percent);

  /// Whether these peers may be away together: every bucket keeps a
  /// searchable copy on a peer that stays (searches stay whole).
  using fits_fn = std::function<bool(const std::vector<std::string>&)>;

  /// The peers to order a restart now (each returned once): when the current
  /// wave is over, the next one: the first peer left, then each next peer left
  /// that `fits` with those already chosen, up to the wave size. Peers left
  /// out wait for a later wave.
  std::vector<std::string> next_orders(const fits_fn& fits);

  /// The peer left (its process stopped) after its order.
  void went_away(const std::string& guid);
  /// The peer registered again: it is back once it went away first (a
  /// registration before that is the old process's).
  void registered(const std::string& guid);
  /// The peer is lost (Down) or left the cluster: its wave does not wait for it.
  void lost(const std::string& guid);

  bool done() const;
  size_t restarted() const { return back_.size(); }
  size_t total() const { return peers_.size(); }
  size_t wave_size() const { return wave_size_; }
  /// "2 of 6 peers restarted (wave 2 of 3): restarting peer3, peer4" with names from `name_of`.
  template <class NameOf>
  std::string progress(NameOf name_of) const {
    std::string names;
    for (auto& g : current_)
      if (!back_.count(g) && !lost_.count(g)) names += (names.empty() ? "" : ", ") + name_of(g);
    return std::to_string(back_.size()) + " of " + std::to_string(peers_.size()) +
           " peers restarted (wave " + std::to_string(waves_started_) + ")" +
           (names.empty() ? "" : ": restarting " + names);
  }

 private:
  bool wave_over() const;

  std::vector<std::string> peers_;
  size_t wave_size_ = 1;
  std::vector<std::string> left_;  // not ordered yet, in order
  size_t waves_started_ = 0;
  std::vector<std::string> current_;  // the wave under way
  std::set<std::string> away_, back_, lost_;
};

}  // namespace kura::cluster
