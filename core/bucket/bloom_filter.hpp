// The per-bucket bloom filter (file `bloomfilter`): proves a term is NOT in a
// bucket, so a search can skip it. False positives are possible, false
// negatives are not. Format: see FORMAT.md ("bloomfilter").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace kura {

class bloom_filter {
 public:
  /// Bits per distinct term and probes: 10 and 7 give about 1% false positives.
  static constexpr uint32_t bits_per_term = 10;
  static constexpr uint32_t probes = 7;

  /// An empty filter sized for `terms` distinct terms.
  static bloom_filter for_terms(uint64_t terms);
  /// Parses and checks a serialized filter. Errors: corruption.
  static result<bloom_filter> parse(std::string_view bytes);

  /// Adds a (lowercased) term.
  void add(std::string_view term);
  /// False only when `term` was certainly never added.
  bool may_contain(std::string_view term) const;
  /// The file bytes.
  std::string serialize() const;

 private:
  uint64_t bit_count_ = 0;
  std::vector<uint64_t> words_;
};

}  // namespace kura
