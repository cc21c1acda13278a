// The command dispatch and the classic commands: search where eval rex head
// tail fields table rename stats timechart top rare delete spath.
#include <algorithm>

#include "core/search/aggregations.hpp"
#include "core/search/json_fields.hpp"
#include "core/search/parser.hpp"
#include "core/search/parser_impl.hpp"

namespace kura::search::detail {

result<command> parser::parse_command() {
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
      auto n = leading_count();
      if (!n) return n.err();
      if (*n) c.limit = **n;
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

error parser::parse_spath(command& c) {
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

error parser::parse_rex(command& c) {
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

error parser::parse_eval(command& c) {
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

error parser::parse_rename(command& c) {
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

error parser::parse_aggregation(command& c) {
  auto fn = lex_.expr_token();
  if (!fn) return fn.err();
  if (fn->type != token::kind::ident)
    return syntax("expected an aggregation such as count or avg(field)", *fn);
  if (auto st = lex_.save(); lookup_aggregation(fn->text)) {
    // `p99.5`: the lexer ends the name at the dot; a decimal written right after joins it.
    auto dec = lex_.expr_token();
    if (dec && dec->type == token::kind::number && dec->text[0] == '.' &&
        dec->pos.line == fn->pos.line && dec->pos.column == fn->pos.column + int(fn->text.size()) &&
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
      if (auto err = expect_rparen("expected \")\" after the eval expression")) return err;
      a.argument = std::move(*e);
    } else {
      lex_.restore(st);
      auto f = field_name("a field name");
      if (!f) return f.err();
      a.field = *f;
    }
    if (auto err = expect_rparen()) return err;
  } else if (aggregation_needs_field(a.function)) {
    return expected_here(fn->text + " needs a field: " + fn->text + "(field)");
  }
  a.as = a.argument ? "" : a.field.empty() ? fn->text : fn->text + "(" + a.field + ")";
  if (auto err = as_name(a.as)) return err;
  if (a.as.empty())  // as Splunk, an eval argument needs a name
    return expected_here(fn->text + "(eval(...)) needs a name: " + fn->text +
                         "(eval(...)) as name");
  c.aggregations.push_back(std::move(a));
  return {};
}

error parser::parse_timechart_option(command& c) {
  auto name = lex_.expr_token();
  if (!name) return name.err();
  auto v = value_after_equals(name->text);
  if (!v) return v.err();
  if (is_keyword(*name, "limit")) {
    auto n = count_arg(*v, "a count");
    if (!n) return n.err();
    c.limit = *n;
    return {};
  }
  auto yes = bool_value(*name, *v);
  if (!yes) return yes.err();
  if (is_keyword(*name, "useother")) {
    c.use_other = *yes;
    return {};
  }
  if (*yes)
    return error{errc::invalid_argument,
                 "usenull=t is not supported (rows without the by field are left out) at " +
                     name->pos.render()};
  return {};
}

error parser::parse_stats(command& c, bool timechart) {
  for (;;) {
    auto t = expr_peek();
    if (!t) return t.err();
    if (timechart && is_keyword(*t, "span")) {
      (void)lex_.expr_token();
      auto v = value_after_equals("span");
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
  if (c.aggregations.empty()) return expected_here(c.name + " needs an aggregation such as count");
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

error parser::parse_top(command& c) {
  c.limit = 10;
  for (;;) {
    auto n = leading_count();  // c.fields is still empty here
    if (!n) return n.err();
    if (*n) {
      c.limit = **n;
      continue;
    }
    auto t = expr_peek();
    if (!t) return t.err();
    if (is_keyword(*t, "limit")) {
      (void)lex_.expr_token();
      auto v = value_after_equals("limit");
      if (!v) return v.err();
      auto count = count_arg(*v, "a count");
      if (!count) return count.err();
      c.limit = *count;
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

}  // namespace kura::search::detail
