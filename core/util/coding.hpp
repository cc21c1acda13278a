// Byte encodings shared by the on-disk formats: little-endian fixed-width
// integers, LEB128 varints, zigzag, and a bounds-checked reader for untrusted bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace kura::coding {

inline void put_fixed32(std::string& out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = char((v >> (8 * i)) & 0xff);
  out.append(b, 4);
}

inline void put_fixed64(std::string& out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = char((v >> (8 * i)) & 0xff);
  out.append(b, 8);
}

/// Requires: `p` points to at least 4 readable bytes.
inline uint32_t get_fixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | uint8_t(p[i]);
  return v;
}

/// Requires: `p` points to at least 8 readable bytes.
inline uint64_t get_fixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | uint8_t(p[i]);
  return v;
}

inline void put_varint(std::string& out, uint64_t v) {
  char b[10];
  int n = 0;
  while (v >= 0x80) {
    b[n++] = char((v & 0x7f) | 0x80);
    v >>= 7;
  }
  b[n++] = char(v);
  out.append(b, size_t(n));
}

inline uint64_t zigzag(int64_t v) { return (uint64_t(v) << 1) ^ uint64_t(v >> 63); }
inline int64_t unzigzag(uint64_t v) { return int64_t(v >> 1) ^ -int64_t(v & 1); }

inline void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

/// Reads values from untrusted bytes. Every getter returns false (and leaves the
/// reader failed) instead of reading past the end; callers check `ok()` once.
class reader {
 public:
  explicit reader(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) return fail();
      uint8_t b = uint8_t(*p_++);
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return fail();
  }
  bool fixed32(uint32_t& v) {
    if (remaining() < 4) return fail();
    v = get_fixed32(p_);
    p_ += 4;
    return true;
  }
  bool fixed64(uint64_t& v) {
    if (remaining() < 8) return fail();
    v = get_fixed64(p_);
    p_ += 8;
    return true;
  }
  bool byte(uint8_t& v) {
    if (p_ >= end_) return fail();
    v = uint8_t(*p_++);
    return true;
  }
  bool bytes(size_t n, std::string_view& out) {
    if (remaining() < n) return fail();
    out = {p_, n};
    p_ += n;
    return true;
  }
  bool string(std::string_view& out) {
    uint64_t n;
    return varint(n) && bytes(size_t(n), out);
  }
  size_t remaining() const { return size_t(end_ - p_); }
  bool ok() const { return ok_; }
  bool at_end() const { return p_ == end_; }

 private:
  bool fail() {
    ok_ = false;
    p_ = end_;
    return false;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace kura::coding
