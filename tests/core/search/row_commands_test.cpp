// The row commands (row_commands.hpp): each command and option on small rows
// with hand-computed answers, the parser's accepted forms and refusals, and
// the executor's handling of them (where they run, makeresults reading no bucket).
#include "core/search/row_commands.hpp"

#include <doctest/doctest.h>

#include "core/index/store.hpp"
#include "core/search/parser.hpp"
#include "core/search/store_search.hpp"
#include "core/testing.hpp"
#include "search/search_fixture.hpp"

using namespace kura;
using namespace kura::search;

namespace {

constexpr time_us now = 1'795'350'000'000'000;  // 2026-11-22T12:20:00Z

struct field_init {
  const char* name;
  value v;
};

row mk(std::initializer_list<field_init> fields) {
  row r;
  for (auto& f : fields) r.set(f.name, f.v);
  return r;
}

/// Runs the commands of `pipeline` (without a base search) over `rows`.
std::vector<row> run_rows(const std::string& pipeline, std::vector<row> rows) {
  auto q = parse_query("| " + pipeline, now);
  REQUIRE_MESSAGE(q.has_value(), pipeline << ": " << q.err().message());
  search_limits limits;
  for (auto& c : q->commands) {
    auto next = apply_command(c, std::move(rows), limits, std::nullopt, std::nullopt);
    REQUIRE_MESSAGE(next.has_value(), pipeline << ": " << next.err().message());
    rows = std::move(*next);
  }
  return rows;
}

using testing::column;
using testing::names;
using testing::str;

std::string parse_error(const std::string& q) {
  auto r = parse_query(q, now);
  REQUIRE_MESSAGE(!r.has_value(), q);
  return r.err().message();
}

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("row commands: bin and bucket by span over _time and numbers, and by bins=") {
  std::vector<row> rows{mk({{"_time", 7205.5}, {"x", 37.0}}), mk({{"_time", 3599.0}, {"x", "-3"}}),
                        mk({{"_time", 10.0}, {"x", "abc"}})};
  CHECK(column(run_rows("bin _time span=1h", rows), "_time") == strings{"7200", "0", "0"});
  CHECK(column(run_rows("bucket span=30m _time as t", rows), "t") == strings{"7200", "1800", "0"});
  CHECK(column(run_rows("bucket span=30m _time as t", rows), "_time") ==
        strings{"7205.5", "3599", "10"});
  // Numbers become ranges; a value that is not a number is left as it is.
  CHECK(column(run_rows("bin x span=10", rows), "x") == strings{"30-40", "-10-0", "abc"});
  CHECK(column(run_rows("bin x span=2.5 as b", rows), "b") ==
        strings{"35-37.5", "-5--2.5", "<none>"});
  // bins=: the smallest power of ten giving at most that many bins over the values (and start/end).
  CHECK(column(run_rows("bin bins=10 x", rows), "x") == strings{"30-40", "-10-0", "abc"});
  CHECK(column(run_rows("bin bins=2 x end=150", rows), "x") == strings{"0-1000", "-1000-0", "abc"});
  // _time with bins=: the smallest usual time span (1s 5s 10s 30s 1m 5m 10m 30m 1h 1d …) that fits.
  CHECK(column(run_rows("bin _time bins=3", rows), "_time") == strings{"7200", "0", "0"});
  CHECK(column(run_rows("bin _time bins=100", rows), "_time") == strings{"7200", "3300", "0"});
}

TEST_CASE("row commands: fillnull with and without a field list") {
  std::vector<row> rows{mk({{"a", 1.0}}), mk({{"b", "x"}}), mk({{"a", value{}}, {"c", ""}})};
  auto listed = run_rows("fillnull a", rows);
  CHECK(column(listed, "a") == strings{"1", "0", "0"});
  CHECK(column(listed, "b") == strings{"<none>", "x", "<none>"});
  auto all = run_rows("fillnull value=NA", rows);
  CHECK(column(all, "a") == strings{"1", "NA", "NA"});
  CHECK(column(all, "b") == strings{"NA", "x", "NA"});
  CHECK(column(all, "c") == strings{"NA", "NA", ""});  // an empty string is a value
  CHECK(column(run_rows("fillnull value=\"n/a\" b, c", rows), "c") == strings{"n/a", "n/a", ""});
}

TEST_CASE("row commands: makemv by delimiter and tokenizer, and mvexpand") {
  std::vector<row> rows{mk({{"t", "a,b,,c"}, {"n", 1.0}}), mk({{"t", "solo"}, {"n", 2.0}}),
                        mk({{"n", 3.0}})};
  auto mv = run_rows("makemv delim=\",\" t", rows);
  CHECK(mv[0].get("t")->items() == strings{"a", "b", "c"});
  CHECK(mv[1].get("t")->type() == value::kind::string);
  CHECK(run_rows("makemv delim=\",\" allowempty=t t", rows)[0].get("t")->items() ==
        strings{"a", "b", "", "c"});
  CHECK(run_rows("makemv tokenizer=\"([a-z]),?\" t", rows)[0].get("t")->items() ==
        strings{"a", "b", "c"});
  CHECK(run_rows("makemv t", {mk({{"t", "x  y z"}})})[0].get("t")->items() ==
        strings{"x", "y", "z"});
  auto ex = run_rows("makemv delim=\",\" t | mvexpand t", rows);
  CHECK(column(ex, "t") == strings{"a", "b", "c", "solo"});  // the row without t is dropped
  CHECK(column(ex, "n") == strings{"1", "1", "1", "2"});
  CHECK(column(run_rows("makemv delim=\",\" t | mvexpand t limit=2", rows), "t") ==
        strings{"a", "b", "solo"});
}

TEST_CASE("row commands: convert functions, as, wildcards and timeformat") {
  std::vector<row> rows{mk({{"d", "1+02:03:04"},
                            {"s", "10KB"},
                            {"n", "42"},
                            {"m", "2g"},
                            {"c", "1,234"},
                            {"t", 86400.0}}),
                        mk({{"d", "00:01:30"},
                            {"s", "x"},
                            {"n", "no"},
                            {"m", "7"},
                            {"c", "abc"},
                            {"t", "11/22/2026 12:20:00"}})};
  auto r = run_rows("convert dur2sec(d) rmunit(s) num(n) memk(m) rmcomma(c)", rows);
  CHECK(column(r, "d") == strings{"93784", "90"});
  CHECK(column(r, "s") == strings{"10", "x"});
  CHECK(column(r, "n") == strings{"42", "<none>"});  // num() removes what it cannot convert
  CHECK(column(r, "m") == strings{"2097152", "7"});
  CHECK(column(r, "c") == strings{"1234", "abc"});
  CHECK(r[0].get("n")->type() == value::kind::number);
  CHECK(column(run_rows("convert auto(n) as m", rows), "m") ==
        strings{"42", "7"});  // not convertible: m untouched
  CHECK(column(run_rows("convert auto(n)", rows), "n") == strings{"42", "no"});
  CHECK(column(run_rows("convert ctime(t) as when", rows), "when") ==
        strings{"01/02/1970 00:00:00", "<none>"});
  CHECK(column(run_rows("convert timeformat=\"%Y-%m-%d\" ctime(t)", rows), "t") ==
        strings{"1970-01-02", "11/22/2026 12:20:00"});
  CHECK(column(run_rows("convert mktime(t)", rows), "t") == strings{"86400", "1795350000"});
  auto wild = run_rows("convert num(*) none(c)", {mk({{"a", "1"}, {"b", "x"}, {"c", "2"}})});
  CHECK(names(wild[0]) == strings{"a", "c"});
  CHECK(wild[0].get("c")->type() == value::kind::string);
}

TEST_CASE("row commands: addtotals by row and by column") {
  std::vector<row> rows{mk({{"_time", 100.0}, {"host", "a"}, {"x", 1.0}, {"y", "2"}}),
                        mk({{"_time", 200.0}, {"host", "b"}, {"x", 3.0}, {"z", 4.0}})};
  CHECK(column(run_rows("addtotals", rows), "Total") == strings{"3", "7"});  // _time is not summed
  CHECK(column(run_rows("addtotals fieldname=sum x z", rows), "sum") == strings{"1", "7"});
  auto col = run_rows("addtotals col=t labelfield=host label=ALL", rows);
  REQUIRE(col.size() == 3);
  CHECK(str(col[2], "host") == "ALL");
  CHECK(str(col[2], "x") == "4");
  CHECK(str(col[2], "y") == "2");
  CHECK(str(col[2], "z") == "4");
  CHECK(str(col[2], "Total") == "10");
  CHECK(!col[2].get("_time"));
  auto only_col = run_rows("addtotals row=f col=t x*", rows);
  CHECK(names(only_col[2]) == strings{"x"});
  CHECK(!only_col[0].get("Total"));
}

TEST_CASE("row commands: regex keeps or drops rows, on _raw or a field") {
  std::vector<row> rows{mk({{"_raw", "GET /a 200"}, {"u", "bob"}}),
                        mk({{"_raw", "POST /b 500"}, {"u", "al"}}), mk({{"_raw", "GET /c 404"}})};
  CHECK(column(run_rows("regex \"^GET\"", rows), "_raw") == strings{"GET /a 200", "GET /c 404"});
  CHECK(column(run_rows("regex u=\"^b\"", rows), "_raw") == strings{"GET /a 200"});
  CHECK(column(run_rows("regex u!=\"^b\"", rows), "_raw") == strings{"POST /b 500", "GET /c 404"});
  CHECK(column(run_rows("regex _raw=\"\\d{3}$\"", rows), "u") == strings{"bob", "al", "<none>"});
}

TEST_CASE("row commands: rex mode=sed and max_match") {
  std::vector<row> rows{mk({{"_raw", "a1 b22 c333"}})};
  CHECK(str(run_rows("rex mode=sed \"s/[0-9]+/N/g\"", rows)[0], "_raw") == "aN bN cN");
  CHECK(str(run_rows("rex mode=sed \"s/[0-9]+/N/\"", rows)[0], "_raw") == "aN b22 c333");
  CHECK(str(run_rows("rex mode=sed \"s/([a-z])([0-9]+)/\\2\\1/2\"", rows)[0], "_raw") ==
        "a1 22b c333");
  CHECK(str(run_rows("rex field=_raw mode=sed \"y/abc/xyz/\"", rows)[0], "_raw") == "x1 y22 z333");
  auto all = run_rows("rex max_match=0 \"(?<d>[0-9]+)\"", rows);
  CHECK(all[0].get("d")->items() == strings{"1", "22", "333"});
  CHECK(run_rows("rex max_match=2 \"(?<d>[0-9]+)\"", rows)[0].get("d")->items() ==
        strings{"1", "22"});
  CHECK(run_rows("rex max_match=5 \"(?<w>[a-z])(?<d>9)?\"", rows)[0].get("w")->items() ==
        strings{"a", "b", "c"});
  CHECK(str(run_rows("rex \"(?<d>[0-9]+)\"", rows)[0], "d") == "1");
}

TEST_CASE("row commands: wildcards in rename, table and fields") {
  std::vector<row> rows{mk({{"_time", 1.0},
                            {"foo_a", "1"},
                            {"foo_b", "2"},
                            {"host", "h"},
                            {"status", "200"},
                            {"status_text", "OK"}})};
  auto renamed = run_rows("rename foo_* as bar_*", rows);
  CHECK(names(renamed[0]) == strings{"_time", "host", "status", "status_text", "bar_a", "bar_b"});
  CHECK(str(renamed[0], "bar_b") == "2");
  CHECK(names(run_rows("table host, status*", rows)[0]) ==
        strings{"host", "status", "status_text"});
  CHECK(names(run_rows("table *_a host", rows)[0]) == strings{"foo_a", "host"});
  CHECK(names(run_rows("table foo*b, *", rows)[0]) ==
        strings{"foo_b", "_time", "foo_a", "host", "status", "status_text"});
  CHECK(str(run_rows("eval y=status*2", rows)[0], "y") ==
        "400");  // x*2 is multiplication, not a wildcard name
  CHECK(names(run_rows("fields foo*", rows)[0]) == strings{"_time", "foo_a", "foo_b"});
  CHECK(names(run_rows("fields - foo*, status", rows)[0]) ==
        strings{"_time", "host", "status_text"});
  CHECK(names(run_rows("rename *_text as *Text", rows)[0]).back() == "statusText");
}

TEST_CASE("row commands: sort with num, str, ip, auto, -x and desc") {
  std::vector<row> rows{mk({{"v", "10"}, {"ip", "10.0.0.9"}}), mk({{"v", "9"}, {"ip", "9.1.1.1"}}),
                        mk({{"v", "abc"}, {"ip", "10.0.0.10"}}), mk({{"ip", "x"}})};
  CHECK(column(run_rows("sort v", rows), "v") == strings{"9", "10", "abc", "<none>"});
  CHECK(column(run_rows("sort -v", rows), "v") ==
        strings{"abc", "10", "9", "<none>"});  // missing last either way
  CHECK(column(run_rows("sort str(v)", rows), "v") == strings{"10", "9", "abc", "<none>"});
  CHECK(column(run_rows("sort - str(v)", rows), "v") == strings{"abc", "9", "10", "<none>"});
  CHECK(column(run_rows("sort num(v)", rows), "v") == strings{"9", "10", "abc", "<none>"});
  CHECK(column(run_rows("sort ip(ip)", rows), "ip") ==
        strings{"9.1.1.1", "10.0.0.9", "10.0.0.10", "x"});
  CHECK(column(run_rows("sort str(ip)", rows), "ip") ==
        strings{"10.0.0.10", "10.0.0.9", "9.1.1.1", "x"});
  CHECK(column(run_rows("sort auto(v) desc", rows), "v") == strings{"abc", "10", "9", "<none>"});
  CHECK(column(run_rows("sort 2 +v", rows), "v") == strings{"9", "10"});
  CHECK(column(run_rows("sort limit=1 -num(v)", rows), "v") ==
        strings{"abc"});  // descending: text, then numbers
  CHECK(column(run_rows("sort limit=2 -num(v)", rows), "v") == strings{"abc", "10"});
}

TEST_CASE("row commands: dedup with keepempty, consecutive and sortby") {
  std::vector<row> rows{mk({{"h", "a"}, {"n", 1.0}}), mk({{"h", "a"}, {"n", 2.0}}),
                        mk({{"n", 3.0}}), mk({{"h", "b"}, {"n", 4.0}}),
                        mk({{"h", "a"}, {"n", 5.0}})};
  CHECK(column(run_rows("dedup h", rows), "n") == strings{"1", "4"});
  CHECK(column(run_rows("dedup h keepempty=t", rows), "n") == strings{"1", "3", "4"});
  CHECK(column(run_rows("dedup h consecutive=t", rows), "n") == strings{"1", "4", "5"});
  CHECK(column(run_rows("dedup 2 h consecutive=true keepempty=t", rows), "n") ==
        strings{"1", "2", "3", "4", "5"});
  CHECK(column(run_rows("dedup h sortby -n", rows), "n") == strings{"4", "1"});
  CHECK(column(run_rows("dedup h sortby +str(h), -n", rows), "n") == strings{"1", "4"});
}

TEST_CASE("row commands: fieldformat and makeresults") {
  CHECK(column(run_rows("fieldformat x=x*2", {mk({{"x", 2.0}})}), "x") == strings{"4"});
  auto made = run_rows("makeresults count=3 | eval x=1", {});
  REQUIRE(made.size() == 3);
  CHECK(str(made[0], "_time") == "1795350000");
  CHECK(str(made[2], "x") == "1");
  CHECK(run_rows("makeresults", {}).size() == 1);
}

TEST_CASE(
    "row commands: the parser accepts their forms and refuses bad input naming the position") {
  auto q =
      parse_query("| makeresults | bin span=5m _time AS t | bucket bins=5 start=-10 end=10 x", now);
  REQUIRE_MESSAGE(q.has_value(), q.err().message());
  CHECK(q->commands[1].type == command::kind::bin);
  CHECK(q->commands[1].row->as == "t");
  CHECK(q->commands[1].row->span == 300.0);
  CHECK(q->commands[1].row->time_bins);
  CHECK(q->commands[2].row->start == -10.0);
  CHECK(q->commands[2].name == "bucket");
  CHECK(is_streaming(q->commands[1]));
  CHECK(!is_streaming(q->commands[2]));  // bins= needs the range of all rows
  auto fill =
      parse_query("x | fillnull a | fillnull | addtotals | addtotals col=t | mvexpand a", now);
  REQUIRE(fill.has_value());
  CHECK(is_streaming(fill->commands[0]));
  CHECK(!is_streaming(fill->commands[1]));
  CHECK(is_streaming(fill->commands[2]));
  CHECK(!is_streaming(fill->commands[3]));
  CHECK(!is_streaming(fill->commands[4]));
  auto conv = parse_query(
      "x | convert timeformat=\"%H:%M\" ctime(_time) AS t, num(*) | sort 0 -ip(src)", now);
  REQUIRE_MESSAGE(conv.has_value(), conv.err().message());
  CHECK(conv->commands[0].row->conversions.size() == 2);
  CHECK(conv->commands[0].row->conversions[1].field == "*");
  CHECK(conv->commands[1].row->sort_by[0].how == sort_key::order::ip);
  CHECK(conv->commands[1].row->sort_by[0].descending);
  CHECK(conv->commands[1].limit == SIZE_MAX);  // sort 0: every row

  CHECK(parse_error("x | bin span=2q _time").find("invalid span \"2q\"") != std::string::npos);
  CHECK(parse_error("x | bin span=2q _time").find("at 1:14") != std::string::npos);
  CHECK(parse_error("x | bin span=0 x") == "span must be greater than 0, got \"0\" at 1:14");
  CHECK(parse_error("x | bin span=1h") ==
        "bin needs a field: bin span=1h _time, got end of search at 1:16");
  CHECK(parse_error("x | bin minspan=5m _time") == "unknown option \"minspan\" of bin at 1:9");
  CHECK(parse_error("x | regex \"(\"").find("regex: invalid regular expression") == 0);
  CHECK(parse_error("x | regex \"(\"").find("at 1:5") != std::string::npos);
  CHECK(parse_error("x | regex u<\"a\"") == "expected \"=\" or \"!=\" after u, got \"<\" at 1:12");
  CHECK(parse_error("x | rex mode=sed \"s/a/b\"").find("mode=sed expects") != std::string::npos);
  CHECK(parse_error("x | rex mode=sed \"s/(a/b/\"").find("invalid regular expression") !=
        std::string::npos);
  CHECK(parse_error("x | rex mode=sed \"s/a/\\1/\"").find("group \\1") != std::string::npos);
  CHECK(parse_error("x | rex mode=sed \"y/ab/c/\"").find("same length") != std::string::npos);
  CHECK(parse_error("x | rex mode=sed \"s/a/b/q\"").find("sed flags") != std::string::npos);
  CHECK(parse_error("x | rex mode=perl \"s/a/b/\"") ==
        "rex mode can only be sed, got \"perl\" at 1:14");
  CHECK(parse_error("x | rex offset_field=o \"(?<a>.)\"") ==
        "unknown option \"offset_field\" of rex at 1:9");
  CHECK(parse_error("x | makemv x y") == "unexpected argument to makemv, got \"y\" at 1:14");
  CHECK(parse_error("x | makemv delim=\",\" tokenizer=\"(a)\" x").find("not both") !=
        std::string::npos);
  CHECK(parse_error("x | makemv tokenizer=\"(\" x").find("invalid regular expression") !=
        std::string::npos);
  CHECK(parse_error("x | mvexpand limit=-1 a") ==
        "expected a whole number for limit, got \"-1\" at 1:20");
  CHECK(parse_error("x | convert foo(x)").find("expected a conversion") == 0);
  CHECK(parse_error("x | convert num(a*) as b").find("with a wildcard cannot take as") !=
        std::string::npos);
  CHECK(parse_error("x | addtotals row=maybe") ==
        "expected true or false for row, got \"maybe\" at 1:19");
  CHECK(parse_error("x | makeresults").find("makeresults must be the first command") !=
        std::string::npos);
  CHECK(parse_error("| eval a=1 | makeresults").find("at 1:14") != std::string::npos);
  CHECK(parse_error("| makeresults count=0") == "count must be at least 1, got \"0\" at 1:21");
  CHECK(parse_error("x | fieldformat a=1 | stats count").find("move it to the end") !=
        std::string::npos);
  CHECK(parse_error("x | fieldformat a=1, b=2").find("one field=expression") != std::string::npos);
  CHECK(parse_error("x | rename a* as b") ==
        "rename a* as b: both names need the same number of *, got \"as\" at 1:15");
  CHECK(parse_error("x | sort foo(x)") ==
        "expected num(), str(), ip() or auto() around a sort field, got \"foo\" at 1:10");
  CHECK(parse_error("x | dedup h keepevents=t") ==
        "unknown option \"keepevents\" of dedup at 1:13");
  CHECK(parse_error("x | dedup h sortby") == "sortby needs a field, got end of search at 1:19");
  CHECK(parse_error("x | sort x desc y") == "desc must end the sort, got \"y\" at 1:17");
}

TEST_CASE(
    "row commands: through the store, streaming ones run at the buckets and makeresults reads "
    "none") {
  testing::search_fixture f;
  constexpr time_us t0 = testing::search_fixture::t0;
  std::vector<event_view> events{
      {t0 + 10 * us_per_sec, "h1", "/a", "kv", "GET status=200 bytes=512 tags=\"a,b\"", {}},
      {t0 + 3700 * us_per_sec, "h2", "/a", "kv", "POST status=500 bytes=10 tags=c", {}},
      {t0 + 3800 * us_per_sec, "h1", "/a", "kv", "GET status=404 bytes=7", {}}};
  f.add("main", events);
  REQUIRE(!f.st->roll_hot_buckets("main"));
  auto by_hour = f.run("* | bin _time span=1h | stats count, sum(bytes) as b by _time");
  REQUIRE(by_hour.size() == 2);
  CHECK(str(by_hour[0], "_time") == "1795305600");
  CHECK(str(by_hour[0], "count") == "1");
  CHECK(str(by_hour[1], "b") == "17");
  auto tags = f.run("* | makemv delim=\",\" tags | mvexpand tags | stats count by tags");
  CHECK(column(tags, "tags") == strings{"a", "b", "c"});
  CHECK(column(f.run("* | regex status=\"^[45]\" | fillnull value=none tags | table status, tags"),
               "tags") == strings{"none", "c"});
  search_summary summary;
  auto made = f.run("| makeresults count=2 | eval n=3 | addtotals col=t", &summary);
  CHECK(summary.events_read == 0);
  CHECK(summary.buckets_searched == 0);
  REQUIRE(made.size() == 3);
  CHECK(str(made[2], "n") == "6");
  CHECK(str(made[0], "_time") == std::to_string(f.opt.now / us_per_sec));
  CHECK(column(f.run("* | convert rmunit(bytes) | sort - num(bytes) | fields bytes | head 1"),
               "bytes") == strings{"512"});
  // The field plan of an aggregation keeps what the row commands read (bytes, tags, status).
  CHECK(column(f.run("* | fillnull value=1 nope, bytes | convert num(bytes) as b | stats sum(b) as "
                     "s, sum(nope) as n"),
               "s") == strings{"529"});
  CHECK(column(f.run("* | eval bytes=bytes*2 | stats sum(bytes) as s"), "s") == strings{"1058"});
  // A rex group that does not match, or a rename of a missing field, leaves the event's own field.
  CHECK(column(f.run("* | rex \"nomatch(?<status>\\d+)\" | stats count by status"), "status") ==
        strings{"200", "404", "500"});
  CHECK(column(f.run("* | rename nope as status | stats count by status"), "status") ==
        strings{"200", "404", "500"});
}
