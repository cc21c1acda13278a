// Rendering of error codes.
#include "core/error.hpp"

namespace kura {

const char* to_string(errc code) {
  switch (code) {
    case errc::ok:
      return "ok";
    case errc::io_error:
      return "io_error";
    case errc::corruption:
      return "corruption";
    case errc::not_found:
      return "not_found";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::already_exists:
      return "already_exists";
    case errc::index_disabled:
      return "index_disabled";
    case errc::disk_full:
      return "disk_full";
    case errc::bad_state:
      return "bad_state";
    case errc::script_failed:
      return "script_failed";
    case errc::unavailable:
      return "unavailable";
    case errc::unauthenticated:
      return "unauthenticated";
    case errc::not_replicated:
      return "not_replicated";
  }
  return "unknown";
}

std::string error::render() const {
  if (!*this) return "ok";
  std::string out = to_string(code_);
  out.append(": ").append(message_);
  return out;
}

}  // namespace kura
