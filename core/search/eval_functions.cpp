// The eval functions: one table of name, arity, parse-time check and
// implementation (at the bottom of this file).
//
// Types. kura's values are null, number, string or multi-value; Splunk also
// has Boolean, which kura represents as 1/0. Where the type is observable
// (typeof, tostring, isnum, isstr) an expression is Boolean when it is a
// comparison, a logical operator or a predicate function (is_boolean_expr).
// Field values extracted from events are text; like Splunk, text that reads as
// a number is a number (isnum(status) is true for status=404), but a string
// literal is always a string (isnum("5") is false). A string assigned by eval
// and read back later (eval x="5" | eval t=typeof(x)) is therefore a Number in
// kura and a String in Splunk: the one difference, as kura keeps no type tag.
//
// Errors. A bad literal (regex, format, cidr, search, time modifier, option)
// is refused at parse time with the position. A bad value computed per row
// (a regex from a field) gives null, as Splunk's eval does for values it
// cannot compute; it never stops the search.
//
// Time. strftime and strptime work in UTC (kura has no per-user time zone).
#include "core/search/eval_functions.hpp"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <unordered_map>

#include "core/pipeline/timestamp.hpp"
#include "core/search/eval.hpp"
#include "core/search/json_fields.hpp"
#include "core/search/parser.hpp"
#include "core/search/predicate.hpp"

namespace kura::search {
namespace {

// -- helpers --------------------------------------------------------------------

value boolean(bool b) { return value{b ? 1.0 : 0.0}; }
value arg(const expr& c, size_t i, const row& r) { return evaluate(c.args[i], r); }

/// The number an argument is, or nullopt (null, or text that is not a number).
std::optional<double> number_arg(const expr& c, size_t i, const row& r) {
  return arg(c, i, r).as_number();
}

/// A finite number as a value; NaN and infinities are null (Splunk shows nothing).
value finite(double d) { return std::isfinite(d) ? value{d} : value{}; }

bool is_literal_string(const expr& e) { return e.type == expr::kind::string; }

/// Equality as eval's `=`: numerically when both are numbers, else as text.
bool values_equal(const value& a, const value& b) {
  auto na = a.as_number(), nb = b.as_number();
  if (na && nb) return *na == *nb;
  return a.as_string() == b.as_string();
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

/// Byte length of the UTF-8 character starting at s[i] (1 for a stray byte).
size_t utf8_char_size(std::string_view s, size_t i) {
  size_t n = 1;
  while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
  return n;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

/// A multi-value result: null when empty, a plain string for one item.
value multi_result(std::vector<std::string> items) {
  if (items.empty()) return {};
  if (items.size() == 1) return value{std::move(items[0])};
  return value::multi(std::move(items));
}

/// Compiled regexes by pattern, per thread (eval runs on many rows; a regex
/// from a field changes rarely). A pattern that does not compile maps to null.
std::shared_ptr<const RE2> compiled_regex(const std::string& pattern) {
  thread_local std::unordered_map<std::string, std::shared_ptr<const RE2>> cache;
  if (auto it = cache.find(pattern); it != cache.end()) return it->second;
  if (cache.size() >= 256) cache.clear();
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_shared<RE2>(pattern, o);
  std::shared_ptr<const RE2> result = re->ok() ? std::shared_ptr<const RE2>(re) : nullptr;
  cache.emplace(pattern, result);
  return result;
}

std::string regex_error(const std::string& pattern) {
  RE2::Options o;
  o.set_log_errors(false);
  RE2 re(pattern, o);
  return re.ok() ? std::string{} : re.error();
}

// -- comparison and conditional -------------------------------------------------

value fn_if(const expr& c, const row& r) {
  return arg(c, 0, r).truthy() ? arg(c, 1, r) : arg(c, 2, r);
}

value fn_case(const expr& c, const row& r) {
  for (size_t i = 0; i + 1 < c.args.size(); i += 2)
    if (arg(c, i, r).truthy()) return arg(c, i + 1, r);
  return {};
}

std::string check_pairs(const expr& c) {
  return c.args.size() % 2 ? c.text + "() takes pairs of arguments (condition, value)"
                           : std::string{};
}

value fn_validate(const expr& c, const row& r) {
  for (size_t i = 0; i + 1 < c.args.size(); i += 2)
    if (!arg(c, i, r).truthy()) return arg(c, i + 1, r);
  return {};
}

value fn_coalesce(const expr& c, const row& r) {
  for (size_t i = 0; i < c.args.size(); ++i)
    if (auto v = arg(c, i, r); !v.is_null()) return v;
  return {};
}

value fn_null(const expr&, const row&) { return {}; }
value fn_true(const expr&, const row&) { return boolean(true); }
value fn_false(const expr&, const row&) { return boolean(false); }

value fn_nullif(const expr& c, const row& r) {
  value a = arg(c, 0, r), b = arg(c, 1, r);
  if (!a.is_null() && !b.is_null() && values_equal(a, b)) return {};
  return a;
}

value fn_in(const expr& c, const row& r) {
  value v = arg(c, 0, r);
  if (v.is_null()) return boolean(false);
  std::vector<value> subjects;
  if (v.type() == value::kind::multi)
    for (auto& s : v.items()) subjects.emplace_back(s);
  else
    subjects.push_back(v);
  for (size_t i = 1; i < c.args.size(); ++i) {
    value candidate = arg(c, i, r);
    if (candidate.is_null()) continue;
    for (auto& s : subjects)
      if (values_equal(s, candidate)) return boolean(true);
  }
  return boolean(false);
}

/// `like` pattern: % any run, _ one character; case-sensitive, whole text.
bool like_match(std::string_view text, std::string_view pat) {
  size_t t = 0, p = 0, star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pat.size() && pat[p] == '%') {
      star_p = p++;
      star_t = t;
    } else if (p < pat.size() && pat[p] == '_') {
      t += utf8_char_size(text, t);
      ++p;
    } else if (p < pat.size() && pat[p] == text[t]) {
      ++t;
      ++p;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      star_t += utf8_char_size(text, star_t);
      t = star_t;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '%') ++p;
  return p == pat.size();
}

value fn_like(const expr& c, const row& r) {
  value s = arg(c, 0, r), p = arg(c, 1, r);
  if (s.is_null() || p.is_null()) return boolean(false);
  std::string pat = p.as_string();
  for (auto& item : s.items())
    if (like_match(item, pat)) return boolean(true);
  return boolean(false);
}

value fn_match(const expr& c, const row& r) {
  value s = arg(c, 0, r), p = arg(c, 1, r);
  if (s.is_null() || p.is_null()) return boolean(false);
  auto re = compiled_regex(p.as_string());
  if (!re) return {};
  for (auto& item : s.items())
    if (RE2::PartialMatch(item, *re)) return boolean(true);
  return boolean(false);
}

/// Refuses a literal regex argument `i` that does not compile.
std::string check_regex_arg(const expr& c, size_t i) {
  if (i >= c.args.size() || !is_literal_string(c.args[i])) return {};
  auto err = regex_error(c.args[i].text);
  return err.empty() ? std::string{}
                     : c.text + "(): invalid regular expression \"" + c.args[i].text + "\": " + err;
}

std::string check_match(const expr& c) { return check_regex_arg(c, 1); }

// -- cidrmatch ------------------------------------------------------------------

struct ip_address {
  int family = 0;  // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};
  int bits() const { return family == AF_INET ? 32 : 128; }
};

std::optional<ip_address> parse_ip(const std::string& s) {
  ip_address a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
    return a;
  }
  return std::nullopt;
}

struct cidr_block {
  ip_address base;
  int prefix = 0;
};

/// "10.0.0.0/8", "2001:db8::/32"; an address without "/" is a single host.
std::optional<cidr_block> parse_cidr(const std::string& s) {
  auto slash = s.find('/');
  auto ip = parse_ip(s.substr(0, slash));
  if (!ip) return std::nullopt;
  cidr_block b{*ip, ip->bits()};
  if (slash != std::string::npos) {
    auto digits = s.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), ::isdigit))
      return std::nullopt;
    b.prefix = std::stoi(digits);
    if (b.prefix > ip->bits()) return std::nullopt;
  }
  return b;
}

bool cidr_contains(const cidr_block& b, const ip_address& ip) {
  if (b.base.family != ip.family) return false;
  int full = b.prefix / 8, rest = b.prefix % 8;
  if (std::memcmp(b.base.bytes.data(), ip.bytes.data(), size_t(full)) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = uint8_t(0xFF << (8 - rest));
  return (b.base.bytes[size_t(full)] & mask) == (ip.bytes[size_t(full)] & mask);
}

value fn_cidrmatch(const expr& c, const row& r) {
  value cidr = arg(c, 0, r), ip = arg(c, 1, r);
  if (cidr.is_null() || ip.is_null()) return boolean(false);
  auto block = parse_cidr(cidr.as_string());
  if (!block) return boolean(false);
  for (auto& item : ip.items())
    if (auto a = parse_ip(item); a && cidr_contains(*block, *a)) return boolean(true);
  return boolean(false);
}

std::string check_cidrmatch(const expr& c) {
  if (is_literal_string(c.args[0]) && !parse_cidr(c.args[0].text))
    return "cidrmatch(): invalid CIDR block \"" + c.args[0].text +
           "\" (expected e.g. 10.0.0.0/8 or 2001:db8::/32)";
  return {};
}

// -- searchmatch ----------------------------------------------------------------

result<search_node> parse_searchmatch(const std::string& text) {
  auto q = parse_query(text, 0);
  if (!q) return q.err();
  if (!q->commands.empty() || q->earliest || q->latest)
    return error{errc::invalid_argument, "a search without pipes or time modifiers"};
  return std::move(q->base);
}

std::string check_searchmatch(const expr& c) {
  if (!is_literal_string(c.args[0]))
    return "searchmatch() needs a quoted search, e.g. searchmatch(\"error host=web*\")";
  auto n = parse_searchmatch(c.args[0].text);
  if (!n) return "searchmatch(): invalid search \"" + c.args[0].text + "\": " + n.err().message();
  return {};
}

value fn_searchmatch(const expr& c, const row& r) {
  thread_local std::unordered_map<std::string, std::shared_ptr<const predicate>> cache;
  const std::string& text = c.args[0].text;
  auto it = cache.find(text);
  if (it == cache.end()) {
    if (cache.size() >= 64) cache.clear();
    auto n = parse_searchmatch(text);
    if (!n) return {};
    it = cache.emplace(text, std::make_shared<const predicate>(std::move(*n))).first;
  }
  return boolean(it->second->matches(r));
}

void search_fields(const search_node& n, std::vector<std::string>& out) {
  if (n.type == search_node::kind::compare) out.push_back(n.field);
  for (auto& c : n.children) search_fields(c, out);
}

// -- information ----------------------------------------------------------------

value fn_isnull(const expr& c, const row& r) { return boolean(arg(c, 0, r).is_null()); }
value fn_isnotnull(const expr& c, const row& r) { return boolean(!arg(c, 0, r).is_null()); }

/// Splunk's type name of an argument: Number, String, Boolean, Multivalue or Invalid (null).
std::string_view type_name(const expr& e, const value& v) {
  if (v.is_null()) return "Invalid";
  if (is_boolean_expr(e)) return "Boolean";
  switch (v.type()) {
    case value::kind::number:
      return "Number";
    case value::kind::multi:
      return "Multivalue";
    default:
      break;
  }
  if (is_literal_string(e)) return "String";
  return v.as_number() ? "Number" : "String";
}

value fn_typeof(const expr& c, const row& r) {
  return value{std::string{type_name(c.args[0], arg(c, 0, r))}};
}
value fn_isnum(const expr& c, const row& r) {
  return boolean(type_name(c.args[0], arg(c, 0, r)) == "Number");
}
value fn_isstr(const expr& c, const row& r) {
  return boolean(type_name(c.args[0], arg(c, 0, r)) == "String");
}

// -- text -----------------------------------------------------------------------

value fn_len(const expr& c, const row& r) {
  value a = arg(c, 0, r);
  if (a.is_null()) return {};
  return value{double(utf8_length(a.as_string()))};
}

value change_case(const expr& c, const row& r, bool upper) {
  value a = arg(c, 0, r);
  if (a.is_null()) return {};
  auto apply = [&](std::string s) {
    for (char& ch : s)
      ch = upper ? char(std::toupper((unsigned char)ch)) : char(std::tolower((unsigned char)ch));
    return s;
  };
  if (a.type() == value::kind::multi) {
    auto items = a.items();
    for (auto& i : items) i = apply(std::move(i));
    return value::multi(std::move(items));
  }
  return value{apply(a.as_string())};
}
value fn_lower(const expr& c, const row& r) { return change_case(c, r, false); }
value fn_upper(const expr& c, const row& r) { return change_case(c, r, true); }

value fn_substr(const expr& c, const row& r) {
  value a = arg(c, 0, r);
  auto start = number_arg(c, 1, r);
  if (a.is_null() || !start) return {};
  std::string s = a.as_string();
  // Splunk counts characters, from 1; a negative start counts from the end.
  std::vector<size_t> offsets;
  for (size_t i = 0; i < s.size(); i += utf8_char_size(s, i)) offsets.push_back(i);
  long long size = (long long)offsets.size();
  long long st = (long long)*start;
  long long from = st > 0 ? st - 1 : (st < 0 ? size + st : 0);
  if (from < 0) from = 0;
  if (from >= size) return value{std::string{}};
  long long len = size - from;
  if (c.args.size() == 3) {
    auto l = number_arg(c, 2, r);
    if (!l || *l < 0) return {};
    len = std::min(len, (long long)*l);
  }
  size_t b = offsets[size_t(from)];
  size_t e = from + len < size ? offsets[size_t(from + len)] : s.size();
  return value{s.substr(b, e - b)};
}

value trim_impl(const expr& c, const row& r, bool left, bool right) {
  value a = arg(c, 0, r);
  if (a.is_null()) return {};
  std::string set = " \t";
  if (c.args.size() == 2) {
    value s = arg(c, 1, r);
    if (s.is_null()) return {};
    set = s.as_string();
  }
  std::string s = a.as_string();
  size_t b = 0, e = s.size();
  if (left)
    while (b < e && set.find(s[b]) != std::string::npos) ++b;
  if (right)
    while (e > b && set.find(s[e - 1]) != std::string::npos) --e;
  return value{s.substr(b, e - b)};
}
value fn_trim(const expr& c, const row& r) { return trim_impl(c, r, true, true); }
value fn_ltrim(const expr& c, const row& r) { return trim_impl(c, r, true, false); }
value fn_rtrim(const expr& c, const row& r) { return trim_impl(c, r, false, true); }

value fn_replace(const expr& c, const row& r) {
  value s = arg(c, 0, r), p = arg(c, 1, r), with = arg(c, 2, r);
  if (s.is_null() || p.is_null() || with.is_null()) return {};
  auto re = compiled_regex(p.as_string());
  std::string rewrite = with.as_string();
  std::string why;
  if (!re || !re->CheckRewriteString(rewrite, &why)) return {};
  auto apply = [&](std::string text) {
    RE2::GlobalReplace(&text, *re, rewrite);
    return text;
  };
  if (s.type() == value::kind::multi) {
    auto items = s.items();
    for (auto& i : items) i = apply(std::move(i));
    return value::multi(std::move(items));
  }
  return value{apply(s.as_string())};
}

std::string check_replace(const expr& c) {
  if (auto e = check_regex_arg(c, 1); !e.empty()) return e;
  if (is_literal_string(c.args[1]) && is_literal_string(c.args[2])) {
    RE2::Options o;
    o.set_log_errors(false);
    RE2 re(c.args[1].text, o);
    std::string why;
    if (!re.CheckRewriteString(c.args[2].text, &why))
      return "replace(): invalid replacement \"" + c.args[2].text + "\": " + why;
  }
  return {};
}

value fn_split(const expr& c, const row& r) {
  value s = arg(c, 0, r), d = arg(c, 1, r);
  if (s.is_null() || d.is_null()) return {};
  std::string text = s.as_string(), sep = d.as_string();
  std::vector<std::string> out;
  if (sep.empty()) {
    for (size_t i = 0; i < text.size();) {
      size_t n = utf8_char_size(text, i);
      out.push_back(text.substr(i, n));
      i += n;
    }
  } else {
    size_t from = 0;
    for (;;) {
      size_t at = text.find(sep, from);
      out.push_back(text.substr(from, at == std::string::npos ? std::string::npos : at - from));
      if (at == std::string::npos) break;
      from = at + sep.size();
    }
  }
  return multi_result(std::move(out));
}

int hex_digit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

value fn_urldecode(const expr& c, const row& r) {
  value a = arg(c, 0, r);
  if (a.is_null()) return {};
  std::string s = a.as_string(), out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() + 0 && hex_digit(s[i + 1]) >= 0 &&
               hex_digit(s[i + 2]) >= 0) {
      out += char(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];  // a stray % stays as it is
    }
  }
  return value{std::move(out)};
}

value digest(const expr& c, const row& r, const EVP_MD* md) {
  value a = arg(c, 0, r);
  if (a.is_null()) return {};
  std::string s = a.as_string();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(s.data(), s.size(), out, &n, md, nullptr) != 1) return {};
  static const char* hex = "0123456789abcdef";
  std::string h;
  for (unsigned i = 0; i < n; ++i) {
    h += hex[out[i] >> 4];
    h += hex[out[i] & 15];
  }
  return value{std::move(h)};
}
value fn_md5(const expr& c, const row& r) { return digest(c, r, EVP_md5()); }
value fn_sha1(const expr& c, const row& r) { return digest(c, r, EVP_sha1()); }
value fn_sha256(const expr& c, const row& r) { return digest(c, r, EVP_sha256()); }

// -- conversion -----------------------------------------------------------------

value fn_tonumber(const expr& c, const row& r) {
  value a = arg(c, 0, r);
  if (a.is_null()) return {};
  if (c.args.size() == 2) {
    auto base = number_arg(c, 1, r);
    if (!base || *base < 2 || *base > 36 || *base != std::floor(*base)) return {};
    std::string s = a.as_string();
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(s.c_str(), &end, int(*base));
    if (s.empty() || *end != '\0' || errno) return {};
    return value{double(v)};
  }
  auto n = a.as_number();
  return n ? value{*n} : value{};
}

std::string with_commas(std::string digits) {
  // `digits` is an optional sign, an integer part and an optional fraction.
  size_t start = (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) ? 1 : 0;
  size_t end = digits.find('.');
  if (end == std::string::npos) end = digits.size();
  std::string out = digits.substr(0, start);
  for (size_t i = start; i < end; ++i) {
    if (i > start && (end - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  out += digits.substr(end);
  return out;
}

std::string duration_text(double secs) {
  std::string sign = secs < 0 ? "-" : "";
  long long micros = std::llround(std::fabs(secs) * 1e6);  // |secs| < 9e12: checked by the caller
  long long whole = micros / 1000000, frac = micros % 1000000;
  long long days = whole / 86400, rest = whole % 86400;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", rest / 3600, rest / 60 % 60, rest % 60);
  std::string out = sign + (days ? std::to_string(days) + "+" : "") + buf;
  if (frac > 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", frac);
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

value fn_tostring(const expr& c, const row& r) {
  value a = arg(c, 0, r);
  if (a.is_null()) return {};
  if (c.args.size() == 1) {
    if (is_boolean_expr(c.args[0])) return value{a.truthy() ? "True" : "False"};
    return value{a.as_string()};
  }
  value how = arg(c, 1, r);
  auto n = a.as_number();
  if (!n) return value{a.as_string()};  // Splunk formats only numbers; text stays text
  std::string mode = how.as_string();
  if (mode == "commas") {
    char buf[64];
    if (std::fabs(*n) >= 1e18) return value{format_number(*n)};
    if (*n == std::floor(*n))
      std::snprintf(buf, sizeof buf, "%.0f", *n);
    else
      std::snprintf(buf, sizeof buf, "%.2f", *n);  // Splunk rounds to two decimals
    return value{with_commas(buf)};
  }
  if (mode == "hex") {
    if (std::fabs(*n) >= 9.2e18) return {};
    long long v = (long long)*n;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llX", (unsigned long long)(v < 0 ? -v : v));
    return value{std::string(v < 0 ? "-" : "") + "0x" + buf};
  }
  if (mode == "duration") {
    if (std::fabs(*n) >= 9e12) return {};  // its microseconds must fit in 64 bits
    return value{duration_text(*n)};
  }
  return {};
}

std::string check_tostring(const expr& c) {
  if (c.args.size() == 2 && is_literal_string(c.args[1])) {
    auto& m = c.args[1].text;
    if (m != "commas" && m != "hex" && m != "duration")
      return "tostring(): unknown format \"" + m +
             "\" (expected \"commas\", \"hex\" or \"duration\")";
  }
  return {};
}

// printf: Splunk's printf, formatted here conversion by conversion. The user's
// format is never handed to snprintf: each conversion is parsed, checked and
// rebuilt from known pieces, and widths and precisions are bounded.
constexpr int max_printf_width = 4096;

struct printf_spec {
  std::string flags;   // of "-+ 0#'"
  int width = -1;      // -1: none; -2: from an argument (*)
  int precision = -1;  // -1: none; -2: from an argument (.*)
  char conversion = 0;
};

/// Parses the format into literal text and conversions; an error names what is wrong.
struct printf_format {
  std::vector<std::variant<std::string, printf_spec>> parts;
  size_t values_needed = 0;
};

result<printf_format> parse_printf(std::string_view f) {
  printf_format out;
  std::string lit;
  auto bad = [&](const std::string& what) { return error{errc::invalid_argument, what}; };
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      lit += f[i];
      continue;
    }
    if (++i >= f.size()) return bad("the format ends in \"%\"");
    if (f[i] == '%') {
      lit += '%';
      continue;
    }
    printf_spec s;
    while (i < f.size() && std::string_view("-+ 0#'").find(f[i]) != std::string_view::npos)
      s.flags += f[i++];
    auto number = [&](int& into) -> bool {
      if (i < f.size() && f[i] == '*') {
        into = -2;
        ++i;
        ++out.values_needed;
        return true;
      }
      long long v = -1;
      while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
        v = (v < 0 ? 0 : v) * 10 + (f[i++] - '0');
        if (v > max_printf_width) return false;
      }
      into = int(v);
      return true;
    };
    if (!number(s.width)) return bad("a width above " + std::to_string(max_printf_width));
    if (i < f.size() && f[i] == '.') {
      ++i;
      if (!number(s.precision)) return bad("a precision above " + std::to_string(max_printf_width));
      if (s.precision == -1) s.precision = 0;
    }
    while (i < f.size() && (f[i] == 'l' || f[i] == 'h' || f[i] == 'L' || f[i] == 'q' ||
                            f[i] == 'j' || f[i] == 'z' || f[i] == 't'))
      ++i;  // length modifiers mean nothing for eval values
    if (i >= f.size()) return bad("the format ends inside a conversion");
    char conv = f[i];
    if (std::string_view("diuoxXfFeEgGaAcs").find(conv) == std::string_view::npos)
      return bad(std::string("unknown conversion \"%") + conv + "\"");
    s.conversion = conv;
    ++out.values_needed;
    if (!lit.empty()) out.parts.emplace_back(std::move(lit));
    lit.clear();
    out.parts.emplace_back(s);
  }
  if (!lit.empty()) out.parts.emplace_back(std::move(lit));
  return out;
}

/// Pads `body` (sign and prefix first, then digits) to `width` per the flags.
std::string pad(std::string body, const printf_spec& s, bool numeric, size_t width) {
  size_t len = utf8_length(body);
  if (len >= width) return body;
  size_t fill = width - len;
  if (s.flags.find('-') != std::string::npos) return body + std::string(fill, ' ');
  if (numeric && s.flags.find('0') != std::string::npos) {
    size_t at = 0;
    if (at < body.size() && (body[at] == '-' || body[at] == '+' || body[at] == ' ')) ++at;
    if (body.size() >= at + 2 && body[at] == '0' && (body[at + 1] == 'x' || body[at + 1] == 'X'))
      at += 2;
    if (!std::isdigit((unsigned char)body.back()))
      return std::string(fill, ' ') + body;  // inf, nan
    return body.insert(at, std::string(fill, '0'));
  }
  return std::string(fill, ' ') + body;
}

/// snprintf of one value with a format kura built itself (never the user's),
/// sized first so nothing is cut (widths and precisions are bounded).
template <class T>
std::string format_one(const std::string& format, T v) {
  int n = std::snprintf(nullptr, 0, format.c_str(), v);
  if (n <= 0) return {};
  std::string out(size_t(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), format.c_str(), v);
  out.resize(size_t(n));
  return out;
}

/// One conversion of one value; nullopt when the value does not fit it.
std::optional<std::string> convert(const printf_spec& s, int width, int precision, const value& v) {
  auto has = [&](char f) { return s.flags.find(f) != std::string::npos; };
  std::string cflags;  // the flags snprintf gets: never width (padding is ours) nor '
  for (char f : s.flags)
    if (f == '+' || f == ' ' || f == '#') cflags += f;
  std::string prec = precision >= 0 ? "." + std::to_string(precision) : "";
  std::string body;
  bool numeric = true;
  switch (s.conversion) {
    case 's': {
      numeric = false;
      body = v.as_string();
      if (precision >= 0 && utf8_length(body) > size_t(precision)) {
        size_t at = 0;
        for (int k = 0; k < precision; ++k) at += utf8_char_size(body, at);
        body.resize(at);
      }
      break;
    }
    case 'c': {
      numeric = false;
      if (v.type() == value::kind::number) {
        auto n = v.as_number();
        if (!n || *n < 0 || *n > 0x10FFFF) return std::nullopt;
        append_utf8(body, uint32_t(*n));
      } else {
        std::string t = v.as_string();
        if (!t.empty()) body = t.substr(0, utf8_char_size(t, 0));
      }
      break;
    }
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X': {
      auto n = v.as_number();
      if (!n || !std::isfinite(*n) || std::fabs(*n) >= 9.2e18) return std::nullopt;
      long long iv = (long long)std::trunc(*n);
      std::string f = "%" + cflags + prec;
      if (s.conversion == 'd' || s.conversion == 'i' || s.conversion == 'u')
        body = format_one(f + "lld", iv);
      else
        body = format_one(f + "ll" + s.conversion, (unsigned long long)iv);
      if (has('\'') && (s.conversion == 'd' || s.conversion == 'i' || s.conversion == 'u'))
        body = with_commas(body);
      if (precision >= 0 && has('0')) numeric = false;  // C: 0 is ignored with a precision
      break;
    }
    default: {  // f F e E g G a A
      auto n = v.as_number();
      if (!n) return std::nullopt;
      body = format_one("%" + cflags + prec + s.conversion, *n);  // %.4096f of 1e308: ~4400 bytes
      if (has('\'') &&
          (s.conversion == 'f' || s.conversion == 'F' || s.conversion == 'g' ||
           s.conversion == 'G') &&
          std::isfinite(*n) && body.find_first_of("eE") == std::string::npos)
        body = with_commas(body);
      break;
    }
  }
  return pad(std::move(body), s, numeric, width < 0 ? 0 : size_t(width));
}

value fn_printf(const expr& c, const row& r) {
  value fv = arg(c, 0, r);
  if (fv.is_null()) return {};
  auto f = parse_printf(fv.as_string());
  if (!f || f->values_needed > c.args.size() - 1) return {};
  size_t next = 1;
  std::string out;
  for (auto& part : f->parts) {
    if (auto* text = std::get_if<std::string>(&part)) {
      out += *text;
      continue;
    }
    auto& s = std::get<printf_spec>(part);
    auto star = [&](int v) -> std::optional<int> {
      if (v != -2) return v;
      auto n = arg(c, next++, r).as_number();
      if (!n || std::fabs(*n) > max_printf_width) return std::nullopt;
      return int(*n);
    };
    auto width = star(s.width);
    auto precision = star(s.precision);
    if (!width || !precision) return {};
    printf_spec spec = s;
    if (*width < -1) {  // a negative * width means left-justified
      spec.flags += '-';
      width = -*width;
    }
    value v = arg(c, next++, r);
    if (v.is_null()) return {};
    auto piece = convert(spec, *width, *precision < -1 ? -1 : *precision, v);
    if (!piece) return {};
    out += *piece;
  }
  return value{std::move(out)};
}

std::string check_printf(const expr& c) {
  if (!is_literal_string(c.args[0])) return {};
  auto f = parse_printf(c.args[0].text);
  if (!f) return "printf(): invalid format \"" + c.args[0].text + "\": " + f.err().message();
  if (f->values_needed != c.args.size() - 1)
    return "printf(): the format \"" + c.args[0].text + "\" takes " +
           std::to_string(f->values_needed) + " values, got " + std::to_string(c.args.size() - 1);
  return {};
}

// -- mathematics ----------------------------------------------------------------

template <double (*F)(double)>
value unary_math(const expr& c, const row& r) {
  auto n = number_arg(c, 0, r);
  return n ? finite(F(*n)) : value{};
}
double op_abs(double x) { return std::fabs(x); }
double op_floor(double x) { return std::floor(x); }
double op_ceil(double x) { return std::ceil(x); }
double op_exp(double x) { return std::exp(x); }
double op_ln(double x) { return x > 0 ? std::log(x) : NAN; }
double op_sqrt(double x) { return x >= 0 ? std::sqrt(x) : NAN; }
double op_exact(double x) { return x; }

value fn_log(const expr& c, const row& r) {
  auto n = number_arg(c, 0, r);
  double base = 10;
  if (c.args.size() == 2) {
    auto b = number_arg(c, 1, r);
    if (!b) return {};
    base = *b;
  }
  if (!n || *n <= 0 || base <= 0 || base == 1) return {};
  return finite(base == 10 ? std::log10(*n) : std::log(*n) / std::log(base));
}

value fn_pow(const expr& c, const row& r) {
  auto x = number_arg(c, 0, r), y = number_arg(c, 1, r);
  return x && y ? finite(std::pow(*x, *y)) : value{};
}

value fn_round(const expr& c, const row& r) {
  auto n = number_arg(c, 0, r);
  if (!n) return {};
  double digits = 0;
  if (c.args.size() == 2) {
    auto d = number_arg(c, 1, r);
    if (!d) return {};
    digits = std::clamp(std::floor(*d), -20.0, 20.0);
  }
  double m = std::pow(10.0, digits);
  return finite(std::round(*n * m) / m);
}

value fn_pi(const expr&, const row&) { return value{M_PI}; }

value fn_random(const expr&, const row&) {
  thread_local std::mt19937 rng{std::random_device{}()};
  return value{double(rng() & 0x7FFFFFFF)};  // Splunk: 0 to 2^31-1
}

/// min/max: numbers are below strings; strings compare lexicographically.
value extreme(const expr& c, const row& r, bool want_max) {
  std::optional<double> num;
  std::optional<std::string> str;
  auto take = [&](const value& v, bool literal) {
    std::optional<double> n = v.type() == value::kind::number ? v.as_number()
                              : literal                       ? std::nullopt
                                                              : v.as_number();
    if (n) {
      if (!num || (want_max ? *n > *num : *n < *num)) num = n;
    } else {
      std::string s = v.as_string();
      if (!str || (want_max ? s > *str : s < *str)) str = std::move(s);
    }
  };
  for (size_t i = 0; i < c.args.size(); ++i) {
    value v = arg(c, i, r);
    if (v.is_null()) continue;
    if (v.type() == value::kind::multi)
      for (auto& item : v.items()) take(value{item}, false);
    else
      take(v, is_literal_string(c.args[i]));
  }
  if (want_max ? bool(str) : !num) return str ? value{*str} : value{};
  return num ? value{*num} : value{};
}
value fn_min(const expr& c, const row& r) { return extreme(c, r, false); }
value fn_max(const expr& c, const row& r) { return extreme(c, r, true); }

// -- multivalue -----------------------------------------------------------------

value fn_mvcount(const expr& c, const row& r) {
  value v = arg(c, 0, r);
  if (v.is_null()) return {};
  return value{double(v.type() == value::kind::multi ? v.items().size() : 1)};
}

value fn_mvindex(const expr& c, const row& r) {
  value v = arg(c, 0, r);
  auto start = number_arg(c, 1, r);
  if (v.is_null() || !start) return {};
  auto items = v.items();
  long long n = (long long)items.size();
  auto index = [&](double d) { return d < 0 ? n + (long long)d : (long long)d; };
  long long s = index(*start), e = s;
  if (c.args.size() == 3) {
    auto end = number_arg(c, 2, r);
    if (!end) return {};
    e = index(*end);
  }
  if (s < 0 || s >= n || e < s) return {};
  e = std::min(e, n - 1);
  std::vector<std::string> out(items.begin() + s, items.begin() + e + 1);
  return multi_result(std::move(out));
}

value fn_mvjoin(const expr& c, const row& r) {
  value v = arg(c, 0, r), d = arg(c, 1, r);
  if (v.is_null() || d.is_null()) return {};
  std::string sep = d.as_string(), out;
  auto items = v.items();
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return value{std::move(out)};
}

value fn_mvappend(const expr& c, const row& r) {
  std::vector<std::string> out;
  for (size_t i = 0; i < c.args.size(); ++i) {
    auto items = arg(c, i, r).items();
    out.insert(out.end(), std::make_move_iterator(items.begin()),
               std::make_move_iterator(items.end()));
  }
  return multi_result(std::move(out));
}

value fn_mvdedup(const expr& c, const row& r) {
  value v = arg(c, 0, r);
  if (v.is_null()) return {};
  std::vector<std::string> out;
  for (auto& item : v.items())
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
  return multi_result(std::move(out));
}

void collect_fields(const expr& e, std::vector<std::string>& out) {
  if (e.type == expr::kind::field && std::find(out.begin(), out.end(), e.text) == out.end())
    out.push_back(e.text);
  for (auto& a : e.args) collect_fields(a, out);
}

value fn_mvfilter(const expr& c, const row& r) {
  std::vector<std::string> fields;
  collect_fields(c.args[0], fields);
  if (fields.size() != 1) return {};
  const value* v = r.get(fields[0]);
  if (!v || v->is_null()) return {};
  std::vector<std::string> kept;
  for (auto& item : v->items()) {
    row one;
    one.add(fields[0], value{item});
    if (evaluate(c.args[0], one).truthy()) kept.push_back(item);
  }
  return multi_result(std::move(kept));
}

std::string check_mvfilter(const expr& c) {
  std::vector<std::string> fields;
  collect_fields(c.args[0], fields);
  if (fields.size() != 1)
    return "mvfilter() needs an expression over exactly one field, e.g. mvfilter(match(email, "
           "\"\\.net$\"))";
  return {};
}

// -- time -----------------------------------------------------------------------

value fn_now(const expr& c, const row&) { return value{c.number}; }

value fn_time(const expr&, const row&) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return value{double(us) / 1e6};
}

constexpr const char* month_abbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* month_full[] = {"January",   "February", "March",    "April",
                                      "May",       "June",     "July",     "August",
                                      "September", "October",  "November", "December"};
constexpr const char* day_abbr[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* day_full[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                    "Thursday", "Friday", "Saturday"};

/// Formats `epoch` (seconds, UTC) with Splunk's strftime codes. False when the
/// format has a code kura does not know (`out` then holds it literally).
bool format_time(double epoch, std::string_view f, std::string& out) {
  using namespace std::chrono;
  int64_t micros = int64_t(std::llround(epoch * 1e6));
  int64_t secs = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
  int64_t frac = micros - secs * 1000000;
  int64_t day_count = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t tod = secs - day_count * 86400;
  sys_days days{std::chrono::days{day_count}};
  year_month_day ymd{days};
  int year = int(ymd.year()), month = int(unsigned(ymd.month())), mday = int(unsigned(ymd.day()));
  int wday = int(weekday{days}.c_encoding());
  int yday = int((days - sys_days{ymd.year() / January / 1}).count());
  int hour = int(tod / 3600), minute = int(tod / 60 % 60), second = int(tod % 60);
  // ISO 8601 week and year: the week with the year's first Thursday is week 1.
  auto iso = [&](int& iso_year) {
    int wd = (wday + 6) % 7;  // Monday = 0
    auto thursday = days + std::chrono::days{3 - wd};
    year_month_day ty{thursday};
    iso_year = int(ty.year());
    return int((thursday - sys_days{ty.year() / January / 1}).count()) / 7 + 1;
  };
  bool known = true;
  char buf[64];
  auto num = [&](long long v, int width, char fill = '0') {
    std::snprintf(buf, sizeof buf, fill == '0' ? "%0*lld" : "%*lld", width, v);
    out += buf;
  };
  auto subsecond = [&](int digits) {
    std::snprintf(buf, sizeof buf, "%06lld", (long long)frac);
    std::string d = buf;
    d.resize(size_t(digits), '0');
    out += d;
  };
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%' || i + 1 == f.size()) {
      out += f[i];
      continue;
    }
    char d = f[++i];
    if (d >= '1' && d <= '9' && i + 1 < f.size() && (f[i + 1] == 'N' || f[i + 1] == 'Q')) {
      subsecond(d - '0');
      ++i;
      continue;
    }
    if (d == ':' && i + 1 < f.size() && f[i + 1] == 'z') {
      out += "+00:00";
      ++i;
      continue;
    }
    switch (d) {
      case 'a':
        out += day_abbr[wday];
        break;
      case 'A':
        out += day_full[wday];
        break;
      case 'b':
      case 'h':
        out += month_abbr[month - 1];
        break;
      case 'B':
        out += month_full[month - 1];
        break;
      case 'c':
        format_time(epoch, "%a %b %e %H:%M:%S %Y", out);
        break;
      case 'C':
        num(year / 100, 2);
        break;
      case 'd':
        num(mday, 2);
        break;
      case 'D':
        format_time(epoch, "%m/%d/%y", out);
        break;
      case 'e':
        num(mday, 2, ' ');
        break;
      case 'f':
        subsecond(6);
        break;
      case 'F':
        format_time(epoch, "%Y-%m-%d", out);
        break;
      case 'g':
      case 'G': {
        int iy;
        iso(iy);
        if (d == 'g')
          num(((iy % 100) + 100) % 100, 2);
        else
          num(iy, 4);
        break;
      }
      case 'H':
        num(hour, 2);
        break;
      case 'I':
        num(hour % 12 ? hour % 12 : 12, 2);
        break;
      case 'j':
        num(yday + 1, 3);
        break;
      case 'k':
        num(hour, 2, ' ');
        break;
      case 'l':
        num(hour % 12 ? hour % 12 : 12, 2, ' ');
        break;
      case 'm':
        num(month, 2);
        break;
      case 'M':
        num(minute, 2);
        break;
      case 'n':
        out += '\n';
        break;
      case 'N':
        subsecond(9);
        break;  // Splunk's default %N is nanoseconds (%9N)
      case 'Q':
        subsecond(3);
        break;  // %Q: milliseconds (%3Q)
      case 'p':
        out += hour < 12 ? "AM" : "PM";
        break;
      case 'r':
        format_time(epoch, "%I:%M:%S %p", out);
        break;
      case 'R':
        format_time(epoch, "%H:%M", out);
        break;
      case 's':
        num(secs, 1);
        break;
      case 'S':
        num(second, 2);
        break;
      case 't':
        out += '\t';
        break;
      case 'T':
      case 'X':
        format_time(epoch, "%H:%M:%S", out);
        break;
      case 'u':
        num(wday ? wday : 7, 1);
        break;
      case 'U':
        num((yday + 7 - wday) / 7, 2);
        break;
      case 'V': {
        int iy;
        num(iso(iy), 2);
        break;
      }
      case 'w':
        num(wday, 1);
        break;
      case 'W':
        num((yday + 7 - (wday + 6) % 7) / 7, 2);
        break;
      case 'x':
        format_time(epoch, "%m/%d/%y", out);
        break;
      case 'y':
        num(((year % 100) + 100) % 100, 2);
        break;
      case 'Y':
        num(year, 4);
        break;
      case 'z':
        out += "+0000";
        break;
      case 'Z':
        out += "UTC";
        break;
      case '+':
        format_time(epoch, "%a %b %e %H:%M:%S %Z %Y", out);
        break;
      case '%':
        out += '%';
        break;
      default:
        known = false;
        out += '%';
        out += d;
    }
  }
  return known;
}

/// Epoch seconds kura can format: years 0 to 9999.
bool formattable(double epoch) { return epoch > -62167219200.0 && epoch < 253402300800.0; }

value fn_strftime(const expr& c, const row& r) {
  auto t = number_arg(c, 0, r);
  value f = arg(c, 1, r);
  if (!t || f.is_null() || !formattable(*t)) return {};
  std::string out;
  format_time(*t, f.as_string(), out);
  return value{std::move(out)};
}

std::string check_strftime(const expr& c) {
  if (!is_literal_string(c.args[1])) return {};
  std::string out;
  if (!format_time(0, c.args[1].text, out))
    return "strftime(): unknown time format code in \"" + c.args[1].text + "\"";
  return {};
}

/// Whether a strptime format names a date (else Splunk takes today's date).
bool format_has_date(std::string_view f) {
  for (size_t i = 0; i + 1 < f.size(); ++i)
    if (f[i] == '%') {
      char d = f[++i];
      if (std::string_view("YymdebhBjsF").find(d) != std::string_view::npos) return true;
    }
  return false;
}

/// The directives kura::parse_time knows (see core/pipeline/timestamp.hpp).
std::string unknown_strptime_code(std::string_view f) {
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') continue;
    if (++i >= f.size()) return "%";
    char d = f[i];
    if (d == '*' && i + 1 < f.size()) d = f[++i];
    if (d >= '1' && d <= '9' && i + 1 < f.size() && f[i + 1] == 'N') d = f[++i];
    if (std::string_view("YymdeHIpMSTFbhBaAjsLNfzZ%").find(d) == std::string_view::npos)
      return std::string("%") + d;
  }
  return {};
}

value fn_strptime(const expr& c, const row& r) {
  value s = arg(c, 0, r), f = arg(c, 1, r);
  if (s.is_null() || f.is_null()) return {};
  std::string text = s.as_string(), format = f.as_string();
  if (!unknown_strptime_code(format).empty()) return {};
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  if (!format_has_date(format)) {  // a time of day: today's (UTC)
    std::string today;
    format_time(double(now) / 1e6, "%Y-%m-%d ", today);
    text = today + text;
    format = "%Y-%m-%d " + format;
  }
  auto t = parse_time(text, 0, format);
  if (!t) return {};
  return value{double(resolve_time(*t, time_zone{}, now)) / 1e6};
}

std::string check_strptime(const expr& c) {
  if (!is_literal_string(c.args[1])) return {};
  if (auto code = unknown_strptime_code(c.args[1].text); !code.empty())
    return "strptime(): unsupported time format code \"" + code + "\" in \"" + c.args[1].text +
           "\"";
  return {};
}

value fn_relative_time(const expr& c, const row& r) {
  auto t = number_arg(c, 0, r);
  value spec = arg(c, 1, r);
  if (!t || spec.is_null() || !formattable(*t)) return {};
  auto at = parse_time_modifier(spec.as_string(), time_us(std::llround(*t * 1e6)));
  if (!at) return {};
  return value{double(*at) / 1e6};
}

std::string check_relative_time(const expr& c) {
  if (!is_literal_string(c.args[1])) return {};
  auto at = parse_time_modifier(c.args[1].text, 0);
  if (!at) return "relative_time(): " + at.err().message();
  return {};
}

// -- the table ------------------------------------------------------------------

constexpr size_t many = 1000;  // no upper bound on the argument count

// JSON functions (spath, json_extract, json_object) are added here by their
// owner, with implementations in json_fields.cpp. Keep names lowercase.
const eval_function functions[] = {
    // comparison and conditional
    {"if", 3, 3, fn_if},
    {"case", 2, many, fn_case, check_pairs},
    {"validate", 2, many, fn_validate, check_pairs},
    {"coalesce", 1, many, fn_coalesce},
    {"null", 0, 0, fn_null},
    {"nullif", 2, 2, fn_nullif},
    {"true", 0, 0, fn_true},
    {"false", 0, 0, fn_false},
    {"in", 2, many, fn_in},
    {"like", 2, 2, fn_like},
    {"match", 2, 2, fn_match, check_match},
    {"cidrmatch", 2, 2, fn_cidrmatch, check_cidrmatch},
    {"searchmatch", 1, 1, fn_searchmatch, check_searchmatch},
    // information
    {"isnull", 1, 1, fn_isnull},
    {"isnotnull", 1, 1, fn_isnotnull},
    {"isnum", 1, 1, fn_isnum},
    {"isstr", 1, 1, fn_isstr},
    {"typeof", 1, 1, fn_typeof},
    // text
    {"len", 1, 1, fn_len},
    {"lower", 1, 1, fn_lower},
    {"upper", 1, 1, fn_upper},
    {"substr", 2, 3, fn_substr},
    {"trim", 1, 2, fn_trim},
    {"ltrim", 1, 2, fn_ltrim},
    {"rtrim", 1, 2, fn_rtrim},
    {"replace", 3, 3, fn_replace, check_replace},
    {"split", 2, 2, fn_split},
    {"urldecode", 1, 1, fn_urldecode},
    {"md5", 1, 1, fn_md5},
    {"sha1", 1, 1, fn_sha1},
    {"sha256", 1, 1, fn_sha256},
    // conversion
    {"tonumber", 1, 2, fn_tonumber},
    {"tostring", 1, 2, fn_tostring, check_tostring},
    {"printf", 1, many, fn_printf, check_printf},
    // mathematics
    {"abs", 1, 1, unary_math<op_abs>},
    {"floor", 1, 1, unary_math<op_floor>},
    {"ceil", 1, 1, unary_math<op_ceil>},
    {"ceiling", 1, 1, unary_math<op_ceil>},
    {"exp", 1, 1, unary_math<op_exp>},
    {"ln", 1, 1, unary_math<op_ln>},
    {"sqrt", 1, 1, unary_math<op_sqrt>},
    {"exact", 1, 1, unary_math<op_exact>},
    {"log", 1, 2, fn_log},
    {"pow", 2, 2, fn_pow},
    {"round", 1, 2, fn_round},
    {"pi", 0, 0, fn_pi},
    {"random", 0, 0, fn_random},
    {"min", 1, many, fn_min},
    {"max", 1, many, fn_max},
    // multivalue
    {"mvcount", 1, 1, fn_mvcount},
    {"mvindex", 2, 3, fn_mvindex},
    {"mvjoin", 2, 2, fn_mvjoin},
    {"mvappend", 1, many, fn_mvappend},
    {"mvfilter", 1, 1, fn_mvfilter, check_mvfilter},
    {"mvdedup", 1, 1, fn_mvdedup},
    // time
    {"now", 0, 0, fn_now},
    {"time", 0, 0, fn_time},
    {"strftime", 2, 2, fn_strftime, check_strftime},
    {"strptime", 2, 2, fn_strptime, check_strptime},
    {"relative_time", 2, 2, fn_relative_time, check_relative_time},
    // JSON (json_fields.cpp)
    {"spath", 2, 2, eval_spath, check_json_path_call},
    {"json_extract", 1, many, eval_json_extract, check_json_path_call},
    {"json_object", 0, many, eval_json_object, check_json_object_call},
};

std::string lowercase(std::string_view s) {
  std::string out{s};
  for (char& ch : out) ch = char(std::tolower((unsigned char)ch));
  return out;
}

}  // namespace

bool is_boolean_expr(const expr& e) {
  if (e.type == expr::kind::unary) return e.text == "NOT";
  if (e.type == expr::kind::binary) {
    static constexpr std::string_view ops[] = {"=", "!=", "<", "<=", ">", ">=", "AND", "OR", "XOR"};
    return std::find(std::begin(ops), std::end(ops), e.text) != std::end(ops);
  }
  if (e.type == expr::kind::call) {
    static constexpr std::string_view fns[] = {"isnull", "isnotnull", "isnum",     "isstr",
                                               "match",  "like",      "cidrmatch", "searchmatch",
                                               "in",     "true",      "false"};
    return std::find(std::begin(fns), std::end(fns), e.text) != std::end(fns);
  }
  return false;
}

const eval_function* find_eval_function(std::string_view name) {
  static const auto index = [] {
    std::unordered_map<std::string_view, const eval_function*> m;
    for (auto& f : functions) m.emplace(f.name, &f);
    return m;
  }();
  auto it = index.find(name);
  if (it == index.end()) {
    if (std::none_of(name.begin(), name.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }))
      return nullptr;
    it = index.find(lowercase(name));
    if (it == index.end()) return nullptr;
  }
  return it->second;
}

error check_eval_call(expr& call, time_us now) {
  auto* f = find_eval_function(call.text);
  if (!f)
    return {errc::invalid_argument,
            "unknown function \"" + call.text + "\" at " + call.pos.render()};
  call.text = std::string{f->name};
  if (call.args.size() < f->min_args || call.args.size() > f->max_args) {
    std::string expected = f->min_args == f->max_args ? std::to_string(f->min_args)
                           : f->max_args == many
                               ? "at least " + std::to_string(f->min_args)
                               : std::to_string(f->min_args) + " to " + std::to_string(f->max_args);
    return {errc::invalid_argument, "wrong number of arguments to " + call.text + "() (expected " +
                                        expected + ", got " + std::to_string(call.args.size()) +
                                        ") at " + call.pos.render()};
  }
  if (f->check)
    if (auto why = f->check(call); !why.empty())
      return {errc::invalid_argument, why + " at " + call.pos.render()};
  call.number = double(now) / 1e6;
  return {};
}

std::vector<std::string> implicit_call_fields(const expr& call) {
  std::vector<std::string> out;
  if (call.type != expr::kind::call || call.text != "searchmatch" || call.args.empty() ||
      !is_literal_string(call.args[0]))
    return out;
  out.push_back("_raw");
  if (auto n = parse_searchmatch(call.args[0].text)) search_fields(*n, out);
  return out;
}

value evaluate_call(const expr& call, const row& r) {
  auto* f = find_eval_function(call.text);
  if (!f || call.args.size() < f->min_args || call.args.size() > f->max_args) return {};
  return f->run(call, r);
}

}  // namespace kura::search
