// The node's admin actor (actors/interfaces/admin_actor.hpp) published on
// [node] admin_port. It checks every command's proof of the node's secret,
// then runs it with admin_service. It is a detached actor (its own thread):
// its commands block on the node's actors.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "actors/node_api.hpp"

namespace caf {
class actor_system;
}

namespace kura::admin {

class admin_endpoint {
 public:
  /// Spawns and publishes the admin actor on bind:port (0: any free port).
  /// Errors: io_error (port in use, bad address).
  static result<std::unique_ptr<admin_endpoint>> start(caf::actor_system& sys, node_api& node,
                                                       node_admin& admin, std::string secret,
                                                       const std::string& bind, uint16_t port);
  /// Unpublishes and stops the actor.
  ~admin_endpoint();
  uint16_t port() const;

 private:
  struct impl;
  explicit admin_endpoint(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace kura::admin
