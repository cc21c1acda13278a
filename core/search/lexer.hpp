// The search language's tokens and lexer (internal to core/search: the parser's
// files include it; the public interface is parser.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.hpp"
#include "core/search/ast.hpp"

namespace kura::search::detail {

inline bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
inline bool digit(char c) { return c >= '0' && c <= '9'; }
inline bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

struct token {
  enum class kind : uint8_t { end, word, string, pipe, lparen, rparen, comma, op, number, ident };
  kind type = kind::end;
  std::string text;
  position pos;
  bool space_before = false;
};

/// How an error message shows a token: "text", or end of search.
std::string describe(const token& t);

/// The error "<what>, got <token> at <position>".
error syntax(const std::string& what, const token& t);

/// Whether `t` is the keyword `kw` (lowercase): command keywords such as by,
/// as, limit and span are case-insensitive in SPL (`BY`, `As`).
bool is_keyword(const token& t, std::string_view kw);

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
  result<std::optional<std::pair<std::string, position>>> bracketed();

 private:
  void advance();

  result<token> next(bool search_mode);

  std::string_view s_;
  size_t i_ = 0;
  int line_ = 1, col_ = 1;
};

}  // namespace kura::search::detail
