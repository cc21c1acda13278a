// The MEMBER actor: a peer's link to its master (actors/peer_link.cpp). It
// registers the peer, sends heartbeats with bucket reports, asks for the
// targets of new hot buckets, and receives what the master decides for this
// peer. Its handle reaches the master only inside the peer's own register
// message, so only that master sends it orders.
#pragma once

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/caf_types.hpp"
#include "actors/interfaces/cluster_atoms.hpp"
#include "config/bundle.hpp"

namespace kura::actors {

/// What the master decided about this peer's copies for one generation
/// (level-triggered: the whole set each time). The peer searches its own
/// original buckets except `demoted`, plus `promoted` copies of others.
struct primacy_update {
  uint64_t generation = 0;
  std::vector<std::string> demoted;   ///< bucket cluster ids (<index>~<id>~<origin>)
  std::vector<std::string> promoted;  ///< bucket cluster ids
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, primacy_update& x) {
  return f(caf::meta::type_name("kura::primacy_update"), x.generation, x.demoted, x.promoted);
}

/// One target of a new hot bucket, as the master chose it.
struct target_info {
  std::string guid;             ///< the target peer
  std::string name;             ///< its name (logs)
  std::string replication_uri;  ///< "host:port" of its replication port
  bool searchable = false;      ///< it must build index files for its copy
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, target_info& x) {
  return f(caf::meta::type_name("kura::target_info"), x.guid, x.name, x.replication_uri,
           x.searchable);
}

/// One fixup task the master gives this peer (clustering.md §14.1).
struct fixup_order {
  std::string kind;    ///< "searchable": build index files of this peer's copy;
                       ///< "replicate": stream this peer's copy to the target
  std::string bucket;  ///< cluster id
  target_info target;  ///< replicate: the receiving peer (its `searchable`: build index files)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fixup_order& x) {
  return f(caf::meta::type_name("kura::fixup_order"), x.kind, x.bucket, x.target);
}

}  // namespace kura::actors

namespace kura::config {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, bundle_file& x) {
  return f(caf::meta::type_name("kura::bundle_file"), x.name, x.text);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, config_bundle& x) {
  return f(caf::meta::type_name("kura::config_bundle"), x.checksum, x.files);
}

}  // namespace kura::config

namespace kura::actors {

using member_actor = caf::typed_actor<
    /// From the master when a generation starts: this peer's primacy in it.
    caf::reacts_to<primacy_atom, primacy_update>,
    /// From the master: do one fixup task; ok once the copy is complete
    /// (adopted here, or on the target).
    caf::replies_to<fixup_atom, fixup_order>::with<ok_atom>,
    /// From the master: the source ORIGIN is gone; roll this peer's copies of
    /// its hot buckets (being received) to warm (clustering.md §13.1).
    caf::replies_to<finalize_atom, std::string>::with<ok_atom>,
    /// From the local replicator: the targets of a new hot bucket of this
    /// peer (index, local id, GUIDs of targets it lost). Asks the master; when
    /// the master cannot be reached, the last bucket's targets (§8.4).
    caf::replies_to<targets_atom, std::string, uint64_t,
                    std::vector<std::string>>::with<std::vector<target_info>>,
    /// From the local replicator: a target of index NAME's hot bucket was
    /// lost; roll the index so that its data gets new targets.
    caf::reacts_to<roll_atom, std::string>,
    /// From the local admin (`kura offline [--enforce-counts]`): stop taking
    /// input, roll, and ask the master; ok when the peer may shut down.
    caf::replies_to<offline_atom, bool>::with<ok_atom>,
    /// From the master: the configuration bundle. install false: validate it
    /// for this peer (an error names file, line and key); true: install it in
    /// slave-apps and apply it; replies what applying took: "none", "live"
    /// (new indexes take data now) or "restart" (the master restarts it).
    caf::replies_to<bundle_atom, config::config_bundle, bool>::with<std::string>,
    /// From the master (a rolling restart): go offline fast, then restart the
    /// node process; it registers again as a new run.
    caf::reacts_to<restart_atom>,
    /// From the local node when it stops: ask the master nothing more (no
    /// joins, heartbeats or target requests: the master may be stopping too,
    /// and a stop must not wait for its timeouts).
    caf::reacts_to<shutdown_atom>,
    // INTERNAL: the heartbeat timer.
    caf::reacts_to<tick_atom>,
    // INTERNAL: a callback the actor scheduled for later (by number).
    caf::reacts_to<tick_atom, uint64_t>>;

}  // namespace kura::actors
