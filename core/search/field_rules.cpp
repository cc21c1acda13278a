// Search-time fields per sourcetype: compiling the props/transforms rules and
// running the ones a search needs.
#include "core/search/field_rules.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

#include "core/search/eval.hpp"
#include "core/search/fields.hpp"
#include "core/search/json_fields.hpp"
#include "core/search/parser.hpp"

namespace kura::search {

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t b = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > b) out.emplace_back(s.substr(b, i - b));
  }
  return out;
}

result<std::unique_ptr<re2::RE2>> compile_regex(std::string_view pattern, bool translated = false) {
  re2::RE2::Options o;
  o.set_log_errors(false);
  auto re =
      std::make_unique<re2::RE2>(translated ? std::string{pattern} : re2_named_groups(pattern), o);
  if (!re->ok()) return error{errc::invalid_argument, "invalid regular expression: " + re->error()};
  return re;
}

bool field_name_ok(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ||
          c == '{' || c == '}'))
      return false;
  return true;
}

/// Whether a regex can match only at the start of the text: it starts with ^,
/// has no alternative at its top level and no multi-line flag.
bool starts_anchored(std::string_view pattern) {
  if (pattern.empty() || pattern[0] != '^' || pattern.find("(?m") != std::string_view::npos ||
      pattern.find("(?sm") != std::string_view::npos)
    return false;
  int depth = 0;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') ++i;
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') ++i;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      return false;
    }
  }
  return true;
}

/// "<regex> in <field>" -> {regex, field}; without " in <field>": {text, "_raw"}.
std::pair<std::string, std::string> split_extract(std::string_view text) {
  auto t = trim(text);
  size_t sp = t.find_last_of(" \t");
  if (sp != std::string_view::npos) {
    auto field = t.substr(sp + 1);
    auto before = trim(t.substr(0, sp));
    if (before.size() > 3 && field_name_ok(field)) {
      size_t sp2 = before.find_last_of(" \t");
      if (sp2 != std::string_view::npos && lower(before.substr(sp2 + 1)) == "in")
        return {std::string{trim(before.substr(0, sp2))}, std::string{field}};
    }
  }
  return {std::string{t}, "_raw"};
}

/// Splunk's DELIMS: one or two quoted sets of characters; a value without
/// quotes is one set. Escapes: \t \n \" \\.
result<std::vector<std::string>> parse_delims(std::string_view text) {
  auto t = trim(text);
  std::vector<std::string> sets;
  if (t.empty()) return error{errc::invalid_argument, "DELIMS is empty"};
  if (t.front() != '"') return std::vector<std::string>{std::string{t}};
  size_t i = 0;
  while (i < t.size()) {
    if (t[i] != '"')
      return error{errc::invalid_argument, "DELIMS: expected a quoted set of characters"};
    std::string set;
    ++i;
    bool closed = false;
    while (i < t.size()) {
      char c = t[i++];
      if (c == '"') {
        closed = true;
        break;
      }
      if (c == '\\' && i < t.size()) {
        char e = t[i++];
        set += e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
      } else {
        set += c;
      }
    }
    if (!closed) return error{errc::invalid_argument, "DELIMS: a quoted set is not closed"};
    if (set.empty()) return error{errc::invalid_argument, "DELIMS: a set of delimiters is empty"};
    sets.push_back(std::move(set));
    while (i < t.size() && (std::isspace(static_cast<unsigned char>(t[i])) || t[i] == ',')) ++i;
  }
  if (sets.size() > 2)
    return error{errc::invalid_argument, "DELIMS: at most two sets (pairs, then key/value)"};
  return sets;
}

struct alias_rule {
  std::string from, to;
  bool only_new = false;  // ASNEW
};

result<std::vector<alias_rule>> parse_aliases(std::string_view text) {
  auto w = words(text);
  if (w.empty() || w.size() % 3 != 0)
    return error{errc::invalid_argument, "expected \"<field> AS <new name>\" (one or more)"};
  std::vector<alias_rule> out;
  for (size_t i = 0; i < w.size(); i += 3) {
    auto as = lower(w[i + 1]);
    if ((as != "as" && as != "asnew") || !field_name_ok(w[i]) || !field_name_ok(w[i + 2]))
      return error{errc::invalid_argument, "expected \"<field> AS <new name>\", got \"" + w[i] +
                                               " " + w[i + 1] + " " + w[i + 2] + "\""};
    out.push_back({w[i], w[i + 2], as == "asnew"});
  }
  return out;
}

void expr_inputs(const expr& e, std::set<std::string>& out) {
  if (e.type == expr::kind::field) out.insert(e.text);
  for (auto& a : e.args) expr_inputs(a, out);
}

}  // namespace

result<kv_mode> parse_kv_mode(std::string_view text) {
  auto t = lower(trim(text));
  if (t == "auto") return kv_mode::auto_;
  if (t == "json") return kv_mode::json;
  if (t == "none") return kv_mode::none;
  return error{errc::invalid_argument,
               "expected auto, json or none, not \"" + std::string{text} + "\""};
}

/// One EXTRACT, or one transform of a REPORT: a regex (or delimiters) over a field.
struct regex_step {
  struct piece {
    std::string literal;
    int group = -1;  // $N
  };
  struct item {
    std::vector<piece> name, value;
  };
  std::unique_ptr<re2::RE2> re;  // null for DELIMS
  std::string pattern;           // re's pattern (RE2 syntax)
  bool anchored = false;         // the pattern starts with ^ (and is not multi-line)
  std::string source = "_raw";
  std::vector<std::pair<std::string, int>> groups;  // named groups (no FORMAT)
  std::vector<item> items;                          // FORMAT
  bool dynamic = false;  // names come from the text: every match, or DELIMS pairs
  std::string pair_delims, kv_delims;
  std::vector<std::string> fields;  // DELIMS with FIELDS
  std::set<std::string> outputs;    // the names it can set (when not dynamic)
  int max_group = 0;                // the highest group FORMAT uses

  static std::string render(const std::vector<piece>& t, const re2::StringPiece* g, size_t count) {
    std::string out;
    for (auto& p : t) {
      if (p.group < 0)
        out += p.literal;
      else if (size_t(p.group) < count && g[size_t(p.group)].data())
        out.append(g[size_t(p.group)].data(), g[size_t(p.group)].size());
    }
    return out;
  }

  static void set_new(row& r, std::string_view name, std::string_view v) {
    if (!name.empty() && !r.get(name)) r.add(name, value{v});
  }

  /// Runs over `text`; `nsub` limits the groups captured (0: all).
  void run(std::string_view text, row& r, int nsub) const {
    if (!re) {
      run_delims(text, r);
      return;
    }
    int n = re->NumberOfCapturingGroups();
    if (nsub > 0 && nsub < n + 1) n = nsub - 1;
    re2::StringPiece small[16];  // no allocation per event for the usual regex
    std::vector<re2::StringPiece> big;
    if (n + 1 > 16) big.resize(size_t(n) + 1);
    re2::StringPiece* g = big.empty() ? small : big.data();
    size_t count = size_t(n) + 1;
    re2::StringPiece input{text.data(), text.size()};
    size_t pos = 0;
    while (pos <= text.size()) {
      // A regex that starts with ^ matches only at 0; saying so lets RE2 skip its
      // DFA pass and run the one-pass matcher directly.
      if (anchored && pos > 0) return;
      auto anchor = anchored ? re2::RE2::ANCHOR_START : re2::RE2::UNANCHORED;
      if (!re->Match(input, pos, text.size(), anchor, g, n + 1)) return;
      if (items.empty()) {
        for (auto& [name, index] : groups)
          if (index <= n && g[size_t(index)].data())
            set_new(r, name, {g[size_t(index)].data(), g[size_t(index)].size()});
      } else {
        for (auto& it : items) {
          auto name = render(it.name, g, count);
          auto v = render(it.value, g, count);
          if (field_name_ok(name) && !v.empty())
            set_new(r, name, v);  // a group that did not take part: no field
        }
      }
      if (!dynamic) return;
      size_t end = size_t(g[0].data() - text.data()) + g[0].size();
      pos = g[0].size() == 0 ? end + 1 : end;
    }
  }

  void run_delims(std::string_view text, row& r) const {
    auto unquote = [](std::string_view v) {
      v = trim(v);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    };
    std::vector<std::string_view> parts;
    size_t b = 0;
    for (size_t i = 0; i <= text.size(); ++i)
      if (i == text.size() || pair_delims.find(text[i]) != std::string::npos) {
        parts.push_back(text.substr(b, i - b));
        b = i + 1;
      }
    if (!fields.empty()) {
      for (size_t i = 0; i < fields.size() && i < parts.size(); ++i)
        set_new(r, fields[i], unquote(parts[i]));
      return;
    }
    for (auto p : parts) {
      size_t k = p.find_first_of(kv_delims);
      if (k == std::string_view::npos) continue;
      auto key = trim(p.substr(0, k));
      if (field_name_ok(key)) set_new(r, key, unquote(p.substr(k + 1)));
    }
  }
};

struct compiled_sourcetype {
  std::vector<regex_step>
      steps;  // EXTRACT-* by class, then REPORT-* by class (transforms in listed order)
  kv_mode kv = kv_mode::auto_;
  std::vector<alias_rule> aliases;
  struct eval_rule {
    std::string field;
    expr e;
    std::set<std::string> inputs;
  };
  std::vector<eval_rule> evals;
  std::optional<timestamp_rules> timestamps;
};

namespace {

result<regex_step> compile_extract(std::string_view text) {
  auto [pattern, source] = split_extract(text);
  auto re = compile_regex(pattern);
  if (!re) return re.err();
  regex_step s;
  s.re = std::move(*re);
  s.pattern = s.re->pattern();
  s.anchored = starts_anchored(s.pattern);
  s.source = source;
  for (auto& [name, index] : s.re->NamedCapturingGroups()) {
    s.groups.emplace_back(name, index);
    s.outputs.insert(name);
  }
  if (s.groups.empty())
    return error{errc::invalid_argument, "the regular expression has no (?<name>…) group"};
  return s;
}

result<std::vector<regex_step::piece>> parse_template(std::string_view t, int groups) {
  std::vector<regex_step::piece> out;
  size_t i = 0;
  while (i < t.size()) {
    if (t[i] == '$' && i + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[i + 1]))) {
      size_t j = i + 1;
      int n = 0;
      while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j])) && n < 1000)
        n = n * 10 + (t[j++] - '0');
      if (n < 1 || n > groups)
        return error{errc::invalid_argument, "FORMAT refers to $" + std::to_string(n) +
                                                 " but REGEX has " + std::to_string(groups) +
                                                 " group(s)"};
      out.push_back({{}, n});
      i = j;
    } else {
      if (out.empty() || out.back().group >= 0) out.push_back({});
      out.back().literal += t[i++];
    }
  }
  return out;
}

result<regex_step> compile_transform(const field_transform& t) {
  regex_step s;
  if (!t.source_key.empty()) s.source = t.source_key;
  if (!t.delims.empty()) {
    if (!t.regex.empty()) return error{errc::invalid_argument, "use REGEX or DELIMS, not both"};
    auto sets = parse_delims(t.delims);
    if (!sets) return sets.err();
    s.pair_delims = (*sets)[0];
    if (sets->size() == 2) s.kv_delims = (*sets)[1];
    s.fields = t.fields;
    if (s.fields.empty() && s.kv_delims.empty())
      return error{errc::invalid_argument,
                   "DELIMS with one set needs FIELDS (or give a key/value set too)"};
    for (auto& f : s.fields)
      if (!field_name_ok(f))
        return error{errc::invalid_argument, "FIELDS: \"" + f + "\" is not a field name"};
    s.outputs.insert(s.fields.begin(), s.fields.end());
    s.dynamic = s.fields.empty();
    return s;
  }
  if (t.regex.empty())
    return error{errc::invalid_argument, "a search-time transform needs REGEX or DELIMS"};
  if (!t.fields.empty()) return error{errc::invalid_argument, "FIELDS goes with DELIMS, not REGEX"};
  auto re = compile_regex(t.regex);
  if (!re) return re.err();
  s.re = std::move(*re);
  s.pattern = s.re->pattern();
  s.anchored = starts_anchored(s.pattern);
  int groups = s.re->NumberOfCapturingGroups();
  if (trim(t.format).empty()) {
    for (auto& [name, index] : s.re->NamedCapturingGroups()) {
      s.groups.emplace_back(name, index);
      s.outputs.insert(name);
    }
    if (s.groups.empty())
      return error{errc::invalid_argument, "REGEX has no (?<name>…) group and there is no FORMAT"};
    return s;
  }
  for (auto& w : words(t.format)) {
    auto sep = w.find("::");
    if (sep == std::string::npos || sep == 0)
      return error{errc::invalid_argument,
                   "FORMAT: expected <name>::<value> items, got \"" + w + "\""};
    auto name = parse_template(std::string_view{w}.substr(0, sep), groups);
    if (!name) return name.err();
    auto val = parse_template(std::string_view{w}.substr(sep + 2), groups);
    if (!val) return val.err();
    regex_step::item it{std::move(*name), std::move(*val)};
    bool literal_name = it.name.size() == 1 && it.name[0].group < 0;
    if (literal_name) {
      if (!field_name_ok(it.name[0].literal))
        return error{errc::invalid_argument,
                     "FORMAT: \"" + it.name[0].literal + "\" is not a field name"};
      s.outputs.insert(it.name[0].literal);
    } else {
      s.dynamic = true;
    }
    for (auto* t2 : {&it.name, &it.value})
      for (auto& p : *t2) s.max_group = std::max(s.max_group, p.group);
    s.items.push_back(std::move(it));
  }
  return s;
}

/// Whether an item's value is something other than one group's text (then
/// the field's value need not be a word of _raw).
bool constant_value(const regex_step::item& it) {
  return !(it.value.size() == 1 && it.value[0].group >= 0);
}

/// Names a template can produce when it is literal.
std::optional<std::string> literal(const std::vector<regex_step::piece>& t) {
  if (t.size() == 1 && t[0].group < 0) return t[0].literal;
  return std::nullopt;
}

/// `pattern` (RE2 syntax) with every group but the named ones in `keep` made
/// non-capturing: fewer captures, and RE2 can then use its fast one-pass
/// matcher on a regex such as access-extractions.
std::string keep_groups(std::string_view pattern, const std::set<std::string>& keep) {
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out += pattern.substr(i, 2);
      ++i;
    } else if (in_class) {
      out += c;
      if (c == ']') in_class = false;
    } else if (c == '[') {
      out += c;
      in_class = true;
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
    } else if (pattern.substr(i, 4) == "(?P<") {
      size_t close = pattern.find('>', i + 4);
      if (close == std::string_view::npos) return std::string{pattern};
      if (keep.count(std::string{pattern.substr(i + 4, close - i - 4)})) {
        out += pattern.substr(i, close - i + 1);
      } else {
        out += "(?:";
      }
      i = close;
    } else if (c == '(' && (i + 1 >= pattern.size() || pattern[i + 1] != '?')) {
      out += "(?:";
    } else {
      out += c;
    }
  }
  return out;
}

/// A named-group step that captures only `keep` (nullptr when that is all of them).
std::unique_ptr<regex_step> narrowed(const regex_step& st, const std::set<std::string>& keep) {
  if (!st.re || !st.items.empty() || keep.size() == st.groups.size()) return nullptr;
  auto re = compile_regex(keep_groups(st.pattern, keep), true);
  if (!re) return nullptr;  // keep the whole regex
  auto out = std::make_unique<regex_step>();
  out->re = std::move(*re);
  out->pattern = out->re->pattern();
  out->anchored = starts_anchored(out->pattern);
  out->source = st.source;
  for (auto& [name, index] : out->re->NamedCapturingGroups()) {
    out->groups.emplace_back(name, index);
    out->outputs.insert(name);
  }
  return out;
}

}  // namespace

error check_extract(std::string_view text) {
  auto s = compile_extract(text);
  return s ? error{} : s.err();
}

error check_transform(const field_transform& t) {
  auto s = compile_transform(t);
  return s ? error{} : s.err();
}

error check_alias(std::string_view text) {
  auto a = parse_aliases(text);
  return a ? error{} : a.err();
}

error check_eval(std::string_view text) {
  auto e = parse_expression(text);
  if (!e) return error{errc::invalid_argument, "invalid eval expression: " + e.err().message()};
  return {};
}

const field_rules_config& builtin_field_rules() {
  static const field_rules_config config = [] {
    field_rules_config c;
    // Apache/NCSA combined log: Splunk's access-extractions (its regex
    // rewritten for RE2, which has no possessive quantifiers). Each regex is
    // kept one-pass (at every character one way on), so RE2 captures the
    // groups a search reads with its fast one-pass matcher: the optional
    // referer and user agent (and referer_domain, from the referer) therefore
    // come from transforms of their own, run only when a search reads them.
    c.transforms["access-extractions"].regex =
        R"re(^(?<clientip>\S+)\s+(?<ident>\S+)\s+(?<user>\S+)\s+\[(?<req_time>[^\]]*)\]\s+)re"
        R"re("\s*(?<method>[A-Za-z]+)\s+(?<uri>(?<uri_path>[^\s?"]+)(?:\?(?<uri_query>[^\s"]*))?)\s+(?<version>[^\s"]+)\s*"\s+)re"
        R"re((?<status>\d+)\s+(?<bytes>\S+))re";
    c.transforms["access-referer"].regex =
        R"re(^\S+\s+\S+\s+\S+\s+\[[^\]]*\]\s+"[^"]*"\s+\d+\s+\S+\s+"(?<referer>[^"]*)"(?:\s+"(?<useragent>[^"]*)")?)re";
    c.transforms["referer-domain"].regex = R"re(^(?<referer_domain>https?://[^/"\s]+))re";
    c.transforms["referer-domain"].source_key = "referer";
    c.sourcetypes["access_combined"].reports["access"] =
        "access-extractions, access-referer, referer-domain";
    c.sourcetypes["access_common"].reports["access"] = "access-extractions";
    // syslog: the process and pid before the message (Splunk's syslog-extractions).
    c.transforms["syslog-extractions"].regex = R"re(\s([^\s\[]+)(?:\[(\d+)\])?:\s)re";
    c.transforms["syslog-extractions"].format = "process::$1 pid::$2";
    c.sourcetypes["syslog"].reports["syslog"] = "syslog-extractions";
    c.sourcetypes["_json"].kv = kv_mode::json;
    // The node's own log: "2026-11-30T10:00:00Z INFO component - message" (core/log.cpp).
    c.sourcetypes["kura_node"].extracts["level"] =
        R"re(^\S+\s+(?<log_level>[A-Z]+)\s+(?<component>\S+)\s+-\s)re";
    return c;
  }();
  return config;
}

field_rules::field_rules() = default;
field_rules::~field_rules() = default;

result<std::shared_ptr<const field_rules>> field_rules::compile(const field_rules_config& config) {
  // Layer the configuration over the built-ins, key by key.
  field_rules_config merged = builtin_field_rules();
  for (auto& [name, t] : config.transforms) merged.transforms[name] = t;
  for (auto& [name, st] : config.sourcetypes) {
    auto& m = merged.sourcetypes[name];
    if (st.kv) m.kv = st.kv;
    if (st.timestamps) m.timestamps = st.timestamps;
    for (auto& [k, v] : st.extracts) m.extracts[k] = v;
    for (auto& [k, v] : st.reports) m.reports[k] = v;
    for (auto& [k, v] : st.aliases) m.aliases[k] = v;
    for (auto& [k, v] : st.evals) m.evals[k] = v;
  }
  std::shared_ptr<field_rules> out{new field_rules};
  out->defaults_ = std::make_unique<compiled_sourcetype>();
  for (auto& [name, st] : merged.sourcetypes) {
    auto fail = [&](const std::string& key, const error& e) {
      return error{errc::invalid_argument,
                   "[sourcetypes." + name + "] " + key + ": " + e.message()};
    };
    auto c = std::make_unique<compiled_sourcetype>();
    c->kv = st.kv.value_or(kv_mode::auto_);
    c->timestamps = st.timestamps;
    for (auto& [cls, text] : st.extracts) {
      if (trim(text).empty()) continue;  // switched off
      auto s = compile_extract(text);
      if (!s) return fail("EXTRACT-" + cls, s.err());
      c->steps.push_back(std::move(*s));
    }
    for (auto& [cls, text] : st.reports) {
      std::string list{text};
      std::replace(list.begin(), list.end(), ',', ' ');
      for (auto& tname : words(list)) {
        auto it = merged.transforms.find(tname);
        if (it == merged.transforms.end())
          return fail("REPORT-" + cls,
                      error{errc::invalid_argument, "no [transforms." + tname + "] section"});
        auto s = compile_transform(it->second);
        if (!s)
          return fail("REPORT-" + cls, error{errc::invalid_argument,
                                             "[transforms." + tname + "] " + s.err().message()});
        for (auto& item : s->items)
          if (auto n = literal(item.name); n && constant_value(item)) out->computed_.insert(*n);
        c->steps.push_back(std::move(*s));
      }
    }
    for (auto& [cls, text] : st.aliases) {
      if (trim(text).empty()) continue;
      auto a = parse_aliases(text);
      if (!a) return fail("FIELDALIAS-" + cls, a.err());
      for (auto& rule : *a) {
        out->computed_.insert(rule.to);
        c->aliases.push_back(std::move(rule));
      }
    }
    for (auto& [field, text] : st.evals) {
      if (trim(text).empty()) continue;
      auto e = parse_expression(text);
      if (!e)
        return fail("EVAL-" + field,
                    error{errc::invalid_argument, "invalid eval expression: " + e.err().message()});
      compiled_sourcetype::eval_rule rule{field, std::move(*e), {}};
      expr_inputs(rule.e, rule.inputs);
      out->computed_.insert(field);
      c->evals.push_back(std::move(rule));
    }
    out->sourcetypes_.emplace(name, std::move(c));
  }
  return std::shared_ptr<const field_rules>{std::move(out)};
}

std::shared_ptr<const field_rules> field_rules::builtin() {
  static const std::shared_ptr<const field_rules> rules = [] {
    auto r = compile({});
    return r ? *r : nullptr;  // the built-ins compile (field_rules_test checks it)
  }();
  return rules;
}

const compiled_sourcetype& field_rules::of(std::string_view sourcetype) const {
  auto it = sourcetypes_.find(sourcetype);
  return it == sourcetypes_.end() ? *defaults_ : *it->second;
}

// ---- running the rules of one search

struct field_extraction::selection {
  const compiled_sourcetype* rules = nullptr;
  std::vector<std::pair<const regex_step*, int>> steps;  // step, groups to capture (0: all)
  std::vector<std::unique_ptr<regex_step>>
      narrowed;  // steps rewritten to capture only what is read
  bool kv_always = false;
  std::vector<std::string> kv_check;  // otherwise: run KV while one of these is missing
  std::set<std::string> kv_wanted;    // the same names: JSON extraction builds only these
  std::vector<const alias_rule*> aliases;
  std::vector<const compiled_sourcetype::eval_rule*> evals;
};

field_extraction::field_extraction(std::shared_ptr<const field_rules> rules,
                                   std::optional<std::vector<std::string>> wanted)
    : rules_(rules ? std::move(rules) : field_rules::builtin()) {
  if (!wanted) return;
  for (auto& w : *wanted)
    if (w.find('*') != std::string::npos) return;  // a wildcard: every field
  wanted_.emplace(wanted->begin(), wanted->end());
}

field_extraction::~field_extraction() = default;
field_extraction::field_extraction(field_extraction&&) noexcept = default;

const field_extraction::selection& field_extraction::select(std::string_view sourcetype) {
  if (last_ && sourcetype == last_name_) return *last_;  // events of one sourcetype come in runs
  auto it = cache_.find(std::string{sourcetype});
  if (it != cache_.end()) {
    last_name_ = sourcetype;
    last_ = it->second.get();
    return *last_;
  }
  auto s = std::make_unique<selection>();
  const auto& c = rules_->of(sourcetype);
  s->rules = &c;
  if (!wanted_) {
    for (auto& st : c.steps) s->steps.emplace_back(&st, 0);
    s->kv_always = true;
    for (auto& a : c.aliases) s->aliases.push_back(&a);
    for (auto& e : c.evals) s->evals.push_back(&e);
  } else {
    // Walk back from what the search reads to the rules that can give it.
    static const std::set<std::string> own{"_time",      "_raw",  "host", "source",
                                           "sourcetype", "index", "_cd"};
    std::set<std::string> need;
    for (auto& w : *wanted_)
      if (!own.count(w)) need.insert(w);
    for (auto& e : c.evals)
      if (need.count(e.field)) s->evals.push_back(&e);
    for (auto* e : s->evals) need.insert(e->inputs.begin(), e->inputs.end());
    for (size_t i = c.aliases.size(); i-- > 0;)
      if (need.count(c.aliases[i].to)) {
        s->aliases.insert(s->aliases.begin(), &c.aliases[i]);
        need.insert(c.aliases[i].from);
      }
    for (auto& n : need)
      if (!own.count(n)) s->kv_check.push_back(n);
    s->kv_wanted.insert(s->kv_check.begin(), s->kv_check.end());
    for (size_t i = c.steps.size(); i-- > 0;) {
      auto& st = c.steps[i];
      bool useful = st.dynamic && !need.empty();
      const regex_step* run = &st;
      if (!useful && st.items.empty() && st.re) {
        // Named groups: capture only the ones the search reads.
        std::set<std::string> keep;
        for (auto& [name, index] : st.groups)
          if (need.count(name)) keep.insert(name);
        useful = !keep.empty();
        if (useful)
          if (auto n = narrowed(st, keep)) {
            run = n.get();
            s->narrowed.push_back(std::move(n));
          }
      } else if (!useful) {
        for (auto& o : st.outputs) useful |= need.count(o) > 0;
      }
      if (!useful) continue;
      s->steps.insert(s->steps.begin(), {run, 0});
      if (st.source != "_raw") need.insert(st.source);
    }
  }
  auto& ref = *s;
  cache_.emplace(std::string{sourcetype}, std::move(s));
  last_name_ = sourcetype;
  last_ = &ref;
  return ref;
}

void field_extraction::apply(std::string_view sourcetype, std::string_view raw, row& r) {
  const auto& s = select(sourcetype);
  for (auto& [step, nsub] : s.steps) {
    if (step->source == "_raw") {
      step->run(raw, r, nsub);
    } else if (auto* v = r.get(step->source); v && !v->is_null()) {
      std::string text = v->as_string();
      step->run(text, r, nsub);
    }
  }
  if (s.rules->kv != kv_mode::none) {
    bool run = s.kv_always;
    for (size_t i = 0; !run && i < s.kv_check.size(); ++i) run = r.get(s.kv_check[i]) == nullptr;
    if (run) {
      size_t first = raw.find_first_not_of(" \t\r\n");
      bool json_object = first != std::string_view::npos && raw[first] == '{';
      // auto: JSON when _raw is a JSON object (Splunk's AUTO_KV_JSON), else key=value pairs.
      bool was_json =
          json_object && try_extract_json_fields(raw, r, s.kv_always ? nullptr : &s.kv_wanted);
      if (s.rules->kv == kv_mode::auto_ && !was_json) extract_key_values(raw, r);
    }
  }
  for (auto* a : s.aliases) {
    auto* v = r.get(a->from);
    if (!v || (a->only_new && r.get(a->to))) continue;
    value copy = *v;
    r.set(a->to, std::move(copy));
  }
  if (!s.evals.empty()) {
    bool added_raw = false;
    if (!r.get("_raw")) {
      r.set("_raw", value{raw});
      added_raw = true;
    }
    std::vector<value> results;
    results.reserve(s.evals.size());
    for (auto* e : s.evals) results.push_back(evaluate(e->e, r));
    if (added_raw) r.erase("_raw");
    for (size_t i = 0; i < s.evals.size(); ++i) {
      if (results[i].is_null())
        r.erase(s.evals[i]->field);
      else
        r.set(s.evals[i]->field, std::move(results[i]));
    }
  }
}

const timestamp_rules* field_extraction::timestamps(std::string_view sourcetype) const {
  const auto& c = rules_->of(sourcetype);
  return c.timestamps ? &*c.timestamps : nullptr;
}

}  // namespace kura::search
