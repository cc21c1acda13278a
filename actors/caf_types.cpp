// kura::error <-> caf::error.
#include "actors/caf_types.hpp"

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
}

}  // namespace kura::actors
