// Segmentation into major and minor terms.
#include "core/text/segmenter.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

using namespace kura;

namespace {
std::vector<std::string> terms(std::string_view raw) {
  std::vector<std::string> out;
  std::string scratch;
  segmenter::for_each_term(raw, scratch, [&](std::string_view t) { out.emplace_back(t); });
  return out;
}
}  // namespace

TEST_CASE("segmenter: an IP address is indexed whole and by its parts") {
  auto t = terms("from 10.0.0.5 port 22");
  std::set<std::string> s(t.begin(), t.end());
  for (auto* want : {"from", "10.0.0.5", "10", "0", "5", "port", "22"}) CHECK(s.count(want));
}

TEST_CASE("segmenter: terms are lowercased and major breakers split segments") {
  auto t = terms("User=Alice [ERROR] (disk;full),\"quoted\"|x");
  std::set<std::string> s(t.begin(), t.end());
  for (auto* want : {"user=alice", "user", "alice", "error", "disk", "full", "quoted", "x"}) CHECK(s.count(want));
  CHECK(!s.count("User"));
  CHECK(!s.count("[error]"));
}

TEST_CASE("segmenter: minor breakers at the ends are trimmed and empty input gives nothing") {
  auto t = terms("--verbose. /var/log/");
  std::set<std::string> s(t.begin(), t.end());
  CHECK(s.count("verbose"));
  CHECK(s.count("var/log"));
  CHECK(s.count("var"));
  CHECK(s.count("log"));
  CHECK(terms("").empty());
  CHECK(terms("  \t\n ").empty());
}

TEST_CASE("segmenter: over-long segments contribute only their parts") {
  std::string longword(300, 'a');
  auto t = terms(longword + ".b");
  std::set<std::string> s(t.begin(), t.end());
  CHECK(s.count("b"));
  CHECK(!s.count(longword + ".b"));
}
