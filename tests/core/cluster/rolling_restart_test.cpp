// Waves of a rolling restart: sizes, waiting for a wave, peers that may not
// be away together, lost peers.
#include "core/cluster/rolling_restart.hpp"

#include <doctest/doctest.h>

using kura::cluster::rolling_restart;

namespace {
const rolling_restart::fits_fn any = [](const std::vector<std::string>&) { return true; };
}

TEST_CASE(
    "rolling restart: 10 % of fewer than 10 peers is one at a time, a wave waits for its peers") {
  rolling_restart r{{"a", "b", "c"}, 10};
  CHECK(r.wave_size() == 1);
  CHECK(r.next_orders(any) == std::vector<std::string>{"a"});
  CHECK(r.next_orders(any).empty());  // a has not gone and come back
  r.registered("a");                  // the old process's registration: not back yet
  CHECK(r.next_orders(any).empty());
  r.went_away("a");
  CHECK(r.next_orders(any).empty());
  r.registered("a");
  CHECK(r.restarted() == 1);
  CHECK(r.next_orders(any) == std::vector<std::string>{"b"});
  r.lost("b");  // Down: the wave does not wait for it
  CHECK(r.next_orders(any) == std::vector<std::string>{"c"});
  CHECK_FALSE(r.done());
  r.went_away("c");
  r.registered("c");
  CHECK(r.done());
  CHECK(r.restarted() == 2);
}

TEST_CASE("rolling restart: a wave takes only peers that fit together, the others come later") {
  rolling_restart r{{"a", "b", "c", "d"}, 50};
  CHECK(r.wave_size() == 2);
  // a and b hold every searchable copy of some bucket: never together.
  auto fits = [](const std::vector<std::string>& w) {
    bool a = false, b = false;
    for (auto& g : w) a |= g == "a", b |= g == "b";
    return !(a && b);
  };
  CHECK(r.next_orders(fits) == std::vector<std::string>{"a", "c"});
  for (auto* g : {"a", "c"}) {
    r.went_away(g);
    r.registered(g);
  }
  CHECK(r.next_orders(fits) == std::vector<std::string>{"b", "d"});
  for (auto* g : {"b", "d"}) {
    r.went_away(g);
    r.registered(g);
  }
  CHECK(r.done());
  CHECK(r.progress([](const std::string& g) { return g; }).rfind("4 of 4 peers restarted", 0) == 0);
}

TEST_CASE("rolling restart: no peers is done at once, percent is clamped") {
  rolling_restart none{{}, 10};
  CHECK(none.done());
  CHECK(none.next_orders(any).empty());
  rolling_restart all{{"a", "b"}, 500};
  CHECK(all.wave_size() == 2);
  CHECK(all.next_orders(any).size() == 2);
}
