#include "core/search/lexer.hpp"

namespace kura::search::detail {

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

error syntax(const std::string& what, const token& t) {
  return {errc::invalid_argument, what + ", got " + describe(t) + " at " + t.pos.render()};
}

bool is_keyword(const token& t, std::string_view kw) {
  if (t.type != token::kind::ident || t.text.size() != kw.size()) return false;
  for (size_t i = 0; i < kw.size(); ++i)
    if (char(std::tolower(static_cast<unsigned char>(t.text[i]))) != kw[i]) return false;
  return true;
}

result<std::optional<std::pair<std::string, position>>> lexer::bracketed() {
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

void lexer::advance() {
  if (s_[i_] == '\n') {
    ++line_;
    col_ = 1;
  } else {
    ++col_;
  }
  ++i_;
}

result<token> lexer::next(bool search_mode) {
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
}  // namespace kura::search::detail
