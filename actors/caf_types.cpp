// kura::error <-> caf::error.
#include "actors/caf_types.hpp"

#include "actors/interfaces/door_actor.hpp"

namespace kura::actors {
namespace {
const caf::atom_value kura_category = caf::atom("kura");
}

caf::error to_caf(const error& e) {
  return caf::error{static_cast<uint8_t>(e.code()), kura_category, caf::make_message(e.message())};
}

error from_caf(const caf::error& e) {
  if (!e) return {};
  if (e.category() == kura_category) {
    std::string message;
    if (e.context().match_elements<std::string>()) message = e.context().get_as<std::string>(0);
    return {static_cast<errc>(e.code()), std::move(message)};
  }
  return {errc::io_error, caf::to_string(e)};
}

void register_kura_types(caf::actor_system_config& cfg) {
  cfg.add_error_category(kura_category,
                         [](uint8_t code, caf::atom_value, const caf::message& context) {
                           std::string text = to_string(static_cast<errc>(code));
                           if (context.match_elements<std::string>())
                             text += ": " + context.get_as<std::string>(0);
                           return text;
                         });
  // What crosses nodes (door, member, replication, search head), under fixed names.
  cfg.add_message_type<login_identity>("kura::login_identity");
  cfg.add_message_type<peer_hello>("kura::peer_hello");
  cfg.add_message_type<peer_report>("kura::peer_report");
  cfg.add_message_type<heartbeat_reply>("kura::heartbeat_reply");
  cfg.add_message_type<generation_info>("kura::generation_info");
  cfg.add_message_type<search_request>("kura::search_request");
  cfg.add_message_type<primacy_update>("kura::primacy_update");
  cfg.add_message_type<target_info>("kura::target_info");
  cfg.add_message_type<std::vector<target_info>>("kura::target_info_list");
  cfg.add_message_type<member_actor>("kura::member_actor");
  cfg.add_message_type<fixup_order>("kura::fixup_order");
  cfg.add_message_type<config::config_bundle>("kura::config_bundle");
  cfg.add_message_type<remote_cursor_actor>("kura::remote_cursor_actor");
}

void enable_connection_heartbeats(caf::actor_system_config& cfg) {
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(500)});
  cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(5)});
}

}  // namespace kura::actors
