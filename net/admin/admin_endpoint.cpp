// The admin actor: authentication, then admin_service.
#include "net/admin/admin_endpoint.hpp"

#include <caf/io/all.hpp>
#include <chrono>
#include <map>

#include "actors/door.hpp"
#include "actors/interfaces/admin_actor.hpp"
#include "core/log.hpp"
#include "net/admin/admin_auth.hpp"
#include "net/admin/admin_service.hpp"

namespace kura::admin {
namespace {

using actors::admin_actor;
using actors::hello_atom;
using actors::run_atom;

constexpr const char* component = "AdminHandler";
/// A nonce is good for one command within this time.
constexpr std::chrono::seconds nonce_lifetime{60};
/// Nonces handed out and not used yet, at most (a client asking in a loop).
constexpr size_t max_open_nonces = 10'000;

struct admin_state {
  std::map<std::string, std::chrono::steady_clock::time_point> nonces;
  static inline const char* name = "admin";
};

admin_actor::behavior_type admin_behavior(admin_actor::stateful_pointer<admin_state> self,
                                          node_api* node, node_admin* admin, std::string secret) {
  self->set_default_handler(caf::drop);
  // Anyone who reaches the port can send an exit message; only the node's
  // own (unstoppable) kill ends this actor.
  self->set_exit_handler([](caf::exit_msg&) {});
  return {
      [=](hello_atom) {
        auto& nonces = self->state.nonces;
        auto now = std::chrono::steady_clock::now();
        std::erase_if(nonces, [&](auto& n) { return now - n.second > nonce_lifetime; });
        if (nonces.size() >= max_open_nonces) nonces.erase(nonces.begin());
        auto nonce = new_nonce();
        nonces.emplace(nonce, now);
        return nonce;
      },
      [=](run_atom, const std::string& nonce, const std::string& given, bool json,
          const std::vector<std::string>& words) -> std::tuple<int32_t, std::string, std::string> {
        auto& nonces = self->state.nonces;
        auto it = nonces.find(nonce);
        if (it == nonces.end() || std::chrono::steady_clock::now() - it->second > nonce_lifetime) {
          if (it != nonces.end()) nonces.erase(it);
          return {2, "",
                  "error: authentication failed: unknown or expired nonce; retry the command\n"};
        }
        nonces.erase(it);
        if (!same_proof(given, proof(secret, nonce, json, words))) {
          log::warn(component,
                    "refused an admin command: the shell's secret is not this node's pass4SymmKey");
          return {2, "",
                  "error: authentication failed: the shell's secret (--secret-file) is not this "
                  "node's pass4SymmKey\n"};
        }
        auto reply = run_command(*node, *admin, words, json, "admin");
        return {reply.exit_code, std::move(reply.out), std::move(reply.err)};
      },
  };
}

}  // namespace

struct admin_endpoint::impl {
  caf::actor_system* sys = nullptr;
  admin_actor actor;
  actors::door_actor door;
  uint16_t port = 0;
};

admin_endpoint::admin_endpoint(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

result<std::unique_ptr<admin_endpoint>> admin_endpoint::start(
    caf::actor_system& sys, node_api& node, node_admin& admin, std::string secret,
    const std::string& bind, uint16_t port, std::function<void(actors::door_args&)> roles) {
  auto i = std::make_unique<impl>();
  i->sys = &sys;
  i->actor = sys.spawn<caf::detached>(admin_behavior, &node, &admin, secret);
  actors::door_args door{node.server_info().name, secret, i->actor, {}, {}};
  if (roles) roles(door);
  i->door = actors::spawn_door(sys, std::move(door));
  auto published = sys.middleman().publish(i->door, port, bind.c_str(), true);
  if (!published) {
    caf::anon_send_exit(i->actor, caf::exit_reason::kill);
    caf::anon_send_exit(i->door, caf::exit_reason::kill);
    return error{errc::io_error, "cannot listen for the shell on " + bind + ":" +
                                     std::to_string(port) + ": " + sys.render(published.error())};
  }
  i->port = *published;
  return std::unique_ptr<admin_endpoint>{new admin_endpoint(std::move(i))};
}

admin_endpoint::~admin_endpoint() {
  (void)impl_->sys->middleman().unpublish(impl_->door, impl_->port);
  caf::anon_send_exit(impl_->door, caf::exit_reason::kill);
  caf::anon_send_exit(impl_->actor, caf::exit_reason::kill);
}

uint16_t admin_endpoint::port() const { return impl_->port; }

}  // namespace kura::admin
