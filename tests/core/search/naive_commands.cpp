// The naive row commands: see naive_commands.hpp.
#include "search/naive_commands.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <regex>
#include <set>

#include "core/search/row_commands.hpp"

namespace kura::testing {
namespace {

using search::row;
using search::value;
using K = search::command::kind;

std::optional<double> num(const value& v) {
  if (v.type() == value::kind::number) return v.as_number();
  if (v.type() != value::kind::string) return std::nullopt;
  std::string s = v.as_string();
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (*end != '\0' || !std::isfinite(d)) return std::nullopt;
  if (s.find_first_of("xXpP") != std::string::npos || s.find("nan") != std::string::npos ||
      s.find("inf") != std::string::npos)
    return std::nullopt;  // strtod's hex and words are not numbers in SPL
  return d;
}

/// A field-name glob as a std::regex; captures what each * matched.
std::regex glob_regex(const std::string& pattern) {
  std::string re;
  for (char c : pattern) {
    if (c == '*')
      re += "(.*)";
    else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_')
      re += c;
    else
      re += std::string("\\") + c;
  }
  return std::regex(re);
}

/// One compiled std::regex per pattern text (the naive evaluator runs a command on every row).
const std::regex& cached(const std::string& key, std::regex (*make)(const std::string&)) {
  static thread_local std::map<std::string, std::regex> compiled;
  auto it = compiled.find(key);
  if (it == compiled.end()) it = compiled.emplace(key, make(key)).first;
  return it->second;
}

bool glob(const std::string& pattern, const std::string& name) {
  return std::regex_match(name, cached(pattern, glob_regex));
}

bool present(const row& r, const std::string& f) {
  auto* v = r.get(f);
  return v && !v->is_null();
}

std::string fmt(double n) { return search::format_number(n); }

/// RE2's (?<name> and (?P<name> as std::regex groups; the names in group order.
std::string ecma_text(const std::string& pattern, std::vector<std::string>* names) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      out += pattern.substr(i, 2);
      ++i;
      continue;
    }
    if (pattern[i] == '(') {
      size_t name_at = std::string::npos;
      if (pattern.compare(i, 3, "(?<") == 0) name_at = i + 3;
      if (pattern.compare(i, 4, "(?P<") == 0) name_at = i + 4;
      if (name_at != std::string::npos) {
        size_t close = pattern.find('>', name_at);
        if (names) names->push_back(pattern.substr(name_at, close - name_at));
        out += '(';
        i = close;
        continue;
      }
      if (pattern.compare(i, 2, "(?") != 0 && names) names->push_back("");
    }
    out += pattern[i];
  }
  return out;
}

std::regex ecma(const std::string& pattern) { return std::regex(ecma_text(pattern, nullptr)); }

void set_items(row& r, const std::string& name, const std::vector<std::string>& items) {
  if (items.size() == 1)
    r.set(name, value{items[0]});
  else
    r.set(name, value::multi(items));
}

std::vector<std::string> all_names(const std::vector<row>& rows) {
  std::vector<std::string> out;
  for (auto& r : rows)
    for (auto& [k, _] : r.fields())
      if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  return out;
}

// -- bin ----------------------------------------------------------------------------

value binned(double x, double span, bool time) {
  double lo = std::floor(x / span) * span;
  if (time) return value{lo};
  return value{fmt(lo) + "-" + fmt(lo + span)};
}

std::vector<row> naive_bin(const search::command& c, std::vector<row> rows) {
  auto& a = *c.row;
  double span;
  if (a.span) {
    span = *a.span;
  } else {
    double lo = a.start.value_or(INFINITY), hi = a.end.value_or(-INFINITY);
    bool any = false;
    for (auto& r : rows)
      if (auto* v = r.get(a.field))
        if (auto n = num(*v)) lo = std::min(lo, *n), hi = std::max(hi, *n), any = true;
    if (!any) return rows;
    size_t bins = a.bins ? a.bins : 100;
    auto count = [&](double s) { return std::floor(hi / s) - std::floor(lo / s) + 1; };
    if (a.time_bins) {
      span = 0;
      for (double s : {1, 5, 10, 30, 60, 300, 600, 1800, 3600, 86400, 604800, 2592000})
        if (span == 0 && count(s) <= double(bins)) span = s;
      if (span == 0)
        for (span = 25920000; count(span) > double(bins);) span *= 10;
    } else {
      int k = -6;
      while (count(std::pow(10.0, k)) > double(bins)) ++k;
      span = std::pow(10.0, k);
    }
  }
  for (auto& r : rows) {
    auto* v = r.get(a.field);
    if (!v) continue;
    auto n = num(*v);
    if (!n) continue;
    r.set(a.as.empty() ? a.field : a.as, binned(*n, span, a.time_bins));
  }
  return rows;
}

// -- convert ------------------------------------------------------------------------

std::optional<double> leading(const std::string& s, std::string* rest = nullptr) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  size_t start = i;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t d = i;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == d) return std::nullopt;
  auto n = num(value{s.substr(start, i - start)});
  if (rest) *rest = s.substr(i);
  return n;
}

std::optional<value> convert_one(const std::string& f, const value& v, const search::row_args& a) {
  std::string s = v.as_string();
  if (f == "num" || f == "auto") {
    if (auto n = num(v)) return value{*n};
    return std::nullopt;
  }
  if (f == "rmunit") {
    if (auto n = leading(s)) return value{*n};
    return std::nullopt;
  }
  if (f == "rmcomma") {
    s.erase(std::remove(s.begin(), s.end(), ','), s.end());
    if (auto n = num(value{s})) return value{*n};
    return value{s};
  }
  if (f == "memk") {
    std::string unit;
    auto n = leading(s, &unit);
    if (!n || *n < 0) return std::nullopt;
    if (unit == "" || unit == "k" || unit == "K") return value{*n};
    if (unit == "m" || unit == "M") return value{*n * 1024};
    if (unit == "g" || unit == "G") return value{*n * 1048576};
    return std::nullopt;
  }
  if (f == "dur2sec") {
    std::smatch m;
    static const std::regex re{R"(^(?:(\d+)\+)?([\d.]+):([\d.]+):([\d.]+)$)"};
    if (!std::regex_match(s, m, re)) return std::nullopt;
    auto part = [&](int i) { return num(value{m[i].str()}); };
    auto h = part(2), mi = part(3), se = part(4);
    if (!h || !mi || !se) return std::nullopt;
    double days = m[1].matched ? *part(1) : 0;
    return value{days * 86400 + *h * 3600 + *mi * 60 + *se};
  }
  if (f == "ctime") {
    auto n = num(v);
    if (!n) return std::nullopt;
    std::time_t t = std::time_t(std::floor(*n));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[256];
    return value{std::string(buf, std::strftime(buf, sizeof buf, a.timeformat.c_str(), &tm))};
  }
  if (f == "mktime") {
    std::tm tm{};
    tm.tm_mday = 1;
    const char* end = strptime(s.c_str(), a.timeformat.c_str(), &tm);
    if (!end || *end != '\0') return std::nullopt;
    return value{double(timegm(&tm))};
  }
  return std::nullopt;
}

void naive_convert(const search::command& c, row& r) {
  auto& a = *c.row;
  for (auto& cv : a.conversions) {
    if (cv.function == "none") continue;
    std::vector<std::string> targets;
    for (auto& [name, _] : r.fields()) {
      if (!glob(cv.field, name)) continue;
      bool skip = false;
      if (cv.field.find('*') != std::string::npos)
        for (auto& other : a.conversions)
          if (other.function == "none" && glob(other.field, name)) skip = true;
      if (!skip) targets.push_back(name);
    }
    for (auto& name : targets) {
      value v = *r.get(name);
      if (v.is_null()) continue;
      auto out = convert_one(cv.function, v, a);
      if (out)
        r.set(cv.as.empty() ? name : cv.as, *out);
      else if (cv.function == "num" && cv.as.empty())
        r.erase(name);
    }
  }
}

// -- sort ---------------------------------------------------------------------------

std::optional<double> ip_number(const std::string& s) {
  static const std::regex re{R"(^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$)"};
  std::smatch m;
  if (!std::regex_match(s, m, re)) return std::nullopt;
  double out = 0;
  for (int i = 1; i <= 4; ++i) {
    int part = std::stoi(m[i].str());
    if (part > 255) return std::nullopt;
    out = out * 256 + part;
  }
  return out;
}

/// -1, 0, 1 for two present values.
int compare(search::sort_key::order how, const value& a, const value& b) {
  std::string sa = a.as_string(), sb = b.as_string();
  if (how == search::sort_key::order::text) return sa < sb ? -1 : sa > sb ? 1 : 0;
  std::optional<double> na, nb;
  if (how == search::sort_key::order::ip)
    na = ip_number(sa), nb = ip_number(sb);
  else
    na = num(a), nb = num(b);
  if (na && nb) return *na < *nb ? -1 : *na > *nb ? 1 : 0;
  if (na != nb) return na ? -1 : 1;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

void naive_sort(std::vector<row>& rows, const std::vector<search::sort_key>& keys) {
  std::stable_sort(rows.begin(), rows.end(), [&](const row& x, const row& y) {
    for (auto& k : keys) {
      bool px = present(x, k.field), py = present(y, k.field);
      if (!px && !py) continue;
      if (px != py) return px;  // missing last, either direction
      int c = compare(k.how, *x.get(k.field), *y.get(k.field));
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return false;
  });
}

// -- rex ----------------------------------------------------------------------------

std::string sed_replacement(const std::string& rep) {
  std::string out;  // sed's \N as std::regex's $N; a literal $ doubled
  for (size_t i = 0; i < rep.size(); ++i) {
    if (rep[i] == '\\' && i + 1 < rep.size() &&
        std::isdigit(static_cast<unsigned char>(rep[i + 1]))) {
      out += '$';
      out += rep[++i];
    } else if (rep[i] == '\\' && i + 1 < rep.size()) {
      out += rep[++i];
    } else if (rep[i] == '$') {
      out += "$$";
    } else {
      out += rep[i];
    }
  }
  return out;
}

std::string naive_sed(const std::string& expr, const std::string& text) {
  std::vector<std::string> parts{""};
  for (size_t i = 2; i < expr.size(); ++i) {
    if (expr[i] == '\\' && i + 1 < expr.size() && expr[i + 1] == '/')
      parts.back() += expr[++i];
    else if (expr[i] == '/')
      parts.emplace_back();
    else
      parts.back() += expr[i];
  }
  if (expr[0] == 'y') {
    std::string out = text;
    for (auto& ch : out)
      for (size_t k = 0; k < parts[0].size(); ++k)
        if (ch == parts[0][k]) {
          ch = parts[1][k];
          break;
        }
    return out;
  }
  const std::regex& re = cached(parts[0], [](const std::string& p) { return ecma(p); });
  std::string rep = sed_replacement(parts[1]);
  if (parts[2] == "g") return std::regex_replace(text, re, rep);
  int nth = parts[2].empty() ? 1 : std::stoi(parts[2]);
  int k = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it)
    if (++k == nth) return it->prefix().str() + it->format(rep) + it->suffix().str();
  return text;
}

void naive_rex(const search::command& c, row& r) {
  auto* v = r.get(c.rex_field);
  if (!v || v->is_null()) return;
  if (!c.row->sed.empty()) {
    if (v->type() == value::kind::multi) {
      std::vector<std::string> items;
      for (auto& i : v->items()) items.push_back(naive_sed(c.row->sed, i));
      r.set(c.rex_field, value::multi(items));
    } else {
      r.set(c.rex_field, value{naive_sed(c.row->sed, v->as_string())});
    }
    return;
  }
  std::vector<std::string> names;
  ecma_text(c.regex, &names);
  const std::regex& re = cached(c.regex, [](const std::string& p) { return ecma(p); });
  std::string text = v->as_string();
  std::map<std::string, std::vector<std::string>> found;
  size_t matches = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    if (c.row->max_match && matches == c.row->max_match) break;
    ++matches;
    for (size_t g = 0; g < names.size(); ++g)
      if (!names[g].empty() && (*it)[g + 1].matched) found[names[g]].push_back((*it)[g + 1].str());
  }
  for (auto& [name, items] : found) set_items(r, name, items);
}

// -- one row ------------------------------------------------------------------------

bool naive_stream(const search::command& c, row& r) {
  auto& a = *c.row;
  switch (c.type) {
    case K::fillnull:
      for (auto& f : c.fields)
        if (!present(r, f)) r.set(f, value{a.fill_value});
      return true;
    case K::makemv: {
      auto* v = r.get(a.field);
      if (!v || v->type() != value::kind::string) return true;
      std::string s = v->as_string();
      std::vector<std::string> items;
      if (!a.tokenizer.empty()) {
        const std::regex& re = cached(a.tokenizer, [](const std::string& p) { return ecma(p); });
        for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator();
             ++it) {
          std::string m = it->size() > 1 ? (*it)[1].str() : it->str();
          if (a.allow_empty || !m.empty()) items.push_back(m);
        }
      } else {
        std::string cur;
        for (size_t i = 0; i <= s.size(); ++i) {
          if (i == s.size() || s.compare(i, a.delim.size(), a.delim) == 0) {
            if (a.allow_empty || !cur.empty()) items.push_back(cur);
            cur.clear();
            if (i < s.size()) i += a.delim.size() - 1;
          } else {
            cur += s[i];
          }
        }
      }
      if (!items.empty()) set_items(r, a.field, items);
      return true;
    }
    case K::convert:
      naive_convert(c, r);
      return true;
    case K::regex: {
      bool hit = false;
      if (auto* v = r.get(a.regex_field))
        for (auto& item : v->items())
          hit |= std::regex_search(item,
                                   cached(a.pattern, [](const std::string& p) { return ecma(p); }));
      return hit != a.negate;
    }
    case K::rex:
      naive_rex(c, r);
      return true;
    case K::table: {
      row out;
      for (auto& p : c.fields)
        for (auto& [name, v] : r.fields())
          if (glob(p, name) && !out.get(name)) out.set(name, v);
      r = out;
      return true;
    }
    case K::fields: {
      row out;
      for (auto& [name, v] : r.fields()) {
        bool listed =
            std::any_of(c.fields.begin(), c.fields.end(), [&](auto& p) { return glob(p, name); });
        if (c.remove ? !listed : (listed || name[0] == '_')) out.set(name, v);
      }
      r = out;
      return true;
    }
    case K::rename:
      for (auto& [from, to] : c.renames) {
        std::vector<std::pair<std::string, std::string>> moves;
        const std::regex& re = cached(from, glob_regex);
        for (auto& [name, _] : r.fields()) {
          std::smatch m;
          if (!std::regex_match(name, m, re)) continue;
          std::string target;
          size_t star = 1;
          for (char ch : to) target += ch == '*' ? m[star++].str() : std::string(1, ch);
          moves.emplace_back(name, target);
        }
        for (auto& [x, y] : moves) {
          if (x == y) continue;
          value v = *r.get(x);
          r.erase(x);
          r.erase(y);
          r.add(y, v);
        }
      }
      return true;
    default:
      return true;
  }
}

bool summed(const search::command& c, const std::string& name) {
  auto& a = *c.row;
  if (name == a.fieldname || name == a.labelfield) return false;
  if (c.fields.empty()) return name[0] != '_';
  return std::any_of(c.fields.begin(), c.fields.end(), [&](auto& p) { return glob(p, name); });
}

}  // namespace

bool naive_row_handles(const search::command& c) {
  switch (c.type) {
    case K::bin:
    case K::fillnull:
    case K::makemv:
    case K::mvexpand:
    case K::convert:
    case K::addtotals:
    case K::fieldformat:
    case K::regex:
    case K::makeresults:
      return true;
    case K::rex:
    case K::table:
    case K::fields:
    case K::rename:
    case K::sort:
    case K::dedup:
      return c.row != nullptr;
    default:
      return false;
  }
}

result<std::vector<row>> naive_row_command(const search::command& c, std::vector<row> rows,
                                           const search::search_limits& limits,
                                           const naive_search_matcher& search_matches) {
  auto& a = *c.row;
  auto too_many = [&] { return error{errc::invalid_argument, c.name + ": too many rows"}; };
  switch (c.type) {
    case K::makeresults: {
      std::vector<row> out;
      for (size_t i = 0; i < a.count; ++i) {
        row r;
        r.set("_time", value{std::floor(double(a.now) / 1e6)});
        out.push_back(r);
      }
      return out;
    }
    case K::bin:
      return naive_bin(c, std::move(rows));
    case K::fieldformat: {
      auto as_eval = c;
      as_eval.type = K::eval;
      return naive_eval(as_eval, std::move(rows), search_matches);
    }
    case K::fillnull:
      if (c.fields.empty()) {
        auto names = all_names(rows);
        for (auto& r : rows)
          for (auto& f : names)
            if (!present(r, f)) r.set(f, value{a.fill_value});
        return rows;
      }
      break;
    case K::mvexpand: {
      std::vector<row> out;
      for (auto& r : rows) {
        if (!present(r, a.field)) continue;
        auto items = r.get(a.field)->items();
        for (size_t i = 0; i < items.size() && (a.limit == 0 || i < a.limit); ++i) {
          row copy = r;
          copy.set(a.field, value{items[i]});
          out.push_back(copy);
        }
      }
      if (out.size() > limits.max_rows) return too_many();
      return out;
    }
    case K::addtotals: {
      for (auto& r : rows) {
        if (!a.row_totals) break;
        double sum = 0;
        bool any = false;
        for (auto& [name, v] : r.fields())
          if (summed(c, name))
            if (auto n = num(v)) sum += *n, any = true;
        if (any) r.set(a.fieldname, value{sum});
      }
      if (!a.col_totals) return rows;
      row total;
      if (!a.labelfield.empty()) total.set(a.labelfield, value{a.label});
      for (auto& name : all_names(rows)) {
        if (!(name == a.fieldname ? a.row_totals : summed(c, name))) continue;
        double sum = 0;
        bool any = false;
        for (auto& r : rows)
          if (auto* v = r.get(name))
            if (auto n = num(*v)) sum += *n, any = true;
        if (any) total.set(name, value{sum});
      }
      rows.push_back(total);
      return rows;
    }
    case K::sort: {
      naive_sort(rows, a.sort_by);
      size_t keep = c.limit == 0 ? limits.default_sort_limit : c.limit;
      if (rows.size() > keep) rows.resize(keep);
      return rows;
    }
    case K::dedup: {
      std::vector<row> out;
      std::map<std::vector<std::string>, size_t> counts;
      std::vector<std::string> last;
      size_t run = 0;
      for (auto& r : rows) {
        std::vector<std::string> key;
        for (auto& f : c.fields)
          if (present(r, f)) key.push_back(r.get(f)->as_string());
        if (key.size() != c.fields.size()) {
          if (a.keep_empty) out.push_back(r);
          continue;
        }
        size_t seen = a.consecutive ? (run = (key == last ? run + 1 : 1)) : ++counts[key];
        last = key;
        if (seen <= c.limit) out.push_back(r);
      }
      naive_sort(out, a.sort_by);
      return out;
    }
    default:
      break;
  }
  std::vector<row> out;
  for (auto& r : rows)
    if (naive_stream(c, r)) out.push_back(std::move(r));
  return out;
}

}  // namespace kura::testing
