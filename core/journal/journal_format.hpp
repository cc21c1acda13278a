// Constants shared by the journal writer and reader. See FORMAT.md in this folder.
#pragma once

#include <cstdint>
#include <string_view>

namespace kura::journal_format {

/// The file starts with these 8 bytes, then a fixed32 version and 4 more bytes.
constexpr std::string_view file_magic{"KURAJRNL", 8};
/// Version 1: Snappy slices only, bytes 12-15 reserved. Written for Snappy journals.
constexpr uint32_t version_snappy = 1;
/// Version 2: byte 12 is the journal's codec byte (below), bytes 13-15 are 0.
constexpr uint32_t version_codec = 2;
constexpr size_t file_header_size = 16;

/// Every slice starts with these 3 bytes, then its codec byte.
constexpr std::string_view slice_magic{"KSL", 3};
/// Codec bytes (slice header byte 3, version 2 file header byte 12).
constexpr char codec_snappy = 'C';
constexpr char codec_zstd = 'Z';
/// zstd of the first column layout (every column plain): the header codec of zstd journals
/// created on 2026-12-01 and before, which hold `T` and `Z` slices. Read, no longer written:
/// a reopened `T` journal is continued with `Z` slices (which every reader of `T` reads).
constexpr char codec_zstd_columns = 'T';
/// zstd of the column layout with column kinds (columns.hpp): the header codec of zstd
/// journals created since, which hold `K` and `Z` slices (layout_sample_bytes). A reader
/// that does not know `K` refuses such a journal as a whole instead of cutting it at its
/// first `K` slice. `Z` journals, written before the column layouts, are still read and a
/// reopened one is continued with `Z` slices.
constexpr char codec_zstd_column_kinds = 'K';
/// magic(3) codec(1) payload_size(4) raw_size(4) event_count(4) first_ordinal(8) checksum(8).
constexpr size_t slice_header_size = 32;
/// Bytes of the header covered by the checksum (everything before the checksum).
constexpr size_t slice_checked_header = 24;

/// A Snappy slice is sealed once this many uncompressed record bytes are buffered.
constexpr size_t slice_target_snappy = 64 * 1024;
/// A zstd slice is sealed once this many uncompressed record bytes are buffered.
constexpr size_t slice_target_zstd = 256 * 1024;
/// A column-layout slice is sealed once this many record bytes are buffered: columns gain
/// with length (first column layout, Apache lines: 256 KiB 18.9 % of raw, 1 MiB 16.6 %).
constexpr size_t slice_target_columns = 1024 * 1024;
/// A `K` journal writes each slice in columns (`K`) or rows (`Z`), whichever compresses
/// smaller on the slice's first this many record bytes: columns win on lines of one
/// shape (Apache access lines: 11.7 % of raw against 23.1 %), rows on mixed ones.
constexpr size_t layout_sample_bytes = 64 * 1024;
/// The zstd level of journal slices (there is no setting for it).
constexpr int zstd_level = 1;
/// Upper bound a reader accepts for one slice's sizes (rejects junk lengths).
constexpr uint32_t max_slice_bytes = 64u * 1024 * 1024;

/// Record flag bits: which of the optional parts follow the time delta.
constexpr uint8_t flag_host = 1;
constexpr uint8_t flag_source = 2;
constexpr uint8_t flag_sourcetype = 4;
constexpr uint8_t flag_fields = 8;
constexpr uint8_t known_flags = 15;

}  // namespace kura::journal_format
