// CSV lookup files: the tables of `lookup`, `inputlookup` and `outputlookup`,
// kept as NAME.csv in the node's own directory ($KURA_HOME/etc/lookups), read
// and written, and in the cluster bundle's directories (a peer's
// etc/slave-apps/lookups, a search head's copy of each master's), read only,
// after the node's own. No CSV library
// is linked into core (notes/dependencies.md), and the format is small, so
// this is a plain RFC 4180 reader and writer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/io/file.hpp"

namespace kura::search {

/// A CSV table: the header line and the records, each as long as the header.
struct csv_table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> records;
};

/// Parses RFC 4180 text: records end with CRLF or LF; a field in double quotes
/// may hold commas, line breaks and "" (one quote). The first record is the
/// header; shorter records are padded with empty fields. Errors:
/// invalid_argument (an unterminated quote, text after a closing quote, a
/// record longer than the header, an empty or duplicate header name), naming
/// the line.
result<csv_table> parse_csv(std::string_view text);

/// Renders `t` as RFC 4180 text with CRLF line ends, quoting fields that hold
/// a comma, a quote, a line break or leading/trailing space.
std::string render_csv(const csv_table& t);

/// The file of lookup `name` in `dir`: `name` or `name.csv`. Errors:
/// invalid_argument when `dir` is empty (no lookup directory configured) or
/// the name is not letters, digits, `_`, `-` and `.` (so no path leaves the
/// directory), starts with a dot, or is longer than 200 characters.
result<io::fs::path> lookup_file(const std::string& dir, std::string_view name);

/// Where a search finds lookup tables: `own` ($KURA_HOME/etc/lookups, where
/// outputlookup writes; empty: none), then `shared` in order (the bundle's,
/// read only).
struct lookup_dirs {
  std::string own;
  std::vector<std::string> shared;
};

/// The file lookup `name` is read from: the first of own/NAME.csv,
/// shared[0]/NAME.csv, … that exists. Errors: invalid_argument when there is
/// no directory at all, for a bad name (lookup_file), and when no directory
/// has the table (naming the places looked at).
result<io::fs::path> find_lookup(const lookup_dirs& dirs, std::string_view name);

/// Reads lookup `name` from the file find_lookup chooses. Errors: those of
/// find_lookup and parse_csv; io_error; invalid_argument past `max_records`.
result<csv_table> read_lookup(const lookup_dirs& dirs, std::string_view name, size_t max_records);

/// Replaces lookup `name` in `dir` (the node's own directory) atomically (a
/// temporary file renamed over it), creating the directory. Errors: those of
/// lookup_file; io_error.
error write_lookup(const std::string& dir, std::string_view name, const csv_table& t);

}  // namespace kura::search
