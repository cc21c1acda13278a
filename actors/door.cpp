// The door: the shell's commands pass through to the admin actor; nodes log
// in, and each later request is checked against its session and handed to
// the actor of the node's role with the caller's authenticated identity.
#include "actors/door.hpp"

#include "actors/cluster/node_auth.hpp"
#include "core/log.hpp"

namespace kura::actors {
namespace {

constexpr const char* component = "Door";

struct door_state {
  door_args args;
  std::unique_ptr<cluster::session_book> sessions;
  static inline const char* name = "door";
};

using self_ptr = door_actor::stateful_pointer<door_state>;

/// The node behind a token, or the error to reply.
result<cluster::node_identity> caller(self_ptr self, const std::string& token) {
  if (auto* who = self->state.sessions->check(token)) return *who;
  return error{errc::unauthenticated,
               "unknown session at " + self->state.args.node_name + ": log in first"};
}

error not_here(self_ptr self, const char* what) {
  return {errc::bad_state, self->state.args.node_name + " is not a " + what};
}

door_actor::behavior_type door(self_ptr self, door_args args) {
  self->state.sessions = std::make_unique<cluster::session_book>(args.secret);
  self->state.args = std::move(args);
  self->set_default_handler(caf::drop);
  // Anyone who reaches the port can send an exit message; only the node's own kill ends it.
  self->set_exit_handler([](caf::exit_msg&) {});
  auto& st = self->state;
  return {
      [=, &st](hello_atom) { return self->delegate(st.args.admin, hello_atom::value); },
      [=, &st](run_atom, const std::string& nonce, const std::string& proof, bool json,
               const std::vector<std::string>& words) {
        return self->delegate(st.args.admin, run_atom::value, nonce, proof, json, words);
      },
      [=, &st](challenge_atom) { return st.sessions->challenge(); },
      [=, &st](login_atom, const login_identity& who, const std::string& nonce,
               const std::string& proof) -> caf::result<std::string> {
        std::string why;
        auto token = st.sessions->login({who.role, who.name, who.guid}, nonce, proof, why);
        if (!token) {
          log::warn(component,
                    "refused " + who.role + " '" + who.name + "' (" + who.guid + "): " + why);
          return to_caf({errc::unauthenticated, "refused by " + st.args.node_name + ": " + why});
        }
        log::info(component, who.role + " '" + who.name + "' logged in");
        return *token;
      },
      [=, &st](register_atom, const std::string& token, const peer_hello& hello,
               const member_actor& member) -> caf::result<uint64_t> {
        auto who = caller(self, token);
        if (!who) return to_caf(who.err());
        if (!st.args.master) return to_caf(not_here(self, "cluster master"));
        if (who->role != "peer") return to_caf({errc::invalid_argument, "only peers register"});
        return self->delegate(st.args.master, register_atom::value,
                              login_identity{who->role, who->name, who->guid}, hello, member);
      },
      [=, &st](heartbeat_atom, const std::string& token,
               const peer_report& report) -> caf::result<heartbeat_reply> {
        auto who = caller(self, token);
        if (!who) return to_caf(who.err());
        if (!st.args.master) return to_caf(not_here(self, "cluster master"));
        return self->delegate(st.args.master, heartbeat_atom::value, who->guid, report);
      },
      [=, &st](targets_atom, const std::string& token, const std::string& index, uint64_t id,
               const std::vector<std::string>& avoid) -> caf::result<std::vector<target_info>> {
        auto who = caller(self, token);
        if (!who) return to_caf(who.err());
        if (!st.args.master) return to_caf(not_here(self, "cluster master"));
        return self->delegate(st.args.master, targets_atom::value, who->guid, index, id, avoid);
      },
      [=, &st](offline_atom, const std::string& token,
               bool enforce_counts) -> caf::result<ok_atom> {
        auto who = caller(self, token);
        if (!who) return to_caf(who.err());
        if (!st.args.master) return to_caf(not_here(self, "cluster master"));
        return self->delegate(st.args.master, offline_atom::value, who->guid, enforce_counts);
      },
      [=, &st](generation_atom, const std::string& token) -> caf::result<generation_info> {
        auto who = caller(self, token);
        if (!who) return to_caf(who.err());
        if (!st.args.master) return to_caf(not_here(self, "cluster master"));
        return self->delegate(st.args.master, generation_atom::value);
      },
      [=, &st](bundle_atom, const std::string& token) -> caf::result<config::config_bundle> {
        auto who = caller(self, token);
        if (!who) return to_caf(who.err());
        if (!st.args.master) return to_caf(not_here(self, "cluster master"));
        return self->delegate(st.args.master, bundle_atom::value);
      },
      [=, &st](search_atom, const std::string& token, const search_request& request)
          -> caf::result<remote_cursor_actor, std::string, std::string> {
        auto who = caller(self, token);
        if (!who) return to_caf(who.err());
        if (!st.args.search) return to_caf(not_here(self, "cluster peer"));
        return self->delegate(st.args.search, search_atom::value, request);
      },
      [=, &st](delete_atom, const std::string& token, const std::string& bucket,
               const std::string& ordinals) -> caf::result<ok_atom> {
        auto who = caller(self, token);
        if (!who) return to_caf(who.err());
        if (!st.args.search) return to_caf(not_here(self, "cluster peer"));
        if (who->role != "search_head")
          return to_caf({errc::invalid_argument, "only search heads delete"});
        return self->delegate(st.args.search, delete_atom::value, bucket, ordinals);
      },
  };
}

}  // namespace

door_actor spawn_door(caf::actor_system& sys, door_args args) {
  return sys.spawn(door, std::move(args));
}

}  // namespace kura::actors
