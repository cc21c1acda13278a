// The channel ledger: what it remembers, across restarts, and its damaged files.
#include "core/ingest/channel_ledger.hpp"

#include <doctest/doctest.h>

#include "core/testing.hpp"

using namespace kura;

TEST_CASE("ledger: stored sequence numbers are remembered, gaps stay open") {
  testing::temp_dir dir;
  auto l = channel_ledger::open(dir / "ledger");
  REQUIRE(l.has_value());
  for (uint64_t s : {1, 2, 4, 7}) l->record("fwd1 app.log", s);
  CHECK(l->contains("fwd1 app.log", 1));
  CHECK(l->contains("fwd1 app.log", 4));
  CHECK(!l->contains("fwd1 app.log", 3));  // never stored: a resend must be stored
  CHECK(!l->contains("fwd1 app.log", 5));
  CHECK(!l->contains("other", 1));
  l->record("fwd1 app.log", 3);
  CHECK(l->contains("fwd1 app.log", 3));
}

TEST_CASE("ledger: survives a restart, and a damaged file is reported, not trusted") {
  testing::temp_dir dir;
  {
    auto l = channel_ledger::open(dir / "ledger");
    REQUIRE(l.has_value());
    for (uint64_t s = 1; s <= 100; ++s) l->record("a", s);
    l->record("a", 150);
    l->record("b c", 1);
    REQUIRE(!l->save());
  }
  auto l = channel_ledger::open(dir / "ledger");
  REQUIRE(l.has_value());
  CHECK(l->channels() == 2);
  CHECK(l->contains("a", 100));
  CHECK(l->contains("a", 150));
  CHECK(!l->contains("a", 120));
  CHECK(l->contains("b c", 1));
  auto text = testing::slurp(dir / "ledger");
  for (size_t at = 0; at < text.size(); ++at) {
    auto bad = text;
    bad[at] = bad[at] == '7' ? '8' : '7';
    testing::spit(dir / "ledger", bad);
    CHECK_MESSAGE(channel_ledger::open(dir / "ledger").err().code() == errc::corruption, at);
  }
}

TEST_CASE("ledger: memory is bounded, forgetting only ever allows a duplicate") {
  testing::temp_dir dir;
  auto l = channel_ledger::open(dir / "ledger");
  for (uint64_t s = 2; s < 2 + channel_ledger::max_above + 50; ++s) l->record("a", s);
  CHECK(l->contains("a", 2));
  CHECK(!l->contains("a", 1));
  CHECK(!l->contains("a", 2 + channel_ledger::max_above + 10));  // forgotten: may be stored again
}
