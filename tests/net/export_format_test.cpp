// Result output formats: JSON lines, CSV and raw.
#include "net/search/export_format.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace kura;
using namespace kura::exporting;
using search::row;
using search::value;

namespace {
row event(double t, const std::string& raw, const std::string& host) {
  row r;
  r.set("_time", value{t});
  r.set("host", value{host});
  r.set("_raw", value{raw});
  return r;
}
}  // namespace

TEST_CASE("export: JSON lines carry each result with _time in ISO 8601 with its offset") {
  result_writer w{format::json};
  auto line = w.write(event(1795350000.123, "GET \"/x\" 200", "web1"));
  auto j = nlohmann::json::parse(line);
  CHECK(j["result"]["_time"] == "2026-11-22T12:20:00.123+00:00");
  CHECK(j["result"]["_raw"] == "GET \"/x\" 200");
  CHECK(j["result"]["host"] == "web1");
  CHECK(line.back() == '\n');
  row multi;
  multi.set("codes", value::multi({"200", "404"}));
  CHECK(nlohmann::json::parse(w.write(multi))["result"]["codes"] == nlohmann::json::array({"200", "404"}));
  CHECK(w.finish().empty());
}

TEST_CASE("export: CSV learns its columns from the first rows and quotes per RFC 4180") {
  result_writer w{format::csv};
  std::string out = w.write(event(1795350000, "a,b", "web1"));
  row extra = event(1795350001, "say \"hi\"\nbye", "web2");
  extra.set("status", value{"200"});
  out += w.write(extra);
  CHECK(out.empty());  // held back until the columns are known
  out += w.finish();
  CHECK(out ==
        "_time,host,_raw,status\r\n"
        "2026-11-22T12:20:00.000+00:00,web1,\"a,b\",\r\n"
        "2026-11-22T12:20:01.000+00:00,web2,\"say \"\"hi\"\"\nbye\",200\r\n");
}

TEST_CASE("export: raw prints _raw per line, unknown formats are refused by name") {
  result_writer w{format::raw};
  CHECK(w.write(event(1, "line one", "h")) == "line one\n");
  row stats;
  stats.set("count", value{3.0});
  CHECK(w.write(stats).empty());
  CHECK(parse_format("xml").err().message() == "output mode \"xml\": expected json, csv, raw or table");
  CHECK(iso_time(0.9996) == "1970-01-01T00:00:01.000+00:00");
}

TEST_CASE("export: table prints events as raw lines and other rows as aligned columns") {
  result_writer events{format::table};
  search::row e;
  e.set("_time", search::value{1795350000.0});
  e.set("_raw", search::value{std::string{"GET /index.html 200"}});
  CHECK(events.write(e) == "GET /index.html 200\n");
  CHECK(events.finish().empty());

  result_writer stats{format::table};
  search::row a, b;
  a.set("status", search::value{std::string{"200"}});
  a.set("count", search::value{1234.0});
  b.set("status", search::value{std::string{"404"}});
  b.set("count", search::value{7.0});
  CHECK(stats.write(a).empty());
  CHECK(stats.write(b).empty());
  CHECK(stats.finish() == "status  count\n------  -----\n200     1234\n404     7\n");
}
