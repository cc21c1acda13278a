// The search language parser: structure, errors with positions, time
// modifiers, and a fuzzer that must never crash or hang it.
#include "core/search/parser.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <random>

using namespace kura;
using namespace kura::search;

namespace {
constexpr time_us now = 1'795'350'000'000'000;  // 2026-11-22T12:20:00Z

std::string parse_error(std::string_view q) {
  auto r = parse_query(q, now);
  REQUIRE_MESSAGE(!r.has_value(), q);
  return r.err().message();
}
}  // namespace

TEST_CASE("parser: a base search with boolean operators, comparisons and a pipeline") {
  // OR binds tighter than the implicit AND, as in SPL: (error OR (…)) AND host=… AND …
  auto q = parse_query("error OR (fail* NOT \"disk full\") host=web* status!=200 bytes>=10 | stats count by host", now);
  REQUIRE_MESSAGE(q.has_value(), q.err().message());
  REQUIRE(q->base.type == search_node::kind::and_);
  REQUIRE(q->base.children.size() == 4);
  auto& either = q->base.children[0];
  REQUIRE(either.type == search_node::kind::or_);
  CHECK(either.children[0].text == "error");
  REQUIRE(either.children[1].type == search_node::kind::and_);  // the parenthesised group
  CHECK(either.children[1].children[1].type == search_node::kind::not_);
  CHECK(either.children[1].children[1].children[0].type == search_node::kind::phrase);
  CHECK(q->base.children[1].field == "host");
  CHECK(q->base.children[1].text == "web*");
  CHECK(q->base.children[2].op == compare_op::ne);
  CHECK(q->base.children[3].op == compare_op::ge);
  REQUIRE(q->commands.size() == 1);
  CHECK(q->commands[0].type == command::kind::stats);
  CHECK(q->commands[0].by == std::vector<std::string>{"host"});
  auto both = parse_query("a OR b earliest=-1h", now);
  REQUIRE(both.has_value());
  CHECK(both->base.type == search_node::kind::or_);
  CHECK(*both->earliest == now - 3600 * us_per_sec);
}

TEST_CASE("parser: every command parses with its arguments") {
  auto q = parse_query(
      "search x | where len(_raw) > 5 AND NOT isnull(host) | eval a = 1 + 2 * 3, b = \"s\" . a"
      " | rex field=_raw \"id=(?<id>\\d+)\" | head 5 | tail | fields - _raw | table host, id | rename id as ident"
      " | sort 3 -count, host | dedup 2 host | stats count, dc(host) as hosts, avg(x) by sourcetype"
      " | timechart span=15m count by host | top limit=3 host by sourcetype | rare host | delete",
      now);
  REQUIRE_MESSAGE(q.has_value(), q.err().message());
  REQUIRE(q->commands.size() == 15);  // where … delete; "search x" is the base search
  CHECK(q->commands[1].assignments.size() == 2);
  CHECK(q->commands[2].rex_field == "_raw");
  CHECK(q->commands[3].limit == 5);
  CHECK(q->commands[4].limit == 10);
  CHECK(q->commands[5].remove);
  CHECK(q->commands[8].sort_keys == std::vector<std::pair<std::string, bool>>{{"count", true}, {"host", false}});
  CHECK(q->commands[8].limit == 3);
  CHECK(q->commands[9].limit == 2);
  REQUIRE(q->commands[10].aggregations.size() == 3);
  CHECK(q->commands[10].aggregations[1].as == "hosts");
  CHECK(q->commands[10].aggregations[2].as == "avg(x)");
  CHECK(q->commands[11].span == 15 * 60 * us_per_sec);
  CHECK(q->commands[12].limit == 3);
  CHECK(q->commands[12].by == std::vector<std::string>{"sourcetype"});
  CHECK(q->commands[14].type == command::kind::delete_);
}

TEST_CASE("parser: errors name the position, the token and what was expected") {
  CHECK(parse_error("search error | statz count") == "unknown command \"statz\" at 1:16");
  CHECK(parse_error("error |\n  stats count by") == "expected a field after by, got end of search at 2:17");
  CHECK(parse_error("\"unterminated") == "unterminated quoted string at 1:1");
  CHECK(parse_error("a | stats avg") == "avg needs a field: avg(field), got end of search at 1:14");
  CHECK(parse_error("a | stats medium(x)") == "unknown aggregation \"medium\" at 1:11");
  CHECK(parse_error("a | eval x = substr(y)") ==
        "wrong number of arguments to substr() (expected 2 to 3, got 1) at 1:14");
  CHECK(parse_error("a | eval x = frob(y)") == "unknown function \"frob\" at 1:14");
  CHECK(parse_error("a | head x") == "unexpected argument to head, got \"x\" at 1:10");
  CHECK(parse_error("(a b") == "expected \")\", got end of search at 1:5");
  CHECK(parse_error("a )") == "expected \"|\" or the end of the search, got \")\" at 1:3");
  CHECK(parse_error("host=") == "expected a value after host=, got end of search at 1:6");
  CHECK(parse_error("a OR earliest=-1h") == "earliest and latest may not be inside OR, NOT or parentheses at 1:6");
  CHECK(parse_error("NOT (x latest=now)") == "earliest and latest may not be inside OR, NOT or parentheses at 1:8");
  CHECK(parse_error("earliest=yesterday") ==
        "invalid time \"yesterday\" (expected now, epoch seconds, -15m, -1d@d, @h or MM/DD/YYYY:HH:MM:SS) at 1:1");
  CHECK(parse_error("a | timechart span=7q count").find("invalid span \"7q\"") == 0);
  CHECK(parse_error("a | rex") == "expected field=<name> or a quoted regular expression, got end of search at 1:8");
}

TEST_CASE("parser: earliest and latest accept relative, snapped, epoch and absolute times") {
  auto q = parse_query("earliest=-15m latest=now x", now);
  REQUIRE(q.has_value());
  CHECK(*q->earliest == now - 15 * 60 * us_per_sec);
  CHECK(*q->latest == now);
  CHECK(*parse_time_modifier("-1d@d", now) == (1'795'350'000 / 86400 - 1) * 86400 * us_per_sec);
  CHECK(*parse_time_modifier("@h", now) == 1'795'350'000 / 3600 * 3600 * us_per_sec);
  CHECK(*parse_time_modifier("1700000000", now) == 1'700'000'000 * us_per_sec);
  CHECK(*parse_time_modifier("11/20/2026:10:00:00", now) == 1'795'168'800 * us_per_sec);
  CHECK(*parse_time_modifier("2026-11-20T10:00:00Z", now) == 1'795'168'800 * us_per_sec);
  CHECK(*parse_time_modifier("-1mon@mon", now) == 1'790'812'800 * us_per_sec);  // 2026-10-01
  CHECK(*parse_time_modifier("@w", now) == 1'795'305'600 * us_per_sec);        // Sunday 2026-11-22
  CHECK(!parse_time_modifier("-15x", now).has_value());
}

TEST_CASE("parser: expressions respect precedence") {
  auto e = parse_expression("1 + 2 * 3 = 7 AND NOT 0 OR x");
  REQUIRE(e.has_value());
  CHECK(e->text == "OR");
  CHECK(e->args[0].text == "AND");
  CHECK(e->args[0].args[0].text == "=");
  CHECK(e->args[0].args[0].args[0].text == "+");
}

TEST_CASE("parser: random and mutated input never crashes or hangs") {
  std::mt19937 rng(7);
  const std::string alphabet = "ab*=|()\"'!<>.,-+ \n\t:@0123456789NOTORANDstatsevalwhere";
  std::vector<std::string> seeds{"error | stats count by host", "a OR (b NOT c) | eval x=if(a>1, \"y\", z) | head 3",
                                 "earliest=-1d@d x | timechart span=1h count by sourcetype",
                                 "| rex field=_raw \"(?<n>\\d+)\" | top 5 n"};
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20000; ++i) {
    std::string q;
    if (i % 2) {
      size_t n = rng() % 60;
      for (size_t k = 0; k < n; ++k) q += alphabet[rng() % alphabet.size()];
    } else {
      q = seeds[rng() % seeds.size()];
      for (int m = 0; m < 3; ++m) {
        size_t at = rng() % (q.size() + 1);
        if (rng() % 2) q.insert(at, 1, alphabet[rng() % alphabet.size()]);
        else if (at < q.size()) q.erase(at, 1);
      }
    }
    auto r = parse_query(q, now);
    if (!r) CHECK(!r.err().message().empty());
  }
  // Deep nesting is refused, not a stack overflow.
  CHECK(!parse_query(std::string(100000, '(') + "a", now).has_value());
  CHECK(!parse_expression(std::string(100000, '-') + "1").has_value());
  CHECK(!parse_expression(std::string(50000, '(') + "1").has_value());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}

TEST_CASE("parser: field IN (...), CASE(), TERM() and upper-case operators in the base search") {
  auto q =
      parse_query("level IN (ERROR, WARN) NOT status IN (200,\"30 1\" 4*) host IN (web1)", now);
  REQUIRE_MESSAGE(q.has_value(), q.err().message());
  REQUIRE(q->base.type == search_node::kind::and_);
  REQUIRE(q->base.children.size() == 3);
  auto& level = q->base.children[0];
  REQUIRE(level.type == search_node::kind::or_);
  REQUIRE(level.children.size() == 2);
  CHECK(level.children[0].type == search_node::kind::compare);
  CHECK(level.children[0].field == "level");
  CHECK(level.children[0].text == "ERROR");
  CHECK(level.children[1].text == "WARN");
  auto& status = q->base.children[1];
  REQUIRE(status.type == search_node::kind::not_);  // NOT applies to the whole IN
  REQUIRE(status.children[0].type == search_node::kind::or_);
  REQUIRE(status.children[0].children.size() == 3);
  CHECK(status.children[0].children[1].text == "30 1");
  CHECK(status.children[0].children[2].text == "4*");
  CHECK(q->base.children[2].type == search_node::kind::compare);  // one value: a comparison
  CHECK(q->base.children[2].field == "host");

  auto c = parse_query(
      "CASE(Error) TERM(10.1.2.3) case(\"Disk Full\") level=CASE(WARN) src=TERM(10.0.0.1)", now);
  REQUIRE_MESSAGE(c.has_value(), c.err().message());
  REQUIRE(c->base.children.size() == 5);
  CHECK(c->base.children[0].type == search_node::kind::term);
  CHECK(c->base.children[0].case_sensitive);
  CHECK(c->base.children[0].text == "Error");
  CHECK(c->base.children[1].whole_term);
  CHECK(!c->base.children[1].case_sensitive);
  CHECK(c->base.children[1].text == "10.1.2.3");
  CHECK(c->base.children[2].type == search_node::kind::phrase);
  CHECK(c->base.children[2].case_sensitive);
  CHECK(c->base.children[3].type == search_node::kind::compare);
  CHECK(c->base.children[3].case_sensitive);
  CHECK(c->base.children[3].text == "WARN");
  CHECK(c->base.children[4].type == search_node::kind::compare);
  CHECK(c->base.children[4].text == "10.0.0.1");
  CHECK(!c->base.children[4].case_sensitive);

  // Lower-case and, or, not, in are plain terms (as in SPL); a space before "(" is no directive.
  auto lower = parse_query("a or b not c x in (y)", now);
  REQUIRE(lower.has_value());
  REQUIRE(lower->base.type == search_node::kind::and_);
  CHECK(lower->base.children.size() == 8);
  CHECK(lower->base.children[1].text == "or");
  auto spaced = parse_query("CASE (x)", now);
  REQUIRE(spaced.has_value());
  CHECK(spaced->base.children[0].text == "CASE");
  CHECK(!spaced->base.children[0].case_sensitive);

  CHECK(parse_error("level IN ()") == "IN needs at least one value, got \")\" at 1:11");
  CHECK(parse_error("level IN (a | stats count") ==
        "expected a value or \")\" in the IN list, got \"|\" at 1:13");
  CHECK(parse_error("TERM(\"a b\")") ==
        "TERM() takes one term without spaces or major breakers, got \"a b\" at 1:6");
  CHECK(parse_error("TERM(a b)") == "TERM() takes one term: expected \")\", got \"b\" at 1:8");
  CHECK(parse_error("TERM(..)") == "TERM() needs a term, got \"..\" at 1:6");
  CHECK(parse_error("CASE(TERM(x))") ==
        "CASE() takes one term, not CASE() or TERM(), got \"TERM\" at 1:6");
  CHECK(parse_error("CASE()") == "CASE() takes one term, got \")\" at 1:6");
  CHECK(parse_error("x=CASE(a b)") == "CASE() takes one value: expected \")\", got \"b\" at 1:10");

  // where/eval: x IN (...) is the function in(x, ...).
  auto w = parse_query(
      "* | where NOT status IN (404, \"500\") | eval ok=if(level in (\"a\"), 1, 0)", now);
  REQUIRE_MESSAGE(w.has_value(), w.err().message());
  auto& cond = w->commands[0].condition;
  REQUIRE(cond.type == expr::kind::unary);
  REQUIRE(cond.args[0].type == expr::kind::call);
  CHECK(cond.args[0].text == "in");
  REQUIRE(cond.args[0].args.size() == 3);
  CHECK(cond.args[0].args[0].text == "status");
  CHECK(cond.args[0].args[2].text == "500");
  CHECK(parse_error("* | where x IN 3") == "expected \"(\" after IN, got \"3\" at 1:16");
  CHECK(parse_error("* | where x IN (1 2)") ==
        "expected \",\" or \")\" in the IN list, got \"2\" at 1:19");
}

TEST_CASE("parser: eval refuses to assign a Boolean, as Splunk does") {
  CHECK(parse_error("* | eval s=isnull(x)") ==
        "eval: s cannot be assigned a Boolean (use if(<condition>, …)) at 1:12");
  CHECK(parse_error("* | eval a=1, b=a>2") ==
        "eval: b cannot be assigned a Boolean (use if(<condition>, …)) at 1:18");
  CHECK(parse_query("* | eval s=if(isnull(x), \"yes\", \"no\") | where a>2 AND isnull(y)", now)
            .has_value());
}
