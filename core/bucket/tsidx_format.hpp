// Constants shared by the index.tsidx writer (index_builder) and reader
// (bucket_reader). See FORMAT.md in this folder.
#pragma once

#include <cstdint>
#include <string_view>

namespace kura::tsidx_format {

/// Version 2 (written): each dictionary block is one zstd frame of its entries.
constexpr std::string_view header_magic{"KURATSX2", 8};
/// Version 1 (read only): dictionary blocks of plain entries, 64 terms each.
constexpr std::string_view header_magic_v1{"KURATSX1", 8};
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
/// Separates key and value in the terms that index metadata and indexed fields
/// ("host|web1"). "|" is a major breaker, so no term of _raw can contain it and
/// a field term never collides with a word of the text.
constexpr std::string_view field_separator{"|"};

}  // namespace kura::tsidx_format
