// The configuration bundle (product.md §7, clustering.md §17-18): index,
// volume, sourcetype and transform sections the master distributes to every
// peer. On the master the operator edits $KURA_HOME/etc/master-apps/*.toml;
// `kura apply cluster-bundle` has every peer validate it, then each installs
// it in $KURA_HOME/etc/slave-apps/ (replacing the previous bundle whole) and
// applies it: new indexes at once, other changes by a restart.
//
// A bundle is a set of TOML files in the node file's syntax, limited to
// [indexes.*], [volumes.*], [sourcetypes.*] and [transforms.*]. Each file is
// read on its own: an index that uses a volume names a volume of its file.
// Index paths left out default under each peer's home. Every index a bundle
// defines is replicated and must say so (`repFactor = "auto"`, §17.5).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/node_config.hpp"
#include "core/error.hpp"
#include "core/io/file.hpp"

namespace kura::config {

struct bundle_file {
  std::string name;  ///< file name, no directories (`indexes.toml`)
  std::string text;  ///< its TOML
};

struct config_bundle {
  /// 16 hex digits: XXH3 of every file's name and text, in name order; equal
  /// bundles have equal checksums. Empty for "no bundle".
  std::string checksum;
  std::vector<bundle_file> files;  ///< sorted by name
};

/// The checksum of `files` (sorted by name by the caller).
std::string bundle_checksum(const std::vector<bundle_file>& files);

/// Reads DIR/*.toml (files directly in DIR; anything else is not part of the
/// bundle). A missing DIR is an empty bundle. Errors: io_error,
/// invalid_argument (a file over 1 MB or more than 1000 files).
result<config_bundle> read_bundle(const io::fs::path& dir);

/// Replaces DIR with exactly the bundle's files (written beside it, then
/// renamed over it), durably. Errors: io_error.
error write_bundle(const config_bundle& bundle, const io::fs::path& dir);

/// What a bundle sets, resolved for one node's home.
struct bundle_settings {
  std::vector<index_config> indexes;  ///< all replicated
  std::vector<volume_config> volumes;
  std::map<std::string, sourcetype_rules> sourcetypes;
  search::field_rules_config search_fields;  ///< search-time keys, as the peers run them
  /// The [sourcetypes] and [transforms] tables as TOML, file by file: what
  /// compare_bundles looks at (compiled rules have no equality).
  std::string sourcetype_sections;
};

/// Parses and validates every file of `bundle` for the node `local` (its home
/// resolves default paths). Errors (invalid_argument) name the file, line,
/// column, section and key: syntax, unknown keys, a section other than the
/// four, an index without repFactor = "auto", an index defined twice, an index
/// the peer's own file also defines (other than the built-in ones, whose
/// settings the bundle may set), or a peer-local index with repFactor = "auto".
result<bundle_settings> parse_bundle(const config_bundle& bundle, const node_config& local);

/// `local` with the bundle's settings added: the bundle's definition of an
/// index replaces the local one; built-in indexes are replicated on a peer.
node_config with_bundle(node_config local, const bundle_settings& bundle);

/// What moving from the settings of `before` to those of `after` takes on a
/// running peer: nothing, adding the new indexes live, or a restart (an
/// index's settings changed or it left the bundle, a volume or sourcetype
/// changed).
enum class bundle_change { none, live, restart };
bundle_change compare_bundles(const bundle_settings& before, const bundle_settings& after);

/// "live" | "restart" | "none"
const char* to_string(bundle_change c);

}  // namespace kura::config
