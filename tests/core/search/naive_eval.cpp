// The naive eval/where (see naive_eval.hpp).
#include "search/naive_eval.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>

#include "core/search/parser.hpp"
#include "search/naive_json.hpp"

namespace kura::testing {
namespace {

using search::expr;
using search::row;
using search::value;

const std::set<std::string>& known_functions() {
  static const std::set<std::string> f{
      "if",      "case",     "coalesce",     "null",       "isnull",   "isnotnull", "len",
      "lower",   "upper",    "substr",       "round",      "abs",      "floor",     "ceil",
      "ceiling", "tonumber", "tostring",     "match",      "replace",  "like",      "split",
      "mvcount", "mvindex",  "mvjoin",       "mvdedup",    "strftime", "cidrmatch", "searchmatch",
      "trim",    "spath",    "json_extract", "json_object"};
  return f;
}

bool knows(const expr& e) {
  if (e.type == expr::kind::call && !known_functions().count(e.text)) return false;
  for (auto& a : e.args)
    if (!knows(a)) return false;
  return true;
}

value truth(bool b) { return value{b ? 1.0 : 0.0}; }

std::optional<double> num(const value& v) { return v.as_number(); }

bool comparison(const expr& e) {
  return e.type == expr::kind::binary &&
         (e.text == "=" || e.text == "!=" || e.text == "<" || e.text == "<=" || e.text == ">" ||
          e.text == ">=" || e.text == "AND" || e.text == "OR");
}

/// Several items: a multi-value; one: a string; none: null.
value items_value(std::vector<std::string> items) {
  if (items.empty()) return {};
  if (items.size() == 1) return value{items[0]};
  return value::multi(std::move(items));
}

const std::regex& regex_of(const std::string& pattern) {
  thread_local std::map<std::string, std::regex> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) it = cache.emplace(pattern, std::regex(pattern)).first;
  return it->second;
}

std::string like_to_regex(const std::string& p) {
  std::string re;
  for (char c : p) {
    if (c == '%')
      re += ".*";
    else if (c == '_')
      re += ".";
    else if (std::string_view{"\\^$.|?*+()[]{}"}.find(c) != std::string_view::npos)
      re += std::string("\\") + c;
    else
      re += c;
  }
  return re;
}

std::optional<uint32_t> ipv4(const std::string& s, int* prefix) {
  unsigned a, b, c, d, p = 32;
  int used = 0;
  int n = prefix ? std::sscanf(s.c_str(), "%u.%u.%u.%u/%u%n", &a, &b, &c, &d, &p, &used)
                 : std::sscanf(s.c_str(), "%u.%u.%u.%u%n", &a, &b, &c, &d, &used);
  if (n < (prefix ? 5 : 4) || size_t(used) != s.size() || a > 255 || b > 255 || c > 255 ||
      d > 255 || p > 32)
    return std::nullopt;
  if (prefix) *prefix = int(p);
  return (a << 24) | (b << 16) | (c << 8) | d;
}

struct evaluator {
  const naive_search_matcher& search_matches;

  value operator()(const expr& e, const row& r) const {
    switch (e.type) {
      case expr::kind::number:
        return value{e.number};
      case expr::kind::string:
        return value{e.text};
      case expr::kind::field: {
        auto* v = r.get(e.text);
        return v ? *v : value{};
      }
      case expr::kind::unary: {
        value a = (*this)(e.args[0], r);
        if (e.text == "NOT") return truth(!a.truthy());
        auto n = num(a);
        return n ? value{-*n} : value{};
      }
      case expr::kind::binary:
        return binary(e, r);
      case expr::kind::call:
        return call(e, r);
    }
    return {};
  }

  value binary(const expr& e, const row& r) const {
    value a = (*this)(e.args[0], r), b = (*this)(e.args[1], r);
    const std::string& op = e.text;
    if (op == "AND") return truth(a.truthy() && b.truthy());
    if (op == "OR") return truth(a.truthy() || b.truthy());
    if (op == "XOR") return truth(a.truthy() != b.truthy());
    if (comparison(e)) {
      if (a.is_null() || b.is_null()) return truth(false);
      auto x = num(a), y = num(b);
      int c = x && y ? (*x < *y ? -1 : *x > *y) : a.as_string().compare(b.as_string());
      if (op == "=") return truth(c == 0);
      if (op == "!=") return truth(c != 0);
      if (op == "<") return truth(c < 0);
      if (op == "<=") return truth(c <= 0);
      if (op == ">") return truth(c > 0);
      return truth(c >= 0);
    }
    if (a.is_null() || b.is_null()) return {};
    if (op == ".") return value{a.as_string() + b.as_string()};
    auto x = num(a), y = num(b);
    if (op == "+" && !(x && y)) return value{a.as_string() + b.as_string()};
    if (!x || !y) return {};
    if (op == "+") return value{*x + *y};
    if (op == "-") return value{*x - *y};
    if (op == "*") return value{*x * *y};
    if (*y == 0) return {};
    if (op == "/") return value{*x / *y};
    return value{std::fmod(*x, *y)};
  }

  value call(const expr& e, const row& r) const {
    auto a = [&](size_t i) { return (*this)(e.args[i], r); };
    const std::string& f = e.text;
    if (f == "if") return a(0).truthy() ? a(1) : a(2);
    if (f == "case") {
      for (size_t i = 0; i + 1 < e.args.size(); i += 2)
        if (a(i).truthy()) return a(i + 1);
      return {};
    }
    if (f == "coalesce") {
      for (size_t i = 0; i < e.args.size(); ++i)
        if (auto v = a(i); !v.is_null()) return v;
      return {};
    }
    if (f == "null") return {};
    if (f == "spath" || f == "json_extract" || f == "json_object") {  // naive_json.cpp
      std::vector<value> args;
      for (size_t i = 0; i < e.args.size(); ++i) args.push_back(a(i));
      return naive_json_call(f, args);
    }
    if (f == "isnull") return truth(a(0).is_null());
    if (f == "isnotnull") return truth(!a(0).is_null());
    if (f == "searchmatch") {
      thread_local std::map<std::string, search::search_node> parsed;
      auto it = parsed.find(e.args[0].text);
      if (it == parsed.end())
        it = parsed.emplace(e.args[0].text, search::parse_query(e.args[0].text, 0)->base).first;
      return truth(search_matches(it->second, r));
    }
    if (f == "like" || f == "match" || f == "cidrmatch") {
      value s = a(f == "cidrmatch" ? 1 : 0), p = a(f == "cidrmatch" ? 0 : 1);
      if (s.is_null() || p.is_null()) return truth(false);
      for (auto& item : s.items()) {
        if (f == "like" && std::regex_match(item, regex_of(like_to_regex(p.as_string()))))
          return truth(true);
        if (f == "match" && std::regex_search(item, regex_of(p.as_string()))) return truth(true);
        if (f == "cidrmatch") {
          int prefix = 0;
          auto block = ipv4(p.as_string(), &prefix);
          auto ip = ipv4(item, nullptr);
          uint32_t mask = prefix == 0 ? 0 : ~uint32_t(0) << (32 - prefix);
          if (block && ip && (*block & mask) == (*ip & mask)) return truth(true);
        }
      }
      return truth(false);
    }
    if (f == "tostring" && comparison(e.args[0])) return value{a(0).truthy() ? "True" : "False"};
    value x = a(0);
    if (x.is_null()) return {};
    std::string s = x.as_string();
    if (f == "len") {
      size_t n = 0;
      for (unsigned char c : s) n += (c & 0xC0) != 0x80;
      return value{double(n)};
    }
    if (f == "lower" || f == "upper") {
      for (auto& c : s)
        c = char(f == "lower" ? std::tolower((unsigned char)c) : std::toupper((unsigned char)c));
      return value{s};
    }
    if (f == "tostring") return value{s};
    if (f == "trim") {
      size_t b = s.find_first_not_of(" \t"), end = s.find_last_not_of(" \t");
      return value{b == std::string::npos ? std::string{} : s.substr(b, end - b + 1)};
    }
    if (f == "substr") {  // ASCII data: characters are bytes
      auto st = num(a(1));
      if (!st) return {};
      long long size = (long long)s.size(),
                from = *st > 0 ? (long long)*st - 1 : (*st < 0 ? size + (long long)*st : 0);
      from = std::max(0LL, from);
      if (from >= size) return value{std::string{}};
      long long len = size - from;
      if (e.args.size() == 3) len = std::min(len, (long long)*num(a(2)));
      return value{s.substr(size_t(from), size_t(len))};
    }
    if (f == "replace") {
      std::string fmt;
      std::string with = a(2).as_string();
      for (size_t i = 0; i < with.size(); ++i) {
        if (with[i] == '\\' && i + 1 < with.size() && std::isdigit((unsigned char)with[i + 1]))
          fmt += '$';
        else
          fmt += with[i];
      }
      return value{std::regex_replace(s, regex_of(a(1).as_string()), fmt)};
    }
    if (f == "split") {
      std::string sep = a(1).as_string();
      std::vector<std::string> out;
      size_t from = 0, at;
      while ((at = s.find(sep, from)) != std::string::npos) {
        out.push_back(s.substr(from, at - from));
        from = at + sep.size();
      }
      out.push_back(s.substr(from));
      return items_value(out);
    }
    if (f == "mvcount") return value{double(x.items().size())};
    if (f == "mvjoin") {
      std::string out, sep = a(1).as_string();
      auto items = x.items();
      for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
      return value{out};
    }
    if (f == "mvdedup") {
      std::vector<std::string> out;
      for (auto& i : x.items())
        if (std::find(out.begin(), out.end(), i) == out.end()) out.push_back(i);
      return items_value(out);
    }
    if (f == "mvindex") {
      auto items = x.items();
      long long n = (long long)items.size(), i = (long long)*num(a(1));
      if (i < 0) i += n;
      long long j = e.args.size() == 3 ? (long long)*num(a(2)) : i;
      if (j < 0) j += n;
      if (i < 0 || i >= n || j < i) return {};
      j = std::min(j, n - 1);
      return items_value(std::vector<std::string>(items.begin() + i, items.begin() + j + 1));
    }
    if (f == "strftime") {
      auto t = num(x);
      if (!t) return {};
      std::time_t secs = std::time_t(std::floor(*t));
      std::tm tm{};
      gmtime_r(&secs, &tm);
      char buf[256];
      size_t n = std::strftime(buf, sizeof buf, a(1).as_string().c_str(), &tm);
      return value{std::string(buf, n)};
    }
    auto n = num(x);
    if (!n) return {};
    if (f == "tonumber") return value{*n};
    if (f == "abs") return value{std::fabs(*n)};
    if (f == "floor") return value{std::floor(*n)};
    if (f == "ceil" || f == "ceiling") return value{std::ceil(*n)};
    if (f == "round") {
      double m = std::pow(10.0, e.args.size() == 2 ? *num(a(1)) : 0.0);
      return value{std::round(*n * m) / m};
    }
    throw std::runtime_error("naive eval: no function " + f);
  }
};

}  // namespace

bool naive_eval_handles(const search::command& c) {
  if (c.type == search::command::kind::where) return knows(c.condition);
  if (c.type != search::command::kind::eval) return false;
  for (auto& [_, e] : c.assignments)
    if (!knows(e)) return false;
  return true;
}

std::vector<search::row> naive_eval(const search::command& c, std::vector<search::row> rows,
                                    const naive_search_matcher& search_matches) {
  evaluator ev{search_matches};
  std::vector<search::row> out;
  for (auto& r : rows) {
    if (c.type == search::command::kind::where) {
      if (ev(c.condition, r).truthy()) out.push_back(std::move(r));
      continue;
    }
    for (auto& [name, e] : c.assignments) r.set(name, ev(e, r));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace kura::testing
