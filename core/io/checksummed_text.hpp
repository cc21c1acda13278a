// Small state files kept as text with a checksum line (the channel ledger, the
// forwarder's read positions): replaced atomically, checked when read.
//
//   <text lines…>
//   checksum <16 lowercase hex digits of XXH3-64 over the lines above>\n
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/io/file.hpp"

namespace kura::io {

/// Writes `text` and its checksum line atomically and durably. Errors: io_error.
error write_checksummed_text(const fs::path& path, std::string_view text);

/// The text of a file written by write_checksummed_text, nullopt when the file
/// does not exist. Errors: corruption (no or wrong checksum line), io_error.
result<std::optional<std::string>> read_checksummed_text(const fs::path& path);

}  // namespace kura::io
