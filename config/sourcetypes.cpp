// TOML -> sourcetype_rules.
#include "config/sourcetypes.hpp"

#include <cstdio>

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

result<std::map<std::string, sourcetype_rules>> sourcetypes_from(const toml::table& doc,
                                                                 const std::string& file) {
  // Transforms first: sourcetypes refer to them by name.
  std::map<std::string, route_rule> transforms;
  auto transforms_err = each_table(
      doc, file, "transforms",
      [&](const std::string& name, const toml::table& node, const reader& rd) -> error {
        const std::string& section = rd.section;
        route_rule rule{name, {}, {}};
        bool has_regex = false, has_format = false;
        for (auto& [k, v] : node) {
          auto key = k.str();
          if (key == "REGEX") {
            if (auto err = rd.string(v, key, rule.regex)) return err;
            has_regex = true;
          } else if (key == "FORMAT") {
            if (auto err = rd.string(v, key, rule.index)) return err;
            has_format = true;
          } else if (key == "DEST_KEY") {
            std::string dest;
            if (auto err = rd.string(v, key, dest)) return err;
            if (dest != "_MetaData:Index")
              return expected(v, file, section, key, "\"_MetaData:Index\" (routing to an index)");
          } else {
            return expected(v, file, section, key, "one of REGEX, DEST_KEY, FORMAT");
          }
        }
        if (!has_regex || !has_format)
          return expected(node, file, section, has_regex ? "FORMAT" : "REGEX",
                          "a value (the key is required)");
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
              auto it = transforms.find(n);
              if (it == transforms.end())
                return expected(v, file, section, key,
                                "the name of a [transforms.NAME] section, not \"" + n + "\"");
              rules.routes.push_back(it->second);
            }
          } else {
            return expected(
                v, file, section, key,
                "one of LINE_BREAKER, SHOULD_LINEMERGE, BREAK_ONLY_BEFORE_DATE, MAX_EVENTS, "
                "TRUNCATE, TIME_PREFIX, "
                "TIME_FORMAT, MAX_TIMESTAMP_LOOKAHEAD, TZ, SEDCMD-<name>, TRANSFORMS-<name>");
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

result<std::map<std::string, sourcetype_rules>> parse_sourcetypes(std::string_view text,
                                                                  const std::string& file) {
  auto doc = detail::parse_document(text, file);
  if (!doc) return doc.err();
  return detail::sourcetypes_from(*doc, file);
}

}  // namespace kura::config
