// Freezing a bucket (cold -> frozen), as indexing.md §13 says: archive its
// journal to coldToFrozenDir, or else run coldToFrozenScript with the bucket
// path, or else log the bucket's name; then delete it from the index.
#pragma once

#include "core/error.hpp"
#include "core/index/index_config.hpp"
#include "core/io/file.hpp"

namespace kura {

/// Freezes the bucket in `dir` under `cfg`. coldToFrozenDir wins when both
/// are set; the archive holds only `rawdata/journal` (enough to thaw and rebuild).
/// A script that exits non-zero leaves the bucket in place (retried on the
/// next retention pass). Errors: io_error, script_failed.
error freeze_bucket(const io::fs::path& dir, const index_config& cfg);

}  // namespace kura
