// A bucket's cluster-wide identity, the same on every copy: index, local id and
// the GUID of the peer that created it (product.md §7, clustering.md §5.3).
//
//   <index>~<localid>~<origin guid>        e.g. "main~42~6A1F0C2E-3B1D-4E0A-9C5D-0123456789AB"
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace kura::cluster {

/// Names one bucket across the cluster; every copy of the bucket has the same key.
/// Ordered by index, then local id, then origin (the order of status documents).
struct bucket_key {
  /// The index the bucket belongs to; non-empty, no '~'.
  std::string index;
  /// The id the origin's index allocated for the bucket.
  bucket_id local_id;
  /// The GUID of the peer that created the bucket (holds the original copy); non-empty, no '~'.
  std::string origin;

  /// The cluster id "<index>~<localid>~<origin guid>" (e.g. "main~42~GUID").
  /// Requires: index and origin non-empty and without '~' (else parse would not read it back).
  std::string to_string() const;
  /// Reads a cluster id strictly: index of letters, digits, '_' and '-' (at most 255),
  /// id plain decimal digits (no sign, no leading zero except "0", fits 64 bits), origin
  /// of letters, digits, '_' and '-' (at most 64): both become parts of directory names.
  /// nullopt for anything else; parse(k.to_string()) == k for every valid key.
  static std::optional<bucket_key> parse(std::string_view text);

  auto operator<=>(const bucket_key&) const = default;
  bool operator==(const bucket_key&) const = default;
};

}  // namespace kura::cluster

/// Hash of a bucket key (for unordered containers), combining its three fields.
template <>
struct std::hash<kura::cluster::bucket_key> {
  size_t operator()(const kura::cluster::bucket_key& k) const {
    size_t h = std::hash<std::string>{}(k.index);
    h ^= std::hash<uint64_t>{}(k.local_id.value) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= std::hash<std::string>{}(k.origin) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
  }
};
