// Constants shared by the index.tsidx writer (index_builder) and reader
// (bucket_reader). See FORMAT.md in this folder.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace kura::tsidx_format {

/// Version 3 (written): as version 2, and a list not inline may be a zstd frame of
/// its Roaring bytes or of its deltas (an entry's count field holds `events << 2 |
/// encoding`), each slice's run of the time column is a zstd frame, and rare terms
/// are in per-slice filters instead of the dictionary (may_be_left_out).
constexpr std::string_view header_magic{"KURATSX3", 8};
/// Version 2 (read only): each dictionary block is one zstd frame of its entries;
/// count fields are `events << 1 | is_bitmap`; bitmaps and time runs are plain.
constexpr std::string_view header_magic_v2{"KURATSX2", 8};
/// Version 1 (read only): as version 2 with dictionary blocks of plain entries,
/// 64 terms each.
constexpr std::string_view header_magic_v1{"KURATSX1", 8};

/// How a version 3 dictionary entry stores its posting list (the low two bits of
/// its count field).
enum class posting_encoding : uint8_t {
  inline_list = 0,  ///< varint deltas in the entry
  bitmap = 1,       ///< Roaring bytes in the postings area
  bitmap_zstd = 2,  ///< a zstd frame of Roaring bytes in the postings area
  deltas_zstd = 3,  ///< a zstd frame of the inline list's varint deltas in the postings area
};
/// A list that is not inline is stored compressed (bitmap_zstd or deltas_zstd,
/// the smaller) when that is at most 7/8 of its Roaring bytes: decoding costs a
/// lookup more than a few bytes are worth.
constexpr uint64_t compressed_max_eighths = 7;
/// Lists of more events are not stored as deltas_zstd: decoding one costs about
/// 10 ns per event (a bitmap's next to nothing), and a lookup should stay under a
/// millisecond (kura-bench-storage).
constexpr uint64_t deltas_max_events = 65536;
/// Lists whose Roaring bytes are fewer than this are not tried with zstd (its
/// frame header alone is 6 bytes or more).
constexpr uint64_t compress_min_bytes = 256;
/// The zstd level of compressed lists and time runs.
constexpr int column_zstd_level = 1;
constexpr std::string_view trailer_magic{"KTSXEND1", 8};
/// fixed32 footer size, fixed64 footer checksum, 8-byte trailer magic.
constexpr size_t trailer_size = 20;
/// Terms per dictionary block (the reader takes each block's count from the footer).
constexpr uint32_t block_terms = 256;
/// The zstd level of dictionary blocks (level 3 gains nothing on them).
constexpr int block_zstd_level = 1;
/// Upper bound a reader accepts for a block's entries once uncompressed.
constexpr uint64_t max_block_bytes = 64u * 1024 * 1024;
/// Posting lists with at most this many events are always stored inline in the
/// dictionary as varint deltas. A longer list is stored whichever way is smaller:
/// inline, or as a Roaring bitmap in the postings area (bit 0 of the entry's
/// count field says which).
constexpr uint64_t inline_max = 8;
/// Lists longer than this are stored as Roaring bitmaps unless inline is less than
/// half the size: decoding tens of thousands of varints would cost a lookup more
/// than the bytes saved.
constexpr uint64_t long_list = 16384;
/// Bytes a Roaring reference costs in a dictionary entry (offset, size, checksum),
/// counted when choosing the smaller encoding.
constexpr uint64_t roaring_ref_bytes = 9;
/// Whether `text` is made only of hex digits, minor breakers and `*` (request ids,
/// hashes, numbers, addresses; `*` so that a glob can be asked).
inline bool rare_term_chars(std::string_view text) {
  static constexpr auto allowed = [] {
    std::array<bool, 256> t{};
    for (char c : std::string_view{"0123456789abcdef/:=@.-$#%\\_*"}) t[uint8_t(c)] = true;
    return t;
  }();
  for (char c : text)
    if (!allowed[uint8_t(c)]) return false;
  return true;
}

/// Whether a term seen in one event is left out of a version 3 dictionary (each
/// journal slice has a bloom filter of its left-out terms instead): a term made only
/// of hex digits and minor breakers (rare_term_chars), or a whole major segment with a
/// minor breaker in it ("static/css/site.0d6c41b4.css"), whose minor parts are terms of
/// their own, so that a word or a glob within one part never needs it. Field terms
/// ("source|/var/log/a.log") are never left out. Asked of a glob, whether it could
/// match a left-out term: a word's glob with any other character (`fail*`) cannot, so
/// its dictionary answer stays exact.
inline bool may_be_left_out(std::string_view text) {
  if (rare_term_chars(text)) return true;
  return text.find('|') == std::string_view::npos &&
         text.find_first_of("/:=@.-$#%\\_") != std::string_view::npos;
}

/// Separates key and value in the terms that index metadata and indexed fields
/// ("host|web1"). "|" is a major breaker, so no term of _raw can contain it and
/// a field term never collides with a word of the text.
constexpr std::string_view field_separator{"|"};

}  // namespace kura::tsidx_format
