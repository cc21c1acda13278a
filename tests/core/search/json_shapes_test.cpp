// JSON field extraction over a run of documents whose shapes change from one
// to the next (the extractor predicts each document's names from the one
// before), with hand-written expected fields: reordered, missing, repeated
// and new names, more names than a linear scan takes, arrays of objects of
// varying keys, the names a search reads, and integers at the ends of their
// ranges.
#include <doctest/doctest.h>

#include <set>

#include "core/search/json_fields.hpp"
#include "search/search_fixture.hpp"

using namespace kura;
using namespace kura::search;

namespace {

using testing::names;
using testing::str;
using strings = std::vector<std::string>;

strings items(const row& r, const std::string& f) {
  auto* v = r.get(f);
  return v ? v->items() : strings{};
}

row fields_of(std::string_view raw) {
  row r;
  extract_json_fields(raw, r);
  return r;
}

/// {"<prefix>0":"0",…} with the numbers in `order`.
std::string numbered(const std::string& prefix, const std::vector<int>& order) {
  std::string s = "{";
  for (int k : order) {
    if (s.size() > 1) s += ',';
    s += "\"" + prefix + std::to_string(k) + "\":\"" + std::to_string(k) + "\"";
  }
  return s + "}";
}

}  // namespace

TEST_CASE("json fields: each document of a run gets its own names, whatever the one before had") {
  auto r = fields_of(R"({"a":"1","b":"2","c":"3"})");
  CHECK(names(r) == strings{"a", "b", "c"});
  r = fields_of(R"({"a":"1","c":"3","b":"2"})");
  CHECK(names(r) == strings{"a", "c", "b"});
  CHECK(str(r, "b") == "2");
  r = fields_of(R"({"b":"x","a":"y"})");
  CHECK(names(r) == strings{"b", "a"});
  CHECK(str(r, "a") == "y");
  r = fields_of(R"({"b":"x","a":"y","b":"z"})");  // a name again after another one
  CHECK(names(r) == strings{"b", "a"});
  CHECK(items(r, "b") == strings{"x", "z"});
  r = fields_of(R"({"b":"x","a":"y","b":"z"})");  // the same shape again
  CHECK(items(r, "b") == strings{"x", "z"});
  CHECK(str(r, "a") == "y");
  r = fields_of(R"({"a":[1,2],"c":{"d":true},"a":3})");
  CHECK(names(r) == strings{"a{}", "c.d", "a"});
  CHECK(items(r, "a{}") == strings{"1", "2"});
  CHECK(str(r, "a") == "3");
  r = fields_of(R"({"c":{"d":false}})");
  CHECK(names(r) == strings{"c.d"});
  CHECK(str(r, "c.d") == "false");
  r = fields_of(R"({"a":"1","b":"2","c":"3"})");
  r = fields_of(R"({"c":"1","x":"2","c":"3"})");  // a name the one before had further on
  CHECK(names(r) == strings{"c", "x"});
  CHECK(items(r, "c") == strings{"1", "3"});
  r = fields_of(R"({"":"e","a":"1"})");  // an empty key names no field
  CHECK(names(r) == strings{"a"});
  r = fields_of("{}");
  CHECK(r.fields().empty());
  r = fields_of(R"({"a":"1","b":"2","c":"3"})");
  CHECK(names(r) == strings{"a", "b", "c"});
}

TEST_CASE("json fields: arrays of objects whose elements have different keys, run after run") {
  for (int round = 0; round < 3; ++round) {
    auto r = fields_of(R"({"items":[{"x":1,"y":2},{"y":3,"x":4},{"z":5}],"n":"w"})");
    CHECK(names(r) == strings{"items{}.x", "items{}.y", "items{}.z", "n"});
    CHECK(items(r, "items{}.x") == strings{"1", "4"});
    CHECK(items(r, "items{}.y") == strings{"2", "3"});
    CHECK(str(r, "items{}.z") == "5");
    r = fields_of(R"({"items":[{"z":6},{"x":7}],"items":[{"x":8}]})");
    CHECK(names(r) == strings{"items{}.z", "items{}.x"});
    CHECK(items(r, "items{}.x") == strings{"7", "8"});
  }
}

TEST_CASE("json fields: documents with more names than a linear scan takes, in changing orders") {
  std::vector<int> up, down;
  for (int k = 0; k < 40; ++k) up.push_back(k);
  down.assign(up.rbegin(), up.rend());
  auto with_repeat = up;
  with_repeat.push_back(5);
  with_repeat.push_back(39);
  for (auto* order : {&up, &down, &with_repeat, &up, &up}) {
    auto r = fields_of(numbered("k", *order));
    REQUIRE(r.fields().size() == 40);
    for (size_t i = 0; i < 40; ++i) {
      std::string want = "k";
      want += std::to_string((*order)[i]);
      CHECK(r.fields()[i].first == want);
    }
    CHECK(items(r, "k5") == (order == &with_repeat ? strings{"5", "5"} : strings{"5"}));
    CHECK(items(r, "k39") == (order == &with_repeat ? strings{"39", "39"} : strings{"39"}));
  }
}

TEST_CASE("json fields: only the names a search reads, fields the row has are kept") {
  std::string doc = R"({"geo":{"country":"JP"},"latency_ms":1.50,"x":1,"user":"bob"})";
  std::set<std::string> wanted{"latency_ms", "geo.country", "user"};
  for (int round = 0; round < 2; ++round) {
    row r;
    r.add("user", value{"kept"});
    CHECK(try_extract_json_fields(doc, r, &wanted));
    CHECK(names(r) == strings{"user", "geo.country", "latency_ms"});
    CHECK(str(r, "latency_ms") == "1.50");
    CHECK(str(r, "user") == "kept");
  }
  std::set<std::string> many{"latency_ms", "x", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"};
  row r;
  CHECK(try_extract_json_fields(doc, r, &many));
  CHECK(names(r) == strings{"latency_ms", "x"});
  std::set<std::string> none;
  row empty;
  CHECK(try_extract_json_fields(doc, empty, &none));
  CHECK(empty.fields().empty());
}

TEST_CASE("json fields: integers at the ends of their ranges keep their text") {
  auto r = fields_of(
      R"({"max":18446744073709551615,"min":-9223372036854775808,"i":9223372036854775807,"z":0,"n":-17})");
  CHECK(str(r, "max") == "18446744073709551615");
  CHECK(str(r, "min") == "-9223372036854775808");
  CHECK(str(r, "i") == "9223372036854775807");
  CHECK(str(r, "z") == "0");
  CHECK(str(r, "n") == "-17");
}
