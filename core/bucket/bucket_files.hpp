// The fixed file names inside a bucket directory; the one place they are spelled.
// See FORMAT.md in this folder for what each file holds.
#pragma once

namespace kura::bucket_files {

/// Directory of the raw data journal (Splunk's name).
constexpr const char* rawdata_dir = "rawdata";
/// The journal itself, below rawdata_dir. The whole of a non-searchable copy.
constexpr const char* journal = "journal";
/// Term dictionary, posting lists, slice table and time column.
constexpr const char* tsidx = "index.tsidx";
/// Per-bucket summary and host/source/sourcetype metadata (FlatBuffers).
/// Written last: its presence means the index files are complete.
constexpr const char* manifest = "bucket.manifest";
/// The bloom filter over the bucket's terms, written when a bucket rolls to warm.
constexpr const char* bloomfilter = "bloomfilter";
/// Ordinals of events marked by `| delete` (a Roaring bitmap and a checksum).
/// Not an index file: rebuild keeps it; an archive (journal only) does not.
constexpr const char* deletes = "deletes";

}  // namespace kura::bucket_files
