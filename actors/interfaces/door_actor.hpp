// The DOOR actor: what a node publishes on its admin_port (net/door/). The
// `kura` shell sees only its admin part (admin_actor.hpp); nodes of the
// cluster log in first and then send every request with their session token:
//
//   node                                      door
//   challenge                             --> nonce
//   login(identity, nonce, proof)         --> token   (refused: unauthenticated, logged here and
//   there) register(token, hello, member)        --> generation          (master: a peer joins)
//   heartbeat(token, report)              --> heartbeat_reply     (master)
//   targets(token, index, id, avoid)      --> targets             (master: a new hot bucket)
//   offline(token, enforce_counts)        --> ok                  (master: the peer may shut down)
//   generation(token)                     --> generation_info     (master: search heads)
//   bundle(token)                         --> config_bundle       (master: its applied bundle,
//   for a search head's lookups)
//   search(token, request)                --> (cursor, opened, first rows) (peer: a search head's
//   search) delete(token, bucket, ordinals)       --> ok                  (peer: `| delete` on its
//   copy)
//
// A request the node's role does not serve gets bad_state. The door checks
// tokens (actors/cluster/node_auth.hpp) and delegates to the role's actor,
// so the master and the peer's search service only see authenticated
// requests.
#pragma once

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/interfaces/admin_actor.hpp"
#include "actors/interfaces/cluster_atoms.hpp"
#include "actors/interfaces/member_actor.hpp"
#include "actors/interfaces/remote_cursor_actor.hpp"

namespace kura::actors {

/// Who logs in (see cluster::node_identity).
struct login_identity {
  std::string role, name, guid;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, login_identity& x) {
  return f(caf::meta::type_name("kura::login_identity"), x.role, x.name, x.guid);
}

/// What a peer tells the master when it registers.
struct peer_hello {
  std::string host_port;        ///< its admin port, where search heads reach it
  std::string replication_uri;  ///< "host:port" of its replication port
  /// The newest generation it has seen (a restarted or standby master goes on
  /// from the newest its peers know, so generation ids never repeat).
  uint64_t last_generation = 0;
  /// A master once let it index (a standby master need not wait for
  /// replication_factor peers again).
  bool indexing_ready = false;
  /// The checksum of the bundle in its slave-apps ("" when none): the master
  /// sends a peer with another one the current bundle before it takes data.
  std::string active_bundle;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, peer_hello& x) {
  return f(caf::meta::type_name("kura::peer_hello"), x.host_port, x.replication_uri,
           x.last_generation, x.indexing_ready, x.active_bundle);
}

/// One copy a peer holds, as it reports it.
struct copy_report {
  std::string bucket;  ///< cluster id <index>~<localid>~<origin guid>
  std::string state;   ///< hot | warm | cold
  bool searchable = false;
  uint64_t size_bytes = 0;
  uint64_t events = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, copy_report& x) {
  return f(caf::meta::type_name("kura::copy_report"), x.bucket, x.state, x.searchable, x.size_bytes,
           x.events);
}

/// A heartbeat. `full` says whether `copies` is the peer's whole set of
/// clustered copies (level-triggered; sent when it changed) or absent.
struct peer_report {
  std::string status;  ///< Up | Detention
  bool full = false;
  std::vector<copy_report> copies;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, peer_report& x) {
  return f(caf::meta::type_name("kura::peer_report"), x.status, x.full, x.copies);
}

/// The master's answer to a heartbeat.
struct heartbeat_reply {
  uint64_t generation = 0;
  bool indexing_ready = false;  ///< false until replication_factor peers registered (first start)
  bool want_report = false;     ///< send the full copy set with the next heartbeat
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, heartbeat_reply& x) {
  return f(caf::meta::type_name("kura::heartbeat_reply"), x.generation, x.indexing_ready,
           x.want_report);
}

/// One peer of a generation.
struct generation_peer {
  std::string name, guid, host_port;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, generation_peer& x) {
  return f(caf::meta::type_name("kura::generation_peer"), x.name, x.guid, x.host_port);
}

/// The current generation and the peers that take part in it.
struct generation_info {
  uint64_t generation = 0;
  bool valid = false;  ///< every bucket has a primary: searches see all data
  std::vector<generation_peer> peers;
  /// The checksum of the master's applied bundle ("" before the first): a
  /// search head fetches the bundle's lookup tables when it changes.
  std::string active_bundle;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, generation_info& x) {
  return f(caf::meta::type_name("kura::generation_info"), x.generation, x.valid, x.peers,
           x.active_bundle);
}

/// A search head's search of one peer.
struct search_request {
  std::string text;
  int64_t now = 0;
  bool has_earliest = false, has_latest = false;
  int64_t earliest = 0, latest = 0;
  uint64_t generation = 0;  ///< search the primary copies of this generation
  uint64_t first_rank = 0;  ///< rank of the peer's first bucket (ties between peers)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, search_request& x) {
  return f(caf::meta::type_name("kura::search_request"), x.text, x.now, x.has_earliest,
           x.has_latest, x.earliest, x.latest, x.generation, x.first_rank);
}

using door_actor = admin_actor::extend<
    caf::replies_to<challenge_atom>::with<std::string>,
    caf::replies_to<login_atom, login_identity, std::string, std::string>::with<std::string>,
    caf::replies_to<register_atom, std::string, peer_hello, member_actor>::with<uint64_t>,
    caf::replies_to<heartbeat_atom, std::string, peer_report>::with<heartbeat_reply>,
    /// (token, index, local id, GUIDs of peers not to choose: targets the source lost).
    caf::replies_to<targets_atom, std::string, std::string, uint64_t,
                    std::vector<std::string>>::with<std::vector<target_info>>,
    /// A peer goes offline (token, enforce_counts): answered once the master
    /// moved its primaries (and, with enforce_counts, once the cluster is
    /// complete without it): then the peer shuts down.
    caf::replies_to<offline_atom, std::string, bool>::with<ok_atom>,
    caf::replies_to<generation_atom, std::string>::with<generation_info>,
    /// The master's applied bundle (a search head installs its lookup tables).
    caf::replies_to<bundle_atom, std::string>::with<config::config_bundle>,
    caf::replies_to<search_atom, std::string, search_request>::with<remote_cursor_actor,
                                                                    std::string, std::string>,
    /// Marks events deleted on the peer's copy of a bucket (cluster id;
    /// ordinals as a portable Roaring bitmap).
    caf::replies_to<delete_atom, std::string, std::string, std::string>::with<ok_atom>>;

}  // namespace kura::actors
