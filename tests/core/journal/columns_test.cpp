// The column layouts of journal slices: exact round trips of any record bytes in every
// column kind, and damaged column payloads refused (never a crash, never bytes read outside
// the payload).
#include "core/journal/columns.hpp"

#include <doctest/doctest.h>

#include <cstdio>
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

/// from_rows, checking that the stream starts it gives lie in `out`, in order.
error encode(std::string_view rows, uint32_t events, std::string& out) {
  std::vector<size_t> starts;
  jc::column_plan survey;
  auto err = jc::from_rows(rows, events, survey, out, starts);
  if (!err) {
    for (size_t i = 0; i < starts.size(); ++i) {
      CHECK(starts[i] < out.size());
      if (i > 0) CHECK(starts[i] > starts[i - 1]);
    }
  }
  return err;
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
  REQUIRE(!encode(s.rows, n, columns));
  std::string_view meta;
  std::vector<uint32_t> ends;
  auto err = jc::take_apart(columns, n, true, meta, raws, ends);
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
  // The stream table: 97 varints, then the metadata, then one count byte per record.
  coding::reader table{columns};
  for (int i = 0; i < 97; ++i) {
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
  REQUIRE(!encode(one("hi").rows, 1, columns));
  // The stream table (metadata 9 bytes; column 0: plain, lengths 1 byte, text 2, three
  // empty streams; 15 empty plain columns), the metadata (the row record without its raw),
  // the token counts (1), then column 0: "\x02" and "hi".
  CHECK(columns == std::string("\x09\x00\x01\x02\x00\x00\x00", 7) + std::string(90, '\0') +
                       std::string("\x07\x00\x01h\x01s\x02st", 9) + "\x01\x02hi");
  // Two records with the same raw: column 0 is a dictionary of one token, indexes 0 and 0.
  sample twice = one("hi");
  add(twice, {std::string{"\x00\x00", 2}, "hi", ""});
  columns.clear();
  REQUIRE(!encode(twice.rows, 2, columns));
  CHECK(columns == std::string("\x0b\x01\x01\x02\x02\x00\x00", 7) + std::string(90, '\0') +
                       std::string("\x07\x00\x01h\x01s\x02st\x00\x00", 11) + "\x01\x01" + "\x02hi" +
                       std::string(2, '\0'));
}

TEST_CASE("journal columns: the n-th tokens of the records share a column") {
  // Apache-like lines: the bracketed time and the quoted request stay whole tokens.
  sample s = one(R"(10.0.0.1 - - [29/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200)");
  add(s, one(R"(10.0.0.2 - bob [29/Nov/2026:00:00:01 +0000] "POST /a HTTP/1.1" 404)").records[0]);
  std::string columns;
  REQUIRE(!encode(s.rows, 2, columns));
  CHECK(columns.find(std::string("\x0a\x00\x00\x01\x0a\x00\x00\x02", 8)) != std::string::npos);
  CHECK(columns.find("[29/Nov/2026:00:00:00 +0000][29/Nov/2026:00:00:01 +0000]") !=
        std::string::npos);
  CHECK(columns.find(R"("GET / HTTP/1.1""POST /a HTTP/1.1")") != std::string::npos);
  CHECK(columns.find("200404") != std::string::npos);
  round_trip(s);
}

namespace {

/// `n` Apache-like lines: a client from a pool of `clients` addresses (`client(i)` makes
/// the i-th), a request for one of 2,000 paths, a size, one of three agents and a unique
/// request id in hex. Each column has its own number of distinct tokens and templates.
sample access_lines(uint32_t n, uint32_t clients, std::string (*client)(uint32_t)) {
  std::mt19937 rng(11);
  const char* agents[] = {"\"curl/8.4.0\"", "\"Mozilla/5.0 (X11; Linux x86_64)\"",
                          "\"Googlebot/2.1\""};
  sample s;
  for (uint32_t i = 0; i < n; ++i) {
    char id[9];
    std::snprintf(id, sizeof id, "%08x", unsigned(i * 2654435761u));
    std::string raw = client(rng() % clients) + " - - \"GET /p/" + std::to_string(rng() % 2000) +
                      " HTTP/1.1\" " + std::to_string(rng() % 100000) + " " + agents[rng() % 3] +
                      " " + id;
    add(s, i == 0 ? one(raw).records[0] : record{std::string{"\x00\x00", 2}, raw, ""});
  }
  return s;
}

std::vector<jc::column_kind> kinds(const sample& s) {
  std::string columns;
  REQUIRE(!encode(s.rows, uint32_t(s.records.size()), columns));
  auto k = jc::kinds_of(columns);
  REQUIRE(k.has_value());
  return *k;
}

}  // namespace

TEST_CASE("journal columns: each column takes the kind that suits it, and round-trips in it") {
  using k = jc::column_kind;
  auto address = [](uint32_t i) {
    return std::to_string(10 + i % 200) + "." + std::to_string(i / 200 % 256) + ".0." +
           std::to_string(i % 7 * 36);
  };
  // Columns: client, "-", "-", request (one template), size and request id (one template
  // each, but nothing besides the run), agent, then unused.
  auto many_clients = access_lines(5000, 4000, +address);
  CHECK(kinds(many_clients) == std::vector<k>{k::ipv4, k::dictionary, k::dictionary, k::digit_runs,
                                              k::plain, k::dictionary, k::plain, k::plain, k::plain,
                                              k::plain, k::plain, k::plain, k::plain, k::plain,
                                              k::plain, k::plain});
  round_trip(many_clients);
  // Few distinct clients: a dictionary beats 4 bytes per address.
  auto few_clients = access_lines(5000, 20, +address);
  CHECK(kinds(few_clients)[0] == k::dictionary);
  round_trip(few_clients);
  // One address written otherwise than in canonical dotted quads, late in the slice, keeps
  // the column from IPv4 (the 4 bytes could not give its text back); templates were no
  // longer counted for a column of addresses: it is plain.
  for (std::string odd : {"010.0.0.1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1..2.3", "1.2.3.-4",
                          "a.b.c.d", "1.2.3.4x", "0.0.0.00"}) {
    CAPTURE(odd);
    auto s = many_clients;
    s.records[4000].raw.replace(0, s.records[4000].raw.find(' '), odd);
    sample rebuilt;
    for (auto& r : s.records) add(rebuilt, r);
    CHECK(kinds(rebuilt)[0] == k::plain);
    round_trip(rebuilt);
  }
  // Templates with runs anywhere: at either end, hex letters around decimal digits (in
  // the run) or alone (not a run), upper case, runs apart only by a non-hex byte; tokens
  // of hex letters only.
  sample runs;
  std::mt19937 rng(5);
  const char* shapes[] = {"id=%x;", "%x", "face%d", "x%dy%dz", "%X.%x", "%d%%", "cafe", "q%d-"};
  for (uint32_t i = 0; i < 4000; ++i) {
    char token[64];
    const char* shape = shapes[rng() % 8];
    std::snprintf(token, sizeof token, shape, unsigned(rng() % 100000), unsigned(rng() % 70));
    std::string raw =
        "k:" + std::string{token} + " " + token + "beef " + std::to_string(rng() % 10);
    add(runs, i == 0 ? one(raw).records[0] : record{std::string{"\x00\x00", 2}, raw, ""});
  }
  CHECK(kinds(runs)[0] == k::digit_runs);
  CHECK(kinds(runs)[1] == k::digit_runs);
  round_trip(runs);
  // The addresses at the edges of the canonical form.
  auto edges = access_lines(3000, 4, [](uint32_t i) {
    const char* a[] = {"0.0.0.0", "255.255.255.255", "1.22.100.9", "199.0.10.255"};
    return std::string{a[i]};
  });
  round_trip(edges);
}

TEST_CASE("journal columns: between surveys each column tries only the kind it took") {
  using k = jc::column_kind;
  auto address = [](uint32_t i) {
    return "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
  };
  auto host = [](uint32_t i) { return "host-" + std::string(1, char('a' + i % 3)); };
  auto slice = access_lines(3000, 2000, +address);
  auto slice_kinds = [](jc::column_plan& plan, const sample& s) {
    std::string out;
    std::vector<size_t> starts;
    REQUIRE(!jc::from_rows(s.rows, uint32_t(s.records.size()), plan, out, starts));
    return *jc::kinds_of(out);
  };
  jc::column_plan plan;
  auto surveyed = slice_kinds(plan, slice);
  CHECK(surveyed[0] == k::ipv4);
  CHECK(plan.kinds == std::array<k, jc::max_tokens>{surveyed[0], surveyed[1], surveyed[2],
                                                    surveyed[3], surveyed[4], surveyed[5],
                                                    surveyed[6]});
  CHECK(plan.slices_to_survey == jc::column_plan::survey_interval - 1);
  // Like slices keep the kinds, counting down to the next survey.
  CHECK(slice_kinds(plan, slice) == surveyed);
  CHECK(plan.slices_to_survey == jc::column_plan::survey_interval - 2);
  // Host names where addresses were: not tried as a dictionary, so plain, and the next
  // slice is surveyed, which finds the dictionary.
  auto hosts = access_lines(3000, 3, +host);
  CHECK(slice_kinds(plan, hosts)[0] == k::plain);
  CHECK(plan.slices_to_survey == 0);
  CHECK(slice_kinds(plan, hosts)[0] == k::dictionary);
  CHECK(plan.slices_to_survey == jc::column_plan::survey_interval - 1);
  round_trip(hosts);
}

namespace {

/// A `K` payload written here from FORMAT.md: the stream table, the metadata of `n`
/// records with one token each (the first with all metadata), then column 0 of `kind`
/// with these streams (FORMAT.md "Column kinds"); columns 1-15 empty.
std::string payload_of(uint32_t n, jc::column_kind kind, std::vector<std::string> streams) {
  streams.resize(jc::stream_count);
  std::string meta{"\x07\x00\x01h\x01s\x02st", 9};
  for (uint32_t i = 1; i < n; ++i) meta += std::string{"\x00\x00", 2};
  std::string out;
  coding::put_varint(out, meta.size());
  coding::put_varint(out, uint64_t(kind));
  for (auto& s : streams) coding::put_varint(out, s.size());
  out.append(90, '\0');
  out += meta + std::string(n, '\x01');
  for (auto& s : streams) out += s;
  return out;
}

/// The raws `payload` gives back, one after the other, or its error.
result<std::string> raws_of(const std::string& payload, uint32_t n) {
  std::string_view meta;
  std::string raws;
  std::vector<uint32_t> ends;
  if (auto err = jc::take_apart(payload, n, true, meta, raws, ends)) return err;
  return raws;
}

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(char(c));
  return s;
}

}  // namespace

TEST_CASE("journal columns: every kind of column decodes as FORMAT.md describes") {
  using k = jc::column_kind;
  auto raws = [](const std::string& payload, uint32_t n) {
    auto r = raws_of(payload, n);
    REQUIRE_MESSAGE(r.has_value(), r.err().render());
    return *r;
  };
  // Dictionary: distinct tokens "a" and "bc", indexes 1, 0.
  CHECK(raws(payload_of(2, k::dictionary, {"\x01\x02", "abc", bytes({1, 0})}), 2) == "bca");
  CHECK(raws(payload_of(1, k::ipv4, {"", bytes({127, 0, 0, 1})}), 1) == "127.0.0.1");
  CHECK(raws(payload_of(1, k::ipv4, {"", bytes({255, 10, 0, 199})}), 1) == "255.10.0.199");
  // Digit runs: templates "/p/0" and "0.0x" (any digit marks a run), indexes 0, 1, 0; the
  // runs 23719 | 1 and 007 | 5.
  CHECK(raws(payload_of(
                 3, k::digit_runs,
                 {"\x04\x04", "/p/00.0x", bytes({0, 1, 0}), bytes({5, 1, 3, 1}), "2371910075"}),
             3) ==
        "/p/23719"
        "1.007x"
        "/p/5");
}

TEST_CASE("journal columns: damaged columns of each kind are refused with their fault") {
  using k = jc::column_kind;
  auto refused = [](const std::string& payload, uint32_t n, std::string_view why) {
    auto r = raws_of(payload, n);
    REQUIRE(!r.has_value());
    CHECK(r.err().code() == errc::corruption);
    CHECK_MESSAGE(r.err().message().find(why) != std::string::npos, r.err().message());
  };
  refused(payload_of(2, k::dictionary, {"\x01\x02", "abc", "\x01\x02"}), 2,
          "an index past its 2 distinct tokens");
  refused(payload_of(2, k::dictionary, {"\x01\x03", "abc", bytes({0, 0})}), 2,
          "its distinct tokens do not fill their streams");
  refused(payload_of(2, k::dictionary, {"\x01\x01", "abc", bytes({0, 0})}), 2,
          "its distinct tokens do not fill their streams");
  refused(payload_of(2, k::dictionary, {"\x01", "a", bytes({0})}), 2,
          "token 0 runs past its column");
  refused(payload_of(1, k::dictionary, {"\x01", "a", bytes({0, 0})}), 1,
          "bytes after the last token of column 0");
  refused(payload_of(1, k::dictionary, {"\x01", "a", bytes({0}), "\x01"}), 1,
          "streams a dictionary column has not");
  refused(payload_of(1, k::plain, {"\x01", "a", bytes({0})}), 1, "streams a plain column has not");
  refused(payload_of(1, k::ipv4, {"", bytes({127, 0, 0})}), 1, "IPv4 streams of the wrong sizes");
  refused(payload_of(1, k::ipv4, {"\x04", bytes({127, 0, 0, 1})}), 1,
          "IPv4 streams of the wrong sizes");
  refused(payload_of(2, k::ipv4, {"", bytes({127, 0, 0, 1})}), 2, "token 0 runs past its column");
  refused(payload_of(1, k::digit_runs, {"\x02", "a0", bytes({1}), "\x01", "7"}), 1,
          "an index past its 1 templates");
  refused(payload_of(1, k::digit_runs, {"\x02", "a0", bytes({0}), "\x02", "7"}), 1,
          "token 0 runs past its column");
  refused(payload_of(1, k::digit_runs, {"\x02", "a0", bytes({0}), "", ""}), 1,
          "its templates have more runs than digits");
  refused(payload_of(1, k::digit_runs, {"\x02", "00", bytes({0}), "\x01\x01", "7"}), 1,
          "its templates have more runs than digits");
  // More distinct tokens than records: a reader holds no more than the records need.
  refused(payload_of(1, k::dictionary, {"\x01\x01", "ab", bytes({0})}), 1, "outnumber the records");
  refused(payload_of(1, k::digit_runs, {"\x02", "a0", bytes({0}), "\x01\x01", "78"}), 1,
          "bytes after the last token of column 0");
  refused(payload_of(1, k::digit_runs, {"\x03", "a0", bytes({0}), "\x01", "7"}), 1,
          "its distinct templates do not fill their streams");
  auto unknown = payload_of(1, k::plain, {"\x01", "a"});
  unknown[1] = '\x04';
  refused(unknown, 1, "column 0 has unknown kind 4");
  // A dictionary (or a template) lets a small payload name a huge text: 1 MiB named 200
  // times is refused before anything is allocated for it.
  std::string big(1 << 20, 'x');
  std::string big_length;
  coding::put_varint(big_length, big.size());
  for (auto kind : {k::dictionary, k::digit_runs})
    refused(payload_of(200, kind, {big_length, big, std::string(200, '\0')}), 200,
            "the rebuilt text would pass");
}

TEST_CASE("journal columns: a count that does not match the records is refused") {
  auto s = random_records(20, 3);
  std::string columns, raws;
  std::string_view meta;
  std::vector<uint32_t> ends;
  CHECK(encode(s.rows, 21, columns).code() == errc::corruption);
  columns.clear();
  CHECK(encode(s.rows, 19, columns).code() == errc::corruption);
  columns.clear();
  REQUIRE(!encode(s.rows, 20, columns));
  CHECK(jc::take_apart(columns, 21, true, meta, raws, ends).code() == errc::corruption);
  auto err = jc::take_apart(columns, 19, true, meta, raws, ends);
  CHECK(err.code() == errc::corruption);
  CHECK(err.message().find("journal columns: ") == 0);
}

TEST_CASE("journal columns: a truncated or flipped payload is refused or decodes, never crashes") {
  auto s = random_records(30, 5);
  std::string columns, raws;
  std::string_view meta;
  std::vector<uint32_t> ends;
  REQUIRE(!encode(s.rows, 30, columns));
  for (size_t keep = 0; keep < columns.size(); ++keep)
    CHECK(jc::take_apart(std::string_view{columns}.substr(0, keep), 30, true, meta, raws, ends)
              .code() == errc::corruption);
  size_t refused = 0;
  for (size_t at = 0; at < columns.size(); ++at) {
    for (uint8_t mask : {0x01, 0x80}) {
      auto bad = columns;
      bad[at] = char(bad[at] ^ mask);
      // Bytes in a text column may change into other bytes; structure may not be broken.
      if (jc::take_apart(bad, 30, true, meta, raws, ends)) {
        ++refused;
      } else {
        REQUIRE(ends.size() == 30);
        CHECK(ends.back() == raws.size());
      }
    }
  }
  CHECK(refused > 0);
}
