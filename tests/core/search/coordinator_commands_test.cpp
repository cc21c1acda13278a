// The commands on the merged rows (chart, eventstats, streamstats,
// transaction, join, append, lookup, inputlookup, outputlookup) and the CSV
// reader, on six hand-checked events. Every expected value below is computed
// by hand from the table in `six_events`.
#include <doctest/doctest.h>

#include <cmath>

#include "core/index/store.hpp"
#include "core/search/coordinator_args.hpp"
#include "core/search/lookup.hpp"
#include "core/search/parser.hpp"
#include "core/search/store_search.hpp"
#include "core/testing.hpp"
#include "search/search_fixture.hpp"

using namespace kura;
using namespace kura::search;

namespace {

constexpr time_us t0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z
constexpr time_us sec = us_per_sec;

//      time  host  status bytes user
//  a   +10   web1  200    100   alice
//  b   +20   web2  500    300   bob
//  c   +30   web1  200    200   bob
//  d   +40   web2  404    50    alice
//  e   +50   web1  200    400   carol
//  f   +60   web2  200    10    -
// Results come newest first: f e d c b a.
struct fixture : testing::search_fixture {
  fixture() {
    opt.lookup_dir = (dir / "lookups").string();
    add("main",
        {{t0 + 10 * sec, "web1", "/a.log", "access", "GET /a status=200 bytes=100 user=alice", {}},
         {t0 + 20 * sec, "web2", "/a.log", "access", "GET /b status=500 bytes=300 user=bob", {}},
         {t0 + 30 * sec, "web1", "/a.log", "access", "GET /c status=200 bytes=200 user=bob", {}}});
    REQUIRE(!st->roll_hot_buckets("main"));
    add("main",
        {{t0 + 40 * sec, "web2", "/a.log", "access", "GET /d status=404 bytes=50 user=alice", {}},
         {t0 + 50 * sec, "web1", "/a.log", "access", "GET /e status=200 bytes=400 user=carol", {}},
         {t0 + 60 * sec, "web2", "/a.log", "access", "GET /f status=200 bytes=10", {}}});
  }

  void write(const std::string& file, const std::string& text) {
    REQUIRE(!io::make_dirs(dir / "lookups"));
    REQUIRE(!io::write_file_atomic(dir / "lookups" / file, text));
  }
};

using testing::column;
using testing::names;
using testing::num;
using testing::str;
using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("chart: over/by pivots one column per by value, 0 for empty count cells") {
  fixture f;
  auto rows = f.run("* | chart count over host by status");
  REQUIRE(rows.size() == 2);
  CHECK(names(rows[0]) == strings{"host", "200", "404", "500"});
  CHECK(column(rows, "host") == strings{"web1", "web2"});
  CHECK(column(rows, "200") == strings{"3", "1"});
  CHECK(column(rows, "404") == strings{"0", "1"});
  CHECK(column(rows, "500") == strings{"0", "1"});
  // `by a, b` is `over a by b`.
  auto same = f.run("* | chart count by host, status");
  CHECK(same == rows);
}

TEST_CASE("chart: avg leaves empty cells empty, one by field is stats-like, no by is one row") {
  fixture f;
  auto rows = f.run("* | chart avg(bytes) over host by status");
  REQUIRE(rows.size() == 2);
  CHECK(std::fabs(num(rows[0], "200") - 700.0 / 3) < 1e-6);
  CHECK(rows[0].get("404")->is_null());
  CHECK(num(rows[1], "200") == 10);
  CHECK(num(rows[1], "404") == 50);
  CHECK(num(rows[1], "500") == 300);
  auto by_host = f.run("* | chart count by host");
  CHECK(column(by_host, "count") == strings{"3", "3"});
  auto all = f.run("* | chart count");
  REQUIRE(all.size() == 1);
  CHECK(str(all[0], "count") == "6");
}

TEST_CASE("chart: limit keeps the top series by total, the rest in OTHER unless useother=f") {
  fixture f;
  // totals: 200 -> 4, 404 -> 1, 500 -> 1
  auto rows = f.run("* | chart limit=1 count over host by status");
  REQUIRE(rows.size() == 2);
  CHECK(names(rows[0]) == strings{"host", "200", "OTHER"});
  CHECK(column(rows, "200") == strings{"3", "1"});
  CHECK(column(rows, "OTHER") == strings{"0", "2"});
  auto no_other = f.run("* | chart count over host by status limit=top1 useother=f");
  CHECK(names(no_other[0]) == strings{"host", "200"});
  auto all = f.run("* | chart limit=0 count over host by status");
  CHECK(names(all[0]).size() == 4);
}

TEST_CASE(
    "chart: rows without the column field go to NULL unless usenull=f, two aggregations name "
    "columns") {
  fixture f;
  auto rows = f.run("* | chart count over host by user");
  REQUIRE(rows.size() == 2);
  CHECK(names(rows[0]) == strings{"host", "NULL", "alice", "bob", "carol"});
  CHECK(column(rows, "NULL") == strings{"0", "1"});
  CHECK(column(rows, "carol") == strings{"1", "0"});
  auto no_null = f.run("* | chart usenull=f count over host by user");
  CHECK(names(no_null[0]) == strings{"host", "alice", "bob", "carol"});
  auto two = f.run("* | chart count, max(bytes) as top over host by status");
  CHECK(str(two[0], "count: 200") == "3");
  CHECK(str(two[0], "top: 200") == "400");
  CHECK(str(two[1], "top: 500") == "300");
}

TEST_CASE("chart: refused shapes") {
  fixture f;
  CHECK(f.error_of("* | chart count by a, b, c").find("at most two") != std::string::npos);
  CHECK(f.error_of("* | chart count over a by b, c").find("at most two") != std::string::npos);
  CHECK(f.error_of("* | chart limit=bottom3 count by a, b").find("bottomN") != std::string::npos);
  CHECK(f.error_of("* | chart by a").find("aggregation") != std::string::npos);
}

TEST_CASE("eventstats: every row gets its group's aggregate, order kept") {
  fixture f;
  auto rows = f.run("* | eventstats avg(bytes) as avg_b by host");
  REQUIRE(rows.size() == 6);
  CHECK(column(rows, "host") == strings{"web2", "web1", "web2", "web1", "web2", "web1"});
  CHECK(num(rows[0], "avg_b") == 120);
  CHECK(std::fabs(num(rows[1], "avg_b") - 700.0 / 3) < 1e-6);
  CHECK(rows[0].get("_raw"));  // the events stay events
  auto counts = f.run("* | eventstats count");
  CHECK(column(counts, "count") == strings(6, "6"));
  auto by_user = f.run("* | eventstats count by user");
  CHECK(column(by_user, "count") == strings{"<none>", "1", "2", "2", "2", "2"});
  // eventstats before an aggregation: its fields feed the aggregation.
  auto after =
      f.run("* | eventstats max(bytes) as m by host | where bytes=m | stats count by host");
  CHECK(column(after, "count") == strings{"1", "1"});
}

TEST_CASE("streamstats: running, current=f, by, window, global") {
  fixture f;
  CHECK(column(f.run("* | streamstats count"), "count") == strings{"1", "2", "3", "4", "5", "6"});
  CHECK(column(f.run("* | streamstats current=f count"), "count") ==
        strings{"<none>", "1", "2", "3", "4", "5"});
  CHECK(column(f.run("* | streamstats sum(bytes) as s by host"), "s") ==
        strings{"10", "400", "60", "600", "360", "700"});
  CHECK(column(f.run("* | streamstats window=2 sum(bytes) as s"), "s") ==
        strings{"10", "410", "450", "250", "500", "400"});
  CHECK(column(f.run("* | streamstats window=2 current=f sum(bytes) as s"), "s") ==
        strings{"<none>", "10", "410", "450", "250", "500"});
  // global=t (default): the last 2 rows of any host, aggregated over the row's own host.
  CHECK(column(f.run("* | streamstats window=2 sum(bytes) as s by host"), "s") ==
        strings{"10", "400", "50", "200", "300", "100"});
  CHECK(column(f.run("* | streamstats window=2 global=f sum(bytes) as s by host"), "s") ==
        strings{"10", "400", "60", "600", "350", "300"});
  CHECK(f.error_of("* | streamstats reset_on_change=t count").find("not supported") !=
        std::string::npos);
}

TEST_CASE(
    "transaction: by field, earliest time, duration, eventcount, raw oldest first, fields merged") {
  fixture f;
  auto rows = f.run("* | transaction host");
  REQUIRE(rows.size() == 2);
  // web2 (earliest +20) before web1 (earliest +10): newest first.
  CHECK(str(rows[0], "host") == "web2");
  CHECK(num(rows[0], "_time") == double(t0 + 20 * sec) / 1e6);
  CHECK(num(rows[0], "duration") == 40);
  CHECK(num(rows[0], "eventcount") == 3);
  CHECK(str(rows[0], "_raw") ==
        "GET /b status=500 bytes=300 user=bob\nGET /d status=404 bytes=50 user=alice\nGET /f "
        "status=200 bytes=10");
  CHECK(rows[0].get("status")->items() == strings{"200", "404", "500"});
  CHECK(rows[0].get("user")->items() == strings{"alice", "bob"});
  CHECK(str(rows[1], "host") == "web1");
  CHECK(num(rows[1], "eventcount") == 3);
  CHECK(str(rows[1], "status") == "200");  // one value stays single
}

TEST_CASE("transaction: maxspan, maxpause, maxevents") {
  fixture f;
  auto span = f.run("* | transaction host maxspan=20s");
  CHECK(column(span, "eventcount") == strings{"2", "2", "1", "1"});
  CHECK(column(span, "duration") == strings{"20", "20", "0", "0"});
  CHECK(column(span, "host") == strings{"web2", "web1", "web2", "web1"});
  auto pause = f.run("* | transaction host maxpause=15s");
  CHECK(pause.size() == 6);
  auto pause_ok = f.run("* | transaction host maxpause=20");
  CHECK(column(pause_ok, "eventcount") == strings{"3", "3"});
  auto events = f.run("* | transaction host maxevents=2");
  CHECK(column(events, "eventcount") == strings{"2", "2", "1", "1"});
  CHECK(f.error_of("* | transaction host maxspan=soon").find("invalid span") != std::string::npos);
}

TEST_CASE("transaction: startswith and endswith, as searches or eval") {
  fixture f;
  // f(200) ends a transaction that never starts; e(200) likewise (d joins it);
  // c(200) ends, b(500) starts: {b, c}; a(200) ends one that never starts.
  auto both = f.run("* | transaction startswith=\"status=500\" endswith=\"status=200\"");
  REQUIRE(both.size() == 1);
  CHECK(num(both[0], "eventcount") == 2);
  CHECK(num(both[0], "duration") == 10);
  CHECK(str(both[0], "_raw") ==
        "GET /b status=500 bytes=300 user=bob\nGET /c status=200 bytes=200 user=bob");
  // endswith only: d ends it, every older row joins.
  auto ends = f.run("* | transaction endswith=\"status=404\"");
  REQUIRE(ends.size() == 1);
  CHECK(num(ends[0], "eventcount") == 4);
  CHECK(num(ends[0], "duration") == 30);
  // startswith=eval(...), by host: web2 {f, d, b} starts at b; web1 {e} starts at e, {c, a} never
  // starts.
  auto starts = f.run("* | transaction host startswith=eval(bytes>=300)");
  REQUIRE(starts.size() == 2);
  CHECK(column(starts, "eventcount") == strings{"1", "3"});
  CHECK(column(starts, "host") == strings{"web1", "web2"});
}

TEST_CASE("transaction: rows with only some of the fields are refused, unsupported options named") {
  fixture f;
  CHECK(f.error_of("* | transaction host user").find("only some of the fields") !=
        std::string::npos);
  CHECK(f.run("user=* | transaction host user").size() == 5);  // every (host, user) pair is its own
  CHECK(f.error_of("* | transaction host keepevicted=t").find("keepevicted") != std::string::npos);
}

TEST_CASE("join: inner and left on a field, max") {
  fixture f;
  // The subsearch: d (alice, 50) and b (bob, 300), newest first.
  auto inner =
      f.run("status=200 | join user [search status!=200 | eval other=bytes | fields user other]");
  CHECK(column(inner, "user") == strings{"bob", "alice"});
  CHECK(column(inner, "other") == strings{"300", "50"});
  auto left = f.run(
      "status=200 | join type=left user [search status!=200 | eval other=bytes | fields user "
      "other]");
  CHECK(column(left, "other") == strings{"<none>", "<none>", "300", "50"});
  auto one = f.run("host=web1 | table host | join host [search host=web1 | table host user]");
  CHECK(column(one, "user") == strings{"carol", "carol", "carol"});
  auto all = f.run("host=web1 | table host | join max=0 host [search host=web1 | table host user]");
  CHECK(all.size() == 9);
  CHECK(f.error_of("* | join user").find("subsearch") != std::string::npos);
  CHECK(f.error_of("* | join [search x]").find("fields to join on") != std::string::npos);
  CHECK(f.error_of("* | join user [search x | nosuch]").find("in the subsearch") !=
        std::string::npos);
  CHECK(f.error_of("* | join user [search x").find("\"]\"") != std::string::npos);
}

TEST_CASE("append: the subsearch's rows after the main rows, brackets inside quotes") {
  fixture f;
  auto rows = f.run("status=404 | append [search status=500]");
  CHECK(column(rows, "user") == strings{"alice", "bob"});
  auto quoted = f.run("status=404 | append [search \"GET /b\" | rex \"(?<letter>[a-z]) status\"]");
  REQUIRE(quoted.size() == 2);
  CHECK(str(quoted[1], "letter") == "b");
}

TEST_CASE("lookup: match, OUTPUT replaces, OUTPUTNEW fills, all columns, multivalue") {
  fixture f;
  f.write(
      "users.csv",
      "user,dept,\"full name\"\r\nalice,eng,\"Alice, A.\"\r\nbob,ops,Bob B\r\nbob,sec,Bob B\r\n");
  auto rows = f.run("* | lookup users user OUTPUT dept");
  CHECK(column(rows, "dept") == strings{"<none>", "<none>", "eng", "ops\nsec", "ops\nsec", "eng"});
  auto all = f.run("user=alice | lookup users.csv user");
  CHECK(str(all[0], "full name") == "Alice, A.");
  CHECK(str(all[0], "dept") == "eng");
  auto renamed =
      f.run("user=alice | rename user as who | lookup users user AS who OUTPUT dept AS team");
  CHECK(str(renamed[0], "team") == "eng");
  auto replace = f.run("user=* | eval dept=\"x\" | lookup users user OUTPUT dept");
  CHECK(column(replace, "dept") == strings{"<none>", "eng", "ops\nsec", "ops\nsec", "eng"});
  auto keep = f.run("user=* | eval dept=\"x\" | lookup users user OUTPUTNEW dept");
  CHECK(column(keep, "dept") == strings(5, "x"));
  // A lookup before an aggregation: the aggregation sees the looked-up field.
  auto counted = f.run("* | lookup users user OUTPUT dept | search dept=eng | stats count");
  CHECK(column(counted, "count") == strings{"2"});
}

TEST_CASE("lookup: errors name the problem") {
  fixture f;
  f.write("users.csv", "user,dept\nalice,eng\n");
  CHECK(f.error_of("* | lookup nosuch user").find("does not exist") != std::string::npos);
  CHECK(f.error_of("* | lookup users uid").find("no column \"uid\"") != std::string::npos);
  CHECK(f.error_of("* | lookup \"../users\" user").find("invalid lookup name") !=
        std::string::npos);
  CHECK(f.error_of("* | lookup users").find("field to match") != std::string::npos);
  f.write("bad.csv", "user,dept\n\"alice,eng\n");
  CHECK(f.error_of("* | lookup bad user").find("unterminated") != std::string::npos);
  f.opt.lookup_dir.clear();
  CHECK(f.error_of("* | lookup users user").find("not available") != std::string::npos);
}

TEST_CASE("inputlookup and outputlookup: read a table, write one atomically") {
  fixture f;
  f.write("users.csv", "user,dept\nalice,eng\nbob,\n");
  auto rows = f.run("| inputlookup users");
  REQUIRE(rows.size() == 2);
  CHECK(str(rows[0], "dept") == "eng");
  CHECK(rows[1].get("dept") == nullptr);  // an empty cell is no value
  CHECK(column(f.run("| inputlookup users.csv | stats count by dept"), "count") == strings{"1"});
  auto written = f.run("host=web1 | table host user bytes | outputlookup out");
  CHECK(written.size() == 3);
  auto text = io::read_file(f.dir / "lookups" / "out.csv");
  REQUIRE(text.has_value());
  CHECK(*text == "host,user,bytes\r\nweb1,carol,400\r\nweb1,bob,200\r\nweb1,alice,100\r\n");
  CHECK(!io::fs::exists(f.dir / "lookups" / "out.csv.tmp"));
  CHECK(column(f.run("| inputlookup out"), "user") == strings{"carol", "bob", "alice"});
  CHECK(f.error_of("error | inputlookup users").find("first command") != std::string::npos);
  CHECK(f.error_of("* | head 1 | inputlookup users").find("first command") != std::string::npos);
  CHECK(f.error_of("* | outputlookup \"a/b\"").find("invalid lookup name") != std::string::npos);
}

TEST_CASE("csv: RFC 4180 quoting, CRLF and LF, padding, errors") {
  auto t = parse_csv("a,b,c\r\n1,\"x, \"\"y\"\"\",\"two\nlines\"\n2\n\n");
  REQUIRE(t.has_value());
  CHECK(t->header == strings{"a", "b", "c"});
  REQUIRE(t->records.size() == 2);
  CHECK(t->records[0] == strings{"1", "x, \"y\"", "two\nlines"});
  CHECK(t->records[1] == strings{"2", "", ""});
  CHECK(parse_csv(render_csv(*t))->records == t->records);
  CHECK(!parse_csv("a,b\n1,2,3\n").has_value());
  CHECK(!parse_csv("a,a\n").has_value());
  CHECK(!parse_csv("a,\"b\"x\n").has_value());
  CHECK(!parse_csv("").has_value());
  CHECK(!lookup_file("/x", "..").has_value());
  CHECK(!lookup_file("/x", "a/b").has_value());
  CHECK(*lookup_file("/x", "geo.csv") == io::fs::path{"/x/geo.csv"});
  CHECK(*lookup_file("/x", "geo") == io::fs::path{"/x/geo.csv"});
}

TEST_CASE("parser: the commands' options and subsearches parse into their arguments") {
  auto q =
      parse_query("* | join type=left max=0 a, b [search x | head 2] | chart count over h by s", 0);
  REQUIRE(q.has_value());
  REQUIRE(q->commands.size() == 2);
  auto& j = q->commands[0];
  CHECK(j.fields == strings{"a", "b"});
  REQUIRE(j.coordinator);
  CHECK(j.coordinator->left);
  CHECK(j.coordinator->max == 0);
  CHECK(j.coordinator->subsearch == "search x | head 2");
  REQUIRE(j.coordinator->subquery);
  CHECK(j.coordinator->subquery->commands.size() == 1);
  CHECK(q->commands[1].by == strings{"h", "s"});
  auto nested = std::string("* ");
  for (int i = 0; i < 8; ++i) nested += "| append [search x ";
  nested += std::string(8, ']');
  auto deep = parse_query(nested, 0);
  REQUIRE(!deep.has_value());
  CHECK(deep.err().message().find("nested too deeply") != std::string::npos);
  CHECK(!parse_query("* | transaction maxspan=-2", 0).has_value());
  CHECK(!parse_query("* | join type=sideways a [search x]", 0).has_value());
  CHECK(!parse_query("* | lookup t a OUTPUT", 0).has_value());
}

TEST_CASE("subsearches: refused where no runner is set (a merge without one), run by execute") {
  fixture f;
  auto q = parse_query("status=404 | append [search status=500]", f.opt.now);
  REQUIRE(q.has_value());
  std::vector<std::string> warnings;
  auto views = collect_views(*f.st, *q, warnings);
  std::vector<const bucket_view*> ptrs;
  for (auto& v : views) ptrs.push_back(v.get());
  auto part = execute_part(*q, ptrs, 0, f.opt);
  REQUIRE(part.has_value());
  std::vector<search_part> parts;
  parts.push_back(std::move(*part));
  auto merged = merge_parts(*q, std::move(parts), f.opt, [](const row&) { return true; });
  REQUIRE(!merged.has_value());
  CHECK(merged.err().message().find("subsearches cannot run") != std::string::npos);
  size_t n = 0;
  auto whole = execute(*q, ptrs, f.opt, [&](const row&) { return ++n, true; });
  REQUIRE(whole.has_value());
  CHECK(n == 2);
}

TEST_CASE("parser: malformed commands on the merged rows are refused, never crash") {
  for (const char* text : {"* | join a [",
                           "* | join a ]",
                           "* | append",
                           "* | append [",
                           "* | append []",
                           "* | lookup",
                           "* | lookup t",
                           "* | lookup t a AS",
                           "* | lookup t a OUTPUT b AS",
                           "* | transaction startswith=eval(",
                           "* | transaction startswith=\"(\"",
                           "* | transaction maxspan=",
                           "* | transaction maxevents=0",
                           "* | chart count over",
                           "* | chart count by",
                           "* | chart limit= count",
                           "* | streamstats window=x count",
                           "* | streamstats current=maybe count",
                           "* | eventstats",
                           "* | inputlookup",
                           "| inputlookup a b",
                           "* | outputlookup",
                           "* | join type= a [search x]",
                           "* | join max=-1 a [search x]",
                           "* | append [search a [search b]]",
                           "* | append [search \"]\"] | head 1 ["}) {
    CAPTURE(text);
    CHECK(!parse_query(text, 0).has_value());
  }
  // A bracket in the search terms would be a subsearch making terms in SPL: refused, not searched
  // for.
  CHECK(
      parse_query("index=main [search x | fields host]", 0).err().message().find("not supported") !=
      std::string::npos);
  // `[` inside a quoted string does not open a subsearch; `]` in quotes does not close one.
  auto q = parse_query("* | append [search \"a]b\" | eval x=\"[\"]", 0);
  REQUIRE(q.has_value());
  CHECK(q->commands[0].coordinator->subsearch == "search \"a]b\" | eval x=\"[\"");
}

TEST_CASE("transaction: linecount is the lines of the transaction's _raw") {
  fixture f;
  auto rows = f.run("* | transaction host");
  REQUIRE(rows.size() == 2);
  if (rows[0].get("linecount")) CHECK(str(rows[0], "linecount") == "3");  // three one-line events
}
