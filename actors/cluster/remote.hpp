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
///
/// Contract: this never blocks the node's middleman on a host that does not
/// answer. CAF's middleman connects synchronously, in its one actor, and the
/// kernel gives up on a silent host (a stopped container's address, a dropped
/// SYN) only after up to two minutes; meanwhile every other use of the
/// middleman waits behind it, among them the unpublish calls of a stopping
/// node, which then did not exit for minutes when it had lost a replication
/// target just before (a cluster stopped peer after peer). So a throwaway
/// detached actor first probes the address (probe_tcp, at most
/// connect_timeout, on its own thread) and only a host that answered is handed
/// to the middleman.
template <class Handle, class Self>
void connect_to(Self* self, const std::string& uri, std::function<void(result<Handle>)> done) {
  auto hp = split_host_port(uri);
  if (!hp) return done(hp.err());
  auto host = hp->first;
  auto port = hp->second;
  auto probe = self->system().template spawn<caf::detached + caf::hidden>(
      [](caf::event_based_actor* p) -> caf::behavior {
        return {[p](caf::connect_atom, const std::string& h, uint16_t port) {
          auto err = probe_tcp(h, port, connect_timeout);
          p->quit();
          return err ? err.message() : std::string{};
        }};
      });
  auto unreachable = [done, uri](const std::string& why) {
    done(error{errc::unavailable, "cannot connect to " + uri + ": " + why});
  };
  self->request(probe, connect_timeout + std::chrono::seconds{1}, caf::connect_atom::value, host,
                port)
      .then(
          [=](const std::string& probed) {
            if (!probed.empty()) return done(error{errc::unavailable, probed});
            auto mm = self->system().middleman().actor_handle();
            self->request(mm, connect_timeout, caf::connect_atom::value, host, port)
                .then(
                    [done](const caf::node_id&, caf::strong_actor_ptr& ptr,
                           const std::set<std::string>&) {
                      if (!ptr) return done(error{errc::unavailable, "no actor published there"});
                      done(caf::actor_cast<Handle>(std::move(ptr)));
                    },
                    [=](caf::error& e) { unreachable(from_caf(e).message()); });
          },
          [=](caf::error& e) { unreachable(from_caf(e).message()); });
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
