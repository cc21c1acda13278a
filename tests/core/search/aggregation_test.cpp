// The aggregation functions of stats/timechart: hand-computed answers per
// function, merges of any split equal to one state over all rows, the limits
// that refuse rather than answer wrong, the estdc sketch, and timechart's
// limit/useother.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "core/search/aggregations.hpp"
#include "core/search/commands.hpp"
#include "core/search/hyperloglog.hpp"
#include "core/search/parser.hpp"
#include "search/search_fixture.hpp"

using namespace kura;
using namespace kura::search;

namespace {

constexpr time_us t0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z

query parse(const std::string& text) {
  auto q = parse_query(text, t0);
  REQUIRE_MESSAGE(q.has_value(), text << ": " << q.err().render());
  return std::move(*q);
}

std::string parse_error(const std::string& text) {
  auto q = parse_query(text, t0);
  REQUIRE_MESSAGE(!q.has_value(), text);
  return q.err().message();
}

/// Runs the aggregation of `text` (`* | stats …`) over `rows` in that order.
std::vector<row> run(const std::string& text, const std::vector<row>& rows,
                     search_limits limits = {}) {
  auto q = parse(text);
  auto out = apply_command(q.commands.at(0), rows, limits, std::nullopt, std::nullopt);
  REQUIRE_MESSAGE(out.has_value(), text << ": " << out.err().render());
  return std::move(*out);
}

using testing::make_row;
using testing::num;
using testing::str;

/// x = 3, 2, 2, 10, 1, 4 plus a text value and a row without x (in this order).
std::vector<row> small_rows() {
  std::vector<row> rows;
  for (const char* x : {"3", "2", "2", "10", "1", "4"})
    rows.push_back(make_row({{"x", value{x}}, {"g", value{"a"}}}));
  rows.push_back(make_row({{"x", value{"abc"}}, {"g", value{"b"}}}));
  rows.push_back(make_row({{"g", value{"b"}}}));
  return rows;
}

}  // namespace

TEST_CASE("aggregations: hand-computed values of each function") {
  // Numbers 3 2 2 10 1 4: n 6, sum 22, mean 22/6, sorted 1 2 2 3 4 10.
  auto rows = run(
      "* | stats count, count(x) as cx, sum(x) as s, sumsq(x) as sq, avg(x) as a, median(x) as "
      "med, "
      "perc25(x) as p25, p90(x) as p90, exactperc50(x) as e50, upperperc100(x) as u100, perc0(x) "
      "as p0, "
      "stdev(x) as sd, stdevp(x) as sdp, var(x) as v, varp(x) as vp, range(x) as r, mode(x) as mo, "
      "dc(x) as d, distinct_count(x) as d2, estdc(x) as ed, min(x) as mn, max(x) as mx",
      small_rows());
  REQUIRE(rows.size() == 1);
  auto& r = rows[0];
  CHECK(num(r, "count") == 8);
  CHECK(num(r, "cx") == 7);  // the text value counts, the missing one does not
  CHECK(num(r, "s") == 22);
  CHECK(num(r, "sq") == 9 + 4 + 4 + 100 + 1 + 16);
  CHECK(num(r, "a") == doctest::Approx(22.0 / 6));
  CHECK(num(r, "med") == 3);    // even count: the higher middle value
  CHECK(num(r, "p25") == 2);    // rank 0.25·5 = 1.25 between 2 and 2
  CHECK(num(r, "p90") == 7);    // rank 4.5: 4 + 0.5·(10 − 4)
  CHECK(num(r, "e50") == 2.5);  // rank 2.5: 2 + 0.5·(3 − 2)
  CHECK(num(r, "u100") == 10);
  CHECK(num(r, "p0") == 1);
  // Deviations from 11/3 squared: sum = sumsq − n·mean² = 134 − 484/6 = 322/6.
  double m2 = 134 - 484.0 / 6;
  CHECK(num(r, "v") == doctest::Approx(m2 / 5));
  CHECK(num(r, "vp") == doctest::Approx(m2 / 6));
  CHECK(num(r, "sd") == doctest::Approx(std::sqrt(m2 / 5)));
  CHECK(num(r, "sdp") == doctest::Approx(std::sqrt(m2 / 6)));
  CHECK(num(r, "r") == 9);
  CHECK(str(r, "mo") == "2");
  CHECK(num(r, "d") == 6);  // 3 2 10 1 4 abc
  CHECK(num(r, "d2") == 6);
  CHECK(num(r, "ed") == 6);  // the sketch is exact while sparse
  CHECK(str(r, "mn") == "1");
  CHECK(str(r, "mx") == "abc");  // min/max compare strings after numbers

  auto odd = run("* | stats median(x) as m, p50(x) as p",
                 {make_row({{"x", value{"5"}}}), make_row({{"x", value{"1"}}}),
                  make_row({{"x", value{"3"}}})});
  CHECK(num(odd[0], "m") == 3);
  CHECK(num(odd[0], "p") == 3);
  auto one = run("* | stats stdev(x) as sd, var(x) as v, stdevp(x) as sdp",
                 {make_row({{"x", value{"7"}}})});
  CHECK(num(one[0], "sd") == 0);
  CHECK(num(one[0], "v") == 0);
  CHECK(num(one[0], "sdp") == 0);
  auto none =
      run("* | stats median(x) as m, stdev(x) as sd, mode(x) as mo, list(x) as l, estdc(x) as ed, "
          "first(x) as f",
          {make_row({{"y", value{"1"}}})});
  CHECK(str(none[0], "m") == "");
  CHECK(none[0].get("m")->is_null());
  CHECK(none[0].get("sd")->is_null());
  CHECK(none[0].get("mo")->is_null());
  CHECK(none[0].get("l")->is_null());
  CHECK(num(none[0], "ed") == 0);
  CHECK(none[0].get("f")->is_null());
}

TEST_CASE("aggregations: first, last, list and mode follow result order") {
  auto rows = run(
      "* | stats first(x) as f, last(x) as l, list(x) as li, values(x) as va, mode(x) as mo by g",
      small_rows());
  REQUIRE(rows.size() == 2);
  CHECK(str(rows[0], "g") == "a");
  CHECK(str(rows[0], "f") == "3");
  CHECK(str(rows[0], "l") == "4");
  CHECK(rows[0].get("li")->items() == std::vector<std::string>{"3", "2", "2", "10", "1", "4"});
  CHECK(rows[0].get("va")->items() == std::vector<std::string>{"1", "10", "2", "3", "4"});
  CHECK(str(rows[0], "mo") == "2");
  CHECK(str(rows[1], "f") == "abc");
  // mode: a tie goes to the value seen first.
  auto tie = run("* | stats mode(x) as mo",
                 {make_row({{"x", value{"b"}}}), make_row({{"x", value{"a"}}}),
                  make_row({{"x", value{"a"}}}), make_row({{"x", value{"b"}}})});
  CHECK(str(tie[0], "mo") == "b");
  // list keeps the first 100 values; multi-values in item order.
  std::vector<row> many;
  for (int i = 0; i < 150; ++i)
    many.push_back(make_row({{"x", value::multi({std::to_string(i), "m"})}}));
  auto listed = run("* | stats list(x) as l, first(x) as f, last(x) as la", many);
  auto items = listed[0].get("l")->items();
  REQUIRE(items.size() == 100);
  CHECK(items[0] == "0");
  CHECK(items[1] == "m");
  CHECK(items[98] == "49");
  CHECK(str(listed[0], "f") == "0");
  CHECK(str(listed[0], "la") == "m");
}

TEST_CASE("aggregations: eval arguments count rows where a condition holds") {
  std::vector<row> rows;
  for (int status : {200, 404, 500, 503, 200, 302})
    rows.push_back(
        make_row({{"status", value{double(status)}}, {"bytes", value{double(status / 100)}}}));
  auto r = run(
      "* | stats count(eval(status>=500)) as errors, count(eval(status=200 OR status=302)) as ok, "
      "sum(eval(bytes * 10)) as tens, avg(eval(if(status>=400, bytes, null()))) as bad, "
      "count(eval(nofield)) as none",
      rows);
  CHECK(num(r[0], "errors") == 2);
  CHECK(num(r[0], "ok") == 3);
  CHECK(num(r[0], "tens") == (2 + 4 + 5 + 5 + 2 + 3) * 10);
  CHECK(num(r[0], "bad") == doctest::Approx((4 + 5 + 5) / 3.0));
  CHECK(num(r[0], "none") == 0);
  auto by = run("* | stats count(eval(status>=400)) AS bad BY bytes", rows);
  REQUIRE(by.size() == 4);
  CHECK(str(by[2], "bytes") == "4");
  CHECK(num(by[2], "bad") == 1);
}

TEST_CASE(
    "aggregations: the parser names functions, refuses unknown ones and unnamed eval arguments") {
  auto q = parse(
      "* | stats p99.5(x), perc5(x) as low, exactperc95(x), upperperc75(y), median(z), mean(x) by "
      "h");
  auto& a = q.commands[0].aggregations;
  REQUIRE(a.size() == 6);
  CHECK(a[0].function == "perc");
  CHECK(a[0].percentile == 99.5);
  CHECK(a[0].as == "p99.5(x)");
  CHECK(a[1].as == "low");
  CHECK(a[2].percentile == 95);
  CHECK(a[4].function == "median");
  CHECK(a[5].function == "avg");
  auto c = parse("* | stats c, c(x) as n");
  CHECK(c.commands[0].aggregations[0].function == "count");
  CHECK(c.commands[0].aggregations[0].as == "c");
  CHECK(c.commands[0].aggregations[1].field == "x");
  CHECK(parse_error("* | stats perc101(x)").find("unknown aggregation \"perc101\"") == 0);
  CHECK(parse_error("* | stats pct(x)").find("unknown aggregation") == 0);
  CHECK(parse_error("* | stats median").find("median needs a field") != std::string::npos);
  CHECK(parse_error("* | stats count(eval(x>1))").find("needs a name") != std::string::npos);
  CHECK(parse_error("* | stats count(eval(x>1) as n").find("expected \")\"") != std::string::npos);
  CHECK(parse_error("* | timechart count by host usenull=t").find("usenull=t is not supported") ==
        0);
  CHECK(parse_error("* | timechart count by host useother=maybe").find("expected t or f") == 0);
  auto t = parse("* | timechart span=1h limit=3 useother=f count by host");
  CHECK(t.commands[0].limit == 3);
  CHECK(!t.commands[0].use_other);
  auto after = parse("* | timechart count by host limit=0 useother=true");
  CHECK(after.commands[0].limit == 0);
  CHECK(after.commands[0].by == std::vector<std::string>{"host"});
}

TEST_CASE("aggregations: a merge of any split equals one state over all rows") {
  std::mt19937 rng(12);
  std::vector<row> rows;
  for (int i = 0; i < 400; ++i) {
    row r;
    r.add("g", value{std::string(1, char('a' + rng() % 3))});
    if (rng() % 7) r.add("x", value{double(int(rng() % 50) - 10)});
    if (rng() % 5 == 0)
      r.add("x2", value::multi({std::to_string(rng() % 9), "t" + std::to_string(rng() % 4)}));
    rows.push_back(std::move(r));
  }
  auto q = parse(
      "* | stats count, count(x), dc(x), estdc(x2), sum(x), sumsq(x), avg(x), min(x), max(x), "
      "range(x), "
      "median(x), perc10(x), p99(x), stdev(x), stdevp(x), var(x), varp(x), mode(x), mode(x2), "
      "list(x2), "
      "values(x2), first(x), last(x2), count(eval(x>5)) as big by g");
  const command& c = q.commands[0];
  search_limits limits;
  partial_aggregate whole{c, limits, std::nullopt, std::nullopt};
  for (size_t i = 0; i < rows.size(); ++i)
    REQUIRE(!whole.add(rows[i], row_position{0, 0, UINT64_MAX - i}));
  auto expected = whole.finish(std::nullopt, std::nullopt);
  REQUIRE(expected.has_value());
  for (int parts : {2, 3, 7}) {
    // Rows dealt to parts at random, each part fed in reverse (as a bucket reads oldest first).
    std::vector<std::vector<size_t>> dealt(static_cast<size_t>(parts));
    for (size_t i = 0; i < rows.size(); ++i) dealt[rng() % size_t(parts)].push_back(i);
    partial_aggregate merged{c, limits, std::nullopt, std::nullopt};
    for (auto& idx : dealt) {
      partial_aggregate p{c, limits, std::nullopt, std::nullopt};
      for (auto it = idx.rbegin(); it != idx.rend(); ++it)
        REQUIRE(!p.add(rows[*it], row_position{0, 0, UINT64_MAX - *it}));
      REQUIRE(!merged.merge(p));
    }
    auto got = merged.finish(std::nullopt, std::nullopt);
    REQUIRE(got.has_value());
    REQUIRE(got->size() == expected->size());
    for (size_t i = 0; i < got->size(); ++i) {
      auto& gf = (*got)[i].fields();
      auto& ef = (*expected)[i].fields();
      REQUIRE(gf.size() == ef.size());
      for (size_t k = 0; k < gf.size(); ++k) {
        CAPTURE(ef[k].first);
        auto gn = gf[k].second.as_number(), en = ef[k].second.as_number();
        if (gn && en)
          CHECK(*gn == doctest::Approx(*en).epsilon(1e-12));  // sums in another order
        else
          CHECK(gf[k].second == ef[k].second);
      }
    }
  }
}

TEST_CASE("aggregations: kept sets past max_values are refused, never cut short") {
  search_limits few;
  few.max_values = 3;
  std::vector<row> rows;
  for (int i = 0; i < 5; ++i) rows.push_back(make_row({{"x", value{double(i)}}}));
  for (const char* fn : {"median(x)", "p50(x)", "mode(x)", "dc(x)", "values(x)"}) {
    auto q = parse(std::string{"* | stats "} + fn);
    auto out = apply_command(q.commands[0], rows, few, std::nullopt, std::nullopt);
    REQUIRE(!out.has_value());
    CHECK(out.err().code() == errc::invalid_argument);
    CHECK(out.err().message().find("max_values") != std::string::npos);
  }
  auto q = parse("* | stats dc(x)");
  auto out = apply_command(q.commands[0], rows, few, std::nullopt, std::nullopt);
  CHECK(out.err().message().find("estdc") != std::string::npos);
  // Repeated numbers are counted, not kept again: 3 distinct numbers fit.
  std::vector<row> repeated;
  for (int i = 0; i < 30; ++i) repeated.push_back(make_row({{"x", value{double(i % 3)}}}));
  auto ok = apply_command(parse("* | stats median(x) as m, estdc(x) as e").commands[0], repeated,
                          few, std::nullopt, std::nullopt);
  REQUIRE(ok.has_value());
  CHECK(num((*ok)[0], "m") == 1);
}

TEST_CASE(
    "aggregations: the estdc sketch is exact while small, close when large, and merges exactly") {
  hyperloglog small;
  for (int i = 0; i < 1000; ++i) small.add(std::to_string(i % 700));
  CHECK(small.estimate() == 700);
  for (int n : {5'000, 50'000, 300'000}) {
    hyperloglog whole, left, right;
    for (int i = 0; i < n; ++i) {
      auto s = "user" + std::to_string(i);
      whole.add(s);
      (i % 3 ? left : right).add(s);
      if (i % 5 == 0) left.add(s);  // repeats change nothing
    }
    CAPTURE(n);
    CHECK(std::abs(whole.estimate() - n) / n < 0.03);  // standard error 0.8%
    left.merge(right);
    CHECK(left == whole);
    std::string bytes;
    whole.encode(bytes);
    std::string_view in = bytes;
    auto back = hyperloglog::decode(in);
    REQUIRE(back.has_value());
    CHECK(in.empty());
    CHECK(*back == whole);
  }
  std::string bad{'\x02'};
  bad += std::string(hyperloglog::registers, '\x40');
  std::string_view in = bad;
  CHECK(hyperloglog::decode(in).err().message().find("register out of range") != std::string::npos);
}

TEST_CASE("aggregations: timechart limit keeps the top series and sums the rest into OTHER") {
  std::vector<row> rows;
  auto add = [&](const char* host, int n, double bytes) {
    for (int i = 0; i < n; ++i)
      rows.push_back(make_row(
          {{"_time", value{double(t0 / us_per_sec)}}, {"host", value{host}}, {"b", value{bytes}}}));
  };
  add("a", 5, 1);
  add("b", 3, 2);
  add("c", 1, 10);
  add("d", 2, 20);
  auto top2 = run("* | timechart span=1h limit=2 count by host", rows);
  REQUIRE(top2.size() == 1);
  CHECK(num(top2[0], "a") == 5);
  CHECK(num(top2[0], "b") == 3);
  CHECK(num(top2[0], "OTHER") == 3);
  CHECK(!top2[0].get("c"));
  auto no_other = run("* | timechart span=1h count by host limit=2 useother=f", rows);
  CHECK(!no_other[0].get("OTHER"));
  CHECK(no_other[0].fields().size() == 3);  // _time a b
  // OTHER of avg is the average over the other rows, not a sum of averages.
  auto avg = run("* | timechart span=1h limit=1 avg(b) by host", rows);
  CHECK(num(avg[0], "d") == 20);  // the largest average
  CHECK(num(avg[0], "OTHER") == doctest::Approx((5 * 1 + 3 * 2 + 10) / 9.0));
  auto all = run("* | timechart span=1h limit=0 count by host", rows);
  CHECK(all[0].fields().size() == 5);
  // Several aggregations with by: "<aggregation>: <series>" columns.
  auto two = run("* | timechart span=1h limit=1 count, max(b) as mb by host", rows);
  CHECK(num(two[0], "count: a") == 5);
  CHECK(num(two[0], "count: OTHER") == 6);
  CHECK(num(two[0], "mb: a") == 1);
  CHECK(num(two[0], "mb: OTHER") == 20);
  // Splunk's default limit is 10.
  std::vector<row> wide;
  for (int i = 0; i < 12; ++i)
    for (int k = 0; k <= i; ++k)
      wide.push_back(make_row(
          {{"_time", value{double(t0 / us_per_sec)}}, {"host", value{"h" + std::to_string(i)}}}));
  auto ten = run("* | timechart span=1h count by host", wide);
  CHECK(ten[0].fields().size() == 12);  // _time, 10 series, OTHER
  CHECK(num(ten[0], "OTHER") == 1 + 2);
}
