// Token-level helpers every command parser uses: peeking, keywords, field
// names and lists, counts, `name=value` and `as name`.
#include <algorithm>
#include <charconv>

#include "core/search/parser.hpp"
#include "core/search/parser_impl.hpp"

namespace kura::search::detail {

result<token> parser::expr_peek() {
  auto st = lex_.save();
  auto t = lex_.expr_token();
  lex_.restore(st);
  return t;
}

bool parser::accept(token::kind k, std::string_view text) {
  auto st = lex_.save();
  auto t = lex_.expr_token();
  if (t && t->type == k && (text.empty() || t->text == text)) return true;
  lex_.restore(st);
  return false;
}

bool parser::accept_keyword(std::string_view kw) {
  auto st = lex_.save();
  auto t = lex_.expr_token();
  if (t && is_keyword(*t, kw)) return true;
  lex_.restore(st);
  return false;
}

error parser::expected_here(const std::string& what) {
  auto t = expr_peek();
  if (!t) return t.err();
  return syntax(what, *t);
}

bool parser::command_end(const token& t) {
  return t.type == token::kind::end || t.type == token::kind::pipe;
}

result<std::string> parser::field_name(const std::string& what) {
  auto t = lex_.expr_token();
  if (!t) return t.err();
  if (t->type == token::kind::ident || t->type == token::kind::string) return t->text;
  return syntax("expected " + what, *t);
}

result<size_t> parser::count_arg(const token& t, const std::string& what) {
  size_t n = 0;
  auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n);
  if (t.type != token::kind::number || ec != std::errc{} || p != t.text.data() + t.text.size())
    return syntax("expected " + what, t);
  return n;
}

result<std::vector<std::string>> parser::field_list(std::initializer_list<std::string_view> stop) {
  return names_until(&parser::field_name, stop);
}

result<std::vector<std::string>> parser::names_until(
    result<std::string> (parser::*name)(const std::string&),
    std::initializer_list<std::string_view> stop) {
  std::vector<std::string> out;
  for (;;) {
    auto t = peek_past_commas();
    if (!t) return t.err();
    if (command_end(*t)) break;
    if (std::any_of(stop.begin(), stop.end(),
                    [&](std::string_view kw) { return is_keyword(*t, kw); }))
      break;
    auto f = (this->*name)("a field name");
    if (!f) return f.err();
    out.push_back(std::move(*f));
  }
  return out;
}

result<token> parser::peek_past_commas() {
  for (;;) {
    auto t = expr_peek();
    if (!t || t->type != token::kind::comma) return t;
    (void)lex_.expr_token();
  }
}

result<std::optional<size_t>> parser::leading_count() {
  auto n = expr_peek();
  if (!n) return n.err();
  if (n->type != token::kind::number) return std::optional<size_t>{};
  (void)lex_.expr_token();
  auto v = count_arg(*n, "a count");
  if (!v) return v.err();
  return std::optional<size_t>{*v};
}

result<token> parser::value_after_equals(const std::string& name) {
  auto eq = lex_.expr_token();
  if (!eq) return eq.err();
  if (eq->type != token::kind::op || eq->text != "=")
    return syntax("expected \"=\" after " + name, *eq);
  return lex_.expr_token();
}

error parser::expect_rparen(const std::string& what) {
  auto close = lex_.expr_token();
  if (!close) return close.err();
  if (close->type != token::kind::rparen) return syntax(what, *close);
  return {};
}

error parser::as_name(std::string& name) {
  if (!accept_keyword("as")) return {};
  auto as = field_name("a name after as");
  if (!as) return as.err();
  name = *as;
  return {};
}

}  // namespace kura::search::detail
