// The node's admin actor (actors/interfaces/admin_actor.hpp) behind the
// node's door (actors/interfaces/door_actor.hpp), published on [node]
// admin_port. The admin actor checks every command's proof of the node's
// secret, then runs it with admin_service. It is a detached actor (its own
// thread): its commands block on the node's actors. The door also serves the
// cluster's messages for the node's role.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/node_api.hpp"

namespace caf {
class actor_system;
}

namespace kura::actors {
struct door_args;
}

namespace kura::admin {

class admin_endpoint {
 public:
  /// Spawns the admin actor and the door and publishes the door on bind:port
  /// (0: any free port). `roles` gives the door the actors of the node's
  /// cluster role. Errors: io_error (port in use, bad address).
  static result<std::unique_ptr<admin_endpoint>> start(
      caf::actor_system& sys, node_api& node, node_admin& admin, std::string secret,
      const std::string& bind, uint16_t port, std::function<void(actors::door_args&)> roles = {});
  /// Unpublishes and stops the actor.
  ~admin_endpoint();
  uint16_t port() const;

 private:
  struct impl;
  explicit admin_endpoint(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace kura::admin
