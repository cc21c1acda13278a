// The commands on the merged rows (coordinator_commands.hpp): chart eventstats
// streamstats transaction join append lookup inputlookup outputlookup, and subsearches.
#include <algorithm>
#include <charconv>

#include "core/search/lookup.hpp"
#include "core/search/parser.hpp"
#include "core/search/parser_impl.hpp"

namespace kura::search::detail {

result<std::optional<std::pair<token, token>>> parser::named_option(
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

result<bool> parser::bool_value(const token& name, const token& v) {
  std::string text = lowered(v.text);
  if (text == "t" || text == "true" || text == "1") return true;
  if (text == "f" || text == "false" || text == "0") return false;
  return syntax("expected t or f after " + name.text + "=", v);
}

result<std::optional<time_us>> parser::span_value(const token& v) {
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

error parser::unsupported_option(const command& c, std::initializer_list<std::string_view> names) {
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

error parser::parse_chart(command& c) {
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

error parser::parse_eventstats(command& c) {
  if (auto err = unsupported_option(c, {"allnum"})) return err;
  if (auto err = parse_stats(c, false)) return err;
  c.coordinator = std::make_shared<coordinator_args>();
  return {};
}

error parser::parse_streamstats(command& c) {
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

result<transaction_filter> parser::transaction_filter_value(const token& v) {
  transaction_filter f;
  if (v.type == token::kind::ident && v.text == "eval") {
    auto open = lex_.expr_token();
    if (!open) return open.err();
    if (open->type != token::kind::lparen) return syntax("expected \"(\" after eval", *open);
    auto e = parse_expr();
    if (!e) return e.err();
    if (auto err = expect_rparen()) return err;
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

error parser::parse_transaction(command& c) {
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

error parser::parse_subsearch(command& c, coordinator_args& args) {
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

error parser::parse_join(command& c) {
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

error parser::parse_append(command& c) {
  auto args = std::make_shared<coordinator_args>();
  if (auto err = parse_subsearch(c, *args)) return err;
  c.coordinator = std::move(args);
  return {};
}

result<std::string> parser::lookup_name(const command& c) {
  auto t = lex_.expr_token();
  if (!t) return t.err();
  if (t->type != token::kind::ident && t->type != token::kind::string)
    return syntax(c.name + " needs a lookup name", *t);
  if (auto p = lookup_file("lookups", t->text); !p)
    return error{errc::invalid_argument, p.err().message() + " at " + t->pos.render()};
  return t->text;
}

error parser::parse_lookup_name(command& c) {
  auto args = std::make_shared<coordinator_args>();
  if (auto err =
          unsupported_option(c, {"append", "start", "max", "where", "create_empty",
                                 "override_if_empty", "key_field", "createinapp", "output_format"}))
    return err;
  auto name = lookup_name(c);
  if (!name) return name.err();
  args->table = std::move(*name);
  c.coordinator = std::move(args);
  return {};
}

error parser::parse_lookup(command& c) {
  auto args = std::make_shared<coordinator_args>();
  if (auto err = unsupported_option(c, {"local", "update"})) return err;
  auto name = lookup_name(c);
  if (!name) return name.err();
  args->table = std::move(*name);
  bool output = false;
  for (;;) {
    auto t = peek_past_commas();
    if (!t) return t.err();
    if (command_end(*t)) break;
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

}  // namespace kura::search::detail
