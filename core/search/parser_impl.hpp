// The search language's recursive-descent parser (internal to core/search: the
// public interface is parser.hpp). One class; its methods are defined by area:
// parser.cpp (entry points), parse_search.cpp (the base search),
// parse_expression.cpp (eval expressions), parse_arguments.cpp (tokens shared by
// command parsers), parse_commands.cpp (the dispatch and the classic commands),
// parse_row_commands.cpp (row_commands.hpp), parse_coordinator_commands.cpp
// (coordinator_commands.hpp).
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/search/ast.hpp"
#include "core/search/coordinator_args.hpp"
#include "core/search/lexer.hpp"
#include "core/search/row_commands.hpp"

namespace kura::search::detail {

/// Nesting deeper than this (parentheses, NOT, unary minus) is refused, so a
/// hostile search cannot exhaust the stack.
constexpr int max_depth = 100;

/// A command option `name=value`: its name token and its value token.
using option = std::pair<token, token>;

class parser {
 public:
  parser(std::string_view text, time_us now) : lex_(text), now_(now) {}

  result<query> parse_all();

  result<expr> parse_expression_only();

 private:
  // -- base search (parse_search.cpp) ----------------------------------------------

  /// Parses a search expression up to "|" or the end. In the base search
  /// (`base`), earliest= and latest= at the top level set the query's range.
  result<search_node> parse_search(bool base, query& q);

  result<token> peek_search();

  static bool ends_search(const token& t);

  /// A conjunction of OR groups: in SPL, OR binds tighter than the implicit AND
  /// (`a OR b c` is `(a OR b) AND c`). earliest=/latest= may only be conjuncts
  /// of the base search's top level.
  result<search_node> parse_and(query* q, int depth);

  /// Terms joined by OR.
  result<search_node> parse_or(query* q, int depth);

  static bool mentions_time(const search_node& n) { return time_node(n) != nullptr; }

  static const search_node* time_node(const search_node& n);

  static bool mentions_field(const search_node& n, std::string_view field);

  result<search_node> parse_unary(query* q, int depth);

  /// "case" or "term" when `t` is CASE or TERM (any case), else "".
  static std::string directive_name(const token& t) { return directive_name(t.text); }
  static std::string directive_name(std::string_view text);

  /// `field=CASE(value)` (compared with its case) and `field=TERM(value)`
  /// (the same as field=value: a field's value is compared whole).
  error parse_value_directive(search_node& n);

  /// Whether "(" follows the current token without space: `CASE(` `TERM(`.
  bool directive_follows();

  /// The rest of CASE(x) or TERM(x) after the name: "(", one word or quoted
  /// string, ")". Sets `n`'s text and flags; a quoted string is a phrase
  /// under CASE. TERM's term may not hold major breakers (it could never
  /// match one indexed term).
  error parse_directive(const std::string& name, search_node& n);

  /// `field IN (a, b, "c d", x*)` after the word `field`: the OR of
  /// field=value comparisons. Returns `all` (and consumes nothing) when no
  /// upper-case IN with "(" follows.
  result<search_node> parse_in_list(const token& field);

  /// A word is a comparison when it starts with a field name and an operator.
  result<search_node> word_node(const token& t);

  // -- command arguments (parse_arguments.cpp), dispatch (parse_commands.cpp) ------

  result<token> expr_peek();

  bool accept(token::kind k, std::string_view text = {});

  /// Takes the next token when it is the keyword `kw` (see is_keyword).
  bool accept_keyword(std::string_view kw);

  /// The error "<what>, got <next token> at <position>"; a lexer error wins.
  error expected_here(const std::string& what);

  static bool command_end(const token& t);

  /// A field name: an identifier, a 'quoted' name or a "quoted" name.
  result<std::string> field_name(const std::string& what);

  result<size_t> count_arg(const token& t, const std::string& what);

  /// Fields separated by commas or spaces, up to the end of the command or a keyword.
  result<std::vector<std::string>> field_list(std::initializer_list<std::string_view> stop = {});

  /// Names read by `name` (field_name or row_field_pattern), separated by
  /// commas or spaces, up to the end of the command or a `stop` keyword.
  result<std::vector<std::string>> names_until(
      result<std::string> (parser::*name)(const std::string&),
      std::initializer_list<std::string_view> stop);

  /// The next token (not taken) after any commas, which are taken.
  result<token> peek_past_commas();

  /// A count that opens a command (`head 5`, `sort 0`, `dedup 2 x`, `top 3 x`):
  /// taken when the next token is a number; nullopt (nothing taken) otherwise.
  result<std::optional<size_t>> leading_count();

  /// After an option's name (already taken): "=" and the value token.
  result<token> value_after_equals(const std::string& name);

  /// Takes the ")" that must come next; `what` is the error otherwise.
  error expect_rparen(const std::string& what = "expected \")\"");

  /// Takes `as NAME` when it comes next, setting `name`; nothing otherwise.
  error as_name(std::string& name);

  result<command> parse_command();

  // -- commands on the merged rows (parse_coordinator_commands.cpp) ---------------

  /// `name=value` when the next tokens are one of `names` and "=": both
  /// tokens; nullopt (nothing taken) otherwise.
  result<std::optional<std::pair<token, token>>> named_option(
      std::initializer_list<std::string_view> names);

  result<bool> bool_value(const token& name, const token& v);

  /// A time span of transaction (maxspan=30s, maxpause=5m, a number of
  /// seconds, or -1 for none).
  result<std::optional<time_us>> span_value(const token& v);

  /// Refuses a Splunk option this command does not implement, by name.
  error unsupported_option(const command& c, std::initializer_list<std::string_view> names);

  error parse_chart(command& c);

  error parse_eventstats(command& c);

  error parse_streamstats(command& c);

  /// startswith=/endswith= of transaction: a quoted search, one word, or eval(expression).
  result<transaction_filter> transaction_filter_value(const token& v);

  error parse_transaction(command& c);

  /// The subsearch `[ … ]` that must come next, parsed now so its errors are
  /// the main search's. Subsearches nest at most 5 deep.
  error parse_subsearch(command& c, coordinator_args& args);

  error parse_join(command& c);

  error parse_append(command& c);

  /// The name of a lookup table (checked so it cannot leave the lookup directory).
  result<std::string> lookup_name(const command& c);

  error parse_lookup_name(command& c);

  error parse_lookup(command& c);

  // -- row commands (parse_row_commands.cpp) --------------------------------------

  /// Takes `name=value` when the next tokens are an identifier and "=";
  /// nothing is taken otherwise. A value is a number (`-5` too), a word such as
  /// `1h`, an identifier or a quoted string.
  result<std::optional<option>> row_option();

  static std::string lowered(std::string s);

  static error unknown_option(const command& c, const token& name);

  /// row_option for a command with one option, `name`: another is refused.
  result<std::optional<option>> only_option(const command& c, std::string_view name);

  static result<bool> option_bool(const option& o);

  static result<double> option_number(const option& o);

  /// A count option: a whole number from `min`.
  result<size_t> option_count(const option& o, size_t min);

  /// One field name, which may hold `*` wildcards (`status*`, `*_ms`, `*`).
  result<std::string> row_field_pattern(const std::string& what);

  /// Field names (wildcards allowed) separated by commas or spaces, up to the
  /// end of the command or a `stop` keyword.
  result<std::vector<std::string>> row_field_patterns(
      std::initializer_list<std::string_view> stop = {});

  static bool has_star(const std::string& s) { return s.find('*') != std::string::npos; }

  /// bin/bucket [span=…|bins=N] [start=N] [end=N] field [as name].
  error parse_bin(command& c, row_args& a);

  /// fillnull [value=X] [field …]
  error parse_fillnull(command& c, row_args& a);

  /// makemv [delim="…"|tokenizer="…"] [allowempty=t] field
  error parse_makemv(command& c, row_args& a);

  /// mvexpand field [limit=N]
  error parse_mvexpand(command& c, row_args& a);

  /// convert [timeformat="…"] fn(field) [as name] …
  error parse_convert(command& c, row_args& a);

  /// addtotals [row=t] [col=f] [labelfield=f] [label=Total] [fieldname=Total] [field …]
  error parse_addtotals(command& c, row_args& a);

  /// regex "re" | regex field="re" | regex field!="re"
  error parse_regex(command&, row_args& a);

  /// makeresults [count=N]
  error parse_makeresults(command& c, row_args& a);

  /// One sort key: [+|-] field | [+|-] num(field) | str() | ip() | auto().
  result<sort_key> parse_sort_key();

  /// Sort keys up to the end of the command; a last `desc` reverses them all.
  error parse_sort_keys(command& c, row_args& a);

  /// sort [N] [limit=N] key, … [desc]; `sort 0` keeps every row.
  error parse_row_sort(command& c, row_args& a);

  /// dedup [N] field … [keepempty=t] [consecutive=t] [sortby key …]
  error parse_row_dedup(command& c, row_args& a);

  /// The commands of row_commands.hpp (and the options this file gives rex,
  /// sort, dedup, table, fields and rename). Returns false for other commands.
  bool parse_row_command(command& c, error& err);

  /// spath [input=f] [output=o] [path=p | p]; the options' values are words
  /// of the search mode, so a path such as a.b{1}.c needs no quotes.
  error parse_spath(command& c);

  /// rex [field=f] [mode=sed] [max_match=N] "regex or sed expression"
  error parse_rex(command& c);

  error parse_eval(command& c);

  error parse_rename(command& c);

  error parse_aggregation(command& c);

  /// timechart's `limit=N` (0: every series), `useother=t|f`, and `usenull=f`
  /// (rows without the by field are left out; a NULL series is not built, so
  /// usenull=t is refused rather than answered without it).
  error parse_timechart_option(command& c);

  error parse_stats(command& c, bool timechart);

  error parse_top(command& c);

  // -- expressions (parse_expression.cpp) -----------------------------------------

  static expr binary(std::string op, expr l, expr r, position pos);

  result<expr> parse_expr();

  result<expr> parse_or_expr();

  result<expr> parse_and_expr();

  result<expr> parse_not_expr();

  /// A prefix operator `op` (already peeked) applied to what `operand` parses;
  /// the nesting depth is bounded. A unary "+" is its operand.
  result<expr> unary(const token& op, result<expr> (parser::*operand)());

  result<expr> parse_comparison();

  /// `x IN (a, b, ...)` (where, eval): the function in(x, a, b, ...).
  result<expr> parse_in_operator(expr subject, const token& in);

  /// Expressions separated by commas up to ")" (taken): call arguments, IN
  /// lists; `what` is the error for anything else after an expression.
  error parse_expression_list(std::vector<expr>& out, const std::string& what);

  /// One left-associative level: operands from `next`, joined by any of `ops`.
  result<expr> left_assoc(std::initializer_list<std::string_view> ops,
                          result<expr> (parser::*next)());

  result<expr> parse_additive();

  result<expr> parse_multiplicative();

  result<expr> parse_unary_expr();

  result<expr> parse_primary();

  lexer lex_;
  time_us now_;
  int expr_depth_ = 0;
};

}  // namespace kura::search::detail
