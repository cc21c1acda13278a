// "host:port" strings.
#include "actors/cluster/host_port.hpp"

namespace kura::actors {

result<std::pair<std::string, uint16_t>> split_host_port(const std::string& uri) {
  auto colon = uri.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= uri.size() ||
      uri.size() - colon > 6 || uri.find_first_not_of("0123456789", colon + 1) != std::string::npos)
    return error{errc::invalid_argument, "expected \"host:port\", got \"" + uri + "\""};
  auto port = std::stoul(uri.substr(colon + 1));
  if (port == 0 || port > 65535)
    return error{errc::invalid_argument, "port out of range in \"" + uri + "\""};
  return std::pair{uri.substr(0, colon), uint16_t(port)};
}

std::string advertised(const std::string& bind, uint16_t port) {
  return (bind == "0.0.0.0" || bind.empty() ? std::string{"127.0.0.1"} : bind) + ":" +
         std::to_string(port);
}

}  // namespace kura::actors
