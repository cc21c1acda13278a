// The column layout of journal slices: exact round trips of any record bytes, and damaged
// column payloads refused (never a crash, never bytes read outside the payload).
#include "core/journal/columns.hpp"

#include <doctest/doctest.h>

#include <random>

#include "core/journal/journal_format.hpp"
#include "core/util/coding.hpp"

using namespace kura;
namespace jc = kura::journal_columns;

namespace {

/// A record in the row layout, in its three parts: the bytes before `raw` (flags, time,
/// host, source, sourcetype), `raw` and the field bytes.
struct record {
  std::string head, raw, fields;
};

struct sample {
  std::string rows;  // the records back to back (FORMAT.md "Record")
  std::vector<record> records;
};

void add(sample& s, record r) {
  s.rows += r.head;
  coding::put_string(s.rows, r.raw);
  s.rows += r.fields;
  s.records.push_back(std::move(r));
}

/// `raw` alone in a record with all metadata.
sample one(std::string_view raw) {
  sample s;
  add(s, {std::string{"\x07\x00\x01h\x01s\x02st", 9}, std::string{raw}, ""});
  return s;
}

/// `n` records written here from the format's description: random flags (all metadata
/// in the first), times, fields, and `_raw`s drawn from characters that matter to the
/// tokenizer (spaces, quotes, brackets) and some that do not (newlines, NUL, high
/// bytes), from empty to longer than 16 tokens.
sample random_records(uint32_t n, unsigned seed) {
  std::mt19937 rng(seed);
  const char alphabet[] = {'a', 'b', '7', ' ', ' ', ' ', '"', '[', ']', '\n', '\0', '\xff', '-'};
  auto text = [&](size_t max) {
    std::string s(rng() % (max + 1), ' ');
    for (auto& c : s) c = alphabet[rng() % sizeof alphabet];
    return s;
  };
  sample s;
  for (uint32_t i = 0; i < n; ++i) {
    record r;
    uint8_t flags = i == 0 ? 7 : uint8_t(rng() % 16);
    r.head.push_back(char(flags));
    coding::put_varint(r.head, coding::zigzag(int64_t(rng() % 2000) - 1000));
    for (uint8_t f : {1, 2, 4})
      if (flags & f) coding::put_string(r.head, text(6));
    r.raw = text(i % 10 == 0 ? 400 : 60);
    if (flags & 8) {
      uint32_t count = rng() % 3;
      coding::put_varint(r.fields, count);
      for (uint32_t k = 0; k < count; ++k) {
        coding::put_string(r.fields, text(5));
        coding::put_string(r.fields, text(5));
      }
    }
    add(s, std::move(r));
  }
  return s;
}

/// The column layout of `s`, taken apart, gives every record back: each `_raw`, and in the
/// metadata each record without its raw. Returns the records' token counts (the stream
/// after the metadata, FORMAT.md).
std::vector<uint64_t> round_trip(const sample& s) {
  uint32_t n = uint32_t(s.records.size());
  std::string columns, raws;
  REQUIRE(!jc::from_rows(s.rows, n, columns));
  std::string_view meta;
  std::vector<uint32_t> ends;
  auto err = jc::take_apart(columns, n, meta, raws, ends);
  REQUIRE_MESSAGE(!err, err.render());
  REQUIRE(ends.size() == n);
  std::string expect_meta;
  for (uint32_t i = 0; i < n; ++i) {
    auto& r = s.records[i];
    uint32_t begin = i ? ends[i - 1] : 0;
    CHECK(std::string_view{raws}.substr(begin, ends[i] - begin) == r.raw);
    expect_meta += r.head + r.fields;
  }
  CHECK(meta == expect_meta);
  CHECK(raws.size() == ends.back());
  // The stream table: 33 varints, then the metadata, then one count byte per record.
  coding::reader table{columns};
  for (int i = 0; i < 33; ++i) {
    uint64_t size;
    REQUIRE(table.varint(size));
  }
  size_t counts_at = columns.size() - table.remaining() + meta.size();
  std::vector<uint64_t> counts;
  for (uint32_t i = 0; i < n; ++i) counts.push_back(uint8_t(columns[counts_at + i]));
  return counts;
}

}  // namespace

TEST_CASE("journal columns: any records come back byte for byte") {
  for (unsigned seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    for (auto tokens : round_trip(random_records(1 + seed * 7, seed))) {
      CHECK(tokens >= 1);
      CHECK(tokens <= jc::max_tokens);
    }
  }
  // Token counts by the rule (FORMAT.md): a space ends a token, a quote or bracket that
  // opens one runs to its close first, the 16th token is the rest.
  for (auto [raw, tokens] : std::initializer_list<std::pair<std::string_view, uint64_t>>{
           {"", 1},
           {" ", 2},
           {"  ", 3},
           {"a ", 2},
           {" a", 2},
           {"a  b", 3},
           {"\"", 1},
           {"[", 1},
           {"\"a b\"c d", 2},
           {"[x y]z w", 2},
           {"\"unclosed quote", 1},
           {"a b c d e f g h i j k l m n o p q r s", 16}}) {
    CAPTURE(raw);
    CHECK(round_trip(one(raw)) == std::vector<uint64_t>{tokens});
  }
}

TEST_CASE("journal columns: the layout of one record matches the golden bytes (FORMAT.md)") {
  std::string columns;
  REQUIRE(!jc::from_rows(one("hi").rows, 1, columns));
  // The stream table (metadata 9 bytes; column 0: lengths 1 byte, text 2; 15 empty
  // columns), the metadata (the row record without its raw), the token counts (1), then
  // column 0: "\x02" and "hi".
  CHECK(columns == "\x09\x01\x02" + std::string(30, '\0') +
                       std::string("\x07\x00\x01h\x01s\x02st", 9) + "\x01\x02hi");
}

TEST_CASE("journal columns: the n-th tokens of the records share a column") {
  // Apache-like lines: the bracketed time and the quoted request stay whole tokens.
  sample s = one(R"(10.0.0.1 - - [29/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200)");
  add(s, one(R"(10.0.0.2 - bob [29/Nov/2026:00:00:01 +0000] "POST /a HTTP/1.1" 404)").records[0]);
  std::string columns;
  REQUIRE(!jc::from_rows(s.rows, 2, columns));
  CHECK(columns.find("10.0.0.110.0.0.2") != std::string::npos);
  CHECK(columns.find("[29/Nov/2026:00:00:00 +0000][29/Nov/2026:00:00:01 +0000]") !=
        std::string::npos);
  CHECK(columns.find(R"("GET / HTTP/1.1""POST /a HTTP/1.1")") != std::string::npos);
  CHECK(columns.find("200404") != std::string::npos);
}

TEST_CASE("journal columns: a count that does not match the records is refused") {
  auto s = random_records(20, 3);
  std::string columns, raws;
  std::string_view meta;
  std::vector<uint32_t> ends;
  CHECK(jc::from_rows(s.rows, 21, columns).code() == errc::corruption);
  columns.clear();
  CHECK(jc::from_rows(s.rows, 19, columns).code() == errc::corruption);
  columns.clear();
  REQUIRE(!jc::from_rows(s.rows, 20, columns));
  CHECK(jc::take_apart(columns, 21, meta, raws, ends).code() == errc::corruption);
  auto err = jc::take_apart(columns, 19, meta, raws, ends);
  CHECK(err.code() == errc::corruption);
  CHECK(err.message().find("journal columns: ") == 0);
}

TEST_CASE("journal columns: a truncated or flipped payload is refused or decodes, never crashes") {
  auto s = random_records(30, 5);
  std::string columns, raws;
  std::string_view meta;
  std::vector<uint32_t> ends;
  REQUIRE(!jc::from_rows(s.rows, 30, columns));
  for (size_t keep = 0; keep < columns.size(); ++keep)
    CHECK(jc::take_apart(std::string_view{columns}.substr(0, keep), 30, meta, raws, ends).code() ==
          errc::corruption);
  size_t refused = 0;
  for (size_t at = 0; at < columns.size(); ++at) {
    for (uint8_t mask : {0x01, 0x80}) {
      auto bad = columns;
      bad[at] = char(bad[at] ^ mask);
      // Bytes in a text column may change into other bytes; structure may not be broken.
      if (jc::take_apart(bad, 30, meta, raws, ends)) {
        ++refused;
      } else {
        REQUIRE(ends.size() == 30);
        CHECK(ends.back() == raws.size());
      }
    }
  }
  CHECK(refused > 0);
}
