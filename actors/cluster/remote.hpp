// Reaching another node from an event-based actor without blocking: connect
// to a published actor through CAF's middleman actor, then log in with the
// cluster's secret (node_auth.hpp). Include only from actors' .cpp files.
#pragma once

#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "actors/caf_types.hpp"
#include "actors/cluster/host_port.hpp"
#include "actors/cluster/node_auth.hpp"
#include "actors/interfaces/cluster_atoms.hpp"
#include "actors/interfaces/door_actor.hpp"

namespace kura::actors {

/// Requests between nodes never wait longer than this (a node that went away
/// makes a request time out; it never fails fast).
constexpr std::chrono::seconds remote_timeout{30};
/// Connecting and logging in take at most this.
constexpr std::chrono::seconds connect_timeout{5};

/// Connects to the actor published at `uri` and calls `done` with a handle of
/// type Handle (the published actor must offer at least Handle's messages) or
/// with the error (unreachable, timeout, bad uri).
template <class Handle, class Self>
void connect_to(Self* self, const std::string& uri, std::function<void(result<Handle>)> done) {
  auto hp = split_host_port(uri);
  if (!hp) return done(hp.err());
  auto mm = self->system().middleman().actor_handle();
  self->request(mm, connect_timeout, caf::connect_atom::value, hp->first, hp->second)
      .then(
          [done](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
            if (!ptr) return done(error{errc::unavailable, "no actor published there"});
            done(caf::actor_cast<Handle>(std::move(ptr)));
          },
          [done, uri](caf::error& e) {
            done(error{errc::unavailable,
                       "cannot connect to " + uri + ": " + from_caf(e).message()});
          });
}

/// Logs in at a door or sink (anything with challenge and login) and calls
/// `done` with the session token, or unauthenticated / unavailable.
template <class Handle, class Self>
void log_in(Self* self, Handle to, login_identity who, std::string secret,
            std::function<void(result<std::string>)> done) {
  self->request(to, connect_timeout, challenge_atom::value)
      .then(
          [=](const std::string& nonce) {
            auto proof = cluster::login_proof(secret, {who.role, who.name, who.guid}, nonce);
            self->request(to, connect_timeout, login_atom::value, who, nonce, proof)
                .then([done](std::string& token) { done(std::move(token)); },
                      [done](caf::error& e) { done(from_caf(e)); });
          },
          [done](caf::error& e) { done(from_caf(e)); });
}

}  // namespace kura::actors
