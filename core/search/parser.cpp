// Lexer and recursive-descent parser of the search language.
#include "core/search/parser.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

#include "core/pipeline/timestamp.hpp"
#include "core/search/commands.hpp"
#include "core/search/coordinator_args.hpp"
#include "core/search/coordinator_commands.hpp"
#include "core/search/eval_functions.hpp"
#include "core/search/json_fields.hpp"
#include "core/search/lookup.hpp"
#include "core/search/row_commands.hpp"
#include "core/text/segmenter.hpp"

namespace kura::search {
namespace {

bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

struct token {
  enum class kind : uint8_t { end, word, string, pipe, lparen, rparen, comma, op, number, ident };
  kind type = kind::end;
  std::string text;
  position pos;
  bool space_before = false;
};

std::string describe(const token& t) {
  switch (t.type) {
    case token::kind::end:
      return "end of search";
    case token::kind::string:
      return "\"" + t.text + "\"";
    default:
      return "\"" + t.text + "\"";
  }
}

/// Splits the query into tokens. Two modes: search mode (words run to white
/// space, parentheses, pipes and quotes, as in `src=10.0.0.5 fail*`) and
/// expression mode (identifiers, numbers, strings and operators).
class lexer {
 public:
  explicit lexer(std::string_view s) : s_(s) {}

  struct state {
    size_t i;
    int line, col;
  };
  state save() const { return {i_, line_, col_}; }
  void restore(state st) { i_ = st.i, line_ = st.line, col_ = st.col; }

  result<token> search_token() { return next(true); }
  result<token> expr_token() { return next(false); }
  position here() const { return {line_, col_}; }

  /// After optional white space, a subsearch `[ … ]`: its text without the
  /// brackets and where that text starts; nullopt (nothing taken) when the next
  /// character is not `[`. Brackets nest; quoted strings may hold brackets.
  result<std::optional<std::pair<std::string, position>>> bracketed() {
    auto st = save();
    while (i_ < s_.size() && space(s_[i_])) advance();
    if (i_ >= s_.size() || s_[i_] != '[') {
      restore(st);
      return std::optional<std::pair<std::string, position>>{};
    }
    position open = here();
    advance();
    position inner = here();
    size_t from = i_;
    int depth = 1;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"') {
        advance();
        while (i_ < s_.size() && s_[i_] != '"') {
          if (s_[i_] == '\\' && i_ + 1 < s_.size()) advance();
          advance();
        }
        if (i_ < s_.size()) advance();
        continue;
      }
      if (c == '[') ++depth;
      if (c == ']' && --depth == 0) {
        std::string text{s_.substr(from, i_ - from)};
        advance();
        return std::optional<std::pair<std::string, position>>{std::pair{std::move(text), inner}};
      }
      advance();
    }
    return error{errc::invalid_argument,
                 "expected \"]\" to close the subsearch opened at " + open.render()};
  }

 private:
  void advance() {
    if (s_[i_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++i_;
  }

  result<token> next(bool search_mode) {
    token t;
    size_t before = i_;
    while (i_ < s_.size() && space(s_[i_])) advance();
    t.space_before = i_ > before || i_ == 0;
    t.pos = here();
    if (i_ >= s_.size()) return t;
    char c = s_[i_];
    auto single = [&](token::kind k) {
      t.type = k;
      t.text = std::string(1, c);
      advance();
      return t;
    };
    if (c == '|') return single(token::kind::pipe);
    if (c == '(') return single(token::kind::lparen);
    if (c == ')') return single(token::kind::rparen);
    if (c == '"' || (!search_mode && c == '\'')) {
      char quote = c;
      advance();
      while (i_ < s_.size() && s_[i_] != quote) {
        if (s_[i_] == '\\' && i_ + 1 < s_.size() && (s_[i_ + 1] == quote || s_[i_ + 1] == '\\'))
          advance();
        t.text += s_[i_];
        advance();
      }
      if (i_ >= s_.size())
        return error{errc::invalid_argument, "unterminated quoted string at " + t.pos.render()};
      advance();
      t.type = quote == '"' ? token::kind::string : token::kind::ident;  // 'name' is a field name
      return t;
    }
    if (search_mode) {
      if (c == '[')  // in SPL a bracket in the search terms is a subsearch that makes terms
        return error{errc::invalid_argument,
                     "subsearches in the search terms are not supported (use join or append) at " +
                         t.pos.render()};
      t.type = token::kind::word;
      while (i_ < s_.size() && !space(s_[i_]) && s_[i_] != '(' && s_[i_] != ')' && s_[i_] != '|' &&
             s_[i_] != '"') {
        t.text += s_[i_];
        advance();
      }
      return t;
    }
    if (c == ',') return single(token::kind::comma);
    if (digit(c) || (c == '.' && i_ + 1 < s_.size() && digit(s_[i_ + 1]))) {
      t.type = token::kind::number;
      while (i_ < s_.size() && (digit(s_[i_]) || s_[i_] == '.')) {
        t.text += s_[i_];
        advance();
      }
      if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E') && i_ + 1 < s_.size() &&
          (digit(s_[i_ + 1]) ||
           ((s_[i_ + 1] == '-' || s_[i_ + 1] == '+') && i_ + 2 < s_.size() && digit(s_[i_ + 2])))) {
        t.text += s_[i_];
        advance();
        t.text += s_[i_];
        advance();
        while (i_ < s_.size() && digit(s_[i_])) {
          t.text += s_[i_];
          advance();
        }
      }
      if (i_ < s_.size() && ident_start(s_[i_])) {  // "1h", "15m": a word (spans)
        t.type = token::kind::word;
        while (i_ < s_.size() && ident_char(s_[i_])) {
          t.text += s_[i_];
          advance();
        }
      }
      return t;
    }
    if (ident_start(c)) {
      t.type = token::kind::ident;
      while (i_ < s_.size() &&
             (ident_char(s_[i_]) || s_[i_] == '.' || s_[i_] == '*' || s_[i_] == '{')) {
        if (s_[i_] == '{') {  // JSON field names: tags{}, items{}.sku, a{2}
          size_t close = i_ + 1;
          while (close < s_.size() && digit(s_[close])) ++close;
          if (close >= s_.size() || s_[close] != '}') break;
          while (i_ <= close) {
            t.text += s_[i_];
            advance();
          }
          continue;
        }
        // A dot between identifier characters belongs to the name (a.b); elsewhere it is
        // concatenation.
        if (s_[i_] == '.' && !(i_ + 1 < s_.size() && ident_start(s_[i_ + 1]) && !t.text.empty()))
          break;
        // A * ending a name is a wildcard (status*); before a name or number it is
        // multiplication (x*2, a*b). Field lists glue foo*_ms back (row_field_pattern).
        if (s_[i_] == '*' && i_ + 1 < s_.size() && ident_char(s_[i_ + 1])) break;
        t.text += s_[i_];
        advance();
      }
      return t;
    }
    static const char* ops[] = {"==", "!=", "<=", ">=", "=", "<", ">",
                                "+",  "-",  "*",  "/",  "%", ".", "@"};
    for (auto* op : ops) {
      std::string_view o{op};
      if (s_.substr(i_, o.size()) == o) {
        t.type = token::kind::op;
        t.text = std::string{o};
        for (size_t k = 0; k < o.size(); ++k) advance();
        return t;
      }
    }
    return error{errc::invalid_argument,
                 "unexpected character '" + std::string(1, c) + "' at " + t.pos.render()};
  }

  std::string_view s_;
  size_t i_ = 0;
  int line_ = 1, col_ = 1;
};

error syntax(const std::string& what, const token& t) {
  return {errc::invalid_argument, what + ", got " + describe(t) + " at " + t.pos.render()};
}

bool valid_field_name(std::string_view s) {
  if (s.empty() || !(ident_start(s[0]) || s[0] == '_')) return false;
  // `{` `}`: JSON field names (tags{}, items{}.sku).
  return std::all_of(s.begin(), s.end(), [](char c) {
    return ident_char(c) || c == '.' || c == ':' || c == '{' || c == '}';
  });
}

/// Whether `t` is the keyword `kw` (lowercase): command keywords such as by,
/// as, limit and span are case-insensitive in SPL (`BY`, `As`).
bool is_keyword(const token& t, std::string_view kw) {
  if (t.type != token::kind::ident || t.text.size() != kw.size()) return false;
  for (size_t i = 0; i < kw.size(); ++i)
    if (char(std::tolower(static_cast<unsigned char>(t.text[i]))) != kw[i]) return false;
  return true;
}

/// Nesting deeper than this (parentheses, NOT, unary minus) is refused, so a
/// hostile search cannot exhaust the stack.
constexpr int max_depth = 100;

class parser {
 public:
  parser(std::string_view text, time_us now) : lex_(text), now_(now) {}

  result<query> parse_all() {
    query q;
    auto base = parse_search(true, q);
    if (!base) return base.err();
    q.base = std::move(*base);
    for (;;) {
      auto t = lex_.search_token();
      if (!t) return t.err();
      if (t->type == token::kind::end) break;
      if (t->type != token::kind::pipe)
        return syntax("expected \"|\" or the end of the search", *t);
      auto cmd = parse_command();
      if (!cmd) return cmd.err();
      q.commands.push_back(std::move(*cmd));
    }
    return q;
  }

  result<expr> parse_expression_only() {
    auto e = parse_expr();
    if (!e) return e;
    auto t = lex_.expr_token();
    if (!t) return t.err();
    if (t->type != token::kind::end) return syntax("expected the end of the expression", *t);
    return e;
  }

 private:
  // -- base search ----------------------------------------------------------------

  /// Parses a search expression up to "|" or the end. In the base search
  /// (`base`), earliest= and latest= at the top level set the query's range.
  result<search_node> parse_search(bool base, query& q) {
    auto st = lex_.save();
    auto first = lex_.search_token();
    if (!first) return first.err();
    // "search" at the very start is optional: `search error` == `error`.
    if (!(base && first->type == token::kind::word && first->text == "search")) lex_.restore(st);
    auto node = parse_and(base ? &q : nullptr, 0);
    if (!node) return node;
    return std::move(*node);
  }

  result<token> peek_search() {
    auto st = lex_.save();
    auto t = lex_.search_token();
    lex_.restore(st);
    return t;
  }

  static bool ends_search(const token& t) {
    return t.type == token::kind::end || t.type == token::kind::pipe ||
           t.type == token::kind::rparen;
  }

  /// A conjunction of OR groups: in SPL, OR binds tighter than the implicit AND
  /// (`a OR b c` is `(a OR b) AND c`). earliest=/latest= may only be conjuncts
  /// of the base search's top level.
  result<search_node> parse_and(query* q, int depth) {
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

  /// Terms joined by OR.
  result<search_node> parse_or(query* q, int depth) {
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

  static bool mentions_time(const search_node& n) { return time_node(n) != nullptr; }

  static const search_node* time_node(const search_node& n) {
    if (n.type == search_node::kind::compare && (n.field == "earliest" || n.field == "latest"))
      return &n;
    for (auto& c : n.children)
      if (auto* t = time_node(c)) return t;
    return nullptr;
  }

  static bool mentions_field(const search_node& n, std::string_view field) {
    if (n.type == search_node::kind::compare && n.field == field) return true;
    return std::any_of(n.children.begin(), n.children.end(),
                       [&](auto& c) { return mentions_field(c, field); });
  }

  result<search_node> parse_unary(query* q, int depth) {
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

  /// "case" or "term" when `t` is CASE or TERM (any case), else "".
  static std::string directive_name(const token& t) { return directive_name(t.text); }
  static std::string directive_name(std::string_view text) {
    std::string w;
    for (char c : text) w += char(std::tolower(static_cast<unsigned char>(c)));
    return w == "case" || w == "term" ? w : std::string{};
  }

  /// `field=CASE(value)` (compared with its case) and `field=TERM(value)`
  /// (the same as field=value: a field's value is compared whole).
  error parse_value_directive(search_node& n) {
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

  /// Whether "(" follows the current token without space: `CASE(` `TERM(`.
  bool directive_follows() {
    auto next = peek_search();
    return next && next->type == token::kind::lparen && !next->space_before;
  }

  /// The rest of CASE(x) or TERM(x) after the name: "(", one word or quoted
  /// string, ")". Sets `n`'s text and flags; a quoted string is a phrase
  /// under CASE. TERM's term may not hold major breakers (it could never
  /// match one indexed term).
  error parse_directive(const std::string& name, search_node& n) {
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

  /// `field IN (a, b, "c d", x*)` after the word `field`: the OR of
  /// field=value comparisons. Returns `all` (and consumes nothing) when no
  /// upper-case IN with "(" follows.
  result<search_node> parse_in_list(const token& field) {
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

  /// A word is a comparison when it starts with a field name and an operator.
  result<search_node> word_node(const token& t) {
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

  // -- commands -------------------------------------------------------------------

  result<token> expr_peek() {
    auto st = lex_.save();
    auto t = lex_.expr_token();
    lex_.restore(st);
    return t;
  }

  bool accept(token::kind k, std::string_view text = {}) {
    auto st = lex_.save();
    auto t = lex_.expr_token();
    if (t && t->type == k && (text.empty() || t->text == text)) return true;
    lex_.restore(st);
    return false;
  }

  /// Takes the next token when it is the keyword `kw` (see is_keyword).
  bool accept_keyword(std::string_view kw) {
    auto st = lex_.save();
    auto t = lex_.expr_token();
    if (t && is_keyword(*t, kw)) return true;
    lex_.restore(st);
    return false;
  }

  /// The error "<what>, got <next token> at <position>"; a lexer error wins.
  error expected_here(const std::string& what) {
    auto t = expr_peek();
    if (!t) return t.err();
    return syntax(what, *t);
  }

  static bool command_end(const token& t) {
    return t.type == token::kind::end || t.type == token::kind::pipe;
  }

  /// A field name: an identifier, a 'quoted' name or a "quoted" name.
  result<std::string> field_name(const std::string& what) {
    auto t = lex_.expr_token();
    if (!t) return t.err();
    if (t->type == token::kind::ident || t->type == token::kind::string) return t->text;
    return syntax("expected " + what, *t);
  }

  result<size_t> count_arg(const token& t, const std::string& what) {
    size_t n = 0;
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n);
    if (t.type != token::kind::number || ec != std::errc{} || p != t.text.data() + t.text.size())
      return syntax("expected " + what, t);
    return n;
  }

  /// Fields separated by commas or spaces, up to the end of the command or a keyword.
  result<std::vector<std::string>> field_list(std::initializer_list<std::string_view> stop = {}) {
    std::vector<std::string> out;
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (command_end(*t)) break;
      if (std::any_of(stop.begin(), stop.end(),
                      [&](std::string_view kw) { return is_keyword(*t, kw); }))
        break;
      if (t->type == token::kind::comma) {
        (void)lex_.expr_token();
        continue;
      }
      auto f = field_name("a field name");
      if (!f) return f.err();
      out.push_back(std::move(*f));
    }
    return out;
  }

  result<command> parse_command() {
    auto t = lex_.expr_token();
    if (!t) return t.err();
    if (t->type != token::kind::ident) return syntax("expected a command name", *t);
    command c;
    c.name = t->text;
    c.pos = t->pos;
    static const std::pair<const char*, command::kind> names[] = {
        {"search", command::kind::search},
        {"where", command::kind::where},
        {"eval", command::kind::eval},
        {"rex", command::kind::rex},
        {"head", command::kind::head},
        {"tail", command::kind::tail},
        {"fields", command::kind::fields},
        {"table", command::kind::table},
        {"rename", command::kind::rename},
        {"sort", command::kind::sort},
        {"dedup", command::kind::dedup},
        {"stats", command::kind::stats},
        {"timechart", command::kind::timechart},
        {"top", command::kind::top},
        {"rare", command::kind::rare},
        {"delete", command::kind::delete_},
        // row commands (row_commands.hpp)
        {"bin", command::kind::bin},
        {"bucket", command::kind::bin},
        {"fillnull", command::kind::fillnull},
        {"makemv", command::kind::makemv},
        {"mvexpand", command::kind::mvexpand},
        {"convert", command::kind::convert},
        {"addtotals", command::kind::addtotals},
        {"fieldformat", command::kind::fieldformat},
        {"regex", command::kind::regex},
        {"makeresults", command::kind::makeresults},
        // commands on the merged rows (coordinator_commands.hpp)
        {"chart", command::kind::chart},
        {"eventstats", command::kind::eventstats},
        {"streamstats", command::kind::streamstats},
        {"transaction", command::kind::transaction},
        {"join", command::kind::join},
        {"append", command::kind::append},
        {"lookup", command::kind::lookup},
        {"inputlookup", command::kind::inputlookup},
        {"outputlookup", command::kind::outputlookup},
        {"spath", command::kind::spath}};
    bool known = false;
    for (auto& [n, k] : names)
      if (t->text == n) {
        c.type = k;
        known = true;
      }
    if (!known)
      return error{errc::invalid_argument,
                   "unknown command \"" + t->text + "\" at " + t->pos.render()};
    error err;
    if (parse_row_command(c, err)) {
      if (err) return err;
      auto end = expr_peek();
      if (!end) return end.err();
      if (!command_end(*end)) return syntax("unexpected argument to " + c.name, *end);
      return c;
    }
    switch (c.type) {
      case command::kind::search: {
        auto f = parse_and(nullptr, 0);
        if (!f) return f.err();
        c.filter = std::move(*f);
        break;
      }
      case command::kind::where: {
        auto e = parse_expr();
        if (!e) return e.err();
        c.condition = std::move(*e);
        break;
      }
      case command::kind::eval:
        err = parse_eval(c);
        break;
      case command::kind::rex:
        err = parse_rex(c);
        break;
      case command::kind::head:
      case command::kind::tail: {
        c.limit = 10;
        auto n = expr_peek();
        if (!n) return n.err();
        if (n->type == token::kind::number) {
          (void)lex_.expr_token();
          auto v = count_arg(*n, "a count");
          if (!v) return v.err();
          c.limit = *v;
        }
        break;
      }
      case command::kind::fields: {
        if (accept(token::kind::op, "-"))
          c.remove = true;
        else
          accept(token::kind::op, "+");
        auto f = row_field_patterns();
        if (!f) return f.err();
        c.fields = std::move(*f);
        if (c.fields.empty()) return expected_here("fields needs at least one field");
        if (std::any_of(c.fields.begin(), c.fields.end(), has_star))
          c.row = std::make_shared<row_args>();
        break;
      }
      case command::kind::table: {
        auto f = row_field_patterns();
        if (!f) return f.err();
        c.fields = std::move(*f);
        if (c.fields.empty()) return expected_here("table needs at least one field");
        if (std::any_of(c.fields.begin(), c.fields.end(), has_star))
          c.row = std::make_shared<row_args>();
        break;
      }
      case command::kind::rename:
        err = parse_rename(c);
        break;
      case command::kind::sort:
      case command::kind::dedup:
        break;  // parse_row_command
      case command::kind::stats:
        err = parse_stats(c, false);
        break;
      case command::kind::timechart:
        err = parse_stats(c, true);
        break;
      case command::kind::top:
      case command::kind::rare:
        err = parse_top(c);
        break;
      case command::kind::delete_:
        break;
      case command::kind::bin:
      case command::kind::fillnull:
      case command::kind::makemv:
      case command::kind::mvexpand:
      case command::kind::convert:
      case command::kind::addtotals:
      case command::kind::fieldformat:
      case command::kind::regex:
      case command::kind::makeresults:
        break;  // parse_row_command
      case command::kind::chart:
        err = parse_chart(c);
        break;
      case command::kind::eventstats:
        err = parse_eventstats(c);
        break;
      case command::kind::streamstats:
        err = parse_streamstats(c);
        break;
      case command::kind::transaction:
        err = parse_transaction(c);
        break;
      case command::kind::join:
        err = parse_join(c);
        break;
      case command::kind::append:
        err = parse_append(c);
        break;
      case command::kind::lookup:
        err = parse_lookup(c);
        break;
      case command::kind::inputlookup:
      case command::kind::outputlookup:
        err = parse_lookup_name(c);
        break;
      case command::kind::spath:
        err = parse_spath(c);
        break;
    }
    if (err) return err;
    auto end = expr_peek();
    if (!end) return end.err();
    if (!command_end(*end)) return syntax("unexpected argument to " + c.name, *end);
    return c;
  }

  // -- commands on the merged rows (coordinator_commands.hpp) ---------------------

  /// `name=value` when the next tokens are one of `names` and "=": both
  /// tokens; nullopt (nothing taken) otherwise.
  result<std::optional<std::pair<token, token>>> named_option(
      std::initializer_list<std::string_view> names) {
    auto st = lex_.save();
    auto name = lex_.expr_token();
    if (!name) return name.err();
    auto eq = lex_.expr_token();  // may fail on a `[` that follows a field: not an option then
    if (!eq ||
        !std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return is_keyword(*name, n); }) ||
        eq->type != token::kind::op || eq->text != "=") {
      lex_.restore(st);
      return std::optional<std::pair<token, token>>{};
    }
    auto v = lex_.expr_token();
    if (!v) return v.err();
    if (command_end(*v)) return syntax("expected a value after " + name->text + "=", *v);
    return std::optional<std::pair<token, token>>{std::pair{*name, *v}};
  }

  result<bool> bool_value(const token& name, const token& v) {
    std::string text = v.text;
    for (auto& ch : text) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    if (text == "t" || text == "true" || text == "1") return true;
    if (text == "f" || text == "false" || text == "0") return false;
    return syntax("expected t or f after " + name.text + "=", v);
  }

  /// A time span of transaction (maxspan=30s, maxpause=5m, a number of
  /// seconds, or -1 for none).
  result<std::optional<time_us>> span_value(const token& v) {
    if (v.type == token::kind::op && v.text == "-") {
      auto one = lex_.expr_token();
      if (!one) return one.err();
      if (one->text != "1") return syntax("expected -1 (no limit) or a span such as 30s", *one);
      return std::optional<time_us>{};
    }
    std::string text = v.text;
    if (!text.empty() && std::all_of(text.begin(), text.end(), digit)) text += "s";
    auto s = parse_span(text);
    if (!s) return error{errc::invalid_argument, s.err().message() + " at " + v.pos.render()};
    return std::optional<time_us>{*s};
  }

  /// Refuses a Splunk option this command does not implement, by name.
  error unsupported_option(const command& c, std::initializer_list<std::string_view> names) {
    auto st = lex_.save();
    auto name = lex_.expr_token();
    auto eq = lex_.expr_token();
    lex_.restore(st);
    if (!name || !eq || eq->type != token::kind::op || eq->text != "=") return {};
    for (auto n : names)
      if (is_keyword(*name, n))
        return error{errc::invalid_argument, c.name + " option " + name->text +
                                                 "= is not supported at " + name->pos.render()};
    return {};
  }

  error parse_chart(command& c) {
    auto args = std::make_shared<coordinator_args>();
    c.limit = 10;  // Splunk's default: top10
    auto option = [&]() -> result<bool> {
      auto o = named_option({"limit", "useother", "usenull"});
      if (!o) return o.err();
      if (!*o) return false;
      auto& [name, v] = **o;
      if (is_keyword(name, "limit")) {
        std::string text = v.text;
        if (v.type == token::kind::ident && text.size() > 3 &&
            (text.substr(0, 3) == "top" || text.substr(0, 3) == "TOP"))
          text = text.substr(3);
        size_t n = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc{} || p != text.data() + text.size() || text.empty())
          return syntax("expected a count or topN after limit= (bottomN is not supported)", v);
        c.limit = n;
      } else {
        auto b = bool_value(name, v);
        if (!b) return b.err();
        (is_keyword(name, "useother") ? c.use_other : args->use_null) = *b;
      }
      return true;
    };
    for (;;) {
      auto took = option();
      if (!took) return took.err();
      if (*took) continue;
      auto t = expr_peek();
      if (!t) return t.err();
      if (t->type == token::kind::comma) {
        (void)lex_.expr_token();
        continue;
      }
      if (command_end(*t) || is_keyword(*t, "by") || is_keyword(*t, "over")) break;
      if (auto err = parse_aggregation(c)) return err;
    }
    if (c.aggregations.empty()) return expected_here("chart needs an aggregation such as count");
    std::optional<std::string> over;
    if (accept_keyword("over")) {
      auto f = field_name("a field after over");
      if (!f) return f.err();
      over = *f;
    }
    if (accept_keyword("by")) {
      auto f = field_list({"limit", "useother", "usenull"});
      if (!f) return f.err();
      if (f->empty()) return expected_here("expected a field after by");
      c.by = std::move(*f);
    }
    if (over) c.by.insert(c.by.begin(), *over);
    if (c.by.size() > 2)
      return error{
          errc::invalid_argument,
          "chart splits by at most two fields (over <row> by <column>) at " + c.pos.render()};
    for (;;) {
      auto took = option();
      if (!took) return took.err();
      if (!*took) break;
    }
    c.coordinator = std::move(args);
    return {};
  }

  error parse_eventstats(command& c) {
    if (auto err = unsupported_option(c, {"allnum"})) return err;
    if (auto err = parse_stats(c, false)) return err;
    c.coordinator = std::make_shared<coordinator_args>();
    return {};
  }

  error parse_streamstats(command& c) {
    auto args = std::make_shared<coordinator_args>();
    for (;;) {
      if (auto err = unsupported_option(
              c, {"reset_on_change", "reset_before", "reset_after", "time_window", "allnum"}))
        return err;
      auto o = named_option({"window", "current", "global"});
      if (!o) return o.err();
      if (!*o) break;
      auto& [name, v] = **o;
      if (is_keyword(name, "window")) {
        auto n = count_arg(v, "a number of rows");
        if (!n) return n.err();
        args->window = *n;
        continue;
      }
      auto b = bool_value(name, v);
      if (!b) return b.err();
      (is_keyword(name, "current") ? args->current : args->global) = *b;
    }
    if (auto err = parse_stats(c, false)) return err;
    c.coordinator = std::move(args);
    return {};
  }

  /// startswith=/endswith= of transaction: a quoted search, one word, or eval(expression).
  result<transaction_filter> transaction_filter_value(const token& v) {
    transaction_filter f;
    if (v.type == token::kind::ident && v.text == "eval") {
      auto open = lex_.expr_token();
      if (!open) return open.err();
      if (open->type != token::kind::lparen) return syntax("expected \"(\" after eval", *open);
      auto e = parse_expr();
      if (!e) return e.err();
      auto close = lex_.expr_token();
      if (!close) return close.err();
      if (close->type != token::kind::rparen) return syntax("expected \")\"", *close);
      f.is_eval = true;
      f.condition = std::move(*e);
      return f;
    }
    if (v.type != token::kind::string && v.type != token::kind::ident &&
        v.type != token::kind::number)
      return syntax("expected a quoted search or eval(...)", v);
    parser inner{v.text, now_};
    auto n = inner.parse_and(nullptr, 0);
    if (!n)
      return error{errc::invalid_argument,
                   "in the search at " + v.pos.render() + ": " + n.err().message()};
    auto end = inner.lex_.search_token();
    if (!end) return end.err();
    if (end->type != token::kind::end)
      return error{errc::invalid_argument,
                   "in the search at " + v.pos.render() + ": unexpected " + describe(*end)};
    f.search = std::move(*n);
    return f;
  }

  error parse_transaction(command& c) {
    auto args = std::make_shared<coordinator_args>();
    for (;;) {
      if (auto err = unsupported_option(
              c, {"name", "connected", "unifyends", "keeporphans", "maxopentxn", "maxopenevents",
                  "keepevicted", "mvlist", "mvraw", "delim", "nullstr"}))
        return err;
      auto o = named_option({"maxspan", "maxpause", "maxevents", "startswith", "endswith"});
      if (!o) return o.err();
      if (*o) {
        auto& [name, v] = **o;
        if (is_keyword(name, "maxspan") || is_keyword(name, "maxpause")) {
          auto s = span_value(v);
          if (!s) return s.err();
          (is_keyword(name, "maxspan") ? args->max_span : args->max_pause) = *s;
        } else if (is_keyword(name, "maxevents")) {
          if (v.type == token::kind::op && v.text == "-") {  // -1: no limit
            auto one = lex_.expr_token();
            if (!one) return one.err();
            if (one->text != "1") return syntax("expected -1 or a count", *one);
            args->max_events = SIZE_MAX;
          } else {
            auto n = count_arg(v, "a count");
            if (!n) return n.err();
            if (*n == 0) return syntax("expected a count above 0", v);
            args->max_events = *n;
          }
        } else {
          auto f = transaction_filter_value(v);
          if (!f) return f.err();
          (is_keyword(name, "startswith") ? args->starts_with : args->ends_with) = std::move(*f);
        }
        continue;
      }
      auto t = expr_peek();
      if (!t) return t.err();
      if (command_end(*t)) break;
      if (t->type == token::kind::comma) {
        (void)lex_.expr_token();
        continue;
      }
      auto f = field_name("a field name or an option such as maxspan=");
      if (!f) return f.err();
      c.fields.push_back(std::move(*f));
    }
    c.coordinator = std::move(args);
    return {};
  }

  /// The subsearch `[ … ]` that must come next, parsed now so its errors are
  /// the main search's. Subsearches nest at most 5 deep.
  error parse_subsearch(command& c, coordinator_args& args) {
    static thread_local int depth = 0;
    auto b = lex_.bracketed();
    if (!b) return b.err();
    if (!*b) return expected_here(c.name + " needs a subsearch in [ ]");
    if (depth >= 5)
      return error{errc::invalid_argument, "subsearches nested too deeply at " + c.pos.render()};
    if ((*b)->first.find_first_not_of(" \t\r\n") == std::string::npos)
      return error{errc::invalid_argument, "empty subsearch at " + (*b)->second.render()};
    ++depth;
    auto sub = parse_query((*b)->first, now_);
    --depth;
    if (!sub)
      return error{errc::invalid_argument, "in the subsearch starting at " + (*b)->second.render() +
                                               ": " + sub.err().message()};
    args.subsearch = (*b)->first;
    args.subquery = std::make_shared<const query>(std::move(*sub));
    return {};
  }

  error parse_join(command& c) {
    auto args = std::make_shared<coordinator_args>();
    for (;;) {
      auto st = lex_.save();
      auto b = lex_.bracketed();
      if (!b) return b.err();
      if (*b) {
        lex_.restore(st);
        break;
      }
      if (auto err = unsupported_option(c, {"overwrite", "usetime", "earlier", "left", "right"}))
        return err;
      auto o = named_option({"type", "max"});
      if (!o) return o.err();
      if (*o) {
        auto& [name, v] = **o;
        if (is_keyword(name, "max")) {
          auto n = count_arg(v, "a count (0: every match)");
          if (!n) return n.err();
          args->max = *n;
        } else if (is_keyword(v, "inner")) {
          args->left = false;
        } else if (is_keyword(v, "left") || is_keyword(v, "outer")) {
          args->left = true;
        } else {
          return syntax("expected inner, left or outer after type=", v);
        }
        continue;
      }
      auto t = expr_peek();
      if (!t) return t.err();
      if (t->type == token::kind::comma) {
        (void)lex_.expr_token();
        continue;
      }
      if (command_end(*t)) break;
      auto f = field_name("a field to join on or [subsearch]");
      if (!f) return f.err();
      c.fields.push_back(std::move(*f));
    }
    if (c.fields.empty())
      return error{
          errc::invalid_argument,
          "join needs the fields to join on (joining on every common field is not supported) at " +
              c.pos.render()};
    if (auto err = parse_subsearch(c, *args)) return err;
    c.coordinator = std::move(args);
    return {};
  }

  error parse_append(command& c) {
    auto args = std::make_shared<coordinator_args>();
    if (auto err = parse_subsearch(c, *args)) return err;
    c.coordinator = std::move(args);
    return {};
  }

  /// The name of a lookup table (checked so it cannot leave the lookup directory).
  result<std::string> lookup_name(const command& c) {
    auto t = lex_.expr_token();
    if (!t) return t.err();
    if (t->type != token::kind::ident && t->type != token::kind::string)
      return syntax(c.name + " needs a lookup name", *t);
    if (auto p = lookup_file("lookups", t->text); !p)
      return error{errc::invalid_argument, p.err().message() + " at " + t->pos.render()};
    return t->text;
  }

  error parse_lookup_name(command& c) {
    auto args = std::make_shared<coordinator_args>();
    if (auto err = unsupported_option(
            c, {"append", "start", "max", "where", "create_empty", "override_if_empty", "key_field",
                "createinapp", "output_format"}))
      return err;
    auto name = lookup_name(c);
    if (!name) return name.err();
    args->table = std::move(*name);
    c.coordinator = std::move(args);
    return {};
  }

  error parse_lookup(command& c) {
    auto args = std::make_shared<coordinator_args>();
    if (auto err = unsupported_option(c, {"local", "update"})) return err;
    auto name = lookup_name(c);
    if (!name) return name.err();
    args->table = std::move(*name);
    bool output = false;
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (command_end(*t)) break;
      if (t->type == token::kind::comma) {
        (void)lex_.expr_token();
        continue;
      }
      if (is_keyword(*t, "output") || is_keyword(*t, "outputnew")) {
        if (output) return syntax("OUTPUT or OUTPUTNEW may appear once", *t);
        (void)lex_.expr_token();
        output = true;
        args->output_new = is_keyword(*t, "outputnew");
        continue;
      }
      auto from = field_name("a lookup field");
      if (!from) return from.err();
      std::string to = *from;
      if (accept_keyword("as")) {
        auto f = field_name("a field name after as");
        if (!f) return f.err();
        to = *f;
      }
      (output ? args->output : args->match).emplace_back(std::move(*from), std::move(to));
    }
    if (args->match.empty())
      return expected_here("lookup needs a field to match: lookup NAME field [AS event_field]");
    if (output && args->output.empty()) return expected_here("expected a field after OUTPUT");
    c.coordinator = std::move(args);
    return {};
  }

  // -- row commands (row_commands.hpp) ----------------------------------------------

  using option = std::pair<token, token>;  // name, value

  /// Takes `name=value` when the next tokens are an identifier and "=";
  /// nothing is taken otherwise. A value is a number (`-5` too), a word such as
  /// `1h`, an identifier or a quoted string.
  result<std::optional<option>> row_option() {
    auto st = lex_.save();
    auto name = lex_.expr_token();
    if (!name) return name.err();
    if (name->type != token::kind::ident) {
      lex_.restore(st);
      return std::optional<option>{};
    }
    auto eq = lex_.expr_token();
    if (!eq) return eq.err();
    if (eq->type != token::kind::op || eq->text != "=") {
      lex_.restore(st);
      return std::optional<option>{};
    }
    auto v = lex_.expr_token();
    if (!v) return v.err();
    if (v->type == token::kind::op && v->text == "-") {
      auto n = lex_.expr_token();
      if (!n) return n.err();
      if (n->type != token::kind::number || n->space_before)
        return syntax("expected a value after " + name->text + "=", *n);
      n->text = "-" + n->text;
      n->pos = v->pos;
      v = std::move(n);
    }
    if (v->type != token::kind::number && v->type != token::kind::word &&
        v->type != token::kind::ident && v->type != token::kind::string)
      return syntax("expected a value after " + name->text + "=", *v);
    return std::optional<option>{option{std::move(*name), std::move(*v)}};
  }

  static std::string lowered(std::string s) {
    for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }

  static error unknown_option(const command& c, const token& name) {
    return {errc::invalid_argument,
            "unknown option \"" + name.text + "\" of " + c.name + " at " + name.pos.render()};
  }

  static result<bool> option_bool(const option& o) {
    auto v = lowered(o.second.text);
    if (v == "t" || v == "true" || v == "1") return true;
    if (v == "f" || v == "false" || v == "0") return false;
    return syntax("expected true or false for " + o.first.text, o.second);
  }

  static result<double> option_number(const option& o) {
    auto n = value{o.second.text}.as_number();
    if (o.second.type != token::kind::number || !n)
      return syntax("expected a number for " + o.first.text, o.second);
    return *n;
  }

  /// A count option: a whole number from `min`.
  result<size_t> option_count(const option& o, size_t min) {
    auto n = count_arg(o.second, "a whole number for " + o.first.text);
    if (!n) return n.err();
    if (*n < min)
      return syntax(o.first.text + " must be at least " + std::to_string(min), o.second);
    return *n;
  }

  /// One field name, which may hold `*` wildcards (`status*`, `*_ms`, `*`).
  result<std::string> row_field_pattern(const std::string& what) {
    auto t = lex_.expr_token();
    if (!t) return t.err();
    if (t->type == token::kind::string) return t->text;
    if (t->type != token::kind::ident && (t->type != token::kind::op || t->text != "*"))
      return syntax("expected " + what, *t);
    // The lexer splits foo*_ms into foo, *, _ms (x*2 is multiplication): glue what touches.
    std::string out = t->text;
    for (;;) {
      auto next = expr_peek();
      if (!next) return next.err();
      bool touches = !next->space_before && (next->type == token::kind::ident ||
                                             (next->type == token::kind::op && next->text == "*"));
      if (!touches) return out;
      (void)lex_.expr_token();
      out += next->text;
    }
  }

  /// Field names (wildcards allowed) separated by commas or spaces, up to the
  /// end of the command or a `stop` keyword.
  result<std::vector<std::string>> row_field_patterns(
      std::initializer_list<std::string_view> stop = {}) {
    std::vector<std::string> out;
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (command_end(*t)) break;
      if (std::any_of(stop.begin(), stop.end(),
                      [&](std::string_view kw) { return is_keyword(*t, kw); }))
        break;
      if (t->type == token::kind::comma) {
        (void)lex_.expr_token();
        continue;
      }
      auto f = row_field_pattern("a field name");
      if (!f) return f.err();
      out.push_back(std::move(*f));
    }
    return out;
  }

  static bool has_star(const std::string& s) { return s.find('*') != std::string::npos; }

  /// bin/bucket [span=…|bins=N] [start=N] [end=N] field [as name].
  error parse_bin(command& c, row_args& a) {
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (command_end(*t)) break;
      auto o = row_option();
      if (!o) return o.err();
      if (*o) {
        auto& [name, v] = **o;
        auto key = lowered(name.text);
        if (key == "span") {
          if (v.type == token::kind::number) {
            auto n = option_number(**o);
            if (!n) return n.err();
            if (!(*n > 0)) return syntax("span must be greater than 0", v);
            a.span = *n;
          } else {
            auto s = parse_span(v.text);
            if (!s)
              return error{errc::invalid_argument, s.err().message() + " at " + v.pos.render()};
            a.span = double(*s) / 1e6;
            a.time_bins = true;
          }
        } else if (key == "bins") {
          auto n = option_count(**o, 1);
          if (!n) return n.err();
          a.bins = *n;
        } else if (key == "start" || key == "end") {
          auto n = option_number(**o);
          if (!n) return n.err();
          (key == "start" ? a.start : a.end) = *n;
        } else {
          return unknown_option(c, name);
        }
        continue;
      }
      if (!a.field.empty() && a.as.empty() && accept_keyword("as")) {  // bin x span=10 as b
        auto as = field_name("a name after as");
        if (!as) return as.err();
        a.as = *as;
        continue;
      }
      if (!a.field.empty()) return syntax("unexpected argument to " + c.name, *t);
      auto f = field_name("a field name");
      if (!f) return f.err();
      a.field = *f;
      if (accept_keyword("as")) {
        auto as = field_name("a name after as");
        if (!as) return as.err();
        a.as = *as;
      }
    }
    if (a.field.empty())
      return expected_here(c.name + " needs a field: " + c.name + " span=1h _time");
    if (a.field == "_time") a.time_bins = true;
    if (a.start && a.end && *a.start > *a.end)
      return error{errc::invalid_argument,
                   c.name + ": start is greater than end at " + c.pos.render()};
    return {};
  }

  /// fillnull [value=X] [field …]
  error parse_fillnull(command& c, row_args& a) {
    for (;;) {
      auto o = row_option();
      if (!o) return o.err();
      if (!*o) break;
      if (lowered((*o)->first.text) != "value") return unknown_option(c, (*o)->first);
      a.fill_value = (*o)->second.text;
    }
    auto f = field_list();
    if (!f) return f.err();
    c.fields = std::move(*f);
    return {};
  }

  /// makemv [delim="…"|tokenizer="…"] [allowempty=t] field
  error parse_makemv(command& c, row_args& a) {
    bool delim = false;
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (command_end(*t)) break;
      auto o = row_option();
      if (!o) return o.err();
      if (*o) {
        auto key = lowered((*o)->first.text);
        if (key == "delim") {
          if ((*o)->second.text.empty()) return syntax("delim may not be empty", (*o)->second);
          a.delim = (*o)->second.text;
          delim = true;
        } else if (key == "tokenizer") {
          a.tokenizer = (*o)->second.text;
        } else if (key == "allowempty") {
          auto b = option_bool(**o);
          if (!b) return b.err();
          a.allow_empty = *b;
        } else {
          return unknown_option(c, (*o)->first);
        }
        continue;
      }
      if (!a.field.empty()) return syntax("unexpected argument to makemv", *t);
      auto f = field_name("a field name");
      if (!f) return f.err();
      a.field = *f;
    }
    if (a.field.empty()) return expected_here("makemv needs a field");
    if (delim && !a.tokenizer.empty())
      return error{errc::invalid_argument,
                   "makemv takes delim or tokenizer, not both, at " + c.pos.render()};
    return {};
  }

  /// mvexpand field [limit=N]
  error parse_mvexpand(command& c, row_args& a) {
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (command_end(*t)) break;
      auto o = row_option();
      if (!o) return o.err();
      if (*o) {
        if (lowered((*o)->first.text) != "limit") return unknown_option(c, (*o)->first);
        auto n = option_count(**o, 0);
        if (!n) return n.err();
        a.limit = *n;
        continue;
      }
      if (!a.field.empty()) return syntax("unexpected argument to mvexpand", *t);
      auto f = field_name("a field name");
      if (!f) return f.err();
      a.field = *f;
    }
    if (a.field.empty()) return expected_here("mvexpand needs a field");
    return {};
  }

  /// convert [timeformat="…"] fn(field) [as name] …
  error parse_convert(command& c, row_args& a) {
    static const std::vector<std::string> functions{"ctime",  "mktime",  "dur2sec", "num", "auto",
                                                    "rmunit", "rmcomma", "memk",    "none"};
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (command_end(*t)) break;
      if (t->type == token::kind::comma) {
        (void)lex_.expr_token();
        continue;
      }
      auto o = row_option();
      if (!o) return o.err();
      if (*o) {
        if (lowered((*o)->first.text) != "timeformat") return unknown_option(c, (*o)->first);
        if ((*o)->second.text.empty()) return syntax("timeformat may not be empty", (*o)->second);
        a.timeformat = (*o)->second.text;
        continue;
      }
      auto fn = lex_.expr_token();
      if (!fn) return fn.err();
      auto name = lowered(fn->text);
      if (fn->type != token::kind::ident ||
          std::find(functions.begin(), functions.end(), name) == functions.end())
        return syntax(
            "expected a conversion such as num(field), ctime(field), auto(field) or dur2sec(field)",
            *fn);
      if (!accept(token::kind::lparen)) return expected_here("expected \"(\" after " + fn->text);
      conversion cv;
      cv.function = name;
      auto f = row_field_pattern("a field name");
      if (!f) return f.err();
      cv.field = *f;
      auto close = lex_.expr_token();
      if (!close) return close.err();
      if (close->type != token::kind::rparen) return syntax("expected \")\"", *close);
      if (accept_keyword("as")) {
        auto as = field_name("a name after as");
        if (!as) return as.err();
        if (has_star(cv.field))
          return error{errc::invalid_argument, "convert: " + cv.function + "(" + cv.field +
                                                   ") with a wildcard cannot take as, at " +
                                                   fn->pos.render()};
        cv.as = *as;
      }
      a.conversions.push_back(std::move(cv));
    }
    if (a.conversions.empty())
      return expected_here("convert needs a conversion such as num(field)");
    a.now = now_;
    return {};
  }

  /// addtotals [row=t] [col=f] [labelfield=f] [label=Total] [fieldname=Total] [field …]
  error parse_addtotals(command& c, row_args& a) {
    for (;;) {
      auto o = row_option();
      if (!o) return o.err();
      if (!*o) break;
      auto key = lowered((*o)->first.text);
      if (key == "row" || key == "col") {
        auto b = option_bool(**o);
        if (!b) return b.err();
        (key == "row" ? a.row_totals : a.col_totals) = *b;
      } else if (key == "labelfield" || key == "label" || key == "fieldname") {
        if ((*o)->second.text.empty()) return syntax(key + " may not be empty", (*o)->second);
        (key == "labelfield" ? a.labelfield
         : key == "label"    ? a.label
                             : a.fieldname) = (*o)->second.text;
      } else {
        return unknown_option(c, (*o)->first);
      }
    }
    auto f = row_field_patterns();
    if (!f) return f.err();
    c.fields = std::move(*f);
    return {};
  }

  /// regex "re" | regex field="re" | regex field!="re"
  error parse_regex(command&, row_args& a) {
    auto t = lex_.expr_token();
    if (!t) return t.err();
    if (t->type == token::kind::ident) {
      auto op = lex_.expr_token();
      if (!op) return op.err();
      if (op->type != token::kind::op || (op->text != "=" && op->text != "!="))
        return syntax("expected \"=\" or \"!=\" after " + t->text, *op);
      a.regex_field = t->text;
      a.negate = op->text == "!=";
      t = lex_.expr_token();
      if (!t) return t.err();
    }
    if (t->type != token::kind::string) return syntax("expected a quoted regular expression", *t);
    a.pattern = t->text;
    return {};
  }

  /// makeresults [count=N]
  error parse_makeresults(command& c, row_args& a) {
    for (;;) {
      auto o = row_option();
      if (!o) return o.err();
      if (!*o) break;
      if (lowered((*o)->first.text) != "count") return unknown_option(c, (*o)->first);
      auto n = option_count(**o, 1);
      if (!n) return n.err();
      a.count = *n;
    }
    a.now = now_;
    return {};
  }

  /// One sort key: [+|-] field | [+|-] num(field) | str() | ip() | auto().
  result<sort_key> parse_sort_key() {
    sort_key k;
    if (accept(token::kind::op, "-"))
      k.descending = true;
    else
      accept(token::kind::op, "+");
    auto t = lex_.expr_token();
    if (!t) return t.err();
    if (t->type != token::kind::ident && t->type != token::kind::string)
      return syntax("expected a field to sort by", *t);
    auto next = expr_peek();
    if (!next) return next.err();
    if (t->type == token::kind::ident && next->type == token::kind::lparen && !next->space_before) {
      auto how = lowered(t->text);
      if (how == "num")
        k.how = sort_key::order::number;
      else if (how == "str")
        k.how = sort_key::order::text;
      else if (how == "ip")
        k.how = sort_key::order::ip;
      else if (how == "auto")
        k.how = sort_key::order::automatic;
      else
        return syntax("expected num(), str(), ip() or auto() around a sort field", *t);
      (void)lex_.expr_token();
      auto f = field_name("a field to sort by");
      if (!f) return f.err();
      auto close = lex_.expr_token();
      if (!close) return close.err();
      if (close->type != token::kind::rparen) return syntax("expected \")\"", *close);
      k.field = *f;
    } else {
      k.field = t->text;
    }
    return k;
  }

  /// Sort keys up to the end of the command; a last `desc` reverses them all.
  error parse_sort_keys(command& c, row_args& a) {
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (command_end(*t)) break;
      if (t->type == token::kind::comma) {
        (void)lex_.expr_token();
        continue;
      }
      if (is_keyword(*t, "desc") && !a.sort_by.empty()) {
        (void)lex_.expr_token();
        auto end = expr_peek();
        if (!end) return end.err();
        if (!command_end(*end)) return syntax("desc must end the sort", *end);
        for (auto& k : a.sort_by) k.descending = !k.descending;
        break;
      }
      auto k = parse_sort_key();
      if (!k) return k.err();
      a.sort_by.push_back(std::move(*k));
    }
    for (auto& k : a.sort_by) c.sort_keys.emplace_back(k.field, k.descending);
    return {};
  }

  /// sort [N] [limit=N] key, … [desc]; `sort 0` keeps every row.
  error parse_row_sort(command& c, row_args& a) {
    c.limit = 0;
    auto n = expr_peek();
    if (!n) return n.err();
    if (n->type == token::kind::number) {
      (void)lex_.expr_token();
      auto v = count_arg(*n, "a count");
      if (!v) return v.err();
      c.limit = *v == 0 ? SIZE_MAX : *v;
    }
    auto o = row_option();
    if (!o) return o.err();
    if (*o) {
      if (lowered((*o)->first.text) != "limit") return unknown_option(c, (*o)->first);
      auto v = option_count(**o, 0);
      if (!v) return v.err();
      c.limit = *v == 0 ? SIZE_MAX : *v;
    }
    if (auto err = parse_sort_keys(c, a)) return err;
    if (a.sort_by.empty()) return expected_here("sort needs at least one field");
    return {};
  }

  /// dedup [N] field … [keepempty=t] [consecutive=t] [sortby key …]
  error parse_row_dedup(command& c, row_args& a) {
    c.limit = 1;
    auto n = expr_peek();
    if (!n) return n.err();
    if (n->type == token::kind::number) {
      (void)lex_.expr_token();
      auto v = count_arg(*n, "a count");
      if (!v) return v.err();
      if (*v == 0) return syntax("dedup keeps at least 1 row per value", *n);
      c.limit = *v;
    }
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (command_end(*t)) break;
      if (t->type == token::kind::comma) {
        (void)lex_.expr_token();
        continue;
      }
      if (is_keyword(*t, "sortby")) {
        (void)lex_.expr_token();
        if (auto err = parse_sort_keys(c, a)) return err;
        if (a.sort_by.empty()) return expected_here("sortby needs a field");
        break;
      }
      auto o = row_option();
      if (!o) return o.err();
      if (*o) {
        auto key = lowered((*o)->first.text);
        if (key != "keepempty" && key != "consecutive") return unknown_option(c, (*o)->first);
        auto b = option_bool(**o);
        if (!b) return b.err();
        (key == "keepempty" ? a.keep_empty : a.consecutive) = *b;
        continue;
      }
      auto f = field_name("a field name");
      if (!f) return f.err();
      c.fields.push_back(std::move(*f));
    }
    if (c.fields.empty()) return expected_here("dedup needs at least one field");
    return {};
  }

  /// The commands of row_commands.hpp (and the options this file gives rex,
  /// sort, dedup, table, fields and rename). Returns false for other commands.
  bool parse_row_command(command& c, error& err) {
    using K = command::kind;
    auto a = std::make_shared<row_args>();
    switch (c.type) {
      case K::bin:
        err = parse_bin(c, *a);
        break;
      case K::fillnull:
        err = parse_fillnull(c, *a);
        break;
      case K::makemv:
        err = parse_makemv(c, *a);
        break;
      case K::mvexpand:
        err = parse_mvexpand(c, *a);
        break;
      case K::convert:
        err = parse_convert(c, *a);
        break;
      case K::addtotals:
        err = parse_addtotals(c, *a);
        break;
      case K::fieldformat:
        err = parse_eval(c);
        if (!err && c.assignments.size() != 1)
          err = error{errc::invalid_argument,
                      "fieldformat takes one field=expression at " + c.pos.render()};
        return true;
      case K::regex:
        err = parse_regex(c, *a);
        break;
      case K::makeresults:
        err = parse_makeresults(c, *a);
        break;
      case K::sort:
        err = parse_row_sort(c, *a);
        break;
      case K::dedup:
        err = parse_row_dedup(c, *a);
        break;
      default:
        return false;
    }
    c.row = std::move(a);
    return true;
  }

  /// spath [input=f] [output=o] [path=p | p]; the options' values are words
  /// of the search mode, so a path such as a.b{1}.c needs no quotes.
  error parse_spath(command& c) {
    bool have[3] = {false, false, false};  // input, output, path
    for (;;) {
      auto st = lex_.save();
      auto t = lex_.search_token();
      if (!t) return t.err();
      if (t->type == token::kind::end || t->type == token::kind::pipe) {
        lex_.restore(st);
        break;
      }
      std::string key, val;
      size_t eq = t->type == token::kind::word ? t->text.find('=') : std::string::npos;
      if (t->type == token::kind::string) {
        key = "path";
        val = t->text;
      } else if (t->type != token::kind::word) {
        return syntax("expected input=, output=, path= or a path", *t);
      } else if (eq == std::string::npos) {
        key = "path";
        val = t->text;
      } else {
        key = lowered(t->text.substr(0, eq));
        val = t->text.substr(eq + 1);
        if (val.empty()) {  // key="quoted value"
          auto q = lex_.search_token();
          if (!q) return q.err();
          if (q->type != token::kind::string || q->space_before)
            return syntax("expected a value after " + key + "=", *q);
          val = q->text;
        }
      }
      int slot = key == "input" ? 0 : key == "output" ? 1 : key == "path" ? 2 : -1;
      if (slot < 0) return syntax("spath takes input=, output= and path=", *t);
      if (have[slot]) return syntax("spath: " + key + " is given twice", *t);
      if (val.empty()) return syntax("expected a value after " + key + "=", *t);
      have[slot] = true;
      if (slot == 0) c.rex_field = val;
      if (slot == 1) c.spath_output = val;
      if (slot == 2) {
        if (auto p = json_path::parse(val, 1); !p)
          return error{errc::invalid_argument,
                       "spath: " + p.err().message() + " at " + t->pos.render()};
        c.spath_path = val;
      }
    }
    if (have[1] && !have[2])
      return error{errc::invalid_argument,
                   "spath: output= needs a path (path=…) at " + c.pos.render()};
    return {};
  }

  /// rex [field=f] [mode=sed] [max_match=N] "regex or sed expression"
  error parse_rex(command& c) {
    auto a = std::make_shared<row_args>();
    bool sed = false, have = false;
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (command_end(*t)) break;
      auto o = row_option();
      if (!o) return o.err();
      if (*o) {
        auto key = lowered((*o)->first.text);
        if (key == "field") {
          if ((*o)->second.type != token::kind::ident && (*o)->second.type != token::kind::string)
            return syntax("expected a field name after field=", (*o)->second);
          c.rex_field = (*o)->second.text;
        } else if (key == "mode") {
          if (lowered((*o)->second.text) != "sed")
            return syntax("rex mode can only be sed", (*o)->second);
          sed = true;
        } else if (key == "max_match") {
          auto n = option_count(**o, 0);
          if (!n) return n.err();
          a->max_match = *n;
        } else {
          return unknown_option(c, (*o)->first);
        }
        continue;
      }
      (void)lex_.expr_token();
      if (t->type != token::kind::string || have)
        return syntax(have ? "unexpected argument to rex"
                           : "expected field=<name> or a quoted regular expression",
                      *t);
      c.regex = t->text;
      have = true;
    }
    if (!have) return expected_here("expected field=<name> or a quoted regular expression");
    if (sed) a->sed = c.regex;
    if (sed && a->max_match != 1)
      return error{errc::invalid_argument,
                   "rex: max_match does not apply to mode=sed at " + c.pos.render()};
    if (sed || a->max_match != 1) c.row = std::move(a);
    return {};
  }

  error parse_eval(command& c) {
    for (;;) {
      auto name = field_name("a field name to assign");
      if (!name) return name.err();
      auto eq = lex_.expr_token();
      if (!eq) return eq.err();
      if (eq->type != token::kind::op || eq->text != "=")
        return syntax("expected \"=\" after " + *name, *eq);
      auto e = parse_expr();
      if (!e) return e.err();
      c.assignments.emplace_back(std::move(*name), std::move(*e));
      if (!accept(token::kind::comma)) break;
    }
    return {};
  }

  error parse_rename(command& c) {
    for (;;) {
      auto from = row_field_pattern("a field name");
      if (!from) return from.err();
      auto as = lex_.expr_token();
      if (!as) return as.err();
      if (!is_keyword(*as, "as")) return syntax("expected \"as\"", *as);
      auto to = row_field_pattern("a new field name");
      if (!to) return to.err();
      // rename foo* as bar*: each * of the new name takes what the same * matched.
      if (has_star(*from) || has_star(*to)) {
        if (std::count(from->begin(), from->end(), '*') != std::count(to->begin(), to->end(), '*'))
          return syntax("rename " + *from + " as " + *to + ": both names need the same number of *",
                        *as);
        c.row = std::make_shared<row_args>();
      }
      c.renames.emplace_back(std::move(*from), std::move(*to));
      if (!accept(token::kind::comma)) {
        auto t = expr_peek();
        if (!t) return t.err();
        if (command_end(*t)) break;
      }
    }
    return {};
  }

  error parse_aggregation(command& c) {
    auto fn = lex_.expr_token();
    if (!fn) return fn.err();
    if (fn->type != token::kind::ident)
      return syntax("expected an aggregation such as count or avg(field)", *fn);
    if (auto st = lex_.save(); lookup_aggregation(fn->text)) {
      // `p99.5`: the lexer ends the name at the dot; a decimal written right after joins it.
      auto dec = lex_.expr_token();
      if (dec && dec->type == token::kind::number && dec->text[0] == '.' &&
          dec->pos.line == fn->pos.line &&
          dec->pos.column == fn->pos.column + int(fn->text.size()) &&
          lookup_aggregation(fn->text + dec->text))
        fn->text += dec->text;
      else
        lex_.restore(st);
    }
    auto name = lookup_aggregation(fn->text);
    if (!name)
      return error{errc::invalid_argument,
                   "unknown aggregation \"" + fn->text + "\" at " + fn->pos.render()};
    aggregation a;
    a.function = name->function;
    a.percentile = name->percentile;
    if (a.function == "median") a.percentile = 50;
    if (accept(token::kind::lparen)) {
      // `count(eval(status>=500))`: an expression instead of a field.
      auto st = lex_.save();
      auto first = lex_.expr_token();
      if (!first) return first.err();
      bool is_eval = is_keyword(*first, "eval") && accept(token::kind::lparen);
      if (is_eval) {
        auto e = parse_expr();
        if (!e) return e.err();
        auto close = lex_.expr_token();
        if (!close) return close.err();
        if (close->type != token::kind::rparen)
          return syntax("expected \")\" after the eval expression", *close);
        a.argument = std::move(*e);
      } else {
        lex_.restore(st);
        auto f = field_name("a field name");
        if (!f) return f.err();
        a.field = *f;
      }
      auto close = lex_.expr_token();
      if (!close) return close.err();
      if (close->type != token::kind::rparen) return syntax("expected \")\"", *close);
    } else if (aggregation_needs_field(a.function)) {
      return expected_here(fn->text + " needs a field: " + fn->text + "(field)");
    }
    a.as = a.argument ? "" : a.field.empty() ? fn->text : fn->text + "(" + a.field + ")";
    if (accept_keyword("as")) {
      auto as = field_name("a name after as");
      if (!as) return as.err();
      a.as = *as;
    }
    if (a.as.empty())  // as Splunk, an eval argument needs a name
      return expected_here(fn->text + "(eval(...)) needs a name: " + fn->text +
                           "(eval(...)) as name");
    c.aggregations.push_back(std::move(a));
    return {};
  }

  /// timechart's `limit=N` (0: every series), `useother=t|f`, and `usenull=f`
  /// (rows without the by field are left out; a NULL series is not built, so
  /// usenull=t is refused rather than answered without it).
  error parse_timechart_option(command& c) {
    auto name = lex_.expr_token();
    if (!name) return name.err();
    auto eq = lex_.expr_token();
    if (!eq) return eq.err();
    if (eq->type != token::kind::op || eq->text != "=")
      return syntax("expected \"=\" after " + name->text, *eq);
    auto v = lex_.expr_token();
    if (!v) return v.err();
    if (is_keyword(*name, "limit")) {
      auto n = count_arg(*v, "a count");
      if (!n) return n.err();
      c.limit = *n;
      return {};
    }
    std::string text = v->text;
    for (auto& ch : text) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    bool yes = text == "t" || text == "true" || text == "1";
    bool no = text == "f" || text == "false" || text == "0";
    if (!yes && !no) return syntax("expected t or f after " + name->text + "=", *v);
    if (is_keyword(*name, "useother")) {
      c.use_other = yes;
      return {};
    }
    if (yes)
      return error{errc::invalid_argument,
                   "usenull=t is not supported (rows without the by field are left out) at " +
                       name->pos.render()};
    return {};
  }

  error parse_stats(command& c, bool timechart) {
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (timechart && is_keyword(*t, "span")) {
        (void)lex_.expr_token();
        auto eq = lex_.expr_token();
        if (!eq) return eq.err();
        if (eq->type != token::kind::op || eq->text != "=")
          return syntax("expected \"=\" after span", *eq);
        auto v = lex_.expr_token();
        if (!v) return v.err();
        auto span = parse_span(v->text);
        if (!span)
          return error{errc::invalid_argument, span.err().message() + " at " + v->pos.render()};
        c.span = *span;
        continue;
      }
      if (timechart &&
          (is_keyword(*t, "limit") || is_keyword(*t, "useother") || is_keyword(*t, "usenull"))) {
        if (auto err = parse_timechart_option(c)) return err;
        continue;
      }
      if (t->type == token::kind::comma) {
        (void)lex_.expr_token();
        continue;
      }
      if (command_end(*t) || is_keyword(*t, "by")) break;
      if (auto err = parse_aggregation(c)) return err;
    }
    if (c.aggregations.empty())
      return expected_here(c.name + " needs an aggregation such as count");
    if (accept_keyword("by")) {
      auto f = timechart ? field_list({"limit", "useother", "usenull"}) : field_list();
      if (!f) return f.err();
      if (f->empty()) return expected_here("expected a field after by");
      c.by = std::move(*f);
      if (timechart && c.by.size() > 1)
        return error{errc::invalid_argument, "timechart takes one by field at " + c.pos.render()};
    }
    for (;;) {  // timechart options may also follow the by clause: `by host limit=5`
      auto t = expr_peek();
      if (!t) return t.err();
      if (!timechart ||
          !(is_keyword(*t, "limit") || is_keyword(*t, "useother") || is_keyword(*t, "usenull")))
        break;
      if (auto err = parse_timechart_option(c)) return err;
    }
    return {};
  }

  error parse_top(command& c) {
    c.limit = 10;
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (t->type == token::kind::number && c.fields.empty()) {
        (void)lex_.expr_token();
        auto v = count_arg(*t, "a count");
        if (!v) return v.err();
        c.limit = *v;
        continue;
      }
      if (is_keyword(*t, "limit")) {
        (void)lex_.expr_token();
        auto eq = lex_.expr_token();
        if (!eq) return eq.err();
        if (eq->type != token::kind::op || eq->text != "=")
          return syntax("expected \"=\" after limit", *eq);
        auto v = lex_.expr_token();
        if (!v) return v.err();
        auto n = count_arg(*v, "a count");
        if (!n) return n.err();
        c.limit = *n;
        continue;
      }
      break;
    }
    auto f = field_list({"by"});
    if (!f) return f.err();
    c.fields = std::move(*f);
    if (c.fields.empty()) return expected_here(c.name + " needs a field");
    if (accept_keyword("by")) {
      auto by = field_list();
      if (!by) return by.err();
      c.by = std::move(*by);
    }
    return {};
  }

  // -- expressions ----------------------------------------------------------------

  static expr binary(std::string op, expr l, expr r, position pos) {
    expr e;
    e.type = expr::kind::binary;
    e.text = std::move(op);
    e.pos = pos;
    e.args.push_back(std::move(l));
    e.args.push_back(std::move(r));
    return e;
  }

  result<expr> parse_expr() {
    if (++expr_depth_ > max_depth) {
      --expr_depth_;
      return error{errc::invalid_argument,
                   "expression nested too deeply at " + lex_.here().render()};
    }
    auto e = parse_or_expr();
    --expr_depth_;
    return e;
  }

  result<expr> parse_or_expr() {
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

  result<expr> parse_and_expr() {
    auto l = parse_not_expr();
    if (!l) return l;
    while (accept(token::kind::ident, "AND")) {
      auto r = parse_not_expr();
      if (!r) return r;
      l = binary("AND", std::move(*l), std::move(*r), l->pos);
    }
    return l;
  }

  result<expr> parse_not_expr() {
    auto t = expr_peek();
    if (!t) return t.err();
    if (t->type == token::kind::ident && t->text == "NOT")
      return unary(*t, &parser::parse_not_expr);
    return parse_comparison();
  }

  /// A prefix operator `op` (already peeked) applied to what `operand` parses;
  /// the nesting depth is bounded. A unary "+" is its operand.
  result<expr> unary(const token& op, result<expr> (parser::*operand)()) {
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

  result<expr> parse_comparison() {
    auto l = parse_additive();
    if (!l) return l;
    auto t = expr_peek();
    if (!t) return t.err();
    if (t->type == token::kind::op &&
        (t->text == "=" || t->text == "==" || t->text == "!=" || t->text == "<" ||
         t->text == "<=" || t->text == ">" || t->text == ">=")) {
      (void)lex_.expr_token();
      auto r = parse_additive();
      if (!r) return r;
      return binary(t->text == "==" ? "=" : t->text, std::move(*l), std::move(*r), t->pos);
    }
    if (is_keyword(*t, "in")) return parse_in_operator(std::move(*l), *t);
    return l;
  }

  /// `x IN (a, b, ...)` (where, eval): the function in(x, a, b, ...).
  result<expr> parse_in_operator(expr subject, const token& in) {
    (void)lex_.expr_token();  // IN
    auto open = lex_.expr_token();
    if (!open) return open.err();
    if (open->type != token::kind::lparen) return syntax("expected \"(\" after IN", *open);
    expr e;
    e.type = expr::kind::call;
    e.text = "in";
    e.pos = in.pos;
    e.args.push_back(std::move(subject));
    for (;;) {
      auto a = parse_expr();
      if (!a) return a;
      e.args.push_back(std::move(*a));
      auto sep = lex_.expr_token();
      if (!sep) return sep.err();
      if (sep->type == token::kind::rparen) break;
      if (sep->type != token::kind::comma)
        return syntax("expected \",\" or \")\" in the IN list", *sep);
    }
    if (auto err = check_eval_call(e, now_)) return err;
    return e;
  }

  /// One left-associative level: operands from `next`, joined by any of `ops`.
  result<expr> left_assoc(std::initializer_list<std::string_view> ops,
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

  result<expr> parse_additive() {
    return left_assoc({"+", "-", "."}, &parser::parse_multiplicative);
  }

  result<expr> parse_multiplicative() {
    return left_assoc({"*", "/", "%"}, &parser::parse_unary_expr);
  }

  result<expr> parse_unary_expr() {
    auto t = expr_peek();
    if (!t) return t.err();
    if (t->type == token::kind::op && (t->text == "-" || t->text == "+"))
      return unary(*t, &parser::parse_unary_expr);
    return parse_primary();
  }

  result<expr> parse_primary() {
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
        auto close = lex_.expr_token();
        if (!close) return close.err();
        if (close->type != token::kind::rparen) return syntax("expected \")\"", *close);
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
          if (!accept(token::kind::rparen)) {
            for (;;) {
              auto a = parse_expr();
              if (!a) return a;
              e.args.push_back(std::move(*a));
              auto sep = lex_.expr_token();
              if (!sep) return sep.err();
              if (sep->type == token::kind::rparen) break;
              if (sep->type != token::kind::comma) return syntax("expected \",\" or \")\"", *sep);
            }
          }
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

  lexer lex_;
  time_us now_;
  int expr_depth_ = 0;
};

/// Seconds of one unit; months and years are handled by calendar arithmetic.
std::optional<int64_t> unit_seconds(std::string_view u) {
  static const std::pair<const char*, int64_t> units[] = {
      {"s", 1},         {"sec", 1},     {"secs", 1},     {"second", 1},  {"seconds", 1},
      {"m", 60},        {"min", 60},    {"mins", 60},    {"minute", 60}, {"minutes", 60},
      {"h", 3600},      {"hr", 3600},   {"hrs", 3600},   {"hour", 3600}, {"hours", 3600},
      {"d", 86400},     {"day", 86400}, {"days", 86400}, {"w", 604800},  {"week", 604800},
      {"weeks", 604800}};
  for (auto& [n, s] : units)
    if (u == n) return s;
  return std::nullopt;
}

bool is_month_unit(std::string_view u) { return u == "mon" || u == "month" || u == "months"; }
bool is_year_unit(std::string_view u) {
  return u == "y" || u == "yr" || u == "year" || u == "years";
}

int64_t add_months(int64_t secs, int64_t months) {
  using namespace std::chrono;
  auto days = sys_days{floor<std::chrono::days>(sys_seconds{seconds{secs}})};
  auto tod = secs - days.time_since_epoch().count() * 86400;
  year_month_day ymd{days};
  auto ym = year_month{ymd.year(), ymd.month()} + std::chrono::months{months};
  auto last = year_month_day_last{ym.year(), month_day_last{ym.month()}}.day();
  auto d = std::min(ymd.day(), last);
  return sys_days{ym / d}.time_since_epoch().count() * 86400 + tod;
}

int64_t snap(int64_t secs, std::string_view u) {
  using namespace std::chrono;
  auto floor_div = [](int64_t a, int64_t b) { return (a >= 0 ? a / b : -((-a + b - 1) / b)) * b; };
  if (auto s = unit_seconds(u); s && *s < 604800) return floor_div(secs, *s);
  auto days = sys_days{floor<std::chrono::days>(sys_seconds{seconds{secs}})};
  if (u == "w" || u == "week" || u == "weeks") {
    weekday wd{days};
    return (days - std::chrono::days{wd.c_encoding()}).time_since_epoch().count() *
           86400;  // Sunday
  }
  year_month_day ymd{days};
  if (is_month_unit(u))
    return sys_days{ymd.year() / ymd.month() / 1}.time_since_epoch().count() * 86400;
  return sys_days{ymd.year() / January / 1}.time_since_epoch().count() * 86400;
}

}  // namespace

result<query> parse_query(std::string_view text, time_us now) {
  auto q = parser{text, now}.parse_all();
  if (!q) return q;
  // Compile what runs per row (rex regexes, …) now, so a bad one is refused
  // before any result is sent (HTTP 400), not in the middle of the results.
  for (auto& c : q->commands)
    if (is_streaming(c))
      if (auto stage = stream_stage::make(c); !stage) return stage.err();
  if (auto err = validate_row_commands(*q)) return err;
  if (auto err = validate_coordinator_commands(*q)) return err;
  return q;
}

result<expr> parse_expression(std::string_view text) {
  // now() in a lone expression is the time it was parsed.
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return parser{text, time_us(now)}.parse_expression_only();
}

result<time_us> parse_span(std::string_view text) {
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && digit(text[i])) n = n * 10 + (text[i++] - '0');
  if (i == 0) n = 1;
  auto unit = text.substr(i);
  auto s = unit_seconds(unit);
  if (!s || n <= 0 || n > 1'000'000)
    return error{errc::invalid_argument,
                 "invalid span \"" + std::string{text} + "\" (expected e.g. 30s, 5m, 1h, 1d, 1w)"};
  return time_us(n * *s * us_per_sec);
}

result<time_us> parse_time_modifier(std::string_view text, time_us now) {
  auto bad = [&] {
    return error{errc::invalid_argument,
                 "invalid time \"" + std::string{text} +
                     "\" (expected now, epoch seconds, -15m, -1d@d, @h or " +
                     "MM/DD/YYYY:HH:MM:SS)"};
  };
  if (text.empty()) return bad();
  if (text == "now") return now;
  if (std::all_of(text.begin(), text.end(), digit)) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{}) return bad();
    return time_us(v) * us_per_sec;
  }
  for (auto* fmt :
       {"%m/%d/%Y:%H:%M:%S", "%Y-%m-%dT%H:%M:%S%*f%*z", "%Y-%m-%d %H:%M:%S%*f%*z", "%Y-%m-%d"}) {
    auto t = parse_time(text, 0, fmt);
    if (t && t->end == text.size()) return resolve_time(*t, time_zone{}, now);
  }
  int64_t secs = to_epoch_seconds(now);
  int64_t frac = now - secs * us_per_sec;
  size_t i = 0;
  if (text[0] == '+' || text[0] == '-') {
    int sign = text[0] == '-' ? -1 : 1;
    ++i;
    int64_t n = 0;
    size_t start = i;
    while (i < text.size() && digit(text[i])) n = n * 10 + (text[i++] - '0');
    if (i == start) n = 1;
    size_t ustart = i;
    while (i < text.size() && ident_char(text[i])) ++i;
    auto unit = text.substr(ustart, i - ustart);
    if (auto s = unit_seconds(unit))
      secs += sign * n * *s;
    else if (is_month_unit(unit))
      secs = add_months(secs, sign * n);
    else if (is_year_unit(unit))
      secs = add_months(secs, sign * n * 12);
    else
      return bad();
  }
  if (i < text.size() && text[i] == '@') {
    auto unit = text.substr(i + 1);
    if (!unit_seconds(unit) && !is_month_unit(unit) && !is_year_unit(unit)) return bad();
    return time_us(snap(secs, unit)) * us_per_sec;
  }
  if (i != text.size()) return bad();
  return secs * us_per_sec + frac;
}

}  // namespace kura::search
