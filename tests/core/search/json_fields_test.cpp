// JSON fields at search time: automatic extraction, paths, spath and the JSON
// eval functions on hand-written documents with hand-written expected fields,
// and searches over JSON events with hand-counted answers.
#include "core/search/json_fields.hpp"

#include <doctest/doctest.h>

#include "core/index/store.hpp"
#include "core/search/commands.hpp"
#include "core/search/eval.hpp"
#include "core/search/parser.hpp"
#include "core/search/store_search.hpp"
#include "core/testing.hpp"
#include "search/search_fixture.hpp"

using namespace kura;
using namespace kura::search;

namespace {

using testing::names;
using testing::str;

std::vector<std::string> items(const row& r, const std::string& f) {
  auto* v = r.get(f);
  return v ? v->items() : std::vector<std::string>{};
}

row fields_of(std::string_view raw) {
  row r;
  extract_json_fields(raw, r);
  return r;
}

/// Evaluates `eval x=<e>` on `r`.
value eval_on(const std::string& e, const row& r = {}) {
  auto q = parse_query("* | eval x=" + e, 0);
  REQUIRE_MESSAGE(q.has_value(), e << ": " << q.err().message());
  return evaluate(q->commands[0].assignments[0].second, r);
}

}  // namespace

TEST_CASE("json fields: nested objects, arrays, arrays of objects, scalars as Splunk shows them") {
  auto r = fields_of(
      R"({"user":"bob","latency_ms":12.50,"count":7,"big":12345678901234567890,"neg":-3,)"
      R"("exp":1e3,"ok":true,"bad":false,"gone":null,"empty":"",)"
      R"("geo":{"country":"JP","city":{"name":"Tokyo"}},"tags":["beta","web"],)"
      R"("items":[{"sku":"A1","qty":2},{"sku":"B2"},{"qty":5}],"grid":[[1,2],[3]],"none":[],"obj":{}})");
  CHECK(str(r, "user") == "bob");
  CHECK(str(r, "latency_ms") == "12.50");  // as written
  CHECK(str(r, "count") == "7");
  CHECK(str(r, "big") == "12345678901234567890");
  CHECK(str(r, "neg") == "-3");
  CHECK(str(r, "exp") == "1e3");
  CHECK(str(r, "ok") == "true");
  CHECK(str(r, "bad") == "false");
  CHECK(r.get("gone") == nullptr);  // null: no field
  CHECK(str(r, "empty") == "");
  CHECK(str(r, "geo.country") == "JP");
  CHECK(str(r, "geo.city.name") == "Tokyo");
  CHECK(items(r, "tags{}") == std::vector<std::string>{"beta", "web"});
  CHECK(r.get("tags{}")->type() == value::kind::multi);
  CHECK(items(r, "items{}.sku") == std::vector<std::string>{"A1", "B2"});
  CHECK(items(r, "items{}.qty") == std::vector<std::string>{"2", "5"});
  CHECK(items(r, "grid{}{}") == std::vector<std::string>{"1", "2", "3"});
  CHECK(r.get("none{}") == nullptr);
  CHECK(r.get("obj") == nullptr);
  CHECK(names(r) == std::vector<std::string>{"user", "latency_ms", "count", "big", "neg", "exp",
                                             "ok", "bad", "empty", "geo.country", "geo.city.name",
                                             "tags{}", "items{}.sku", "items{}.qty", "grid{}{}"});
}

TEST_CASE(
    "json fields: escapes and unicode are decoded, numbers inside strings do not confuse number "
    "text") {
  auto r = fields_of(
      R"(  {"msg":"say \"hi\" \\ 1.5e3 \u00e9\ud83d\ude00","x":"7","y":2.50,"k\u00e9y":"v"}  )");
  CHECK(str(r, "msg") == "say \"hi\" \\ 1.5e3 \xC3\xA9\xF0\x9F\x98\x80");
  CHECK(str(r, "x") == "7");
  CHECK(str(r, "y") == "2.50");
  CHECK(str(r, "k\xC3\xA9y") == "v");
}

TEST_CASE("json fields: fields already in the row are kept, the first value of a name wins") {
  row r;
  r.add("host", value{"web1"});
  r.add("user", value{"kept"});
  extract_json_fields(R"({"host":"other","user":"bob","level":"INFO"})", r);
  CHECK(str(r, "host") == "web1");
  CHECK(str(r, "user") == "kept");
  CHECK(str(r, "level") == "INFO");
  // A key repeated in one object is multivalued, as an array element is.
  auto d = fields_of(R"({"a":1,"a":2})");
  CHECK(items(d, "a") == std::vector<std::string>{"1", "2"});
}

TEST_CASE(
    "json fields: invalid, truncated, non-object and too deep documents give no fields and no "
    "crash") {
  for (std::string bad :
       {"", "   ", "not json", "{", R"({"a":1)", R"({"a":1,"b":)", R"({"a":1} trailing)",
        R"({"a":tru})", R"({"a":01})", R"({"a":"unterminated})", R"({"a":1,})", "[1,2]", "\"text\"",
        "42", R"({"a":"\ud800"})", "{\"a\":\"\xff\"}", R"({"a":1}{"b":2})"}) {
    row r;
    CHECK_MESSAGE(!try_extract_json_fields(bad, r), bad);
    CHECK_MESSAGE(r.fields().empty(), bad);
  }
  // Nesting: max_json_depth levels are read, one more gives nothing.
  auto nested = [](size_t depth) {
    std::string s;
    for (size_t i = 0; i < depth; ++i) s += "{\"a\":";
    s += "1";
    for (size_t i = 0; i < depth; ++i) s += "}";
    return s;
  };
  row ok;
  CHECK(try_extract_json_fields(nested(max_json_depth - 1), ok));
  REQUIRE(ok.fields().size() == 1);
  CHECK(ok.fields()[0].first.size() == 2 * (max_json_depth - 1) - 1);  // a.a.….a
  row deep;
  CHECK(!try_extract_json_fields(nested(max_json_depth + 1), deep));
  CHECK(deep.fields().empty());
  row huge;
  CHECK(!try_extract_json_fields(nested(100000), huge));
  // Every prefix of a valid document: no crash, and fields only for the whole one.
  std::string doc = R"({"a":{"b":[1,{"c":"x\"y"}],"d":2.5},"e":[true,false,null],"f":"\u00e9"})";
  for (size_t n = 0; n < doc.size(); ++n) {
    row r;
    CHECK(!try_extract_json_fields(doc.substr(0, n), r));
  }
  row whole;
  CHECK(try_extract_json_fields(doc, whole));
  CHECK(items(whole, "a.b{}") == std::vector<std::string>{"1"});
  CHECK(str(whole, "a.b{}.c") == "x\"y");
  CHECK(items(whole, "e{}") == std::vector<std::string>{"true", "false"});
}

TEST_CASE(
    "json paths: keys, {} and {N}, spath counts from 1, json_extract from 0, errors name the "
    "place") {
  auto p = json_path::parse("a.b{1}.c", 1);
  REQUIRE(p.has_value());
  REQUIRE(p->steps().size() == 4);
  CHECK(p->steps()[2].type == json_path::step::kind::index);
  CHECK(p->steps()[2].index == 0);
  CHECK(json_path::parse("{}", 1).has_value());
  CHECK(json_path::parse("{2}.name", 0)->steps()[0].index == 2);
  for (auto bad : {"", "a.", ".a", "a..b", "a{", "a{x}", "a{1", "a}b", "a{0}"})
    CHECK_MESSAGE(!json_path::parse(bad, 1).has_value(), bad);
  CHECK(json_path::parse("a{0}", 0).has_value());
  CHECK(json_path::parse("a{0}", 1).err().message().find("counted from 1") != std::string::npos);

  std::string doc =
      R"({"a":{"b":[{"c":"first","n":1.0},{"c":"second"}]},"list":[10,20.50,30],"o":{"k":[1, 2]}})";
  auto texts = [&](const std::string& path, size_t first) {
    std::vector<std::string> out;
    for (auto& m : json_find(doc, *json_path::parse(path, first))) out.push_back(m.text);
    return out;
  };
  CHECK(texts("a.b{1}.c", 1) == std::vector<std::string>{"first"});
  CHECK(texts("a.b{2}.c", 1) == std::vector<std::string>{"second"});
  CHECK(texts("a.b{3}.c", 1).empty());
  CHECK(texts("a.b{}.c", 1) == std::vector<std::string>{"first", "second"});
  CHECK(texts("a.b{1}.n", 1) == std::vector<std::string>{"1.0"});
  CHECK(texts("list{2}", 1) == std::vector<std::string>{"20.50"});
  CHECK(texts("list{1}", 0) == std::vector<std::string>{"20.50"});
  CHECK(texts("o", 1) == std::vector<std::string>{R"({"k":[1,2]})"});  // objects as compact JSON
  CHECK(texts("o.k", 1) == std::vector<std::string>{"[1,2]"});
  CHECK(texts("a.c", 1).empty());
  CHECK(texts("list.x", 1).empty());
  CHECK(json_find("not json", *json_path::parse("a", 1)).empty());
}

TEST_CASE("spath command: every field, input=, output=, path= and a positional path") {
  auto run = [](const std::string& q, row r) {
    auto parsed = parse_query(q, 0);
    REQUIRE_MESSAGE(parsed.has_value(), q << ": " << parsed.err().message());
    for (auto& c : parsed->commands) {
      auto s = stream_stage::make(c);
      REQUIRE_MESSAGE(s.has_value(), q);
      REQUIRE(s->apply(r));
    }
    return r;
  };
  row ev;
  ev.add(
      "_raw",
      value{
          R"({"user":"bob","geo":{"country":"JP"},"tags":["a","b"],"items":[{"sku":"X"},{"sku":"Y"}]})"});
  ev.add("user", value{"old"});
  auto all = run("* | spath", ev);
  CHECK(str(all, "user") == "bob");  // spath replaces
  CHECK(str(all, "geo.country") == "JP");
  CHECK(items(all, "tags{}") == std::vector<std::string>{"a", "b"});
  auto one = run("* | spath output=second path=items{2}.sku", ev);
  CHECK(str(one, "second") == "Y");
  CHECK(one.get("geo.country") == nullptr);
  auto positional = run("* | spath items{}.sku", ev);
  CHECK(items(positional, "items{}.sku") == std::vector<std::string>{"X", "Y"});
  auto quoted = run(R"(* | spath path="geo.country" output="c")", ev);
  CHECK(str(quoted, "c") == "JP");
  auto missing = run("* | spath output=m path=nothing.here", ev);
  CHECK(missing.get("m") == nullptr);
  row j;
  j.add("payload", value{R"([{"id":1},{"id":2}])"});
  auto from_field = run("* | spath input=payload", j);
  CHECK(items(from_field, "{}.id") == std::vector<std::string>{"1", "2"});
  auto first = run("* | spath input=payload path={1}.id output=first", j);
  CHECK(str(first, "first") == "1");
  auto not_json = run("* | spath", row{});
  CHECK(not_json.fields().empty());
}

TEST_CASE("spath command: bad options and paths are refused with their position") {
  for (auto q :
       {"* | spath output=x", "* | spath path=a{", "* | spath path=a{0}", "* | spath foo=bar",
        "* | spath path=a path=b", "* | spath input=", "* | spath (x)"}) {
    auto p = parse_query(q, 0);
    CHECK_MESSAGE(!p.has_value(), q);
    if (!p) CHECK_MESSAGE(p.err().message().find(" at 1:") != std::string::npos, p.err().message());
  }
}

TEST_CASE("eval: spath(), json_extract() and json_object()") {
  row r;
  r.add("j", value{R"({"a":{"b":[{"c":"x"},{"c":"y"}]},"n":2.50,"t":true,"s":"text"})"});
  CHECK(eval_on("spath(j, \"a.b{2}.c\")", r).as_string() == "y");
  CHECK(eval_on("spath(j, \"a.b{}.c\")", r).items() == std::vector<std::string>{"x", "y"});
  CHECK(eval_on("spath(j, \"missing\")", r).is_null());
  CHECK(eval_on("spath(nofield, \"a\")", r).is_null());
  CHECK(eval_on("json_extract(j, \"a.b{1}.c\")", r).as_string() == "y");  // 0-based
  CHECK(eval_on("json_extract(j, \"n\")", r).type() == value::kind::number);
  CHECK(eval_on("json_extract(j, \"n\")", r).as_string() == "2.5");
  CHECK(eval_on("json_extract(j, \"t\")", r).as_string() == "true");
  CHECK(eval_on("json_extract(j, \"a.b{}.c\")", r).as_string() == R"(["x","y"])");
  CHECK(eval_on("json_extract(j, \"s\", \"n\", \"none\")", r).as_string() ==
        R"(["text",2.50,null])");
  CHECK(eval_on("json_extract(j, \"a.b{0}\")", r).as_string() == R"({"c":"x"})");
  CHECK(eval_on("json_extract(j)", r).as_string() ==
        R"({"a":{"b":[{"c":"x"},{"c":"y"}]},"n":2.5,"t":true,"s":"text"})");
  CHECK(eval_on("json_object(\"o\", \" { \\\"k\\\" : [ 1 , 2.50 ] } \")", r).as_string() ==
        R"({"o":{"k":[1,2.5]}})");
  CHECK(eval_on("json_extract(\"not json\")", r).is_null());
  CHECK(eval_on("json_extract(\"42\")", r).as_string() == "42");
  CHECK(eval_on("json_object()", r).as_string() == "{}");
  CHECK(eval_on("json_object(\"name\", \"maria\", \"age\", 30, \"none\", null())", r).as_string() ==
        R"({"name":"maria","age":30,"none":null})");
  CHECK(eval_on("json_object(\"q\", \"say \\\"hi\\\"\")", r).as_string() ==
        R"({"q":"say \"hi\""})");
  CHECK(eval_on("json_object(\"inner\", json_object(\"k\", 1.5), \"list\", mvappend(\"a\", \"b\"))",
                r)
            .as_string() == R"({"inner":{"k":1.5},"list":["a","b"]})");
  // Round trip: what json_object makes, spath reads.
  CHECK(
      eval_on("spath(json_object(\"a\", json_object(\"b\", \"deep\")), \"a.b\")", r).as_string() ==
      "deep");
  for (auto bad : {"spath(j, \"a{\")", "spath(j, \"a{0}\")", "json_extract(j, \"a..b\")",
                   "json_object(\"a\")", "spath(j)"}) {
    auto q = parse_query(std::string{"* | eval x="} + bad, 0);
    CHECK_MESSAGE(!q.has_value(), bad);
  }
}

TEST_CASE("parser: JSON field names in the base search, where, stats, table and eval") {
  for (auto q : {"tags{}=beta", "geo.country=JP items{}.sku=A1", "* | stats count by tags{}",
                 "* | table geo.country, items{}.sku", "* | where 'tags{}'=\"beta\"",
                 "* | where geo.country=\"JP\"", "* | stats sum(items{}.qty) as q",
                 "* | eval c='geo.country'", "* | eval n=mvcount(tags{})"}) {
    auto p = parse_query(q, 0);
    CHECK_MESSAGE(p.has_value(), q << ": " << (p ? "" : p.err().message()));
  }
  auto p = parse_query("tags{}=beta", 0);
  REQUIRE(p.has_value());
  CHECK(p->base.type == search_node::kind::compare);
  CHECK(p->base.field == "tags{}");
  auto s = parse_query("* | stats count by items{}.sku", 0);
  REQUIRE(s.has_value());
  CHECK(s->commands[0].by == std::vector<std::string>{"items{}.sku"});
}

// -- searches over JSON events ------------------------------------------------

namespace {

constexpr time_us t0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z
constexpr time_us sec = us_per_sec;

struct json_fixture : testing::search_fixture {
  json_fixture() {
    // Five JSON events (one invalid) and one key=value event; counts below are by hand.
    std::vector<event_view> events = {
        {t0 + 1 * sec,
         "h1",
         "app",
         "_json",
         R"({"user":"bob","latency_ms":120,"status":200,"geo":{"country":"JP"},"tags":["beta","web"]})",
         {}},
        {t0 + 2 * sec,
         "h1",
         "app",
         "_json",
         R"({"user":"alice","latency_ms":30.5,"status":500,"geo":{"country":"US"},"tags":["web"]})",
         {}},
        {t0 + 3 * sec,
         "h2",
         "app",
         "httpevent",
         R"({"user":"bob","latency_ms":10,"status":200,"geo":{"country":"JP"},"items":[{"sku":"A","qty":2},{"sku":"B","qty":3}]})",
         {}},
        {t0 + 4 * sec,
         "h2",
         "app",
         "httpevent",
         R"({"user":"carol","geo":{"country":"FR"},"tags":["beta"],"ok":true})",
         {}},
        {t0 + 5 * sec,
         "h2",
         "app",
         "httpevent",
         R"({"user":"mallory","latency_ms":999)",
         {}},  // truncated
        {t0 + 6 * sec, "h3", "app", "kv", "user=dave status=404 latency_ms=7", {}},
    };
    add("main", events);
  }

  size_t count(const std::string& q) { return run(q).size(); }

  std::string one(const std::string& q, const std::string& field) {
    auto rows = run(q);
    REQUIRE_MESSAGE(rows.size() == 1, q);
    return str(rows[0], field);
  }
};

}  // namespace

TEST_CASE("search over JSON events: fields in the base search, where, stats, table, spath") {
  json_fixture f;
  CHECK(f.count("user=bob") == 2);
  CHECK(f.count("geo.country=JP") == 2);
  CHECK(f.count("tags{}=beta") == 2);
  CHECK(f.count("tags{}=web") == 2);
  CHECK(f.count("items{}.sku=B") == 1);
  CHECK(f.count("latency_ms>20") == 2);  // 120 and 30.5; the truncated event has no fields
  CHECK(f.count("user=mallory") == 0);
  CHECK(f.count("mallory") == 1);    // its words are still searchable
  CHECK(f.count("user=dave") == 1);  // key=value events keep their fields
  CHECK(f.count("status=200 user=bob") == 2);
  CHECK(f.count("ok=true") == 1);
  CHECK(f.one("* | stats sum(latency_ms) as s", "s") == "167.5");  // 120 + 30.5 + 10 + 7
  CHECK(f.one("* | stats count(latency_ms) as n", "n") == "4");
  CHECK(f.one("* | stats sum(items{}.qty) as q", "q") == "5");
  CHECK(f.one("geo.country=JP | stats dc(user) as users", "users") == "1");
  CHECK(f.count("* | where 'geo.country'=\"US\"") == 1);
  CHECK(f.count("* | where latency_ms < 50") == 3);  // 30.5, 10, 7
  auto by_country = f.run("* | stats count by geo.country");
  REQUIRE(by_country.size() == 3);
  CHECK(str(by_country[0], "geo.country") == "FR");
  CHECK(str(by_country[1], "geo.country") == "JP");
  CHECK(str(by_country[1], "count") == "2");
  CHECK(str(by_country[2], "geo.country") == "US");
  auto by_tag = f.run("* | stats count by tags{}");
  REQUIRE(by_tag.size() == 2);
  CHECK(str(by_tag[0], "tags{}") == "beta");
  CHECK(str(by_tag[0], "count") == "2");
  CHECK(str(by_tag[1], "count") == "2");
  auto table = f.run("user=carol | table user, geo.country, tags{}");
  REQUIRE(table.size() == 1);
  CHECK(str(table[0], "geo.country") == "FR");
  CHECK(str(table[0], "tags{}") == "beta");
  CHECK(f.one("user=bob status=200 items{}.sku=A | spath output=second path=items{2}.sku | table "
              "second",
              "second") == "B");
  CHECK(f.one("* | spath output=c path=geo.country | where c=\"FR\" | stats count", "count") ==
        "1");
  CHECK(f.one("* | eval c=spath(_raw, \"geo.country\") | stats dc(c) as n", "n") == "3");
}
