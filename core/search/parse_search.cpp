// The base search: terms, phrases, IN lists, CASE()/TERM(), field comparisons,
// NOT/AND/OR and parentheses, earliest=/latest=.
#include <algorithm>

#include "core/search/parser.hpp"
#include "core/search/parser_impl.hpp"
#include "core/text/segmenter.hpp"

namespace kura::search::detail {

namespace {

bool valid_field_name(std::string_view s) {
  if (s.empty() || !(ident_start(s[0]) || s[0] == '_')) return false;
  // `{` `}`: JSON field names (tags{}, items{}.sku).
  return std::all_of(s.begin(), s.end(), [](char c) {
    return ident_char(c) || c == '.' || c == ':' || c == '{' || c == '}';
  });
}

}  // namespace

result<search_node> parser::parse_search(bool base, query& q) {
  auto st = lex_.save();
  auto first = lex_.search_token();
  if (!first) return first.err();
  // "search" at the very start is optional: `search error` == `error`.
  if (!(base && first->type == token::kind::word && first->text == "search")) lex_.restore(st);
  auto node = parse_and(base ? &q : nullptr, 0);
  if (!node) return node;
  return std::move(*node);
}

result<token> parser::peek_search() {
  auto st = lex_.save();
  auto t = lex_.search_token();
  lex_.restore(st);
  return t;
}

bool parser::ends_search(const token& t) {
  return t.type == token::kind::end || t.type == token::kind::pipe || t.type == token::kind::rparen;
}

result<search_node> parser::parse_and(query* q, int depth) {
  search_node node;
  node.type = search_node::kind::and_;
  for (;;) {
    auto t = peek_search();
    if (!t) return t.err();
    if (ends_search(*t)) break;
    if (t->type == token::kind::word && t->text == "AND") {
      (void)lex_.search_token();
      continue;
    }
    auto child = parse_or(q, depth);
    if (!child) return child;
    if (q && depth == 0 && child->type == search_node::kind::compare &&
        (child->field == "earliest" || child->field == "latest")) {
      if (child->op != compare_op::eq)
        return error{errc::invalid_argument,
                     child->field + " takes \"=\" at " + child->pos.render()};
      auto t2 = parse_time_modifier(child->text, now_);
      if (!t2)
        return error{errc::invalid_argument, t2.err().message() + " at " + child->pos.render()};
      (child->field == "earliest" ? q->earliest : q->latest) = *t2;
      continue;
    }
    if (q && mentions_field(*child, "index")) q->names_index = true;
    if (q && mentions_time(*child))
      return error{errc::invalid_argument,
                   "earliest and latest may not be inside OR, NOT or parentheses at " +
                       time_node(*child)->pos.render()};
    node.children.push_back(std::move(*child));
  }
  if (node.children.empty()) return search_node{};  // all
  if (node.children.size() == 1) return std::move(node.children[0]);
  node.pos = node.children[0].pos;
  return node;
}

result<search_node> parser::parse_or(query* q, int depth) {
  auto left = parse_unary(q, depth);
  if (!left) return left;
  search_node node;
  node.type = search_node::kind::or_;
  node.pos = left->pos;
  node.children.push_back(std::move(*left));
  for (;;) {
    auto t = peek_search();
    if (!t) return t.err();
    if (t->type != token::kind::word || t->text != "OR") break;
    (void)lex_.search_token();
    auto right = parse_unary(q, depth + 1);
    if (!right) return right;
    node.children.push_back(std::move(*right));
  }
  if (node.children.size() == 1) return std::move(node.children[0]);
  return node;
}

const search_node* parser::time_node(const search_node& n) {
  if (n.type == search_node::kind::compare && (n.field == "earliest" || n.field == "latest"))
    return &n;
  for (auto& c : n.children)
    if (auto* t = time_node(c)) return t;
  return nullptr;
}

bool parser::mentions_field(const search_node& n, std::string_view field) {
  if (n.type == search_node::kind::compare && n.field == field) return true;
  return std::any_of(n.children.begin(), n.children.end(),
                     [&](auto& c) { return mentions_field(c, field); });
}

result<search_node> parser::parse_unary(query* q, int depth) {
  auto t = lex_.search_token();
  if (!t) return t.err();
  if (depth > max_depth)
    return error{errc::invalid_argument, "search nested too deeply at " + t->pos.render()};
  if (t->type == token::kind::word && t->text == "NOT") {
    auto inner = parse_unary(q, depth + 1);
    if (!inner) return inner;
    search_node n;
    n.type = search_node::kind::not_;
    n.pos = t->pos;
    n.children.push_back(std::move(*inner));
    return n;
  }
  if (t->type == token::kind::lparen) {
    auto inner = parse_and(q, depth + 1);
    if (!inner) return inner;
    auto close = lex_.search_token();
    if (!close) return close.err();
    if (close->type != token::kind::rparen) return syntax("expected \")\"", *close);
    if (inner->type == search_node::kind::all)
      return syntax("expected a search term inside parentheses", *close);
    return inner;
  }
  if (t->type == token::kind::string) {
    search_node n;
    n.type = search_node::kind::phrase;
    n.text = t->text;
    n.pos = t->pos;
    if (n.text.empty()) n.type = search_node::kind::all;
    return n;
  }
  if (t->type != token::kind::word) return syntax("expected a search term", *t);
  auto directive = directive_name(*t);
  if (!directive.empty() && directive_follows()) {
    search_node n;
    n.type = search_node::kind::term;
    n.pos = t->pos;
    if (auto err = parse_directive(directive, n)) return err;
    return n;
  }
  if (valid_field_name(t->text)) {
    auto in = parse_in_list(*t);
    if (!in) return in;
    if (in->type != search_node::kind::all) return in;
  }
  return word_node(*t);
}

std::string parser::directive_name(std::string_view text) {
  std::string w;
  for (char c : text) w += char(std::tolower(static_cast<unsigned char>(c)));
  return w == "case" || w == "term" ? w : std::string{};
}

error parser::parse_value_directive(search_node& n) {
  std::string name = directive_name(n.text);
  (void)lex_.search_token();  // "("
  auto inner = lex_.search_token();
  if (!inner) return inner.err();
  std::string upper = name == "case" ? "CASE" : "TERM";
  if (inner->type != token::kind::word && inner->type != token::kind::string)
    return syntax(upper + "() takes one value", *inner);
  auto close = lex_.search_token();
  if (!close) return close.err();
  if (close->type != token::kind::rparen)
    return syntax(upper + "() takes one value: expected \")\"", *close);
  n.text = inner->text;
  n.case_sensitive = name == "case";
  return {};
}

bool parser::directive_follows() {
  auto next = peek_search();
  return next && next->type == token::kind::lparen && !next->space_before;
}

error parser::parse_directive(const std::string& name, search_node& n) {
  auto open = lex_.search_token();  // "(" (checked by directive_follows)
  if (!open) return open.err();
  auto inner = lex_.search_token();
  if (!inner) return inner.err();
  std::string upper = name == "case" ? "CASE" : "TERM";
  if (inner->type != token::kind::word && inner->type != token::kind::string)
    return syntax(upper + "() takes one term", *inner);
  if (directive_name(*inner) != "" && directive_follows())
    return syntax(upper + "() takes one term, not CASE() or TERM()", *inner);
  auto close = lex_.search_token();
  if (!close) return close.err();
  if (close->type != token::kind::rparen)
    return syntax(upper + "() takes one term: expected \")\"", *close);
  n.text = inner->text;
  if (name == "case") {
    n.case_sensitive = true;
    if (inner->type == token::kind::string) n.type = search_node::kind::phrase;
    if (n.text.empty()) return syntax("CASE() needs a term", *inner);
    return {};
  }
  n.whole_term = true;
  const auto& cls = segmenter::classes();
  for (char c : n.text)
    if (c != '*' && cls[uint8_t(c)] == segmenter::char_class::major)
      return syntax("TERM() takes one term without spaces or major breakers", *inner);
  std::string_view trimmed = n.text;
  while (!trimmed.empty() && cls[uint8_t(trimmed.front())] == segmenter::char_class::minor)
    trimmed.remove_prefix(1);
  while (!trimmed.empty() && cls[uint8_t(trimmed.back())] == segmenter::char_class::minor)
    trimmed.remove_suffix(1);
  if (trimmed.empty()) return syntax("TERM() needs a term", *inner);
  return {};
}

result<search_node> parser::parse_in_list(const token& field) {
  auto st = lex_.save();
  auto in = lex_.search_token();
  if (!in) return in.err();
  auto open = lex_.search_token();
  if (!open) return open.err();
  if (in->type != token::kind::word || in->text != "IN" || open->type != token::kind::lparen) {
    lex_.restore(st);
    return search_node{};
  }
  search_node n;
  n.type = search_node::kind::or_;
  n.pos = field.pos;
  auto add = [&](std::string value, const token& at) {
    search_node c;
    c.type = search_node::kind::compare;
    c.field = field.text;
    c.text = std::move(value);
    c.pos = at.pos;
    n.children.push_back(std::move(c));
  };
  for (;;) {
    auto v = lex_.search_token();
    if (!v) return v.err();
    if (v->type == token::kind::rparen) {
      if (n.children.empty()) return syntax("IN needs at least one value", *v);
      break;
    }
    if (v->type == token::kind::string) {
      add(v->text, *v);
    } else if (v->type == token::kind::word) {
      // Values are separated by commas and/or spaces: `(a,b c)`.
      std::string_view rest = v->text;
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        auto value = rest.substr(0, comma);
        if (!value.empty()) add(std::string{value}, *v);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    } else {
      return syntax("expected a value or \")\" in the IN list", *v);
    }
  }
  if (n.children.size() == 1) return std::move(n.children[0]);
  return n;
}

result<search_node> parser::word_node(const token& t) {
  search_node n;
  n.pos = t.pos;
  const std::string& w = t.text;
  size_t at = w.find_first_of("=<>!");
  if (at != std::string::npos && at > 0 && valid_field_name(std::string_view{w}.substr(0, at))) {
    compare_op op;
    size_t len = 1;
    std::string_view rest{w};
    rest.remove_prefix(at);
    if (rest.substr(0, 2) == "!=")
      op = compare_op::ne, len = 2;
    else if (rest.substr(0, 2) == "<=")
      op = compare_op::le, len = 2;
    else if (rest.substr(0, 2) == ">=")
      op = compare_op::ge, len = 2;
    else if (rest[0] == '=')
      op = compare_op::eq;
    else if (rest[0] == '<')
      op = compare_op::lt;
    else if (rest[0] == '>')
      op = compare_op::gt;
    else
      op = compare_op::eq, len = 0;
    if (len > 0) {
      n.type = search_node::kind::compare;
      n.field = w.substr(0, at);
      n.op = op;
      n.text = w.substr(at + len);
      if (n.text.empty()) {
        auto v = peek_search();
        if (!v) return v.err();
        if (v->type == token::kind::string && !v->space_before) {
          (void)lex_.search_token();
          n.text = v->text;
        } else {
          return syntax("expected a value after " + w, *v);
        }
      } else if (!directive_name(n.text).empty() && directive_follows()) {
        if (auto err = parse_value_directive(n)) return err;
      }
      return n;
    }
  }
  n.type = search_node::kind::term;
  n.text = w;
  return n;
}

}  // namespace kura::search::detail
