// A peer's primacy per generation (clustering.md §5.4, §6).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/cluster/bucket_table.hpp"
#include "core/cluster/generation.hpp"

using namespace kura;
using namespace kura::cluster;

namespace {

bucket_key key(const std::string& origin, uint64_t id) {
  return bucket_key{"main", bucket_id{id}, origin};
}

}  // namespace

TEST_CASE("primacy book: with no generation recorded only originals are primary") {
  primacy_book book;
  CHECK(book.newest() == 0);
  CHECK(book.is_primary(key("A", 1), 1, "A"));
  CHECK(book.is_primary(key("A", 1), 99, "A"));
  CHECK_FALSE(book.is_primary(key("B", 1), 1, "A"));
}

TEST_CASE("primacy book: demoted originals and promoted copies follow the generation asked for") {
  primacy_book book;
  auto a1 = key("A", 1), a2 = key("A", 2), b1 = key("B", 1), c1 = key("C", 1);
  book.record(4, {});
  book.record(5, primacy_exceptions{{a1}, {b1}});
  book.record(6, primacy_exceptions{{a1, a2}, {}});
  CHECK(book.newest() == 6);
  CHECK(book.generations() == std::vector<uint64_t>{4, 5, 6});
  // Generation 4: originals only.
  CHECK(book.is_primary(a1, 4, "A"));
  CHECK(book.is_primary(a2, 4, "A"));
  CHECK_FALSE(book.is_primary(b1, 4, "A"));
  // Generation 5: a1 demoted, b1 promoted here.
  CHECK_FALSE(book.is_primary(a1, 5, "A"));
  CHECK(book.is_primary(a2, 5, "A"));
  CHECK(book.is_primary(b1, 5, "A"));
  CHECK_FALSE(book.is_primary(c1, 5, "A"));
  // Generation 6: both originals demoted, b1 no longer promoted.
  CHECK_FALSE(book.is_primary(a1, 6, "A"));
  CHECK_FALSE(book.is_primary(a2, 6, "A"));
  CHECK_FALSE(book.is_primary(b1, 6, "A"));
  // A later announcement for the same generation replaces the earlier one.
  book.record(6, primacy_exceptions{{}, {c1}});
  CHECK(book.is_primary(a1, 6, "A"));
  CHECK(book.is_primary(c1, 6, "A"));
}

TEST_CASE("primacy book: an unknown generation uses the newest older one it knows") {
  primacy_book book;
  auto a1 = key("A", 1), b1 = key("B", 1);
  book.record(10, primacy_exceptions{{a1}, {b1}});
  book.record(20, {});
  // 15 was never heard of: 10 answers. 25 is newer than all: 20 answers.
  CHECK_FALSE(book.is_primary(a1, 15, "A"));
  CHECK(book.is_primary(b1, 15, "A"));
  CHECK(book.is_primary(a1, 25, "A"));
  CHECK_FALSE(book.is_primary(b1, 25, "A"));
  // Older than anything recorded: originals only.
  CHECK(book.is_primary(a1, 9, "A"));
  CHECK_FALSE(book.is_primary(b1, 9, "A"));
}

TEST_CASE("primacy book: at most the last 16 generations are kept") {
  primacy_book book;
  auto a1 = key("A", 1);
  for (uint64_t g = 1; g <= 20; ++g) book.record(g, primacy_exceptions{{a1}, {}});
  auto kept = book.generations();
  REQUIRE(kept.size() == 16);
  CHECK(kept.front() == 5);
  CHECK(kept.back() == 20);
  CHECK_FALSE(book.is_primary(a1, 5, "A"));
  CHECK(book.is_primary(a1, 4, "A"));  // dropped: originals only
  // An announcement older than everything kept in a full book is not kept.
  book.record(2, primacy_exceptions{{}, {}});
  CHECK(book.generations().front() == 5);
  CHECK(book.generations().size() == 16);
  primacy_book small(2);
  small.record(1, {});
  small.record(2, {});
  small.record(3, {});
  CHECK(small.generations() == std::vector<uint64_t>{2, 3});
}

TEST_CASE("primacy book: the exceptions of each generation give every peer the table's primaries") {
  bucket_table table;
  const std::vector<std::string> peers{"A", "B", "C", "D"};
  std::map<std::string, primacy_book> books;
  auto announce = [&](uint64_t g) {
    for (const auto& p : peers) books[p].record(g, table.primary_exceptions(p));
  };
  // Every check: each copy on each peer is primary in its book iff the table says so.
  auto agree = [&](uint64_t g) {
    for (const auto& r : table.snapshot())
      for (const auto& c : r.copies)
        CHECK_MESSAGE(books[c.peer].is_primary(r.key, g, c.peer) == c.primary,
                      r.key.to_string() << " on " << c.peer << " in " << g);
  };
  uint64_t g1 = table.new_generation({"A", "B", "C", "D"});
  announce(g1);
  uint64_t id = 0;
  for (const auto& origin : peers) {
    for (int i = 0; i < 3; ++i) {
      bucket_key k{"main", bucket_id{++id}, origin};
      table.add_copy(k, origin, true, bucket_state_kind::hot);
      // Targets: two of the other three peers, the first searchable.
      size_t at = std::find(peers.begin(), peers.end(), origin) - peers.begin();
      table.add_copy(k, peers[(at + 1 + i) % 4], true, bucket_state_kind::hot);
      table.add_copy(k, peers[(at + 1 + (i + 1) % 3) % 4], false, bucket_state_kind::hot);
      table.set_state(k, bucket_state_kind::warm, 100, 10);
      auto rolled = *table.find(k);
      for (const auto& c : rolled.copies)  // rolled: each peer confirms its copy
        table.add_copy(k, c.peer, c.searchable, bucket_state_kind::warm);
    }
  }
  agree(g1);  // new hot buckets: no announcement needed
  table.remove_peer("A");
  uint64_t g2 = table.new_generation({"B", "C", "D"});
  announce(g2);
  agree(g2);
  auto in_g2 = table.snapshot();
  table.remove_peer("C");
  uint64_t g3 = table.new_generation({"B", "D"});
  announce(g3);
  agree(g3);
  CHECK(g3 == g2 + 1);
  // A search still running in generation 2 keeps that generation's primaries on B and D.
  size_t moved = 0;
  for (const auto& r : in_g2) {
    for (const auto& c : r.copies) {
      if (c.peer != "B" && c.peer != "D") continue;
      CHECK(books[c.peer].is_primary(r.key, g2, c.peer) == c.primary);
      if (books[c.peer].is_primary(r.key, g3, c.peer) != c.primary) ++moved;
    }
  }
  CHECK(moved > 0);  // C's primaries moved to B or D in generation 3
}
