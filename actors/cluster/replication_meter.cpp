// Replication streams and their rates.
#include "actors/cluster/replication_meter.hpp"

namespace kura::actors {
namespace {
/// Samples kept per stream (one per slice): enough for the window at any rate we see.
constexpr size_t max_samples = 256;
}  // namespace

void replication_meter::progress(direction d, const std::string& bucket, const std::string& peer,
                                 uint64_t bytes, clock::time_point now) {
  std::lock_guard lock{mutex_};
  auto& samples = of(d)[{bucket, peer}].samples;
  samples.emplace_back(now, bytes);
  // Old samples go, but one before the window stays as its baseline.
  while (samples.size() > max_samples ||
         (samples.size() > 2 && now - samples[1].first > std::chrono::seconds{10}))
    samples.pop_front();
}

void replication_meter::end(direction d, const std::string& bucket, const std::string& peer) {
  std::lock_guard lock{mutex_};
  auto& streams = of(d);
  if (!peer.empty()) {
    streams.erase({bucket, peer});
    return;
  }
  for (auto it = streams.lower_bound({bucket, ""});
       it != streams.end() && it->first.first == bucket;)
    it = streams.erase(it);
}

std::vector<replication_stream> replication_meter::streams(direction d, clock::time_point now,
                                                           clock::duration window) const {
  std::lock_guard lock{mutex_};
  std::vector<replication_stream> out;
  for (auto& [k, s] : d == direction::out ? out_ : in_) {
    if (s.samples.empty()) continue;
    replication_stream r{k.first, k.second, s.samples.back().second, 0};
    // The baseline: the newest sample at or before the window's start, else the oldest.
    auto base = s.samples.front();
    for (auto& sample : s.samples)
      if (now - sample.first >= window) base = sample;
    auto secs = std::chrono::duration<double>(now - base.first).count();
    if (secs > 0 && r.bytes > base.second) r.bytes_per_sec = double(r.bytes - base.second) / secs;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace kura::actors
