// eval/where expressions: operators by precedence, IN, function calls.
#include <algorithm>
#include <charconv>

#include "core/search/eval_functions.hpp"
#include "core/search/parser.hpp"
#include "core/search/parser_impl.hpp"

namespace kura::search::detail {

expr parser::binary(std::string op, expr l, expr r, position pos) {
  expr e;
  e.type = expr::kind::binary;
  e.text = std::move(op);
  e.pos = pos;
  e.args.push_back(std::move(l));
  e.args.push_back(std::move(r));
  return e;
}

result<expr> parser::parse_expr() {
  if (++expr_depth_ > max_depth) {
    --expr_depth_;
    return error{errc::invalid_argument, "expression nested too deeply at " + lex_.here().render()};
  }
  auto e = parse_or_expr();
  --expr_depth_;
  return e;
}

result<expr> parser::parse_or_expr() {
  auto l = parse_and_expr();
  if (!l) return l;
  for (;;) {
    auto t = expr_peek();
    if (!t) return t.err();
    if (t->type == token::kind::ident && (t->text == "OR" || t->text == "XOR")) {
      (void)lex_.expr_token();
      auto r = parse_and_expr();
      if (!r) return r;
      l = binary(t->text, std::move(*l), std::move(*r), t->pos);
    } else {
      return l;
    }
  }
}

result<expr> parser::parse_and_expr() {
  auto l = parse_not_expr();
  if (!l) return l;
  while (accept(token::kind::ident, "AND")) {
    auto r = parse_not_expr();
    if (!r) return r;
    l = binary("AND", std::move(*l), std::move(*r), l->pos);
  }
  return l;
}

result<expr> parser::parse_not_expr() {
  auto t = expr_peek();
  if (!t) return t.err();
  if (t->type == token::kind::ident && t->text == "NOT") return unary(*t, &parser::parse_not_expr);
  return parse_comparison();
}

result<expr> parser::unary(const token& op, result<expr> (parser::*operand)()) {
  (void)lex_.expr_token();
  if (++expr_depth_ > max_depth)
    return error{errc::invalid_argument, "expression nested too deeply at " + op.pos.render()};
  auto inner = (this->*operand)();
  --expr_depth_;
  if (!inner || op.text == "+") return inner;
  expr e;
  e.type = expr::kind::unary;
  e.text = op.text;
  e.pos = op.pos;
  e.args.push_back(std::move(*inner));
  return e;
}

result<expr> parser::parse_comparison() {
  auto l = parse_additive();
  if (!l) return l;
  auto t = expr_peek();
  if (!t) return t.err();
  if (t->type == token::kind::op &&
      (t->text == "=" || t->text == "==" || t->text == "!=" || t->text == "<" || t->text == "<=" ||
       t->text == ">" || t->text == ">=")) {
    (void)lex_.expr_token();
    auto r = parse_additive();
    if (!r) return r;
    return binary(t->text == "==" ? "=" : t->text, std::move(*l), std::move(*r), t->pos);
  }
  if (is_keyword(*t, "in")) return parse_in_operator(std::move(*l), *t);
  return l;
}

result<expr> parser::parse_in_operator(expr subject, const token& in) {
  (void)lex_.expr_token();  // IN
  auto open = lex_.expr_token();
  if (!open) return open.err();
  if (open->type != token::kind::lparen) return syntax("expected \"(\" after IN", *open);
  expr e;
  e.type = expr::kind::call;
  e.text = "in";
  e.pos = in.pos;
  e.args.push_back(std::move(subject));
  if (auto err = parse_expression_list(e.args, "expected \",\" or \")\" in the IN list"))
    return err;
  if (auto err = check_eval_call(e, now_)) return err;
  return e;
}

error parser::parse_expression_list(std::vector<expr>& out, const std::string& what) {
  for (;;) {
    auto a = parse_expr();
    if (!a) return a.err();
    out.push_back(std::move(*a));
    auto sep = lex_.expr_token();
    if (!sep) return sep.err();
    if (sep->type == token::kind::rparen) return {};
    if (sep->type != token::kind::comma) return syntax(what, *sep);
  }
}

result<expr> parser::left_assoc(std::initializer_list<std::string_view> ops,
                                result<expr> (parser::*next)()) {
  auto l = (this->*next)();
  if (!l) return l;
  for (;;) {
    auto t = expr_peek();
    if (!t) return t.err();
    if (t->type != token::kind::op || std::find(ops.begin(), ops.end(), t->text) == ops.end())
      return l;
    (void)lex_.expr_token();
    auto r = (this->*next)();
    if (!r) return r;
    l = binary(t->text, std::move(*l), std::move(*r), t->pos);
  }
}

result<expr> parser::parse_additive() {
  return left_assoc({"+", "-", "."}, &parser::parse_multiplicative);
}

result<expr> parser::parse_multiplicative() {
  return left_assoc({"*", "/", "%"}, &parser::parse_unary_expr);
}

result<expr> parser::parse_unary_expr() {
  auto t = expr_peek();
  if (!t) return t.err();
  if (t->type == token::kind::op && (t->text == "-" || t->text == "+"))
    return unary(*t, &parser::parse_unary_expr);
  return parse_primary();
}

result<expr> parser::parse_primary() {
  auto t = lex_.expr_token();
  if (!t) return t.err();
  expr e;
  e.pos = t->pos;
  switch (t->type) {
    case token::kind::number: {
      e.type = expr::kind::number;
      auto [p, ec] = std::from_chars(t->text.data(), t->text.data() + t->text.size(), e.number);
      if (ec != std::errc{} || p != t->text.data() + t->text.size())
        return syntax("expected a number", *t);
      return e;
    }
    case token::kind::string:
      e.type = expr::kind::string;
      e.text = t->text;
      return e;
    case token::kind::lparen: {
      auto inner = parse_expr();
      if (!inner) return inner;
      if (auto err = expect_rparen()) return err;
      return inner;
    }
    case token::kind::ident: {
      auto next = expr_peek();
      if (!next) return next.err();
      if (next->type == token::kind::lparen && !next->space_before) {
        (void)lex_.expr_token();
        if (!find_eval_function(t->text))
          return error{errc::invalid_argument,
                       "unknown function \"" + t->text + "\" at " + t->pos.render()};
        e.type = expr::kind::call;
        e.text = t->text;
        if (!accept(token::kind::rparen))
          if (auto err = parse_expression_list(e.args, "expected \",\" or \")\"")) return err;
        if (auto err = check_eval_call(e, now_)) return err;  // arity, literal arguments
        return e;
      }
      e.type = expr::kind::field;
      e.text = t->text;
      return e;
    }
    default:
      return syntax("expected a value, a field or a function", *t);
  }
}

}  // namespace kura::search::detail
