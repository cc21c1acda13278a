// A distinct-count sketch for estdc(): HyperLogLog with 2^14 registers.
//
// Why our own: Debian 12 packages no C or C++ HyperLogLog library (only a
// PostgreSQL extension, a Perl and a Go one; no Apache DataSketches), and the
// algorithm is small. Like HyperLogLog++ it starts sparse: up to 2,048 distinct
// 64-bit hashes (xxh3) are kept exactly, so small cardinalities are exact (a
// collision of 64-bit hashes aside); past that it turns into 16,384 one-byte
// registers (relative standard error 1.04/sqrt(16384) ≈ 0.8%). The dense
// estimate is Ertl's improved raw estimator ("New cardinality estimation
// algorithms for HyperLogLog sketches", 2017), which needs neither HLL++'s
// empirical bias tables nor a switch to linear counting. Sketches merge exactly:
// a merge equals the sketch of all the values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace kura::search {

class hyperloglog {
 public:
  static constexpr int precision = 14;
  static constexpr size_t registers = size_t(1) << precision;
  static constexpr size_t sparse_limit = registers / 8;  ///< hashes kept exactly before registers
  static constexpr uint8_t max_register = 64 - precision + 1;

  /// Adds one value.
  void add(std::string_view item);
  /// Adds what `other` saw.
  void merge(const hyperloglog& other);
  /// The estimated number of distinct values added (exact while sparse).
  double estimate() const;
  bool empty() const { return sparse_.empty() && dense_.empty(); }
  /// Bytes of the sketch on the heap (at most 16 KB: the dense registers).
  size_t heap_bytes() const { return sparse_.capacity() * sizeof(uint64_t) + dense_.capacity(); }

  /// The sketch as bytes: a mode byte (0 empty, 1 sparse, 2 dense), then for
  /// sparse a varint count and that many fixed64 hashes ascending, for dense
  /// the registers (one byte each, at most max_register).
  void encode(std::string& out) const;
  /// Reads what encode wrote from the front of `in`, advancing it. Errors:
  /// corruption naming what is wrong (unsorted hashes, a register out of range, short input).
  static result<hyperloglog> decode(std::string_view& in);

  bool operator==(const hyperloglog&) const = default;

 private:
  void add_hash(uint64_t h);
  void to_dense();
  void set_register(uint64_t h);

  std::vector<uint64_t> sparse_;  // sorted unique hashes while sparse
  std::vector<uint8_t> dense_;    // registers once dense (then sparse_ is empty)
};

}  // namespace kura::search
