// TOML -> sourcetype_rules.
#include "config/sourcetypes.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "config/toml_support.hpp"

namespace kura::config {
namespace detail {
namespace {
std::string format_bound(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}
}  // namespace

std::string where(const toml::node& n, const std::string& file) {
  auto& src = n.source();
  return file + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

error expected(const toml::node& n, const std::string& file, const std::string& section,
               std::string_view key, const std::string& what) {
  return {errc::invalid_argument,
          where(n, file) + ": [" + section + "] " + std::string{key} + ": expected " + what};
}

result<toml::table> parse_document(std::string_view text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return error{errc::invalid_argument, file + ":" + std::to_string(e.source().begin.line) + ":" +
                                             std::to_string(e.source().begin.column) + ": " +
                                             std::string{e.description()}};
  }
}

error reader::string(const toml::node& n, std::string_view key, std::string& out) const {
  if (!n.is_string()) return expected(n, file, section, key, "a string");
  out = *n.value<std::string>();
  return {};
}

error reader::boolean(const toml::node& n, std::string_view key, bool& out) const {
  if (!n.is_boolean()) return expected(n, file, section, key, "true or false");
  out = *n.value<bool>();
  return {};
}

error reader::integer(const toml::node& n, std::string_view key, int64_t& out, int64_t min,
                      int64_t max) const {
  auto v = n.value<int64_t>();
  if (!n.is_integer() || *v < min || *v > max)
    return expected(n, file, section, key,
                    "an integer from " + std::to_string(min) + " to " + std::to_string(max));
  out = *v;
  return {};
}

error reader::count(const toml::node& n, std::string_view key, size_t& out, int64_t max) const {
  int64_t v;
  if (auto err = integer(n, key, v, 0, max)) return err;
  out = size_t(v);
  return {};
}

error reader::number(const toml::node& n, std::string_view key, double& out, double min,
                     double max) const {
  auto v = n.value<double>();
  if (!(n.is_integer() || n.is_floating_point()) || !v || *v < min || *v > max)
    return expected(n, file, section, key,
                    "a number from " + format_bound(min) + " to " + format_bound(max));
  out = *v;
  return {};
}

error reader::strings(const toml::node& n, std::string_view key,
                      std::vector<std::string>& out) const {
  auto* arr = n.as_array();
  if (!arr) return expected(n, file, section, key, "a list of strings");
  out.clear();
  for (auto& item : *arr) {
    if (!item.is_string()) return expected(item, file, section, key, "a list of strings");
    out.push_back(*item.value<std::string>());
  }
  return {};
}

bool is_search_time_key(std::string_view key) {
  for (std::string_view prefix : {"EXTRACT-", "REPORT-", "FIELDALIAS-", "EVAL-"})
    if (key.size() > prefix.size() && key.substr(0, prefix.size()) == prefix) return true;
  return key == "KV_MODE";
}

result<search::field_rules_config> field_rules_from(const toml::table& doc,
                                                    const std::string& file) {
  search::field_rules_config out;
  std::map<std::string, const toml::node*> transform_nodes;
  auto transforms_err = each_table(
      doc, file, "transforms",
      [&](const std::string& name, const toml::table& node, const reader& rd) -> error {
        search::field_transform t;
        bool search_time = false;
        for (auto& [k, v] : node) {
          std::string key{k.str()};
          error err;
          if (key == "REGEX")
            err = rd.string(v, key, t.regex);
          else if (key == "FORMAT")
            err = rd.string(v, key, t.format);
          else if (key == "SOURCE_KEY")
            err = rd.string(v, key, t.source_key), search_time = true;
          else if (key == "FIELDS") {
            if (v.is_string()) {  // Splunk's form: "a, b, c"
              std::string list = *v.value<std::string>();
              std::replace(list.begin(), list.end(), ',', ' ');
              std::istringstream in{list};
              for (std::string f; in >> f;) t.fields.push_back(f);
            } else {
              err = rd.strings(v, key, t.fields);
            }
            search_time = true;
          } else if (key == "DELIMS") {
            if (v.is_string()) {
              t.delims = *v.value<std::string>();
            } else {  // a list of one or two sets
              std::vector<std::string> sets;
              err = rd.strings(v, key, sets);
              for (auto& set : sets) {
                std::string quoted = "\"";
                for (char c : set)
                  quoted += (c == '"' || c == '\\') ? std::string{'\\', c} : std::string{c};
                t.delims += (t.delims.empty() ? "" : ", ") + quoted + "\"";
              }
            }
            search_time = true;
          }
          if (err) return err;
        }
        if (auto err = search::check_transform(t); err && search_time)
          return error{errc::invalid_argument,
                       where(node, file) + ": [" + rd.section + "] " + err.message()};
        transform_nodes.emplace(name, &node);
        out.transforms.emplace(name, std::move(t));
        return {};
      });
  if (transforms_err) return transforms_err;
  auto index_rules =
      sourcetypes_from(doc, file);  // the index-time part (its errors are reported there)
  auto sourcetypes_err = each_table(
      doc, file, "sourcetypes",
      [&](const std::string& name, const toml::table& node, const reader& rd) -> error {
        const std::string& section = rd.section;
        search::sourcetype_fields st;
        bool timestamps = false;
        for (auto& [k, v] : node) {
          std::string key{k.str()};
          if (key == "TIME_PREFIX" || key == "TIME_FORMAT" || key == "MAX_TIMESTAMP_LOOKAHEAD" ||
              key == "TZ")
            timestamps = true;
          if (!is_search_time_key(key)) continue;
          std::string text;
          if (auto err = rd.string(v, key, text)) return err;
          auto bad = [&](const error& e) {
            return error{errc::invalid_argument,
                         where(v, file) + ": [" + section + "] " + key + ": " + e.message()};
          };
          auto cls = key.substr(key.find('-') + 1);
          if (key == "KV_MODE") {
            auto mode = search::parse_kv_mode(text);
            if (!mode) return bad(mode.err());
            st.kv = *mode;
          } else if (key.rfind("EXTRACT-", 0) == 0) {
            if (!text.empty())
              if (auto err = search::check_extract(text)) return bad(err);
            st.extracts[cls] = text;
          } else if (key.rfind("REPORT-", 0) == 0) {
            std::string list = text;
            std::replace(list.begin(), list.end(), ',', ' ');
            std::istringstream in{list};
            for (std::string t; in >> t;) {
              auto it = out.transforms.find(t);
              if (it == out.transforms.end() && !search::builtin_field_rules().transforms.count(t))
                return expected(v, file, section, key,
                                "the name of a [transforms.NAME] section, not \"" + t + "\"");
              if (it != out.transforms.end())
                if (auto err = search::check_transform(it->second))
                  return bad(
                      error{errc::invalid_argument, "[transforms." + t + "] " + err.message()});
            }
            st.reports[cls] = text;
          } else if (key.rfind("FIELDALIAS-", 0) == 0) {
            if (!text.empty())
              if (auto err = search::check_alias(text)) return bad(err);
            st.aliases[cls] = text;
          } else {
            if (!text.empty())
              if (auto err = search::check_eval(text)) return bad(err);
            st.evals[cls] = text;
          }
        }
        if (timestamps && index_rules &&
            index_rules->count(name))  // to find timestartpos and date_* again
          st.timestamps = index_rules->at(name).timestamps;
        out.sourcetypes.emplace(name, std::move(st));
        return {};
      });
  if (sourcetypes_err) return sourcetypes_err;
  // The whole set compiles (built-ins included): nothing is left to fail at the first search.
  if (auto compiled = search::field_rules::compile(out); !compiled)
    return error{errc::invalid_argument, file + ": " + compiled.err().message()};
  return out;
}

result<std::map<std::string, sourcetype_rules>> sourcetypes_from(const toml::table& doc,
                                                                 const std::string& file) {
  // Transforms first: sourcetypes refer to them by name.
  std::map<std::string, route_rule> transforms;
  std::map<std::string, error> incomplete;  // transforms without REGEX or FORMAT: not for routing
  auto transforms_err = each_table(
      doc, file, "transforms",
      [&](const std::string& name, const toml::table& node, const reader& rd) -> error {
        const std::string& section = rd.section;
        route_rule rule{name, {}, {}};
        bool has_regex = false, has_format = false;
        std::string search_only_key;  // DELIMS, FIELDS, SOURCE_KEY: a search-time transform
        for (auto& [k, v] : node) {
          auto key = k.str();
          if (key == "REGEX") {
            if (auto err = rd.string(v, key, rule.regex)) return err;
            has_regex = true;
          } else if (key == "FORMAT") {
            if (auto err = rd.string(v, key, rule.index)) return err;
            has_format = true;
          } else if (key == "DELIMS" || key == "FIELDS" || key == "SOURCE_KEY") {
            search_only_key = key;  // read by field_rules_from
          } else if (key == "DEST_KEY") {
            std::string dest;
            if (auto err = rd.string(v, key, dest)) return err;
            if (dest != "_MetaData:Index")
              return expected(v, file, section, key, "\"_MetaData:Index\" (routing to an index)");
          } else {
            return expected(v, file, section, key,
                            "one of REGEX, DEST_KEY, FORMAT, DELIMS, FIELDS, SOURCE_KEY");
          }
        }
        // Only a routing transform (used by TRANSFORMS-*) needs REGEX and FORMAT;
        // search-time transforms (REPORT-*) are checked by field_rules_from.
        if (!has_regex || !has_format) {
          incomplete.emplace(name, expected(node, file, section, has_regex ? "FORMAT" : "REGEX",
                                            "a value (the key is required)"));
          return {};
        }
        transforms.emplace(name, std::move(rule));
        return {};
      });
  if (transforms_err) return transforms_err;
  std::map<std::string, sourcetype_rules> out;
  auto sourcetypes_err = each_table(
      doc, file, "sourcetypes",
      [&](const std::string& name, const toml::table& node, const reader& rd) -> error {
        const std::string& section = rd.section;
        sourcetype_rules rules;
        for (auto& [k, v] : node) {
          std::string key{k.str()};
          error err;
          if (key == "LINE_BREAKER")
            err = rd.string(v, key, rules.line_breaker);
          else if (key == "SHOULD_LINEMERGE")
            err = rd.boolean(v, key, rules.should_linemerge);
          else if (key == "BREAK_ONLY_BEFORE_DATE")
            err = rd.boolean(v, key, rules.break_only_before_date);
          else if (key == "MAX_EVENTS")
            err = rd.count(v, key, rules.max_events, 100000);
          else if (key == "TRUNCATE")
            err = rd.count(v, key, rules.truncate, 100'000'000);
          else if (key == "TIME_PREFIX")
            err = rd.string(v, key, rules.timestamps.time_prefix);
          else if (key == "TIME_FORMAT")
            err = rd.string(v, key, rules.timestamps.time_format);
          else if (key == "MAX_TIMESTAMP_LOOKAHEAD")
            err = rd.count(v, key, rules.timestamps.max_timestamp_lookahead, 100000);
          else if (key == "TZ")
            err = rd.string(v, key, rules.timestamps.tz);
          else if (key.rfind("SEDCMD-", 0) == 0) {
            std::string text;
            err = rd.string(v, key, text);
            if (!err) {
              auto sed = sed_rule::parse(key.substr(7), text);
              if (!sed)
                err = {errc::invalid_argument,
                       where(v, file) + ": [" + section + "] " + sed.err().message()};
              else
                rules.sedcmds.push_back(std::move(*sed));
            }
          } else if (key.rfind("TRANSFORMS-", 0) == 0) {
            std::vector<std::string> names;
            if (v.is_string()) {
              names.push_back(*v.value<std::string>());
            } else if (auto* arr = v.as_array()) {
              for (auto& item : *arr) {
                if (!item.is_string())
                  return expected(item, file, section, key, "a transform name");
                names.push_back(*item.value<std::string>());
              }
            } else {
              return expected(v, file, section, key, "a transform name or a list of them");
            }
            for (auto& n : names) {
              if (auto bad = incomplete.find(n); bad != incomplete.end()) return bad->second;
              auto it = transforms.find(n);
              if (it == transforms.end())
                return expected(v, file, section, key,
                                "the name of a [transforms.NAME] section, not \"" + n + "\"");
              rules.routes.push_back(it->second);
            }
          } else if (is_search_time_key(key)) {
            continue;  // read by field_rules_from
          } else {
            return expected(
                v, file, section, key,
                "one of LINE_BREAKER, SHOULD_LINEMERGE, BREAK_ONLY_BEFORE_DATE, MAX_EVENTS, "
                "TRUNCATE, TIME_PREFIX, "
                "TIME_FORMAT, MAX_TIMESTAMP_LOOKAHEAD, TZ, SEDCMD-<name>, TRANSFORMS-<name>, "
                "KV_MODE, EXTRACT-<class>, REPORT-<class>, FIELDALIAS-<class>, EVAL-<field>");
          }
          if (err) return err;
        }
        // Compiling the rules checks every regex, the zone and the format now, not at the first
        // event.
        if (auto s = event_stream::open(rules, {}); !s)
          return error{errc::invalid_argument,
                       where(node, file) + ": [" + section + "] " + s.err().message()};
        out.emplace(name, std::move(rules));
        return {};
      });
  if (sourcetypes_err) return sourcetypes_err;
  return out;
}

}  // namespace detail

result<search::field_rules_config> parse_field_rules(std::string_view text,
                                                     const std::string& file) {
  auto doc = detail::parse_document(text, file);
  if (!doc) return doc.err();
  return detail::field_rules_from(*doc, file);
}

result<std::map<std::string, sourcetype_rules>> parse_sourcetypes(std::string_view text,
                                                                  const std::string& file) {
  auto doc = detail::parse_document(text, file);
  if (!doc) return doc.err();
  return detail::sourcetypes_from(*doc, file);
}

}  // namespace kura::config
