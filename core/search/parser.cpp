// Lexer and recursive-descent parser of the search language.
#include "core/search/parser.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

#include "core/pipeline/timestamp.hpp"

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
      while (i_ < s_.size() && (ident_char(s_[i_]) || s_[i_] == '.' || s_[i_] == '*')) {
        // A dot between identifier characters belongs to the name (a.b); elsewhere it is
        // concatenation.
        if (s_[i_] == '.' && !(i_ + 1 < s_.size() && ident_start(s_[i_ + 1]) && !t.text.empty()))
          break;
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
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return ident_char(c) || c == '.' || c == ':'; });
}

const std::vector<std::string>& stats_functions() {
  static const std::vector<std::string> f{
      "count", "dc",  "distinct_count", "sum",      "avg",   "mean",
      "min",   "max", "values",         "earliest", "latest"};
  return f;
}

struct function_arity {
  const char* name;
  size_t min, max;
};
constexpr function_arity eval_functions[] = {
    {"if", 3, 3},       {"case", 2, 64},     {"len", 1, 1},    {"lower", 1, 1},
    {"upper", 1, 1},    {"tonumber", 1, 2},  {"round", 1, 2},  {"substr", 2, 3},
    {"tostring", 1, 1}, {"coalesce", 1, 64}, {"isnull", 1, 1}, {"isnotnull", 1, 1},
    {"abs", 1, 1},      {"null", 0, 0},      {"floor", 1, 1},  {"ceil", 1, 1},
};

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
    return word_node(*t);
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
      if (t->type == token::kind::ident &&
          std::find(stop.begin(), stop.end(), t->text) != stop.end())
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
        {"search", command::kind::search},       {"where", command::kind::where},
        {"eval", command::kind::eval},           {"rex", command::kind::rex},
        {"head", command::kind::head},           {"tail", command::kind::tail},
        {"fields", command::kind::fields},       {"table", command::kind::table},
        {"rename", command::kind::rename},       {"sort", command::kind::sort},
        {"dedup", command::kind::dedup},         {"stats", command::kind::stats},
        {"timechart", command::kind::timechart}, {"top", command::kind::top},
        {"rare", command::kind::rare},           {"delete", command::kind::delete_}};
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
        auto f = field_list();
        if (!f) return f.err();
        c.fields = std::move(*f);
        if (c.fields.empty()) return expected_here("fields needs at least one field");
        break;
      }
      case command::kind::table: {
        auto f = field_list();
        if (!f) return f.err();
        c.fields = std::move(*f);
        if (c.fields.empty()) return expected_here("table needs at least one field");
        break;
      }
      case command::kind::rename:
        err = parse_rename(c);
        break;
      case command::kind::sort:
        err = parse_sort(c);
        break;
      case command::kind::dedup: {
        c.limit = 1;
        auto n = expr_peek();
        if (n && n->type == token::kind::number) {
          (void)lex_.expr_token();
          auto v = count_arg(*n, "a count");
          if (!v) return v.err();
          c.limit = *v;
        }
        auto f = field_list();
        if (!f) return f.err();
        c.fields = std::move(*f);
        if (c.fields.empty()) return expected_here("dedup needs at least one field");
        break;
      }
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
    }
    if (err) return err;
    auto end = expr_peek();
    if (!end) return end.err();
    if (!command_end(*end)) return syntax("unexpected argument to " + c.name, *end);
    return c;
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

  error parse_rex(command& c) {
    for (;;) {
      auto t = lex_.expr_token();
      if (!t) return t.err();
      if (t->type == token::kind::ident && t->text == "field") {
        auto eq = lex_.expr_token();
        if (!eq) return eq.err();
        if (eq->type != token::kind::op || eq->text != "=")
          return syntax("expected \"=\" after field", *eq);
        auto f = field_name("a field name");
        if (!f) return f.err();
        c.rex_field = *f;
        continue;
      }
      if (t->type == token::kind::string) {
        c.regex = t->text;
        return {};
      }
      return syntax("expected field=<name> or a quoted regular expression", *t);
    }
  }

  error parse_rename(command& c) {
    for (;;) {
      auto from = field_name("a field name");
      if (!from) return from.err();
      auto as = lex_.expr_token();
      if (!as) return as.err();
      if (as->type != token::kind::ident || (as->text != "as" && as->text != "AS"))
        return syntax("expected \"as\"", *as);
      auto to = field_name("a new field name");
      if (!to) return to.err();
      c.renames.emplace_back(std::move(*from), std::move(*to));
      if (!accept(token::kind::comma)) {
        auto t = expr_peek();
        if (!t) return t.err();
        if (command_end(*t)) break;
      }
    }
    return {};
  }

  error parse_sort(command& c) {
    c.limit = 0;
    auto n = expr_peek();
    if (n && n->type == token::kind::number) {
      (void)lex_.expr_token();
      auto v = count_arg(*n, "a count");
      if (!v) return v.err();
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
      bool desc = false;
      if (accept(token::kind::op, "-"))
        desc = true;
      else
        accept(token::kind::op, "+");
      auto f = field_name("a field to sort by");
      if (!f) return f.err();
      c.sort_keys.emplace_back(std::move(*f), desc);
    }
    if (c.sort_keys.empty()) return expected_here("sort needs at least one field");
    return {};
  }

  error parse_aggregation(command& c) {
    auto fn = lex_.expr_token();
    if (!fn) return fn.err();
    if (fn->type != token::kind::ident)
      return syntax("expected an aggregation such as count or avg(field)", *fn);
    if (std::find(stats_functions().begin(), stats_functions().end(), fn->text) ==
        stats_functions().end())
      return error{errc::invalid_argument,
                   "unknown aggregation \"" + fn->text + "\" at " + fn->pos.render()};
    aggregation a;
    a.function = fn->text == "distinct_count" ? "dc" : fn->text == "mean" ? "avg" : fn->text;
    if (accept(token::kind::lparen)) {
      auto f = field_name("a field name");
      if (!f) return f.err();
      a.field = *f;
      auto close = lex_.expr_token();
      if (!close) return close.err();
      if (close->type != token::kind::rparen) return syntax("expected \")\"", *close);
    } else if (a.function != "count") {
      return expected_here(a.function + " needs a field: " + a.function + "(field)");
    }
    a.as = a.field.empty() ? a.function : fn->text + "(" + a.field + ")";
    if (accept(token::kind::ident, "as") || accept(token::kind::ident, "AS")) {
      auto name = field_name("a name after as");
      if (!name) return name.err();
      a.as = *name;
    }
    c.aggregations.push_back(std::move(a));
    return {};
  }

  error parse_stats(command& c, bool timechart) {
    for (;;) {
      auto t = expr_peek();
      if (!t) return t.err();
      if (timechart && t->type == token::kind::ident && t->text == "span") {
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
      if (t->type == token::kind::comma) {
        (void)lex_.expr_token();
        continue;
      }
      if (command_end(*t) || (t->type == token::kind::ident && t->text == "by")) break;
      if (auto err = parse_aggregation(c)) return err;
    }
    if (c.aggregations.empty())
      return expected_here(c.name + " needs an aggregation such as count");
    if (accept(token::kind::ident, "by")) {
      auto f = field_list();
      if (!f) return f.err();
      if (f->empty()) return expected_here("expected a field after by");
      c.by = std::move(*f);
      if (timechart && c.by.size() > 1)
        return error{errc::invalid_argument, "timechart takes one by field at " + c.pos.render()};
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
      if (t->type == token::kind::ident && t->text == "limit") {
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
    if (accept(token::kind::ident, "by")) {
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
    return l;
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
          const function_arity* fn = nullptr;
          for (auto& f : eval_functions)
            if (t->text == f.name) fn = &f;
          if (!fn)
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
          if (e.args.size() < fn->min || e.args.size() > fn->max ||
              (e.text == "case" && e.args.size() % 2))
            return error{errc::invalid_argument,
                         "wrong number of arguments to " + e.text + "() at " + t->pos.render()};
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
  return parser{text, now}.parse_all();
}

result<expr> parse_expression(std::string_view text) {
  return parser{text, 0}.parse_expression_only();
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
