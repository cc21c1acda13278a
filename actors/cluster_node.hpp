// The cluster roles of a node, started beside its peer actor by node_runtime:
//   master       the master actor (its door serves joins, heartbeats, targets, generations)
//   peer         the replicator (before the peer actor: every index replicates
//                through it), then the member actor (link to the master), the
//                replica sink published on the replication port, and the
//                search service for search heads
//   search_head  the search head (generations from the masters, cluster searches)
// A standalone node has none of them.
#pragma once

#include <memory>
#include <optional>

#include "actors/cluster/cluster_view.hpp"
#include "actors/door.hpp"
#include "actors/interfaces/peer_actor.hpp"
#include "actors/interfaces/replica_sink_actor.hpp"
#include "actors/interfaces/replicator_actor.hpp"
#include "actors/node_settings.hpp"
#include "actors/search_head.hpp"

namespace kura::actors {

class cluster_node {
 public:
  /// Starts what must exist before the peer actor (a peer's replicator).
  cluster_node(caf::actor_system& sys, node_settings settings);
  ~cluster_node();

  /// The replicator to give the peer actor (null unless a peer).
  replicator_actor replicator() const { return replicator_; }
  /// Starts the rest of the role once the peer actor exists. Errors: io_error
  /// (the replication port cannot be opened), as spawn_master.
  error start(const peer_actor& peer);

  /// The door's role actors (master, search service).
  void fill_door(door_args& args) const;

  /// False on a peer until the master lets the cluster index; true on other roles.
  bool accepting_input() const;
  /// The search head, when this node is one.
  search_head* head() { return head_.get(); }

  result<master_status> master_status_now() const;
  result<peer_cluster_status> peer_status_now() const;
  /// `kura offline [--enforce-counts]` on a peer: returns once the master
  /// lets it shut down. Errors: bad_state (not a peer), unavailable, timed_out.
  error offline(bool enforce_counts, std::chrono::seconds timeout) const;
  /// `kura edit cluster-config -KEY SECONDS` on a master. Errors: bad_state,
  /// invalid_argument (unknown key, bad value).
  /// replication_factor and search_factor (whole numbers) too.
  error edit_setting(const std::string& key, double value) const;
  /// `kura apply cluster-bundle [--dry-run]` on a master (waits for every peer's answer).
  result<std::string> apply_bundle(bool dry_run) const;
  /// `kura rolling-restart cluster-peers` on a master.
  error rolling_restart(uint32_t percent) const;

  /// The node begins to stop: a peer asks its master nothing more (a target
  /// request falls back to the last targets at once), so that the last writes
  /// of a stop never wait for a master that may be stopping too.
  void stopping();
  /// Stops the role's actors (after the peer actor stopped).
  void stop();

 private:
  caf::actor_system& sys_;
  node_settings settings_;
  std::shared_ptr<cluster_view> view_;
  std::shared_ptr<replication_meter> meter_;
  replicator_actor replicator_;
  member_actor member_;
  replica_sink_actor sink_;
  uint16_t sink_port_ = 0;
  search_service_actor search_;
  master_actor master_;
  std::unique_ptr<search_head> head_;
};

}  // namespace kura::actors
