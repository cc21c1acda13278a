// Asking an actor and waiting for the answer, from a thread that is not an
// actor's (HTTP and shell threads, a detached actor). Include only from
// actors' .cpp files (CAF).
#pragma once

#include <optional>

#include "actors/caf_types.hpp"

namespace kura::actors {

/// Sends one request through `self` and waits for its reply, at most `timeout`.
/// Errors: the actor's error, or io_error with CAF's rendering (a timeout).
template <class T, class Handle, class Timeout, class... Ts>
result<T> ask_and_wait(caf::scoped_actor& self, const Handle& to, Timeout timeout,
                       Ts&&... message) {
  std::optional<result<T>> out;
  self->request(to, timeout, std::forward<Ts>(message)...)
      .receive([&](T& value) { out.emplace(std::move(value)); },
               [&](caf::error& e) { out.emplace(from_caf(e)); });
  return std::move(*out);
}

}  // namespace kura::actors
