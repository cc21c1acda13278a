// The commands of row_commands.hpp (bin fillnull makemv mvexpand convert
// addtotals fieldformat regex makeresults sort dedup) and their option helpers.
#include <algorithm>

#include "core/search/parser.hpp"
#include "core/search/parser_impl.hpp"
#include "core/search/value.hpp"

namespace kura::search::detail {

result<std::optional<option>> parser::row_option() {
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

std::string parser::lowered(std::string s) {
  for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

error parser::unknown_option(const command& c, const token& name) {
  return {errc::invalid_argument,
          "unknown option \"" + name.text + "\" of " + c.name + " at " + name.pos.render()};
}

result<std::optional<option>> parser::only_option(const command& c, std::string_view name) {
  auto o = row_option();
  if (!o) return o.err();
  if (*o && lowered((*o)->first.text) != name) return unknown_option(c, (*o)->first);
  return o;
}

result<bool> parser::option_bool(const option& o) {
  auto v = lowered(o.second.text);
  if (v == "t" || v == "true" || v == "1") return true;
  if (v == "f" || v == "false" || v == "0") return false;
  return syntax("expected true or false for " + o.first.text, o.second);
}

result<double> parser::option_number(const option& o) {
  auto n = value{o.second.text}.as_number();
  if (o.second.type != token::kind::number || !n)
    return syntax("expected a number for " + o.first.text, o.second);
  return *n;
}

result<size_t> parser::option_count(const option& o, size_t min) {
  auto n = count_arg(o.second, "a whole number for " + o.first.text);
  if (!n) return n.err();
  if (*n < min) return syntax(o.first.text + " must be at least " + std::to_string(min), o.second);
  return *n;
}

result<std::string> parser::row_field_pattern(const std::string& what) {
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

result<std::vector<std::string>> parser::row_field_patterns(
    std::initializer_list<std::string_view> stop) {
  return names_until(&parser::row_field_pattern, stop);
}

error parser::parse_bin(command& c, row_args& a) {
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
          if (!s) return error{errc::invalid_argument, s.err().message() + " at " + v.pos.render()};
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
    if (auto err = as_name(a.as)) return err;
  }
  if (a.field.empty())
    return expected_here(c.name + " needs a field: " + c.name + " span=1h _time");
  if (a.field == "_time") a.time_bins = true;
  if (a.start && a.end && *a.start > *a.end)
    return error{errc::invalid_argument,
                 c.name + ": start is greater than end at " + c.pos.render()};
  return {};
}

error parser::parse_fillnull(command& c, row_args& a) {
  for (;;) {
    auto o = only_option(c, "value");
    if (!o) return o.err();
    if (!*o) break;
    a.fill_value = (*o)->second.text;
  }
  auto f = field_list();
  if (!f) return f.err();
  c.fields = std::move(*f);
  return {};
}

error parser::parse_makemv(command& c, row_args& a) {
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

error parser::parse_mvexpand(command& c, row_args& a) {
  for (;;) {
    auto t = expr_peek();
    if (!t) return t.err();
    if (command_end(*t)) break;
    auto o = only_option(c, "limit");
    if (!o) return o.err();
    if (*o) {
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

error parser::parse_convert(command& c, row_args& a) {
  static const std::vector<std::string> functions{"ctime",  "mktime",  "dur2sec", "num", "auto",
                                                  "rmunit", "rmcomma", "memk",    "none"};
  for (;;) {
    auto t = peek_past_commas();
    if (!t) return t.err();
    if (command_end(*t)) break;
    auto o = only_option(c, "timeformat");
    if (!o) return o.err();
    if (*o) {
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
    if (auto err = expect_rparen()) return err;
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
  if (a.conversions.empty()) return expected_here("convert needs a conversion such as num(field)");
  a.now = now_;
  return {};
}

error parser::parse_addtotals(command& c, row_args& a) {
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

error parser::parse_regex(command&, row_args& a) {
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

error parser::parse_makeresults(command& c, row_args& a) {
  for (;;) {
    auto o = only_option(c, "count");
    if (!o) return o.err();
    if (!*o) break;
    auto n = option_count(**o, 1);
    if (!n) return n.err();
    a.count = *n;
  }
  a.now = now_;
  return {};
}

result<sort_key> parser::parse_sort_key() {
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
    if (auto err = expect_rparen()) return err;
    k.field = *f;
  } else {
    k.field = t->text;
  }
  return k;
}

error parser::parse_sort_keys(command& c, row_args& a) {
  for (;;) {
    auto t = peek_past_commas();
    if (!t) return t.err();
    if (command_end(*t)) break;
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

error parser::parse_row_sort(command& c, row_args& a) {
  c.limit = 0;
  auto v = leading_count();
  if (!v) return v.err();
  if (*v) c.limit = **v == 0 ? SIZE_MAX : **v;
  auto o = only_option(c, "limit");
  if (!o) return o.err();
  if (*o) {
    auto v = option_count(**o, 0);
    if (!v) return v.err();
    c.limit = *v == 0 ? SIZE_MAX : *v;
  }
  if (auto err = parse_sort_keys(c, a)) return err;
  if (a.sort_by.empty()) return expected_here("sort needs at least one field");
  return {};
}

error parser::parse_row_dedup(command& c, row_args& a) {
  c.limit = 1;
  auto n = expr_peek();  // the count's token, for the error
  if (!n) return n.err();
  auto v = leading_count();
  if (!v) return v.err();
  if (*v) {
    if (**v == 0) return syntax("dedup keeps at least 1 row per value", *n);
    c.limit = **v;
  }
  for (;;) {
    auto t = peek_past_commas();
    if (!t) return t.err();
    if (command_end(*t)) break;
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

bool parser::parse_row_command(command& c, error& err) {
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

}  // namespace kura::search::detail
