// The eval expression evaluator.
#include "core/search/eval.hpp"

#include <cmath>

#include "core/search/eval_functions.hpp"

namespace kura::search {
namespace {

value boolean(bool b) { return value{b ? 1.0 : 0.0}; }

}  // namespace

value evaluate(const expr& e, const row& r) {
  switch (e.type) {
    case expr::kind::number: return value{e.number};
    case expr::kind::string: return value{e.text};
    case expr::kind::field: {
      auto* v = r.get(e.text);
      return v ? *v : value{};
    }
    case expr::kind::call:
      return evaluate_call(e, r);
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
