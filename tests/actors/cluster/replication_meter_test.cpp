// Replication streams on a peer: bytes, rates over the window, ends.
#include "actors/cluster/replication_meter.hpp"

#include <doctest/doctest.h>

using kura::actors::replication_meter;
using dir = replication_meter::direction;
using namespace std::chrono_literals;

TEST_CASE("replication meter: a stream's bytes and its rate over the last 10 s") {
  replication_meter m;
  auto t0 = replication_meter::clock::time_point{} + 1000s;
  m.progress(dir::out, "main~1~G", "p2", 1'000'000, t0);
  m.progress(dir::out, "main~1~G", "p2", 3'000'000, t0 + 1s);
  m.progress(dir::out, "main~1~G", "p2", 5'000'000, t0 + 2s);
  auto s = m.streams(dir::out, t0 + 2s);
  REQUIRE(s.size() == 1);
  CHECK(s[0].bucket == "main~1~G");
  CHECK(s[0].peer == "p2");
  CHECK(s[0].bytes == 5'000'000);
  CHECK(s[0].bytes_per_sec == doctest::Approx(2'000'000));
  CHECK(m.streams(dir::in, t0 + 2s).empty());
  // Nothing moved for longer than the window: the rate falls to 0, the stream stays.
  auto idle = m.streams(dir::out, t0 + 30s);
  REQUIRE(idle.size() == 1);
  CHECK(idle[0].bytes_per_sec == 0);
  // Moving again: measured from the last sample before the window.
  m.progress(dir::out, "main~1~G", "p2", 6'000'000, t0 + 31s);
  CHECK(m.streams(dir::out, t0 + 31s)[0].bytes_per_sec == doctest::Approx(1'000'000.0 / 29));
}

TEST_CASE("replication meter: streams end by peer or all at once") {
  replication_meter m;
  auto t = replication_meter::clock::now();
  m.progress(dir::out, "b1", "p2", 10, t);
  m.progress(dir::out, "b1", "p3", 10, t);
  m.progress(dir::out, "b2", "p2", 10, t);
  m.progress(dir::in, "b1", "p4", 10, t);
  m.end(dir::out, "b1", "p3");
  CHECK(m.streams(dir::out, t).size() == 2);
  m.end(dir::out, "b1");
  auto left = m.streams(dir::out, t);
  REQUIRE(left.size() == 1);
  CHECK(left[0].bucket == "b2");
  CHECK(m.streams(dir::in, t).size() == 1);  // the other direction is untouched
}
