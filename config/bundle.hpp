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
//
// A bundle may also carry CSV lookup tables: master-apps/lookups/NAME.csv is
// the bundle file `lookups/NAME.csv`, checksummed and validated with the rest,
// installed as slave-apps/lookups/NAME.csv; `lookup` and `inputlookup` read
// them after the node's own etc/lookups (core/search/lookup.hpp). A search
// head fetches them from each master (install_bundle_lookups).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/node_config.hpp"
#include "core/error.hpp"
#include "core/io/file.hpp"

namespace kura::config {

/// Limits of a bundle: a TOML file, a lookup file, all files together, the number of files.
inline constexpr size_t max_toml_bytes = size_t(1) << 20;     // 1 MB
inline constexpr size_t max_lookup_bytes = size_t(16) << 20;  // 16 MB
inline constexpr size_t max_bundle_bytes = size_t(64) << 20;  // 64 MB
inline constexpr size_t max_bundle_files = 1000;

/// The directory of a bundle's lookup tables, and the prefix of their names.
inline constexpr const char* bundle_lookup_dir = "lookups";

struct bundle_file {
  /// A TOML file's name without directories (`indexes.toml`), or a lookup
  /// table's as `lookups/NAME.csv`.
  std::string name;
  std::string text;  ///< its TOML or CSV
};

/// Whether `f` is a lookup table (its name starts with `lookups/`).
bool is_lookup(const bundle_file& f);

struct config_bundle {
  /// 16 hex digits: XXH3 of every file's name and text, in name order; equal
  /// bundles have equal checksums. Empty for "no bundle".
  std::string checksum;
  std::vector<bundle_file> files;  ///< sorted by name
};

/// The checksum of `files` (sorted by name by the caller).
std::string bundle_checksum(const std::vector<bundle_file>& files);

/// Reads DIR/*.toml and DIR/lookups/*.csv (files directly in those; anything
/// else, hidden files included, is not part of the bundle). A missing DIR is an
/// empty bundle. Errors: io_error, invalid_argument (past a size limit above,
/// naming the file).
result<config_bundle> read_bundle(const io::fs::path& dir);

/// Replaces DIR with exactly the bundle's files (written beside it, then
/// renamed over it), durably. Errors: io_error, invalid_argument (a name with
/// another directory than `lookups/`, or starting with a dot).
error write_bundle(const config_bundle& bundle, const io::fs::path& dir);

/// The search head's copy of a master's bundle lookups: writes the lookup
/// tables of `bundle` (checksum and files as the master sent them) to
/// ROOT/<checksum>/lookups/ unless that directory is already there (a
/// directory is written beside and renamed, so it is complete or absent), then
/// removes ROOT's other entries but `keep` (the directory searches in flight
/// may still read). Returns ROOT/<checksum>/lookups. Errors: corruption (the
/// files do not match the checksum), invalid_argument (an empty checksum or
/// one that is not hex), io_error.
result<io::fs::path> install_bundle_lookups(const config_bundle& bundle, const io::fs::path& root,
                                            const std::string& keep);

/// What a bundle sets, resolved for one node's home.
struct bundle_settings {
  std::vector<index_config> indexes;  ///< all replicated
  std::vector<volume_config> volumes;
  std::map<std::string, sourcetype_rules> sourcetypes;
  search::field_rules_config search_fields;  ///< search-time keys, as the peers run them
  /// The [sourcetypes] and [transforms] tables as TOML, file by file: what
  /// compare_bundles looks at (compiled rules have no equality).
  std::string sourcetype_sections;
  /// Lookup table name (NAME.csv) -> checksum of its text.
  std::map<std::string, std::string> lookups;
};

/// Parses and validates every file of `bundle` for the node `local` (its home
/// resolves default paths). Errors (invalid_argument) name the file, line,
/// column, section and key: syntax, unknown keys, a section other than the
/// four, an index without repFactor = "auto", an index defined twice, an index
/// the peer's own file also defines (other than the built-in ones, whose
/// settings the bundle may set), or a peer-local index with repFactor = "auto".
/// Lookup tables: a name that is not a lookup name ending in .csv, a file
/// past max_lookup_bytes (or the bundle past max_bundle_bytes), a CSV that does
/// not parse or has no header (errors name the file and the CSV line).
result<bundle_settings> parse_bundle(const config_bundle& bundle, const node_config& local);

/// `local` with the bundle's settings added: the bundle's definition of an
/// index replaces the local one; built-in indexes are replicated on a peer.
node_config with_bundle(node_config local, const bundle_settings& bundle);

/// What moving from the settings of `before` to those of `after` takes on a
/// running peer: nothing, adding the new indexes or changed lookup tables
/// live, or a restart (an index's settings changed or it left the bundle, a
/// volume or sourcetype changed).
enum class bundle_change { none, live, restart };
bundle_change compare_bundles(const bundle_settings& before, const bundle_settings& after);

/// "live" | "restart" | "none"
const char* to_string(bundle_change c);

}  // namespace kura::config
