// The [sourcetypes.NAME] and [transforms.NAME] sections of a node's TOML file:
// props.conf and transforms.conf, with Splunk's attribute names.
//
//   [sourcetypes.windows_snare_syslog]
//   SHOULD_LINEMERGE = false
//   TIME_FORMAT = "%b %d %H:%M:%S"
//   SEDCMD-mask = "s/\\d{4}-\\d{4}/XXXX-XXXX/g"
//   TRANSFORMS-index = "AppRedirect"            # or a list of transform names
//
//   [transforms.AppRedirect]
//   REGEX = "MSWinEventLog\\s+\\d+\\s+Application"
//   DEST_KEY = "_MetaData:Index"                 # the only destination kura supports
//   FORMAT = "applogindex"
//
// Search-time keys (core/search/field_rules.hpp; applied in Splunk's order):
//
//   [sourcetypes.shop]
//   KV_MODE = "none"                               # auto | json | none
//   EXTRACT-order = '^(?<order_id>\d+) (?<amount>\S+)'    # or '<regex> in <field>'
//   REPORT-kv = "shop_pairs"                       # transforms, comma-separated
//   FIELDALIAS-who = "user AS customer"
//   EVAL-cents = "amount * 100"
//
//   [transforms.shop_pairs]
//   DELIMS = '"|", "="'                            # or REGEX + FORMAT = "name::$1"
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/pipeline/event_stream.hpp"
#include "core/search/field_rules.hpp"

namespace kura::config {

/// Parses the sourcetype rules of a TOML document (other sections are left to
/// the rest of the config). Unknown keys and wrong types are errors naming
/// "<file>:<line>:<column>", the section, the key and what was expected.
/// Errors: invalid_argument.
result<std::map<std::string, sourcetype_rules>> parse_sourcetypes(std::string_view toml_text, const std::string& file);

/// Parses the search-time keys of the [sourcetypes.*] and [transforms.*]
/// sections (KV_MODE, EXTRACT-*, REPORT-*, FIELDALIAS-*, EVAL-*; transforms
/// with REGEX/FORMAT or DELIMS/FIELDS, SOURCE_KEY). Errors (invalid_argument)
/// name "<file>:<line>:<column>", the section and the key: a bad regex, an
/// unknown transform, a bad FIELDALIAS or EVAL expression.
result<search::field_rules_config> parse_field_rules(std::string_view toml_text,
                                                     const std::string& file);

}  // namespace kura::config
