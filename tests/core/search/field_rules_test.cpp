// Search-time fields per sourcetype (props/transforms keys, built-in
// sourcetypes, Splunk's order) and the computed default fields, on
// hand-written events with hand-computed expected fields.
#include "core/search/field_rules.hpp"

#include <doctest/doctest.h>

#include "core/index/store.hpp"
#include "core/search/default_fields.hpp"
#include "core/search/store_search.hpp"
#include "core/testing.hpp"
#include "search/search_fixture.hpp"

using namespace kura;
using namespace kura::search;

namespace {

const std::string access_line =
    R"(10.1.2.3 - bob [22/Nov/2026:10:15:30 -0800] "GET /shop/cart.php?item=42&qty=1 HTTP/1.1" 404 1234 )"
    R"x("https://example.com/start" "Mozilla/5.0 (X11)")x";

using testing::str;

row extract(const std::string& sourcetype, std::string_view raw,
            std::shared_ptr<const field_rules> rules = nullptr,
            std::optional<std::vector<std::string>> wanted = std::nullopt) {
  field_extraction x{std::move(rules), std::move(wanted)};
  row r;
  r.add("sourcetype", value{sourcetype});
  x.apply(sourcetype, raw, r);
  return r;
}

std::shared_ptr<const field_rules> compiled(const field_rules_config& c) {
  auto r = field_rules::compile(c);
  REQUIRE_MESSAGE(r.has_value(), r.err().message());
  return *r;
}

std::string compile_error(const field_rules_config& c) {
  auto r = field_rules::compile(c);
  REQUIRE(!r.has_value());
  return r.err().message();
}

}  // namespace

TEST_CASE("field rules: access_combined gives Splunk's access fields") {
  REQUIRE(field_rules::builtin() != nullptr);
  auto r = extract("access_combined", access_line);
  CHECK(str(r, "clientip") == "10.1.2.3");
  CHECK(str(r, "ident") == "-");
  CHECK(str(r, "user") == "bob");
  CHECK(str(r, "req_time") == "22/Nov/2026:10:15:30 -0800");
  CHECK(str(r, "method") == "GET");
  CHECK(str(r, "uri") == "/shop/cart.php?item=42&qty=1");
  CHECK(str(r, "uri_path") == "/shop/cart.php");
  CHECK(str(r, "uri_query") == "item=42&qty=1");
  CHECK(str(r, "version") == "HTTP/1.1");
  CHECK(str(r, "status") == "404");
  CHECK(str(r, "bytes") == "1234");
  CHECK(str(r, "referer") == "https://example.com/start");
  CHECK(str(r, "referer_domain") == "https://example.com");
  CHECK(str(r, "useragent") == "Mozilla/5.0 (X11)");
  // access_common: no referer or user agent.
  auto c = extract("access_common",
                   R"(10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "POST /api HTTP/1.0" 201 -)");
  CHECK(str(c, "method") == "POST");
  CHECK(str(c, "uri_path") == "/api");
  CHECK(str(c, "uri_query") == "<none>");
  CHECK(str(c, "status") == "201");
  CHECK(str(c, "bytes") == "-");
  CHECK(str(c, "referer") == "<none>");
}

TEST_CASE("field rules: syslog, kura_node and _json") {
  auto s = extract("syslog", "Nov 22 10:15:30 web1 sshd[4242]: Accepted password for bob");
  CHECK(str(s, "process") == "sshd");
  CHECK(str(s, "pid") == "4242");
  auto s2 = extract("syslog", "Nov 22 10:15:30 web1 cron: job done");
  CHECK(str(s2, "process") == "cron");
  CHECK(str(s2, "pid") == "<none>");
  auto k = extract("kura_node", "2026-11-22T10:15:30Z WARN HecReceiver - queue full, retry=3");
  CHECK(str(k, "log_level") == "WARN");
  CHECK(str(k, "component") == "HecReceiver");
  CHECK(str(k, "retry") == "3");  // KV_MODE auto still runs
  // _json is KV_MODE=json: no key=value pairs from inside JSON strings.
  auto j = extract("_json", R"({"msg":"a=b"})");
  CHECK(str(j, "a") == "<none>");
  // A sourcetype without a stanza: KV_MODE auto.
  auto d = extract("mine", "user=carol action=login");
  CHECK(str(d, "user") == "carol");
  CHECK(str(d, "action") == "login");
}

TEST_CASE("field rules: each props key, and Splunk's order EXTRACT, REPORT, KV, FIELDALIAS, EVAL") {
  field_rules_config c;
  auto& st = c.sourcetypes["order"];
  st.extracts["b"] = R"(code=(?<code>\d+))";
  st.extracts["a"] = R"((?<code>\d+)$)";  // class a runs first: its code wins
  c.transforms["pairs"].regex = R"((\w+):(\d+))";
  c.transforms["pairs"].format = "$1::$2";  // names from the text: every match
  st.reports["x"] = "pairs";
  st.aliases["x"] = "code AS status";
  st.evals["code"] = "code * 2";
  st.evals["code_seen"] = "code";        // EVALs see the row before any EVAL
  st.evals["alias_seen"] = "status";     // FIELDALIAS runs before EVAL
  st.evals["level_seen"] = "level + 1";  // KV runs before EVAL
  auto rules = compiled(c);
  auto r = extract("order", "code=7 port:80 sport:443 level=3 end 5", rules);
  CHECK(str(r, "code") == "10");
  CHECK(str(r, "code_seen") == "5");
  CHECK(str(r, "status") == "5");
  CHECK(str(r, "alias_seen") == "5");
  CHECK(str(r, "port") == "80");
  CHECK(str(r, "sport") == "443");
  CHECK(str(r, "level") == "3");
  CHECK(str(r, "level_seen") == "4");
  CHECK(rules->computed("code"));
  CHECK(rules->computed("status"));
  CHECK(!rules->computed("port"));
}

TEST_CASE(
    "field rules: EXTRACT in a field, DELIMS with FIELDS or pairs, FORMAT constants, KV_MODE "
    "none") {
  field_rules_config c;
  auto& st = c.sourcetypes["shop"];
  st.kv = kv_mode::none;
  st.extracts["a"] = R"(user (?<name>\w+))";
  st.extracts["b"] = R"(^(?<initial>\w) in name)";
  st.extracts["c"] = R"(path=(?<path>\S+))";
  c.transforms["csv"].delims = R"("|")";
  c.transforms["csv"].fields = {"first", "second", "third"};
  c.transforms["csv"].source_key = "path";
  c.transforms["query"].delims = R"("&", "=")";
  c.transforms["query"].source_key = "q";
  c.transforms["tag"].regex = R"(user (\w+))";
  c.transforms["tag"].format = "kind::customer who::$1";
  st.extracts["d"] = R"(q=(?<q>\S+))";
  st.reports["r"] = "csv, query, tag";
  auto rules = compiled(c);
  auto r = extract("shop", "user alice path=x|\"y\"|z q=k1=v1&k2=v2 extra=1", rules);
  CHECK(str(r, "name") == "alice");
  CHECK(str(r, "initial") == "a");
  CHECK(str(r, "first") == "x");
  CHECK(str(r, "second") == "y");
  CHECK(str(r, "third") == "z");
  CHECK(str(r, "k1") == "v1");
  CHECK(str(r, "k2") == "v2");
  CHECK(str(r, "kind") == "customer");
  CHECK(str(r, "who") == "alice");
  CHECK(str(r, "extra") == "<none>");  // KV_MODE none
  CHECK(rules->computed("kind"));
  CHECK(!rules->computed("who"));
}

TEST_CASE(
    "field rules: TOML stanzas override the built-ins key by key, empty switches a class off") {
  field_rules_config c;
  c.sourcetypes["access_combined"].reports["access"] = "";
  c.sourcetypes["access_combined"].extracts["st"] = R"(" (?<status>\d{3}) )";
  auto rules = compiled(c);
  auto r = extract("access_combined", access_line, rules);
  CHECK(str(r, "status") == "404");
  CHECK(str(r, "clientip") == "<none>");
  // syslog untouched
  auto s = extract("syslog", "Nov 22 10:15:30 web1 sshd[1]: x", rules);
  CHECK(str(s, "pid") == "1");
}

TEST_CASE("field rules: only the rules that give a field the search reads run") {
  auto only_status =
      extract("access_combined", access_line, nullptr, std::vector<std::string>{"status", "_raw"});
  CHECK(str(only_status, "status") == "404");
  CHECK(str(only_status, "useragent") == "<none>");  // groups past status are not captured
  CHECK(str(only_status, "item") == "<none>");       // status is there: KV does not run
  auto kv_only = extract("access_combined", access_line, nullptr, std::vector<std::string>{"item"});
  CHECK(str(kv_only, "clientip") == "<none>");  // the access regex gives no item: skipped
  CHECK(str(kv_only, "item") == "42&qty=1");    // KV's value runs to white space
  // An EVAL pulls in what it reads.
  field_rules_config c;
  c.sourcetypes["access_combined"].evals["class"] =
      R"(if(status >= 500, "server", if(status >= 400, "client", "ok")))";
  auto ev = extract("access_combined", access_line, compiled(c), std::vector<std::string>{"class"});
  CHECK(str(ev, "class") == "client");
  auto none = extract("access_combined", access_line, nullptr, std::vector<std::string>{});
  CHECK(none.fields().size() == 1);  // only the sourcetype put there by the test
}

TEST_CASE("field rules: mistakes name the sourcetype and the key") {
  auto bad = [](auto&& fill) {
    field_rules_config c;
    fill(c);
    return compile_error(c);
  };
  CHECK(bad([](auto& c) {
          c.sourcetypes["a"].extracts["x"] = "(?<f>[a-";
        }).find("[sourcetypes.a] EXTRACT-x: invalid regular expression") == 0);
  CHECK(bad([](auto& c) { c.sourcetypes["a"].extracts["x"] = "abc"; }) ==
        "[sourcetypes.a] EXTRACT-x: the regular expression has no (?<name>…) group");
  CHECK(bad([](auto& c) { c.sourcetypes["a"].reports["x"] = "nope"; }) ==
        "[sourcetypes.a] REPORT-x: no [transforms.nope] section");
  CHECK(bad([](auto& c) {
          c.sourcetypes["a"].evals["x"] = "1 +";
        }).find("[sourcetypes.a] EVAL-x: invalid eval expression") == 0);
  CHECK(bad([](auto& c) {
          c.sourcetypes["a"].aliases["x"] = "a TO b";
        }).find("[sourcetypes.a] FIELDALIAS-x: expected") == 0);
  CHECK(bad([](auto& c) {
          c.transforms["t"].regex = "(a)";
          c.transforms["t"].format = "f::$2";
          c.sourcetypes["a"].reports["x"] = "t";
        }) ==
        "[sourcetypes.a] REPORT-x: [transforms.t] FORMAT refers to $2 but REGEX has 1 group(s)");
  CHECK(!parse_kv_mode("xml").has_value());
  CHECK(*parse_kv_mode("JSON") == kv_mode::json);
}

TEST_CASE("default fields: punct, linecount, date_*, timestartpos/timeendpos by hand") {
  CHECK(punct_of(access_line) == R"(..._-__[//:::_-]_"_//.?=&=_/.")");
  CHECK(punct_of("a\tb c;d\nmore: lines") == "t_;");
  CHECK(linecount_of("one") == 1);
  CHECK(linecount_of("one\ntwo\n") == 2);
  CHECK(linecount_of("one\n\nthree") == 3);
  default_fields::wants all{true, true, true, true, true};
  default_fields d{all, "idx-1"};
  row r;
  d.add(access_line, 0, nullptr, r);
  CHECK(str(r, "timestartpos") == "16");
  CHECK(str(r, "timeendpos") == "42");
  CHECK(str(r, "date_hour") == "10");  // as written, not UTC
  CHECK(str(r, "date_minute") == "15");
  CHECK(str(r, "date_second") == "30");
  CHECK(str(r, "date_mday") == "22");
  CHECK(str(r, "date_month") == "november");
  CHECK(str(r, "date_year") == "2026");
  CHECK(str(r, "date_wday") == "sunday");
  CHECK(str(r, "date_zone") == "-480");
  CHECK(str(r, "splunk_server") == "idx-1");
  CHECK(str(r, "linecount") == "1");
  // No zone in the text: "local"; no year: _time's year.
  row s;
  d.add("Nov 23 01:02:03 host x", 1'795'305'600'000'000, nullptr, s);
  CHECK(str(s, "date_zone") == "local");
  CHECK(str(s, "date_year") == "2026");
  CHECK(str(s, "date_wday") == "monday");
  CHECK(str(s, "timestartpos") == "0");
  CHECK(str(s, "timeendpos") == "15");
  // No timestamp in _raw: no date_* fields.
  row n;
  d.add("no time here", 0, nullptr, n);
  CHECK(n.get("date_hour") == nullptr);
  CHECK(n.get("timestartpos") == nullptr);
  CHECK(str(n, "punct") == "__");
}

namespace {
constexpr time_us t0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z, a sunday
constexpr time_us sec = us_per_sec;

struct fixture : testing::search_fixture {
  fixture() { opt.server_name = "node-a"; }
};
}  // namespace

TEST_CASE("default fields and sourcetype rules through searches") {
  fixture f;
  field_rules_config c;
  c.sourcetypes["access_combined"].evals["status_class"] =
      R"(if(status >= 500, "server", "other"))";
  f.opt.extractions = compiled(c);
  std::vector<event_view> events{
      {t0 + 10 * sec,
       "web1",
       "/a.log",
       "access_combined",
       R"(10.0.0.1 - - [22/Nov/2026:00:00:10 +0000] "GET /a HTTP/1.1" 200 10 "-" "curl")",
       {}},
      {t0 + 20 * sec,
       "web1",
       "/a.log",
       "access_combined",
       R"(10.0.0.2 - - [22/Nov/2026:00:00:20 +0000] "GET /b HTTP/1.1" 503 20 "-" "curl")",
       {}},
      {t0 + 86400 * sec + 30 * sec,
       "web1",
       "/a.log",
       "access_combined",
       R"(10.0.0.3 - - [23/Nov/2026:00:00:30 +0000] "POST /c HTTP/1.1" 503 30 "-" "curl")",
       {}},
      {t0 + 3600 * sec,
       "db",
       "/db.log",
       "db",
       "2026-11-22 01:00:00 ERROR first line\n  at frame one\n  at frame two",
       {}},
  };
  f.add("main", events);
  auto by_status = f.run("sourcetype=access_combined | stats count by status");
  REQUIRE(by_status.size() == 2);
  CHECK(str(by_status[0], "status") == "200");
  CHECK(str(by_status[0], "count") == "1");
  CHECK(str(by_status[1], "status") == "503");
  CHECK(str(by_status[1], "count") == "2");
  // Fields whose values are not words of _raw are still found.
  CHECK(f.run("status_class=server").size() == 2);
  CHECK(f.run("date_wday=monday").size() == 1);
  CHECK(f.run("date_wday=sunday").size() == 3);
  CHECK(f.run("splunk_server=node-a").size() == 4);
  CHECK(f.run("linecount>1").size() == 1);
  auto hours = f.run("* | stats count by date_hour");
  REQUIRE(hours.size() == 2);
  CHECK(str(hours[0], "date_hour") == "0");
  CHECK(str(hours[0], "count") == "3");
  CHECK(str(hours[1], "date_hour") == "1");
  // An events search shows them.
  auto ev = f.run("sourcetype=db");
  REQUIRE(ev.size() == 1);
  CHECK(str(ev[0], "linecount") == "3");
  CHECK(str(ev[0], "date_zone") == "local");
  CHECK(str(ev[0], "timestartpos") == "0");
  CHECK(str(ev[0], "timeendpos") == "19");
  CHECK(str(ev[0], "splunk_server") == "node-a");
  CHECK(str(ev[0], "punct") == "--_::___");
  auto acc = f.run("status=503 method=POST");
  REQUIRE(acc.size() == 1);
  CHECK(str(acc[0], "uri_path") == "/c");
  CHECK(str(acc[0], "status_class") == "server");
}
