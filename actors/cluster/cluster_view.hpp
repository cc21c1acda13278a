// What a peer knows of its cluster, shared between its actors and the
// threads that serve HTTP and forwarders: whether the cluster lets it index,
// the current generation, whether the master answers, and its primacy per
// generation. Written by the member actor (peer_link.cpp), read by ingestion
// (refuse input until indexing is ready), status documents and searches.
// Thread-safe. No CAF.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "core/cluster/generation.hpp"

namespace kura::actors {

class cluster_view {
 public:
  explicit cluster_view(std::string my_guid) : guid_(std::move(my_guid)) {}

  /// False until the master said the cluster may index (replication_factor
  /// peers registered on its first start); stays as last heard while the
  /// master is unreachable (peers go on indexing, clustering.md §16.1).
  bool indexing_ready() const;
  void set_indexing_ready(bool ready);

  /// `kura offline` started: the peer takes no input and no replicated data.
  bool offline() const;
  void set_offline();

  /// The newest generation heard from a master (kept while it is unreachable).
  uint64_t generation() const;
  bool master_reachable() const;
  /// Called on every answer (or failure) of the master.
  void set_master(bool reachable, uint64_t generation);

  /// Records this peer's primacy for a generation (from the master).
  void record_primacy(uint64_t generation, const cluster::primacy_exceptions& exceptions);
  /// Whether this peer searches its copy of `key` in `generation`.
  bool is_primary(const cluster::bucket_key& key, uint64_t generation) const;

  /// Copies being received (replica sink): cluster id -> searchable. They
  /// are hot copies: the peer reports them to the master with its buckets.
  void set_incoming(const std::string& bucket, bool searchable);
  void remove_incoming(const std::string& bucket);
  std::map<std::string, bool> incoming() const;

  /// The checksum of the configuration bundle installed in slave-apps.
  std::string active_bundle() const;
  void set_active_bundle(std::string checksum);

  const std::string& guid() const { return guid_; }

 private:
  const std::string guid_;
  mutable std::mutex mutex_;
  bool ready_ = false;
  bool offline_ = false;
  bool reachable_ = false;
  uint64_t generation_ = 0;
  cluster::primacy_book primacy_;
  std::map<std::string, bool> incoming_;
  std::string active_bundle_;
};

}  // namespace kura::actors
