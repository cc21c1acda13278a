// Bloom filter with double hashing over XXH3-64.
#include "core/bucket/bloom_filter.hpp"

#include <xxhash.h>

#include "core/util/coding.hpp"
#include "core/util/hash.hpp"

namespace kura {
namespace {

constexpr std::string_view magic{"KBLOOM01", 8};
constexpr size_t header_size = 32;  // magic, probes, reserved, bit count, checksum

}  // namespace

bloom_filter bloom_filter::for_terms(uint64_t terms) {
  bloom_filter f;
  uint64_t bits = std::max<uint64_t>(64, terms * bits_per_term);
  f.words_.assign((bits + 63) / 64, 0);
  f.bit_count_ = f.words_.size() * 64;
  return f;
}

void bloom_filter::add(std::string_view term) {
  uint64_t h = XXH3_64bits(term.data(), term.size());
  uint64_t h1 = h, h2 = (h >> 32) | 1;
  for (uint32_t i = 0; i < probes; ++i) {
    uint64_t bit = (h1 + i * h2) % bit_count_;
    words_[bit / 64] |= uint64_t(1) << (bit % 64);
  }
}

bool bloom_filter::may_contain(std::string_view term) const {
  if (bit_count_ == 0) return true;
  uint64_t h = XXH3_64bits(term.data(), term.size());
  uint64_t h1 = h, h2 = (h >> 32) | 1;
  for (uint32_t i = 0; i < probes; ++i) {
    uint64_t bit = (h1 + i * h2) % bit_count_;
    if (!(words_[bit / 64] & (uint64_t(1) << (bit % 64)))) return false;
  }
  return true;
}

std::string bloom_filter::serialize() const {
  std::string bits;
  bits.reserve(words_.size() * 8);
  for (uint64_t w : words_) coding::put_fixed64(bits, w);
  std::string out{magic};
  coding::put_fixed32(out, probes);
  coding::put_fixed32(out, 0);
  coding::put_fixed64(out, bit_count_);
  coding::put_fixed64(out, hash::checksum64(bits));
  return out + bits;
}

result<bloom_filter> bloom_filter::parse(std::string_view bytes) {
  if (bytes.size() < header_size || bytes.substr(0, 8) != magic)
    return error{errc::corruption, "bloomfilter: bad magic or short file"};
  uint32_t k = coding::get_fixed32(bytes.data() + 8);
  uint64_t bits = coding::get_fixed64(bytes.data() + 16);
  uint64_t sum = coding::get_fixed64(bytes.data() + 24);
  auto body = bytes.substr(header_size);
  if (k != probes || coding::get_fixed32(bytes.data() + 12) != 0 || bits == 0 || bits % 64 != 0 ||
      body.size() != bits / 8)
    return error{errc::corruption, "bloomfilter: bad header (probes, reserved field or bit count) or size"};
  if (hash::checksum64(body) != sum) return error{errc::corruption, "bloomfilter: checksum mismatch"};
  bloom_filter f;
  f.bit_count_ = bits;
  f.words_.resize(bits / 64);
  for (size_t i = 0; i < f.words_.size(); ++i) f.words_[i] = coding::get_fixed64(body.data() + 8 * i);
  return f;
}

}  // namespace kura
