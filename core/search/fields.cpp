// Automatic key=value extraction and rex.
#include "core/search/fields.hpp"

#include <re2/re2.h>

#include <vector>

namespace kura::search {
namespace {
bool key_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool key_char(char c) { return key_start(c) || (c >= '0' && c <= '9'); }
bool value_end(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';'; }
}  // namespace

void extract_key_values(std::string_view raw, row& r) {
  size_t i = 0;
  while (i < raw.size()) {
    size_t eq = raw.find('=', i);
    if (eq == std::string_view::npos) return;
    size_t k = eq;
    while (k > i && key_char(raw[k - 1])) --k;
    // The key must start a token and begin with a letter or underscore.
    bool key_ok = k < eq && key_start(raw[k]) && (k == 0 || !key_char(raw[k - 1]));
    if (!key_ok) {
      i = eq + 1;
      continue;
    }
    std::string_view key = raw.substr(k, eq - k);
    size_t v = eq + 1;
    std::string_view val;
    if (v < raw.size() && (raw[v] == '"' || raw[v] == '\'')) {
      size_t close = raw.find(raw[v], v + 1);
      if (close == std::string_view::npos) close = raw.size();
      val = raw.substr(v + 1, close - v - 1);
      i = close + 1;
    } else {
      size_t e = v;
      while (e < raw.size() && !value_end(raw[e]) && raw[e] != '"') ++e;
      val = raw.substr(v, e - v);
      i = e;
    }
    if (!r.get(key)) r.set(key, value{val});
  }
}

rex_extractor::rex_extractor() = default;
rex_extractor::~rex_extractor() = default;
rex_extractor::rex_extractor(rex_extractor&&) noexcept = default;
rex_extractor& rex_extractor::operator=(rex_extractor&&) noexcept = default;

std::string re2_named_groups(std::string_view pattern) {
  std::string p;
  for (size_t i = 0; i < pattern.size(); ++i) {
    // Splunk writes (?<name>…); this RE2 release spells it (?P<name>…). An
    // escaped character (`\(`) is copied as it is, so `\(?<` stays literal.
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      p += pattern.substr(i, 2);
      ++i;
    } else if (pattern.substr(i, 3) == "(?<" && i + 3 < pattern.size() && pattern[i + 3] != '=' &&
               pattern[i + 3] != '!') {
      p += "(?P<";
      i += 2;
    } else {
      p += pattern[i];
    }
  }
  return p;
}

result<rex_extractor> rex_extractor::make(std::string_view pattern, std::string field) {
  rex_extractor x;
  x.re_ = std::make_unique<re2::RE2>(re2_named_groups(pattern), re2::RE2::Quiet);
  x.field_ = std::move(field);
  if (!x.re_->ok()) return error{errc::invalid_argument, "rex: invalid regular expression: " + x.re_->error()};
  if (x.re_->NamedCapturingGroups().empty())
    return error{errc::invalid_argument, "rex: the regular expression has no (?<name>…) group"};
  return x;
}

std::vector<std::string> rex_extractor::group_names() const {
  std::vector<std::string> out;
  for (auto& [name, _] : re_->NamedCapturingGroups()) out.push_back(name);
  return out;
}

void rex_extractor::apply(row& r) const {
  auto* v = r.get(field_);
  if (!v || v->is_null()) return;
  std::string copy;
  std::string_view text;
  if (auto t = v->text()) {
    text = *t;
  } else {
    copy = v->as_string();
    text = copy;
  }
  int n = re_->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(size_t(n) + 1);
  if (!re_->Match(re2::StringPiece{text.data(), text.size()}, 0, text.size(), re2::RE2::UNANCHORED, groups.data(), n + 1))
    return;
  for (auto& [name, index] : re_->NamedCapturingGroups())
    if (groups[size_t(index)].data()) r.set(name, value{std::string_view{groups[size_t(index)].data(), groups[size_t(index)].size()}});
}

}  // namespace kura::search
