// "host:port" strings.
#include "actors/cluster/host_port.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

error probe_tcp(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
  auto fail = [&](const std::string& why) {
    return error{errc::unavailable,
                 "cannot connect to " + host + ":" + std::to_string(port) + ": " + why};
  };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    return fail(::gai_strerror(rc));
  std::string why = "no address";
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto* a = found; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    int err = 0;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLOUT, 0};
        int n = ::poll(&p, 1, int(std::max<int64_t>(left.count(), 0)));
        socklen_t len = sizeof err;
        if (n == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        if (n == 0) err = ETIMEDOUT;
        if (n < 0) err = errno;
      }
    }
    ::close(fd);
    ::freeaddrinfo(found);
    if (err == 0) return {};
    why = err == ETIMEDOUT ? "no answer within " + std::to_string(timeout.count()) + " ms"
                           : std::string{std::strerror(err)};
    return fail(why);  // the first address decides (as the middleman's connect would)
  }
  ::freeaddrinfo(found);
  return fail(why);
}

}  // namespace kura::actors
