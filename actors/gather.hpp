// gather: one request to each of n actors, one callback with every reply
// (or the first error) once all are in. For actors that must not block.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "actors/caf_types.hpp"

namespace kura::actors {

/// Replies of several requests, delivered together (in request order) or the first error.
template <class T>
struct collector {
  std::vector<T> values;
  size_t left = 0;
  error failed;
  std::function<void(result<std::vector<T>>)> done;
  void settle() {
    if (--left > 0) return;
    if (failed)
      done(failed);
    else
      done(std::move(values));
  }
};

/// Calls `send(i, on_value, on_error)` for i in [0, n) and `done` once every reply is in.
template <class T, class Send>
void gather(size_t n, Send send, std::function<void(result<std::vector<T>>)> done) {
  if (n == 0) return done(std::vector<T>{});
  auto c = std::make_shared<collector<T>>();
  c->values.resize(n);
  c->left = n;
  c->done = std::move(done);
  for (size_t i = 0; i < n; ++i)
    send(
        i,
        [c, i](T value) {
          c->values[i] = std::move(value);
          c->settle();
        },
        [c](caf::error& e) {
          if (!c->failed) c->failed = from_caf(e);
          c->settle();
        });
}

}  // namespace kura::actors
