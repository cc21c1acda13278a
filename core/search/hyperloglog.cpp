// HyperLogLog: sparse exact hashes, then registers; Ertl's estimator.
#include "core/search/hyperloglog.hpp"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>

#include "core/util/coding.hpp"

namespace kura::search {
namespace {

// sigma and tau of Ertl (2017), section 4: the corrections for registers that
// are still zero (sigma) and registers at the maximum (tau).
double sigma(double x) {
  if (x == 1) return std::numeric_limits<double>::infinity();
  double y = 1, z = x;
  for (;;) {
    x *= x;
    double before = z;
    z += x * y;
    y += y;
    if (z == before) return z;
  }
}

double tau(double x) {
  if (x == 0 || x == 1) return 0;
  double y = 1, z = 1 - x;
  for (;;) {
    x = std::sqrt(x);
    double before = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
    if (z == before) return z / 3;
  }
}

}  // namespace

void hyperloglog::add(std::string_view item) { add_hash(XXH3_64bits(item.data(), item.size())); }

void hyperloglog::add_hash(uint64_t h) {
  if (!dense_.empty()) {
    set_register(h);
    return;
  }
  auto it = std::lower_bound(sparse_.begin(), sparse_.end(), h);
  if (it != sparse_.end() && *it == h) return;
  sparse_.insert(it, h);
  if (sparse_.size() > sparse_limit) to_dense();
}

void hyperloglog::set_register(uint64_t h) {
  size_t index = size_t(h >> (64 - precision));
  uint64_t rest = h << precision;
  uint8_t rank = rest == 0 ? max_register : uint8_t(std::countl_zero(rest) + 1);
  dense_[index] = std::max(dense_[index], rank);
}

void hyperloglog::to_dense() {
  dense_.assign(registers, 0);
  for (uint64_t h : sparse_) set_register(h);
  sparse_.clear();
  sparse_.shrink_to_fit();
}

void hyperloglog::merge(const hyperloglog& other) {
  if (other.dense_.empty()) {
    for (uint64_t h : other.sparse_) add_hash(h);
    return;
  }
  if (dense_.empty()) to_dense();
  for (size_t i = 0; i < registers; ++i) dense_[i] = std::max(dense_[i], other.dense_[i]);
}

double hyperloglog::estimate() const {
  if (dense_.empty()) return double(sparse_.size());
  std::array<double, max_register + 1> histogram{};
  for (uint8_t r : dense_) ++histogram[r];
  const double m = double(registers);
  double z = m * tau(1 - histogram[max_register] / m);
  for (int k = max_register - 1; k >= 1; --k) z = 0.5 * (z + histogram[size_t(k)]);
  z += m * sigma(histogram[0] / m);
  constexpr double alpha_inf = 0.5 / 0.69314718055994530942;  // 1 / (2 ln 2)
  return std::round(alpha_inf * m * m / z);
}

void hyperloglog::encode(std::string& out) const {
  if (!dense_.empty()) {
    out.push_back(2);
    out.append(reinterpret_cast<const char*>(dense_.data()), dense_.size());
  } else if (!sparse_.empty()) {
    out.push_back(1);
    coding::put_varint(out, sparse_.size());
    for (uint64_t h : sparse_) coding::put_fixed64(out, h);
  } else {
    out.push_back(0);
  }
}

result<hyperloglog> hyperloglog::decode(std::string_view& in) {
  auto corrupt = [](const std::string& what) {
    return error{errc::corruption, "estdc sketch: " + what};
  };
  coding::reader r{in};
  uint8_t mode = 0;
  if (!r.byte(mode)) return corrupt("no mode byte");
  hyperloglog h;
  if (mode == 1) {
    uint64_t n = 0;
    if (!r.varint(n) || n == 0 || n > sparse_limit || n * 8 > r.remaining())
      return corrupt("bad hash count");
    h.sparse_.reserve(size_t(n));
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t v = 0;
      r.fixed64(v);
      if (!h.sparse_.empty() && !(h.sparse_.back() < v)) return corrupt("hashes out of order");
      h.sparse_.push_back(v);
    }
  } else if (mode == 2) {
    std::string_view regs;
    if (!r.bytes(registers, regs)) return corrupt("short registers");
    h.dense_.assign(regs.begin(), regs.end());
    for (uint8_t v : h.dense_)
      if (v > max_register) return corrupt("register out of range");
  } else if (mode != 0) {
    return corrupt("unknown mode " + std::to_string(mode));
  }
  in.remove_prefix(in.size() - r.remaining());
  return h;
}

}  // namespace kura::search
