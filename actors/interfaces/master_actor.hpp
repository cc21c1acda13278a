// The MASTER actor (actors/master/master.cpp): the cluster's peers, their
// heartbeats, generations and the bucket table, and the targets of every new
// hot bucket. It decides with core/cluster's plain classes (bucket_table,
// choose_targets) and only receives, applies, sends and replies. Peers reach
// it through the node's door, which has checked their session: the GUIDs
// here are authenticated.
#pragma once

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/interfaces/door_actor.hpp"

namespace kura::actors {

using master_actor = caf::typed_actor<
    /// A peer joins (or rejoins): a new generation starts; replies its id.
    caf::replies_to<register_atom, login_identity, peer_hello, member_actor>::with<uint64_t>,
    /// A peer's heartbeat (GUID, report).
    caf::replies_to<heartbeat_atom, std::string, peer_report>::with<heartbeat_reply>,
    /// Peer GUID started hot bucket (index, local id; not these GUIDs): its targets.
    caf::replies_to<targets_atom, std::string, std::string, uint64_t,
                    std::vector<std::string>>::with<std::vector<target_info>>,
    /// Peer GUID goes offline (enforce_counts): ok once it may shut down.
    caf::replies_to<offline_atom, std::string, bool>::with<ok_atom>,
    /// `kura edit cluster-config -KEY SECONDS` (local only): restart_timeout,
    /// heartbeat_timeout or quiet_period.
    caf::replies_to<setting_atom, std::string, double>::with<ok_atom>,
    /// `kura edit cluster-config -replication_factor N` / `-search_factor N`
    /// (local only): fixup brings the cluster to the new counts.
    caf::replies_to<setting_atom, std::string, uint32_t>::with<ok_atom>,
    /// `kura apply cluster-bundle [--dry-run]` (local only): every Up peer
    /// validates master-apps; then (not dry) each installs and applies it, and
    /// the peers whose change needs a restart restart in waves. Replies a
    /// one-line summary; an error names the peer, file, line and key.
    caf::replies_to<bundle_atom, bool>::with<std::string>,
    /// `kura rolling-restart cluster-peers -percent_peers_to_restart N` (local
    /// only): every Up peer restarts, N % at a time; replies once started.
    caf::replies_to<restart_atom, uint32_t>::with<ok_atom>,
    /// The current generation and its peers (search heads).
    caf::replies_to<generation_atom>::with<generation_info>,
    /// The applied bundle (search heads: its lookup tables).
    caf::replies_to<bundle_atom>::with<config::config_bundle>,
    /// Everything the status documents show (local only: the door never forwards it).
    caf::replies_to<status_atom>::with<master_status>,
    // INTERNAL: the heartbeat check.
    caf::reacts_to<tick_atom>,
    // INTERNAL: plan fixup now (a task ended, a report arrived).
    caf::reacts_to<fixup_atom>>;

}  // namespace kura::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kura::master_status)
