// Internal to config/: helpers shared by the section parsers. Includes toml++,
// so only config/*.cpp may include it (headers of config/ stay free of it).
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/io/file.hpp"
#include "core/pipeline/event_stream.hpp"
#include "core/search/field_rules.hpp"

namespace kura::config::detail {

/// "<file>:<line>:<column>" of a node.
std::string where(const toml::node& n, const std::string& file);

/// The error "<file>:<line>:<column>: [section] key: expected <what>".
error expected(const toml::node& n, const std::string& file, const std::string& section,
               std::string_view key, const std::string& what);

/// Parses TOML text; a syntax error names file, line and column.
result<toml::table> parse_document(std::string_view text, const std::string& file);

/// Typed reads of one value; each returns the `expected` error on a wrong type or range.
struct reader {
  const std::string& file;
  const std::string& section;
  error string(const toml::node& n, std::string_view key, std::string& out) const;
  error boolean(const toml::node& n, std::string_view key, bool& out) const;
  error integer(const toml::node& n, std::string_view key, int64_t& out, int64_t min,
                int64_t max) const;
  error count(const toml::node& n, std::string_view key, size_t& out, int64_t max) const;
  error number(const toml::node& n, std::string_view key, double& out, double min,
               double max) const;
  error strings(const toml::node& n, std::string_view key, std::vector<std::string>& out) const;
};

/// Calls `fn(key, value, reader)` for every key of the section [name] (if
/// present), stopping at the first error.
template <class F>
error each_key(const toml::table& doc, const std::string& file, const std::string& name, F&& fn) {
  auto* n = doc.get(name);
  if (!n || !n->as_table()) return {};
  reader rd{file, name};
  for (auto& [k, v] : *n->as_table())
    if (auto err = fn(std::string{k.str()}, v, rd)) return err;
  return {};
}

/// Calls `fn(name, table, reader)` for every [section.NAME] table (if the
/// section is present), stopping at the first error; the reader names
/// "section.NAME". A section or entry that is not a table is an error.
template <class F>
error each_table(const toml::table& doc, const std::string& file, const std::string& section,
                 F&& fn) {
  auto* n = doc.get(section);
  if (!n) return {};
  if (!n->is_table())
    return expected(*n, file, section, section, "a table of [" + section + ".NAME] sections");
  for (auto& [key, node] : *n->as_table()) {
    std::string name{key.str()}, sub = section + "." + name;
    if (!node.is_table()) return expected(node, file, sub, name, "a table");
    if (auto err = fn(name, *node.as_table(), reader{file, sub})) return err;
  }
  return {};
}

/// Reads a configuration file and parses it with `parse(text, file name,
/// $KURA_HOME)`. Errors: not_found, io_error, and those of `parse`.
template <class Parse>
auto load_file(const io::fs::path& file, Parse parse)
    -> decltype(parse(std::string_view{}, std::string{}, std::string{})) {
  auto text = io::read_file(file);
  if (!text) return text.err();
  const char* env = std::getenv("KURA_HOME");
  return parse(*text, file.string(), env ? env : "");
}

/// The [sourcetypes.*] and [transforms.*] sections of a parsed document.
result<std::map<std::string, sourcetype_rules>> sourcetypes_from(const toml::table& doc,
                                                                 const std::string& file);

/// KV_MODE, EXTRACT-*, REPORT-*, FIELDALIAS-*, EVAL-*: the search-time keys
/// of a [sourcetypes.NAME] section (sourcetypes_from leaves them alone).
bool is_search_time_key(std::string_view key);

/// The search-time part of the [sourcetypes.*] and [transforms.*] sections,
/// checked (every regex, transform name, alias and eval expression; errors
/// name file:line:column, the section and the key).
result<search::field_rules_config> field_rules_from(const toml::table& doc,
                                                    const std::string& file);

}  // namespace kura::config::detail
