// The search wire format (round trips, golden bytes, hostile bytes) and
// combine_parts (a peer's parts folded into one part for the search head).
#include "core/search/search_wire.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <limits>
#include <random>

#include "core/index/store.hpp"
#include "core/search/parser.hpp"
#include "core/search/store_search.hpp"
#include "core/testing.hpp"
#include "search/search_fixture.hpp"

using namespace kura;
using namespace kura::search;

namespace {

constexpr time_us t0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z
constexpr time_us sec = us_per_sec;

query parse(const std::string& text) {
  auto q = parse_query(text, t0 + 86400 * sec);
  REQUIRE_MESSAGE(q.has_value(), text << ": " << q.err().render());
  return std::move(*q);
}

/// The command a search splits at (the aggregation, for an aggregation).
const command& split_command(const query& q) {
  size_t i = 0;
  while (i < q.commands.size() && is_streaming(q.commands[i])) ++i;
  REQUIRE(i < q.commands.size());
  return q.commands[i];
}

std::optional<time_us> earliest_of(const query& q, const search_options& o) {
  return q.earliest ? q.earliest : o.earliest;
}
std::optional<time_us> latest_of(const query& q, const search_options& o) {
  return q.latest ? q.latest : o.latest;
}

/// `prefix` followed by `n` ("host3").
std::string named(const char* prefix, int n) {
  std::string s{prefix};
  s += std::to_string(n);
  return s;
}

/// Rows with numbers, numbers in strings, text, nulls, multi-values and missing fields.
std::vector<row> sample_rows() {
  std::vector<row> rows;
  for (int i = 0; i < 60; ++i) {
    row r;
    r.add("_time", value{double(t0 / sec + (i * 37) % 900)});
    if (i % 11 != 5) r.add("host", value{named("host", i % 4)});
    if (i % 3 == 0)
      r.add("x", value{double(i) * 1.5});
    else if (i % 3 == 1)
      r.add("x", value{std::to_string(i)});
    else
      r.add("x", value{"n/a"});
    if (i % 5 != 0) r.add("y", value{named("user", i % 6)});
    if (i % 4 == 0)
      r.add("z", value::multi({named("a", i % 3), "b", ""}));
    else if (i % 4 == 1)
      r.add("z", value{});
    else
      r.add("z", value{named("z", i % 5)});
    rows.push_back(std::move(r));
  }
  return rows;
}

/// An opened cursor whose partial is `rows` added to the aggregation of `q`.
cursor_opened opened_with_partial(const query& q, const search_options& o,
                                  const std::vector<row>& rows) {
  partial_aggregate p{split_command(q), o.limits, earliest_of(q, o), latest_of(q, o)};
  for (auto& r : rows) REQUIRE(!p.add(r));
  cursor_opened c;
  c.summary.buckets_searched = 3;
  c.summary.buckets_skipped = 1;
  c.summary.events_read = 60;
  c.bucket_indexes = {{"main~db_2_1_4", "main"}, {"web~hot_v1_2", "web"}};
  c.aggregate = std::move(p);
  return c;
}

void check_partial_round_trip(const std::string& text, const search_options& o) {
  CAPTURE(text);
  auto q = parse(text);
  auto rows = sample_rows();
  auto c = opened_with_partial(q, o, rows);
  auto bytes = encode_cursor_opened(c);
  auto q_head = parse(text);  // the search head parses the search itself
  auto d = decode_cursor_opened(bytes, q_head, o);
  REQUIRE_MESSAGE(d.has_value(), d.err().render());
  CHECK(d->bucket_indexes == c.bucket_indexes);
  CHECK(d->summary.events_read == 60);
  REQUIRE(d->aggregate);
  auto e = earliest_of(q, o), l = latest_of(q, o);
  auto want = c.aggregate->finish(e, l);
  auto got = d->aggregate->finish(e, l);
  REQUIRE(want.has_value());
  REQUIRE(got.has_value());
  CHECK(!want->empty());
  CHECK(*got == *want);
  CHECK(encode_cursor_opened(*d) == bytes);
  // Merged with another partial, the decoded one behaves as the original.
  std::vector<row> more(rows.begin(), rows.begin() + 20);
  for (auto& r : more) r.set("host", value{"other"});
  partial_aggregate a{split_command(q), o.limits, e, l}, b{split_command(q_head), o.limits, e, l};
  for (auto& r : more) {
    REQUIRE(!a.add(r));
    REQUIRE(!b.add(r));
  }
  REQUIRE(!a.merge(*c.aggregate));
  REQUIRE(!b.merge(*d->aggregate));
  CHECK(*a.finish(e, l) == *b.finish(e, l));
}

/// A message and how to decode it; `decode` also uses what it decoded (finishes
/// and merges partials, encodes again) so that sanitizers see every path.
struct message {
  std::string name;
  std::string bytes;
  std::function<error(std::string_view)> decode;
};

template <class T>
error reencode(const result<T>& r, std::string (*encode)(const T&),
               result<T> (*decode)(std::string_view)) {
  if (!r) return r.err();
  auto again = decode(encode(*r));
  REQUIRE_MESSAGE(again.has_value(), again.err().render());
  CHECK(encode(*again) == encode(*r));
  return {};
}

struct sample_messages {
  search_options opt;
  query stats = parse(
      "* | stats count, avg(x), dc(y), values(z), min(x), max(x), earliest(y), latest(z) by host");
  query chart = parse("* | timechart span=1m count, avg(x)");
  query chart_by = parse("* | timechart span=5m max(x) by host");
  query top = parse("* | top 3 y by host");
  query more = parse(  // aggregations.hpp's states: numbers, modes, list, first/last, sketch
      "* | stats median(x), p90(x), stdev(x), range(x), mode(z), list(z), first(y), last(z), "
      "estdc(y) by host");
  std::vector<message> all;

  sample_messages() {
    auto rows = sample_rows();
    row_batch batch;
    for (size_t i = 0; i < 5; ++i)
      batch.rows.push_back({rank_key{t0 + time_us(i), i, 9 - i}, rows[i]});
    batch.events_read = 123;
    search_summary summary{4, 2, 1000, 7, 1, {"skipped a bucket", ""}};
    add<value>("value", value::multi({"a", "", "ccc"}), encode_value, decode_value);
    add<row>("row", rows[0], encode_row, decode_row);
    add<rank_key>("rank key", rank_key{INT64_MIN, 3, UINT64_MAX}, encode_rank_key, decode_rank_key);
    add<ranked_row>("ranked row", ranked_row{{t0, 1, 2}, rows[4]}, encode_ranked_row,
                    decode_ranked_row);
    add<row_batch>("row batch", batch, encode_row_batch, decode_row_batch);
    add<search_summary>("summary", summary, encode_search_summary, decode_search_summary);
    for (auto* q : {&stats, &chart, &chart_by, &top, &more}) {
      auto c = opened_with_partial(*q, opt, rows);
      all.push_back(
          {"cursor_opened " + q->commands[0].name, encode_cursor_opened(c),
           [this, q](std::string_view b) {
             auto d = decode_cursor_opened(b, *q, opt);
             if (!d) return d.err();
             if (d->aggregate) {
               (void)d->aggregate->finish(std::nullopt, std::nullopt);
               partial_aggregate m{split_command(*q), opt.limits, std::nullopt, std::nullopt};
               (void)m.merge(*d->aggregate);
               (void)m.finish(std::nullopt, std::nullopt);
             }
             auto again = decode_cursor_opened(encode_cursor_opened(*d), *q, opt);
             REQUIRE_MESSAGE(again.has_value(), again.err().render());
             return error{};
           }});
    }
    cursor_opened events;
    events.id = 17;
    events.upper_time = t0;
    all.push_back(
        {"cursor_opened events", encode_cursor_opened(events), [this](std::string_view b) {
           auto d = decode_cursor_opened(b, stats, opt);
           if (!d) return d.err();
           CHECK(decode_cursor_opened(encode_cursor_opened(*d), stats, opt).has_value());
           return error{};
         }});
  }

  template <class T>
  void add(std::string name, const T& v, std::string (*encode)(const T&),
           result<T> (*decode)(std::string_view)) {
    all.push_back({std::move(name), encode(v), [encode, decode](std::string_view b) {
                     return reencode<T>(decode(b), encode, decode);
                   }});
  }
};

}  // namespace

TEST_CASE("search wire: values of every kind survive encoding") {
  std::vector<value> values{
      value{},         value{0.0},          value{-2.5},
      value{1e300},    value{-0.0},         value{std::numeric_limits<double>::infinity()},
      value{""},       value{"plain text"}, value{std::string("nul\0inside", 10)},
      value{"日本語"}, value::multi({}),    value::multi({"a", "", "b\nc"})};
  for (auto& v : values) {
    auto bytes = encode_value(v);
    CHECK(bytes[0] == char(search_wire_version));
    auto d = decode_value(bytes);
    REQUIRE_MESSAGE(d.has_value(), d.err().render());
    CHECK(d->type() == v.type());
    CHECK(*d == v);
  }
}

TEST_CASE(
    "search wire: a row survives encoding with its fields in order, nulls and multi-values "
    "included") {
  row r;
  r.add("_time", value{1795305600.25});
  r.add("host", value{"web1"});
  r.add("missing", value{});
  r.add("values(z)", value::multi({"a", "b"}));
  r.add("", value{"an empty name"});
  auto d = decode_row(encode_row(r));
  REQUIRE_MESSAGE(d.has_value(), d.err().render());
  CHECK(*d == r);
  auto empty = decode_row(encode_row(row{}));
  REQUIRE(empty.has_value());
  CHECK(empty->fields().empty());
}

TEST_CASE("search wire: a row batch survives encoding") {
  auto rows = sample_rows();
  row_batch b;
  for (size_t i = 0; i < rows.size(); ++i)
    b.rows.push_back({rank_key{t0 - time_us(i) * sec, i % 3, i * 1000}, rows[i]});
  b.events_read = 5'000'000'000;
  auto d = decode_row_batch(encode_row_batch(b));
  REQUIRE_MESSAGE(d.has_value(), d.err().render());
  REQUIRE(d->rows.size() == b.rows.size());
  for (size_t i = 0; i < b.rows.size(); ++i) {
    CHECK(d->rows[i].key.time == b.rows[i].key.time);
    CHECK(d->rows[i].key.rank == b.rows[i].key.rank);
    CHECK(d->rows[i].key.ordinal == b.rows[i].key.ordinal);
    CHECK(d->rows[i].fields == b.rows[i].fields);
  }
  CHECK(!d->done);
  CHECK(d->events_read == b.events_read);

  row_batch last;
  last.done = true;
  auto e = decode_row_batch(encode_row_batch(last));
  REQUIRE(e.has_value());
  CHECK(e->rows.empty());
  CHECK(e->done);
  CHECK(e->events_read == 0);
}

TEST_CASE("search wire: rank keys, ranked rows and summaries survive encoding") {
  for (auto k : {rank_key{}, rank_key{INT64_MIN, 0, 0}, rank_key{INT64_MAX, SIZE_MAX, UINT64_MAX},
                 rank_key{-1, 7, 3}}) {
    auto d = decode_rank_key(encode_rank_key(k));
    REQUIRE(d.has_value());
    CHECK(d->time == k.time);
    CHECK(d->rank == k.rank);
    CHECK(d->ordinal == k.ordinal);
  }
  ranked_row rr{{t0, 2, 9}, sample_rows()[3]};
  auto d = decode_ranked_row(encode_ranked_row(rr));
  REQUIRE(d.has_value());
  CHECK(d->key.time == t0);
  CHECK(d->fields == rr.fields);

  search_summary s{12, 3, 4567, 89, 2, {"skipped /x: corruption", "second"}};
  auto ds = decode_search_summary(encode_search_summary(s));
  REQUIRE(ds.has_value());
  CHECK(ds->buckets_searched == 12);
  CHECK(ds->buckets_skipped == 3);
  CHECK(ds->events_read == 4567);
  CHECK(ds->results == 89);
  CHECK(ds->deleted == 2);
  CHECK(ds->warnings == s.warnings);
}

TEST_CASE("search wire: the bytes of a row and of a row batch are pinned") {
  row r;
  r.add("a", value{1.0});
  // version, tag row, 1 field, "a", number, 1.0 as little-endian IEEE-754 bits
  const std::string golden_row{'\x02', '\x02', '\x01', '\x01', 'a', '\x01', 0,
                               0,      0,      0,      0,      0,   '\xf0', '\x3f'};
  CHECK(encode_row(r) == golden_row);
  row_batch b;
  row h;
  h.add("h", value{"w"});
  b.rows.push_back({rank_key{1'000'000, 2, 3}, h});
  b.done = true;
  b.events_read = 5;
  // version, tag row_batch, 1 row, zigzag(1000000) = 2000000 as a varint, rank 2,
  // ordinal 3, 1 field "h" string "w", done, events read 5
  const std::string golden_batch{'\x02', '\x05', '\x01', '\x80', '\x89', '\x7a', '\x02', '\x03',
                                 '\x01', '\x01', 'h',    '\x02', '\x01', 'w',    '\x01', '\x05'};
  CHECK(encode_row_batch(b) == golden_batch);
}

TEST_CASE(
    "search wire: a cursor_opened with a stats partial survives encoding and finishes the same") {
  search_options o;
  check_partial_round_trip("* | stats count, avg(x), dc(y), values(z) by host", o);
  check_partial_round_trip(
      "* | stats count, sum(x), min(x), max(x), earliest(y), latest(z), values(y)", o);
  check_partial_round_trip("* | eval w=x | stats max(w) as top_w, dc(z) by host, y", o);
  check_partial_round_trip("* | top 3 y by host", o);
  check_partial_round_trip("* | rare z", o);
}

TEST_CASE(
    "search wire: a cursor_opened with a timechart partial survives encoding and finishes the "
    "same") {
  search_options o;
  check_partial_round_trip("* | timechart span=1m count, avg(x), values(y)", o);
  check_partial_round_trip("* | timechart span=5m max(x) by host", o);
  // An automatic span comes from the time range, on both sides.
  o.earliest = t0;
  o.latest = t0 + 3600 * sec;
  check_partial_round_trip("* | timechart count", o);
  check_partial_round_trip("* earliest=1795305600 latest=1795309200 | timechart dc(y) by host", o);
}

TEST_CASE(
    "search wire: partials of median, perc, stdev, mode, list, first, last and estdc survive "
    "encoding") {
  search_options o;
  check_partial_round_trip(
      "* | stats median(x), p90(x), exactperc25.5(x), stdev(x), varp(x), sumsq(x), range(x), "
      "mode(z), "
      "list(z), first(y), last(z), estdc(y), count(eval(x>3)) as big by host",
      o);
  check_partial_round_trip("* | timechart span=5m limit=2 p50(x) by y", o);
  // A sketch past its sparse phase (registers on the wire).
  std::vector<row> many;
  for (int i = 0; i < 5000; ++i) {
    row r;
    r.add("u", value{"u" + std::to_string(i)});
    many.push_back(std::move(r));
  }
  auto q = parse("* | stats estdc(u), dc(u)");
  auto c = opened_with_partial(q, o, many);
  auto q_head = parse("* | stats estdc(u), dc(u)");  // outlives the decoded partial
  auto d = decode_cursor_opened(encode_cursor_opened(c), q_head, o);
  REQUIRE_MESSAGE(d.has_value(), d.err().render());
  auto got = d->aggregate->finish(std::nullopt, std::nullopt);
  auto want = c.aggregate->finish(std::nullopt, std::nullopt);
  REQUIRE_MESSAGE(got.has_value(), got.err().render());
  REQUIRE_MESSAGE(want.has_value(), want.err().render());
  REQUIRE(got->size() == 1);
  CHECK(got->front().get("estdc(u)")->as_string() == want->front().get("estdc(u)")->as_string());
  CHECK(got->front().get("dc(u)")->as_string() == "5000");
  CHECK(*got == *want);
}

TEST_CASE("search wire: an opened cursor without an aggregate survives encoding") {
  auto q = parse("* | head 3");
  cursor_opened c;
  c.id = 42;
  c.upper_time = t0 + 5 * sec;
  c.summary.buckets_searched = 2;
  c.bucket_indexes = {{"main~hot_v1_1", "main"}};
  auto d = decode_cursor_opened(encode_cursor_opened(c), q, {});
  REQUIRE_MESSAGE(d.has_value(), d.err().render());
  CHECK(d->id == 42);
  CHECK(d->upper_time == c.upper_time);
  CHECK(d->summary.buckets_searched == 2);
  CHECK(d->bucket_indexes == c.bucket_indexes);
  CHECK(!d->aggregate);
}

TEST_CASE("search wire: a partial that does not fit the search or its limits is rejected") {
  search_options o;
  auto rows = sample_rows();
  auto stats = parse("* | stats count, dc(y) by host");
  auto bytes = encode_cursor_opened(opened_with_partial(stats, o, rows));
  auto message_of = [&](const query& q, const search_options& opt) {
    auto d = decode_cursor_opened(bytes, q, opt);
    REQUIRE(!d.has_value());
    CHECK(d.err().code() == errc::corruption);
    return d.err().message();
  };
  CHECK(message_of(parse("* | head 3"), o).find("an aggregate for a search without one") !=
        std::string::npos);
  CHECK(message_of(parse("* | timechart count by host"), o).find("another command") !=
        std::string::npos);
  CHECK(message_of(parse("* | stats count by host"), o).find("do not fit the search") !=
        std::string::npos);
  CHECK(message_of(parse("* | stats count, dc(y) by host, x"), o).find("do not fit the search") !=
        std::string::npos);
  auto few_groups = o;
  few_groups.limits.max_groups = 2;
  CHECK(message_of(stats, few_groups).find("impossible group count 4") != std::string::npos);
  auto few_values = o;
  few_values.limits.max_values = 2;
  CHECK(message_of(stats, few_values).find("impossible distinct value count") != std::string::npos);
  // An automatic span that differs (other time ranges) would merge wrong bins.
  auto chart = parse("* | timechart count");
  auto day = o;
  auto chart_bytes = encode_cursor_opened(opened_with_partial(chart, day, rows));
  auto hour = o;
  hour.earliest = t0;
  hour.latest = t0 + 3600 * sec;
  auto d = decode_cursor_opened(chart_bytes, chart, hour);
  REQUIRE(!d.has_value());
  CHECK(d.err().message().find("span") != std::string::npos);
}

TEST_CASE(
    "search wire: an unknown version, another message's tag and trailing bytes are rejected") {
  row r;
  r.add("a", value{"b"});
  auto bytes = encode_row(r);
  for (char version : {'\x00', '\x01', '\xff'}) {  // 1: before the agg_state extension
    auto bad = bytes;
    bad[0] = version;
    auto d = decode_row(bad);
    REQUIRE(!d.has_value());
    CHECK(d.err().code() == errc::corruption);
    CHECK(d.err().message() ==
          "search wire: unknown format version " + std::to_string(uint8_t(version)) + " at byte 0");
  }
  auto other = decode_row(encode_row_batch(row_batch{}));
  REQUIRE(!other.has_value());
  CHECK(other.err().message() == "search wire: expected a row, found tag 5 at byte 1");
  auto trailing = decode_row(bytes + "x");
  REQUIRE(!trailing.has_value());
  CHECK(trailing.err().message() ==
        "search wire: trailing bytes after the row at byte " + std::to_string(bytes.size()));
  auto empty = decode_value("");
  REQUIRE(!empty.has_value());
  CHECK(empty.err().message() == "search wire: truncated header at byte 0");
}

TEST_CASE(
    "search wire: counts larger than the bytes left are rejected before anything is allocated") {
  auto with_count = [](char tag, uint64_t n) {
    std::string b{char(search_wire_version), tag};
    while (n >= 0x80) {
      b.push_back(char((n & 0x7f) | 0x80));
      n >>= 7;
    }
    b.push_back(char(n));
    return b;
  };
  auto rows = decode_row(with_count('\x02', uint64_t(1) << 60));
  REQUIRE(!rows.has_value());
  CHECK(rows.err().message() ==
        "search wire: impossible field count 1152921504606846976 at byte 2");
  auto batch = decode_row_batch(with_count('\x05', UINT64_MAX));
  REQUIRE(!batch.has_value());
  CHECK(batch.err().message().find("impossible row count") != std::string::npos);
  std::string many{char(search_wire_version),
                   '\x01',
                   '\x03',
                   '\xff',
                   '\xff',
                   '\xff',
                   '\x0f'};  // multi, 2^32-1 items
  auto multi = decode_value(many);
  REQUIRE(!multi.has_value());
  CHECK(multi.err().message().find("impossible multi-value count") != std::string::npos);
  // A row that names a field twice.
  std::string dup{
      char(search_wire_version), '\x02', '\x02', '\x01', 'a', '\x00', '\x01', 'a', '\x00'};
  auto d = decode_row(dup);
  REQUIRE(!d.has_value());
  CHECK(d.err().message() == "search wire: repeated field name \"a\" in the row at byte 2");
}

TEST_CASE("search wire: every truncation of every message is an error, never a crash") {
  sample_messages m;
  for (auto& msg : m.all) {
    CAPTURE(msg.name);
    REQUIRE(!msg.decode(msg.bytes));
    for (size_t n = 0; n < msg.bytes.size(); ++n) {
      CAPTURE(n);
      auto err = msg.decode(std::string_view{msg.bytes}.substr(0, n));
      REQUIRE(err);
      CHECK(err.code() == errc::corruption);
      CHECK(err.message().rfind("search wire: ", 0) == 0);
    }
  }
}

TEST_CASE("search wire: random byte flips give an error or a valid value, never a crash") {
  sample_messages m;
  std::mt19937 rng(2026);
  size_t rejected = 0, accepted = 0;
  for (auto& msg : m.all) {
    CAPTURE(msg.name);
    for (int i = 0; i < 300; ++i) {
      auto bad = msg.bytes;
      int flips = 1 + int(rng() % 3);
      for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] ^= char(1 + rng() % 255);
      auto err = msg.decode(bad);
      if (err) {
        CHECK(err.code() == errc::corruption);
        ++rejected;
      } else {
        ++accepted;
      }
    }
  }
  MESSAGE(rejected << " flipped messages rejected, " << accepted << " decoded to valid values");
  CHECK(rejected > 0);
}

namespace {

/// Six buckets of `main` (five warm, one hot) with interleaved times, some equal
/// across buckets, so that ranks decide ties.
struct bucket_fixture : testing::search_fixture {
  std::vector<std::unique_ptr<bucket_view>> views;
  std::vector<const bucket_view*> ptrs;
  size_t events = 0;
  /// Four owners of buckets: [0,1) [1,3) [3,4) [4,6) in search order.
  std::vector<std::pair<size_t, size_t>> groups{{0, 1}, {1, 3}, {3, 4}, {4, 6}};

  bucket_fixture() : search_fixture(1 << 30) {
    const char* users[] = {"alice", "bob", "carol"};
    for (int b = 0; b < 6; ++b) {
      std::vector<std::string> raws;
      for (int i = 0; i < 8; ++i)
        raws.push_back("GET /p" + std::to_string(i) + " status=" + (i % 3 ? "200" : "404") +
                       " bytes=" + std::to_string((b * 31 + i * 17) % 1000) +
                       " user=" + users[(b + i) % 3]);
      std::vector<std::string> hosts;
      for (int i = 0; i < 8; ++i) hosts.push_back("web" + std::to_string((b + i) % 3));
      std::vector<event_view> evs;
      for (int i = 0; i < 8; ++i)
        evs.push_back({t0 + ((b * 5 + i * 11) % 60) * sec,
                       hosts[size_t(i)],
                       "/var/log/a.log",
                       i % 2 ? "access" : "db",
                       raws[size_t(i)],
                       {}});
      add("main", evs);
      events += evs.size();
      if (b < 5) REQUIRE(!st->roll_hot_buckets("main"));
    }
    open_views();
  }

  void open_views() {
    std::vector<std::string> warnings;
    views = collect_views(*st, query{}, warnings);
    REQUIRE(warnings.empty());
    ptrs.clear();
    for (auto& v : views) ptrs.push_back(v.get());
    REQUIRE(ptrs.size() == 6);
  }

  /// The parts of the four owners, each run with its own ranks.
  std::vector<search_part> parts(const query& q) {
    std::vector<search_part> out;
    for (auto [from, to] : groups) {
      std::vector<const bucket_view*> group(ptrs.begin() + long(from), ptrs.begin() + long(to));
      auto p = execute_part(q, group, from, opt);
      REQUIRE_MESSAGE(p.has_value(), p.err().render());
      out.push_back(std::move(*p));
    }
    return out;
  }

  std::pair<std::vector<row>, search_summary> merge(const query& q, std::vector<search_part> ps) {
    std::vector<row> rows;
    auto s = merge_parts(q, std::move(ps), opt, [&](const row& r) {
      rows.push_back(r);
      return true;
    });
    REQUIRE_MESSAGE(s.has_value(), s.err().render());
    return {std::move(rows), *s};
  }

  search_part combine(const query& q, std::vector<search_part> ps) {
    auto c = combine_parts(q, std::move(ps), opt);
    REQUIRE_MESSAGE(c.has_value(), c.err().render());
    return std::move(*c);
  }
};

std::vector<search_part> take(std::vector<search_part>& from, size_t begin, size_t end) {
  std::vector<search_part> out;
  for (size_t i = begin; i < end; ++i) out.push_back(std::move(from[i]));
  return out;
}

}  // namespace

TEST_CASE(
    "search wire: combined parts merge to the same rows as all the parts (head, stats, "
    "timechart)") {
  bucket_fixture f;
  for (std::string text :
       {"* | head 7", "user=alice OR status=404 | head 3", "*", "* | sort - bytes, host | head 5",
        "* | stats count, avg(bytes), dc(user), values(user) by host",
        "* | eval b2=bytes*2 | stats sum(b2), min(user), max(bytes) by sourcetype",
        "* | timechart span=10s count by host", "* | timechart count, max(bytes)", "* | top user",
        "* | stats median(bytes), p95(bytes), stdev(bytes), mode(user), list(user), first(user), "
        "last(host), estdc(user) by host"}) {
    CAPTURE(text);
    auto q = parse(text);
    auto [whole, whole_summary] = f.merge(q, f.parts(q));
    CHECK(!whole.empty());
    std::vector<row> expected;
    REQUIRE(execute(q, f.ptrs, f.opt, [&](const row& r) {
              expected.push_back(r);
              return true;
            }).has_value());
    CHECK(whole == expected);

    // Two peers, each combining the parts of its two owners.
    auto ps = f.parts(q);
    std::vector<search_part> peers;
    peers.push_back(f.combine(q, take(ps, 0, 2)));
    peers.push_back(f.combine(q, take(ps, 2, 4)));
    CHECK(peers[0].bucket_indexes.size() == 3);
    CHECK(peers[1].bucket_indexes.size() == 3);
    auto [nested, nested_summary] = f.merge(q, std::move(peers));
    CHECK(nested == whole);
    CHECK(nested_summary.buckets_searched == whole_summary.buckets_searched);
    CHECK(nested_summary.buckets_skipped == whole_summary.buckets_skipped);
    if (text.find("head") == std::string::npos)
      CHECK(nested_summary.events_read == whole_summary.events_read);
    if (text == "*") CHECK(nested_summary.events_read == f.events);

    // One peer with everything; and a combination of combinations.
    std::vector<search_part> one;
    one.push_back(f.combine(q, f.parts(q)));
    CHECK(f.merge(q, std::move(one)).first == whole);
    ps = f.parts(q);
    std::vector<search_part> inner;
    inner.push_back(f.combine(q, take(ps, 0, 3)));
    inner.push_back(std::move(ps[3]));
    std::vector<search_part> outer;
    outer.push_back(f.combine(q, std::move(inner)));
    CHECK(f.merge(q, std::move(outer)).first == whole);
  }
}

TEST_CASE("search wire: a combined part's summary sums its parts' summaries as they are read") {
  bucket_fixture f;
  auto q = parse("*");
  auto ps = f.parts(q);
  ps[1].summary->warnings.push_back("a warning of part 1");
  auto c = f.combine(q, std::move(ps));
  CHECK(c.summary->buckets_searched == 6);
  CHECK(c.summary->events_read == 0);  // nothing read yet
  CHECK(c.summary->warnings == std::vector<std::string>{"a warning of part 1"});
  size_t n = 0;
  for (;;) {
    auto k = c.events->peek();
    REQUIRE(k.has_value());
    if (!*k) break;
    (void)c.events->take();
    ++n;
  }
  CHECK(n == f.events);
  CHECK(c.summary->events_read == f.events);
  CHECK(c.summary->buckets_searched == 6);
  CHECK(c.summary->warnings.size() == 1);

  auto a = std::make_shared<search_summary>(search_summary{1, 2, 3, 4, 5, {"x"}});
  auto b = std::make_shared<search_summary>(search_summary{10, 20, 30, 40, 50, {"y", "z"}});
  auto sum = sum_summaries({a, nullptr, b});
  CHECK(sum.buckets_searched == 11);
  CHECK(sum.buckets_skipped == 22);
  CHECK(sum.events_read == 33);
  CHECK(sum.results == 44);
  CHECK(sum.deleted == 55);
  CHECK(sum.warnings == std::vector<std::string>{"x", "y", "z"});
}

TEST_CASE("search wire: a combined part sends delete marks to the part that holds the bucket") {
  bucket_fixture f;
  auto count_of = [&](const std::string& text) {
    f.open_views();
    auto q = parse(text);
    return f.merge(q, f.parts(q)).first.front().get("count")->as_string();
  };
  auto web1 = count_of("host=web1 | stats count");
  CHECK(web1 == "16");
  auto q = parse("host=web1 | delete");
  auto ps = f.parts(q);
  std::vector<search_part> peers;
  peers.push_back(f.combine(q, take(ps, 0, 2)));
  peers.push_back(f.combine(q, take(ps, 2, 4)));
  auto [rows, summary] = f.merge(q, std::move(peers));
  CHECK(summary.deleted == 16);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].get("deleted")->as_string() == "16");
  CHECK(count_of("host=web1 | stats count") == "0");
  CHECK(count_of("* | stats count") == std::to_string(f.events - 16));

  // Routing by bucket key, and the errors for keys no part holds.
  std::vector<std::string> calls;
  auto fake = [&](const std::string& name, std::vector<std::string> keys, bool can_delete) {
    search_part p;
    p.events = merge_sources({});
    p.summary = std::make_shared<search_summary>();
    for (auto& k : keys) p.bucket_indexes.emplace(k, "main");
    if (can_delete)
      p.mark_deleted = [&calls, name](const std::string& key, const Roaring& ords) {
        calls.push_back(name + " " + key + " " + std::to_string(ords.cardinality()));
        return error{};
      };
    return p;
  };
  std::vector<search_part> fakes;
  fakes.push_back(fake("A", {"k1", "k2"}, true));
  fakes.push_back(fake("B", {"k3"}, true));
  fakes.push_back(fake("C", {"k4"}, false));
  auto c = f.combine(q, std::move(fakes));
  CHECK(c.bucket_indexes.size() == 4);
  Roaring two;
  two.add(1);
  two.add(5);
  CHECK(!c.mark_deleted("k3", two));
  CHECK(!c.mark_deleted("k1", Roaring{}));
  CHECK(calls == std::vector<std::string>{"B k3 2", "A k1 0"});
  CHECK(c.mark_deleted("k9", two).code() == errc::not_found);
  CHECK(c.mark_deleted("k4", two).code() == errc::bad_state);
}

TEST_CASE("search wire: a part without what the search needs cannot be combined") {
  auto stats = parse("* | stats count");
  std::vector<search_part> ps(1);
  ps[0].summary = std::make_shared<search_summary>();
  auto c = combine_parts(stats, std::move(ps), {});
  REQUIRE(!c.has_value());
  CHECK(c.err().code() == errc::invalid_argument);
  std::vector<search_part> none(1);
  auto e = combine_parts(parse("* | head 2"), std::move(none), {});
  REQUIRE(!e.has_value());
  CHECK(e.err().code() == errc::invalid_argument);
  auto empty = combine_parts(stats, {}, {});
  REQUIRE(empty.has_value());
  CHECK(empty->aggregate.has_value());
}

TEST_CASE(
    "search wire: peers' combined parts reach the search head as bytes and merge to the same "
    "rows") {
  bucket_fixture f;
  for (std::string text : {"* | head 5", "*", "* | stats count, dc(user), values(user) by host",
                           "* | timechart span=10s count, avg(bytes)", "* | rare host"}) {
    CAPTURE(text);
    auto q_peer = parse(text), q_head = parse(text);
    auto [expected, expected_summary] = f.merge(q_peer, f.parts(q_peer));
    // Each peer combines its owners' parts and answers the open with bytes.
    auto ps = f.parts(q_peer);
    std::vector<std::unique_ptr<search_part>> peers;
    peers.push_back(std::make_unique<search_part>(f.combine(q_peer, take(ps, 0, 2))));
    peers.push_back(std::make_unique<search_part>(f.combine(q_peer, take(ps, 2, 4))));
    std::vector<search_part> at_head;
    for (size_t k = 0; k < peers.size(); ++k) {
      auto& peer = *peers[k];
      cursor_opened opened;
      opened.id = peer.events ? k + 1 : 0;
      opened.upper_time = peer.events ? peer.events->upper_time() : INT64_MIN;
      opened.aggregate = std::move(peer.aggregate);
      opened.summary = *peer.summary;
      opened.bucket_indexes = peer.bucket_indexes;
      auto decoded = decode_cursor_opened(encode_cursor_opened(opened), q_head, f.opt);
      REQUIRE_MESSAGE(decoded.has_value(), decoded.err().render());
      // Batches of three rows travel as bytes too.
      auto fetch = [&peer]() -> result<row_batch> {
        row_batch b;
        while (b.rows.size() < 3) {
          auto key = peer.events->peek();
          if (!key) return key.err();
          if (!*key) {
            b.done = true;
            break;
          }
          b.rows.push_back({**key, peer.events->take()});
        }
        b.events_read = peer.summary->events_read;
        return decode_row_batch(encode_row_batch(b));
      };
      at_head.push_back(
          remote_part(std::move(*decoded), fetch, [](const std::string&, const Roaring&) {
            return error{errc::bad_state, "no"};
          }));
    }
    auto [got, summary] = f.merge(q_head, std::move(at_head));
    CHECK(got == expected);
    CHECK(summary.buckets_searched == expected_summary.buckets_searched);
    if (text.find("head") == std::string::npos)
      CHECK(summary.events_read == expected_summary.events_read);
  }
}
