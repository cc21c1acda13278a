// Checksums and term hashes, all from xxHash (XXH3): one place decides which
// function each format uses.
#pragma once

#include <cstdint>
#include <string_view>

namespace kura::hash {

/// The 64-bit checksum used by every kura file format (XXH3-64, seed 0).
uint64_t checksum64(std::string_view bytes);
/// Continues a checksum over a second piece: checksum64 of a+b without copying.
uint64_t checksum64(std::string_view a, std::string_view b);
/// The 32-bit checksum (low half of XXH3-64) used per posting list.
inline uint32_t checksum32(std::string_view bytes) { return uint32_t(checksum64(bytes)); }

}  // namespace kura::hash
