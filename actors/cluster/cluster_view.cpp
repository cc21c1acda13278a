// The shared cluster view of a peer.
#include "actors/cluster/cluster_view.hpp"

namespace kura::actors {

bool cluster_view::indexing_ready() const {
  std::lock_guard lock{mutex_};
  return ready_;
}

void cluster_view::set_indexing_ready(bool ready) {
  std::lock_guard lock{mutex_};
  ready_ = ready;
}

bool cluster_view::offline() const {
  std::lock_guard lock{mutex_};
  return offline_;
}

std::string cluster_view::active_bundle() const {
  std::lock_guard lock{mutex_};
  return active_bundle_;
}

void cluster_view::set_active_bundle(std::string checksum) {
  std::lock_guard lock{mutex_};
  active_bundle_ = std::move(checksum);
}

void cluster_view::set_offline() {
  std::lock_guard lock{mutex_};
  offline_ = true;
}

uint64_t cluster_view::generation() const {
  std::lock_guard lock{mutex_};
  return generation_;
}

bool cluster_view::master_reachable() const {
  std::lock_guard lock{mutex_};
  return reachable_;
}

void cluster_view::set_master(bool reachable, uint64_t generation) {
  std::lock_guard lock{mutex_};
  reachable_ = reachable;
  if (reachable) generation_ = generation;
}

void cluster_view::record_primacy(uint64_t generation,
                                  const cluster::primacy_exceptions& exceptions) {
  std::lock_guard lock{mutex_};
  primacy_.record(generation, exceptions);
}

bool cluster_view::is_primary(const cluster::bucket_key& key, uint64_t generation) const {
  std::lock_guard lock{mutex_};
  return primacy_.is_primary(key, generation, guid_);
}

void cluster_view::set_incoming(const std::string& bucket, bool searchable) {
  std::lock_guard lock{mutex_};
  incoming_[bucket] = searchable;
}

void cluster_view::remove_incoming(const std::string& bucket) {
  std::lock_guard lock{mutex_};
  incoming_.erase(bucket);
}

std::map<std::string, bool> cluster_view::incoming() const {
  std::lock_guard lock{mutex_};
  return incoming_;
}

}  // namespace kura::actors
