#include "core/search/parser.hpp"

#include <chrono>

#include "core/search/commands.hpp"
#include "core/search/coordinator_commands.hpp"
#include "core/search/parser_impl.hpp"
#include "core/search/row_commands.hpp"

namespace kura::search::detail {

result<query> parser::parse_all() {
  query q;
  auto base = parse_search(true, q);
  if (!base) return base.err();
  q.base = std::move(*base);
  for (;;) {
    auto t = lex_.search_token();
    if (!t) return t.err();
    if (t->type == token::kind::end) break;
    if (t->type != token::kind::pipe) return syntax("expected \"|\" or the end of the search", *t);
    auto cmd = parse_command();
    if (!cmd) return cmd.err();
    q.commands.push_back(std::move(*cmd));
  }
  return q;
}

result<expr> parser::parse_expression_only() {
  auto e = parse_expr();
  if (!e) return e;
  auto t = lex_.expr_token();
  if (!t) return t.err();
  if (t->type != token::kind::end) return syntax("expected the end of the expression", *t);
  return e;
}

}  // namespace kura::search::detail

namespace kura::search {

using detail::parser;

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
}  // namespace kura::search
