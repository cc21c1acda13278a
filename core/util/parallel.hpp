// Fork-join over a few threads, for the index's CPU-bound steps (parts of a
// batch written to several hot buckets, the halves of a roll's files).
#pragma once

#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

namespace kura::util {

/// Calls fn(0), …, fn(n - 1) at once, fn(0) on the calling thread and each
/// other on a thread of its own, and returns when all have. When no thread can
/// be started, the calling thread makes that call itself. `fn` must not throw.
template <class F>
void run_parallel(size_t n, F&& fn) {
  std::vector<std::jthread> threads;
  threads.reserve(n);
  for (size_t i = 1; i < n; ++i) {
    try {
      threads.emplace_back([&fn, i] { fn(i); });
    } catch (const std::system_error&) {
      fn(i);
    }
  }
  if (n > 0) fn(0);
}

}  // namespace kura::util
