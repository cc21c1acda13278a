// The eval expression evaluator.
#include "core/search/eval.hpp"

#include <cmath>

namespace kura::search {
namespace {

value boolean(bool b) { return value{b ? 1.0 : 0.0}; }

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

value call(const expr& e, const row& r) {
  auto arg = [&](size_t i) { return evaluate(e.args[i], r); };
  const std::string& f = e.text;
  if (f == "if") return arg(0).truthy() ? arg(1) : arg(2);
  if (f == "case") {
    for (size_t i = 0; i + 1 < e.args.size(); i += 2)
      if (arg(i).truthy()) return arg(i + 1);
    return {};
  }
  if (f == "coalesce") {
    for (size_t i = 0; i < e.args.size(); ++i)
      if (auto v = arg(i); !v.is_null()) return v;
    return {};
  }
  if (f == "null") return {};
  value a = arg(0);
  if (f == "isnull") return boolean(a.is_null());
  if (f == "isnotnull") return boolean(!a.is_null());
  if (a.is_null()) return {};
  if (f == "len") return value{double(utf8_length(a.as_string()))};
  if (f == "tostring") return value{a.as_string()};
  if (f == "lower" || f == "upper") {
    std::string s = a.as_string();
    for (char& c : s) c = f == "lower" ? char(std::tolower((unsigned char)c)) : char(std::toupper((unsigned char)c));
    return value{std::move(s)};
  }
  if (f == "tonumber") {
    if (e.args.size() == 2) {
      auto base = arg(1).as_number();
      if (!base || *base < 2 || *base > 36) return {};
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
  if (f == "substr") {
    std::string s = a.as_string();
    auto start = arg(1).as_number();
    if (!start) return {};
    long long st = (long long)*start;
    long long size = (long long)s.size();
    long long from = st > 0 ? st - 1 : (st < 0 ? size + st : 0);
    if (from < 0) from = 0;
    if (from >= size) return value{std::string{}};
    long long len = size - from;
    if (e.args.size() == 3) {
      auto l = arg(2).as_number();
      if (!l || *l < 0) return {};
      len = std::min(len, (long long)*l);
    }
    return value{s.substr(size_t(from), size_t(len))};
  }
  auto n = a.as_number();
  if (!n) return {};
  if (f == "round") {
    double digits = e.args.size() == 2 ? arg(1).as_number().value_or(0) : 0;
    double m = std::pow(10.0, std::floor(digits));
    return value{std::round(*n * m) / m};
  }
  if (f == "abs") return value{std::fabs(*n)};
  if (f == "floor") return value{std::floor(*n)};
  if (f == "ceil") return value{std::ceil(*n)};
  return {};
}

}  // namespace

value evaluate(const expr& e, const row& r) {
  switch (e.type) {
    case expr::kind::number: return value{e.number};
    case expr::kind::string: return value{e.text};
    case expr::kind::field: {
      auto* v = r.get(e.text);
      return v ? *v : value{};
    }
    case expr::kind::call: return call(e, r);
    case expr::kind::unary: {
      value a = evaluate(e.args[0], r);
      if (e.text == "NOT") return boolean(!a.truthy());
      auto n = a.as_number();
      return n ? value{-*n} : value{};
    }
    case expr::kind::binary: break;
  }
  const std::string& op = e.text;
  if (op == "AND") return boolean(evaluate(e.args[0], r).truthy() && evaluate(e.args[1], r).truthy());
  if (op == "OR") return boolean(evaluate(e.args[0], r).truthy() || evaluate(e.args[1], r).truthy());
  value a = evaluate(e.args[0], r), b = evaluate(e.args[1], r);
  if (op == "XOR") return boolean(a.truthy() != b.truthy());
  if (op == "=" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    if (a.is_null() || b.is_null()) return boolean(false);
    auto na = a.as_number(), nb = b.as_number();
    int c;
    if (na && nb) c = *na < *nb ? -1 : (*na > *nb ? 1 : 0);
    else c = a.as_string().compare(b.as_string());
    if (op == "=") return boolean(c == 0);
    if (op == "!=") return boolean(c != 0);
    if (op == "<") return boolean(c < 0);
    if (op == "<=") return boolean(c <= 0);
    if (op == ">") return boolean(c > 0);
    return boolean(c >= 0);
  }
  if (a.is_null() || b.is_null()) return {};
  if (op == ".") return value{a.as_string() + b.as_string()};
  auto na = a.as_number(), nb = b.as_number();
  if (op == "+" && !(na && nb)) return value{a.as_string() + b.as_string()};
  if (!na || !nb) return {};
  if (op == "+") return value{*na + *nb};
  if (op == "-") return value{*na - *nb};
  if (op == "*") return value{*na * *nb};
  if (op == "/") return *nb == 0 ? value{} : value{*na / *nb};
  if (op == "%") return *nb == 0 ? value{} : value{std::fmod(*na, *nb)};
  return {};
}

}  // namespace kura::search
