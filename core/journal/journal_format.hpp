// Constants shared by the journal writer and reader. See FORMAT.md in this folder.
#pragma once

#include <cstdint>
#include <string_view>

namespace kura::journal_format {

/// The file starts with these 8 bytes, then a fixed32 version and a fixed32 0.
constexpr std::string_view file_magic{"KURAJRNL", 8};
constexpr uint32_t version = 1;
constexpr size_t file_header_size = 16;

/// Every slice starts with these 4 bytes.
constexpr std::string_view slice_magic{"KSLC", 4};
/// magic(4) payload_size(4) raw_size(4) event_count(4) first_ordinal(8) checksum(8).
constexpr size_t slice_header_size = 32;
/// Bytes of the header covered by the checksum (everything before the checksum).
constexpr size_t slice_checked_header = 24;

/// A slice is sealed once this many uncompressed record bytes are buffered.
constexpr size_t slice_target_raw = 64 * 1024;
/// Upper bound a reader accepts for one slice's sizes (rejects junk lengths).
constexpr uint32_t max_slice_bytes = 64u * 1024 * 1024;

/// Record flag bits: which of the optional parts follow the time delta.
constexpr uint8_t flag_host = 1;
constexpr uint8_t flag_source = 2;
constexpr uint8_t flag_sourcetype = 4;
constexpr uint8_t flag_fields = 8;
constexpr uint8_t known_flags = 15;

}  // namespace kura::journal_format
