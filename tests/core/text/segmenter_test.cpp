// Segmentation into major and minor terms.
#include "core/text/segmenter.hpp"

#include <doctest/doctest.h>

#include <random>
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

TEST_CASE("segmenter: every run between breakers and every trimmed major segment is a term") {
  // The search planner (predicate.cpp) relies on this: where a word occurs in
  // _raw bounded by breakers, each of its runs of non-breakers is a term of the
  // index, and TERM(x) is the term x. Checked on random text by a plain reading.
  const std::string alphabet = "aB1 .=-:/[],\"_*x";
  auto major = [](char c) { return std::string_view{" [],\"*"}.find(c) != std::string_view::npos; };
  auto minor = [](char c) { return std::string_view{".=-:/_"}.find(c) != std::string_view::npos; };
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string raw;
    size_t len = rng() % 24;
    for (size_t i = 0; i < len; ++i) raw += alphabet[rng() % alphabet.size()];
    auto got = terms(raw);
    std::set<std::string> emitted(got.begin(), got.end());
    std::string lower_raw = raw;
    for (auto& c : lower_raw) c = char(std::tolower(static_cast<unsigned char>(c)));
    CAPTURE(raw);
    std::string run, segment;
    for (size_t i = 0; i <= lower_raw.size(); ++i) {
      char c = i < lower_raw.size() ? lower_raw[i] : ' ';
      if (major(c) || minor(c)) {
        if (!run.empty()) CHECK(emitted.count(run));
        run.clear();
      } else {
        run += c;
      }
      if (major(c)) {
        size_t b = 0, e = segment.size();
        while (b < e && minor(segment[b])) ++b;
        while (e > b && minor(segment[e - 1])) --e;
        if (e > b) CHECK(emitted.count(segment.substr(b, e - b)));
        segment.clear();
      } else {
        segment += c;
      }
    }
  }
}
