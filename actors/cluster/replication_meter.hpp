// The replication streams of one peer and their rates, for its status page
// and GET /services/cluster/peer/info: the replicator reports what it sent to
// each target (hot buckets and whole-bucket fixup streams), the replica sink
// what it received. A stream ends when its copy is finished, dropped or lost.
// Thread-safe (actors write, HTTP threads read). No CAF.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "actors/node_api.hpp"

namespace kura::actors {

class replication_meter {
 public:
  using clock = std::chrono::steady_clock;
  enum class direction { out, in };

  /// Bucket `bucket` to or from `peer` now holds `bytes` bytes of its journal there.
  void progress(direction d, const std::string& bucket, const std::string& peer, uint64_t bytes,
                clock::time_point now = clock::now());
  /// The stream of `bucket` with `peer` ended; with an empty `peer`, every stream of `bucket`.
  void end(direction d, const std::string& bucket, const std::string& peer = {});
  /// The streams going on, with their rate over the last `window` (0 for one
  /// that moved nothing in it), by bucket and peer.
  std::vector<replication_stream> streams(direction d, clock::time_point now = clock::now(),
                                          clock::duration window = std::chrono::seconds{10}) const;

 private:
  struct stream {
    std::deque<std::pair<clock::time_point, uint64_t>> samples;  // oldest first
  };
  using key = std::pair<std::string, std::string>;  // bucket, peer
  std::map<key, stream>& of(direction d) { return d == direction::out ? out_ : in_; }

  mutable std::mutex mutex_;
  std::map<key, stream> out_, in_;
};

}  // namespace kura::actors
