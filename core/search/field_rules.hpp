// Search-time fields per sourcetype, as Splunk's props.conf and
// transforms.conf have them: EXTRACT-<class> (an inline regex with named
// groups), REPORT-<class> (transforms: REGEX with FORMAT, or DELIMS with
// FIELDS), KV_MODE (auto | json | none), FIELDALIAS-<class> and EVAL-<field>.
// They run in Splunk's search-time order: EXTRACT, REPORT, KV_MODE, FIELDALIAS,
// EVAL; within EXTRACT, REPORT and FIELDALIAS by class name (ASCII order).
// Built-in sourcetypes (access_combined, syslog, _json, kura_node) come first;
// a TOML stanza of the same name overrides them key by key, and an empty value
// switches a built-in class off.
//
// Which fields a rule writes: EXTRACT and REPORT never replace a field the
// row already has (the event's own fields, or an earlier rule's); KV_MODE
// adds only missing keys; FIELDALIAS replaces the destination (Splunk's AS);
// EVAL replaces its field, and every EVAL sees the row as it was before the
// EVALs (they do not see each other, as in Splunk).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/pipeline/timestamp.hpp"
#include "core/search/value.hpp"

namespace kura::search {

/// KV_MODE: auto = key=value pairs, and JSON when _raw is a JSON object;
/// json = JSON only; none = no automatic extraction.
enum class kv_mode : uint8_t { auto_, json, none };

/// "auto" | "json" | "none" (case-insensitive). Errors: invalid_argument.
result<kv_mode> parse_kv_mode(std::string_view text);

/// One [transforms.NAME] as REPORT-* uses it.
struct field_transform {
  std::string regex;   ///< REGEX: named groups, or $N groups for FORMAT
  std::string format;  ///< FORMAT: "name::$1 other::$2"; $N may also name a field
  std::string
      delims;  ///< DELIMS: `"pair delimiters"` or `"pair delimiters", "key/value delimiters"`
  std::vector<std::string> fields;  ///< FIELDS: names for the DELIMS values, in order
  std::string source_key;           ///< SOURCE_KEY: the field read (empty: _raw)
};

/// The search-time keys of one [sourcetypes.NAME] stanza, as written.
struct sourcetype_fields {
  std::optional<kv_mode> kv;  ///< KV_MODE (unset: auto)
  std::map<std::string, std::string>
      extracts;  ///< EXTRACT-<class> -> "<regex>" or "<regex> in <field>"
  std::map<std::string, std::string> reports;  ///< REPORT-<class> -> "transformA, transformB"
  std::map<std::string, std::string> aliases;  ///< FIELDALIAS-<class> -> "a AS b c AS d"
  std::map<std::string, std::string> evals;    ///< EVAL-<field> -> eval expression
  /// The index-time timestamp rules, used to find timestartpos/timeendpos and
  /// the date_* fields again at search time (unset: the automatic recognizer).
  std::optional<timestamp_rules> timestamps;
};

/// Every stanza of a node's configuration (without the built-ins).
struct field_rules_config {
  std::map<std::string, sourcetype_fields> sourcetypes;
  std::map<std::string, field_transform> transforms;
};

/// The built-in stanzas and transforms (access_combined, syslog, _json, kura_node).
const field_rules_config& builtin_field_rules();

// Checks of one key's value, so the configuration can name file:line. Each
// returns invalid_argument saying what is wrong (without the key's name).
error check_extract(
    std::string_view text);  ///< EXTRACT-*: a regex with named groups, optionally "in <field>"
error check_transform(const field_transform& t);  ///< a REGEX or DELIMS, its FORMAT
error check_alias(std::string_view text);         ///< FIELDALIAS-*: "a AS b …"
error check_eval(std::string_view text);          ///< EVAL-*: an eval expression

struct compiled_sourcetype;

/// The compiled rules of every sourcetype: built-ins, then `config` over them.
class field_rules {
 public:
  /// Compiles the built-ins with `config` layered over them. Errors:
  /// invalid_argument naming the sourcetype, the key and what is wrong (bad
  /// regex, unknown transform, bad FIELDALIAS or EVAL).
  static result<std::shared_ptr<const field_rules>> compile(const field_rules_config& config);
  /// The built-ins alone (compiled once).
  static std::shared_ptr<const field_rules> builtin();

  ~field_rules();
  /// The rules of a sourcetype: its stanza, or the defaults (KV_MODE auto).
  const compiled_sourcetype& of(std::string_view sourcetype) const;
  /// Fields whose values need not be words of _raw (EVAL and FIELDALIAS
  /// results, FORMAT constants): a search on them cannot use the term index.
  bool computed(std::string_view field) const { return computed_.count(std::string{field}) > 0; }

 private:
  field_rules();
  std::map<std::string, std::unique_ptr<compiled_sourcetype>, std::less<>> sourcetypes_;
  std::unique_ptr<compiled_sourcetype> defaults_;
  std::set<std::string> computed_;
};

/// The rules one search runs: per sourcetype, only the steps that can give a
/// field the search reads (a REPORT or EXTRACT whose fields are not read is
/// skipped; KV runs only while a read field is still missing). Not thread-safe:
/// one per part of a search.
class field_extraction {
 public:
  /// `wanted`: the fields the search reads; nullopt = every field.
  field_extraction(std::shared_ptr<const field_rules> rules,
                   std::optional<std::vector<std::string>> wanted);
  ~field_extraction();
  field_extraction(field_extraction&&) noexcept;
  /// Adds the search-time fields of an event of `sourcetype` to `r`, which
  /// holds the event's own fields; `raw` is its _raw.
  void apply(std::string_view sourcetype, std::string_view raw, row& r);
  /// The sourcetype's timestamp rules for timestartpos and date_* (null: automatic).
  const timestamp_rules* timestamps(std::string_view sourcetype) const;

 private:
  struct selection;
  const selection& select(std::string_view sourcetype);
  std::shared_ptr<const field_rules> rules_;
  std::optional<std::set<std::string>> wanted_;
  std::unordered_map<std::string, std::unique_ptr<selection>> cache_;
  std::string last_name_;  // the sourcetype of the last event
  const selection* last_ = nullptr;
};

}  // namespace kura::search
