// The node's identity on disk: $KURA_HOME/etc/instance.toml holds its GUID,
// made once on first start and never changed (Splunk's instance.cfg). Peers
// name their clustered buckets with it and the master knows them by it.
#pragma once

#include <string>

#include "core/error.hpp"
#include "core/io/file.hpp"

namespace kura::config {

/// Reads `guid = "…"` from `<home>/etc/instance.toml`, creating the file with
/// a new random GUID (uppercase 8-4-4-4-12 hex) when it does not exist.
/// Errors: io_error (cannot write), invalid_argument (the file exists but has
/// no valid guid: it is never overwritten).
result<std::string> load_or_create_guid(const io::fs::path& home);

}  // namespace kura::config
