// Small strong types for the ids and quantities that actor messages and bucket
// code pass around, so that a bucket id is never mistaken for a byte count.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace kura {

/// A bucket's local id: allocated by the index that created the original copy,
/// monotonic per index (also across `clean eventdata`), the same on every copy.
struct bucket_id {
  uint64_t value = 0;
  auto operator<=>(const bucket_id&) const = default;
};

/// Event time: microseconds since the Unix epoch, UTC (the `_time` field).
using time_us = int64_t;

constexpr time_us us_per_sec = 1'000'000;

/// Seconds since the epoch of a time, rounded down (bucket names use seconds).
constexpr int64_t to_epoch_seconds(time_us t) {
  return t >= 0 ? t / us_per_sec : -((-t + us_per_sec - 1) / us_per_sec);
}

/// Megabytes as Splunk counts them (MB = 1024 * 1024 bytes).
constexpr uint64_t mb_to_bytes(uint64_t mb) { return mb * 1024 * 1024; }

}  // namespace kura

template <>
struct std::hash<kura::bucket_id> {
  size_t operator()(kura::bucket_id id) const { return std::hash<uint64_t>{}(id.value); }
};
