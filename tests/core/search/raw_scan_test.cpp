// The raw-text prefilter: the literals it requires, its search, and that
// searches using it give exactly the events the data holds.
#include "core/search/raw_scan.hpp"

#include <doctest/doctest.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <random>

#include "search/search_fixture.hpp"

using namespace kura;
using namespace kura::search;

namespace {

std::string lowered(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c | 0x20);
  return s;
}

}  // namespace

TEST_CASE("raw scan: the literal a regex requires") {
  CHECK(required_regex_literal(R"( 5\d\d )") == " 5");
  CHECK(required_regex_literal(R"(HTTP/1\.1" (?<status>\d{3}) )") == "http/1.1\" ");
  CHECK(required_regex_literal("ERROR") == "error");
  CHECK(required_regex_literal("colou?r") == "colo");
  CHECK(required_regex_literal("ab{0,2}cd") == "cd");
  CHECK(required_regex_literal("abc{2}") == "abc");
  CHECK(required_regex_literal("[abc]+defg") == "defg");
  CHECK(required_regex_literal("foo\\d+bar") == "foo");
  CHECK(required_regex_literal("a.*bcd$") == "bcd");
  CHECK(required_regex_literal("x\\x41yz") == "x");
  // Nothing provable: alternatives, Unicode case folding, quoting.
  CHECK(required_regex_literal("error|warn") == "");
  CHECK(required_regex_literal("(?i)error") == "");
  CHECK(required_regex_literal("\\Qa.b\\E") == "");
  CHECK(required_regex_literal("(error|warn)") == "");
}

TEST_CASE("raw scan: whenever a regex matches, the text holds its literal") {
  // Random patterns from pieces of regex syntax against random texts.
  std::mt19937 rng(7);
  const char* pieces[] = {"a",    "b",  "c",  "A",   " ",     "5",       ".",   "\\d",   "\\.",
                          "[ab]", "x?", "y*", "z+",  "(a|b)", "(?:cd)?", "{2}", "{0,1}", "\\s",
                          "-",    "^",  "$",  "\\b", "|",     "(?i)",    "e"};
  const char alphabet[] = "abcABCxyz5 .-e";
  int checked = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string pattern;
    for (int k = 0, n = 1 + int(rng() % 6); k < n; ++k)
      pattern += pieces[rng() % std::size(pieces)];
    RE2 re(pattern, RE2::Quiet);
    if (!re.ok()) continue;
    auto literal = required_regex_literal(pattern);
    for (int t = 0; t < 20; ++t) {
      std::string text;
      for (int k = 0, n = int(rng() % 12); k < n; ++k)
        text += alphabet[rng() % (std::size(alphabet) - 1)];
      if (!RE2::PartialMatch(text, re)) continue;
      ++checked;
      INFO("pattern " << pattern << " text '" << text << "' literal '" << literal << "'");
      CHECK(lowered(text).find(literal) != std::string::npos);
    }
  }
  CHECK(checked > 1000);
}

TEST_CASE("raw scan: find_folded finds what a lowercase find finds") {
  std::mt19937 rng(11);
  const char alphabet[] = "aAbB 4/\"";
  for (int i = 0; i < 20000; ++i) {
    std::string text, needle;
    for (int k = 0, n = int(rng() % 70); k < n; ++k)
      text += alphabet[rng() % (std::size(alphabet) - 1)];
    for (int k = 0, n = 1 + int(rng() % 4); k < n; ++k)
      needle += alphabet[rng() % (std::size(alphabet) - 1)];
    needle = lowered(needle);
    size_t from = text.empty() ? 0 : rng() % text.size();
    INFO("text '" << text << "' needle '" << needle << "' from " << from);
    CHECK(find_folded(text, needle, from) == lowered(text).find(needle, from));
  }
}

TEST_CASE("raw scan: phrase and regex searches count exactly what the events hold") {
  // More events than one scan chunk, in a warm bucket and a hot one; the
  // literal also sits where it must not count: in host, source and across
  // the end of one _raw and the start of the next record.
  testing::search_fixture f;
  const time_us t0 = testing::search_fixture::t0;
  std::vector<std::string> raws;
  uint64_t want_404 = 0, want_5xx = 0, want_timeout = 0;
  std::mt19937 rng(3);
  for (int i = 0; i < 150000; ++i) {
    int status = std::array{200, 404, 500, 503, 302}[rng() % 5];
    bool timeout = rng() % 7 == 0;
    std::string raw = "GET /x" + std::to_string(i % 977) + " " + std::to_string(status) + " " +
                      (timeout ? (i % 2 ? "TimeOut" : "timeout") : "ok") +
                      (i % 11 == 0 ? " 40" : "");
    want_404 += status == 404;
    want_5xx += status / 100 == 5;
    want_timeout += timeout;
    raws.push_back(std::move(raw));
  }
  auto add = [&](size_t from, size_t to) {
    std::vector<event_view> batch;
    for (size_t i = from; i < to; ++i)
      batch.push_back({t0 + time_us(i),
                       i % 3 ? "web 404 host" : "web",
                       "/log/ 503 timeout",
                       "plain",
                       raws[i],
                       {}});
    f.add("main", batch);
  };
  add(0, 100000);
  REQUIRE(!f.st->roll_hot_buckets("main"));
  add(100000, raws.size());
  auto count = [&](const std::string& q) {
    auto rows = f.run(q);
    REQUIRE(rows.size() == 1);
    return uint64_t(testing::num(rows[0], "count"));
  };
  CHECK(count("\" 404 \" | stats count") == want_404);
  CHECK(count("* | regex _raw=\" 5\\d\\d \" | stats count") == want_5xx);
  CHECK(count("* | regex _raw=\"\\d (?i)TIMEOUT\" | stats count") == want_timeout);
  CHECK(count("timeout | stats count") == want_timeout);
  CHECK(count("\"0 timeout\" | regex _raw=\" 404 \" | stats count") == 0);
  // Event results go through the same scan.
  CHECK(f.run("\" 503 timeout\" | head 100000").size() ==
        size_t(std::count_if(raws.begin(), raws.end(), [](auto& r) {
          return lowered(r).find(" 503 timeout") != std::string::npos;
        })));
}
