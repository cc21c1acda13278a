// Searches through the store: what each feature does, on small known data.
#include <doctest/doctest.h>

#include <cstdio>
#include <random>

#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_ops.hpp"
#include "core/bucket/bucket_reader.hpp"
#include "core/index/store.hpp"
#include "core/search/store_search.hpp"
#include "core/testing.hpp"
#include "search/naive_words.hpp"
#include "search/search_fixture.hpp"

using namespace kura;
using namespace kura::search;

namespace {

constexpr time_us t0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z
constexpr time_us sec = us_per_sec;

/// main (maxDataSize 1 GiB) and web.
struct fixture : testing::search_fixture {
  fixture() : search_fixture(1 << 30) {
    REQUIRE(!st->add_index(default_index_config("web", dir / "db")));
  }
};

using testing::str;

/// Three warm buckets and a hot one, with interleaved times.
void standard_data(fixture& f) {
  f.add("main", {{t0 + 10 * sec, "web1", "/var/log/a.log", "access", "GET /index.html status=200 bytes=512 user=alice", {}},
                 {t0 + 40 * sec, "web2", "/var/log/a.log", "access", "GET /login status=500 bytes=10 user=bob", {}}});
  REQUIRE(!f.st->roll_hot_buckets("main"));
  f.add("main", {{t0 + 20 * sec, "db1", "/var/log/db.log", "db", "ERROR connection refused to 10.0.0.5 user=carol", {}},
                 {t0 + 50 * sec, "db1", "/var/log/db.log", "db", "INFO connection closed user=alice", {}}});
  REQUIRE(!f.st->roll_hot_buckets("main"));
  f.add("main", {{t0 + 30 * sec, "web1", "/var/log/a.log", "access", "POST /api status=201 bytes=2048 user=carol", {}},
                 {t0 + 3600 * sec + 5 * sec, "web1", "/var/log/a.log", "access", "GET /late status=404 bytes=0", {}}});
  f.add("web", {{t0 + 35 * sec, "edge", "/var/log/edge.log", "edge", "GET /edge status=200 user=dave", {}}});
}

}  // namespace

TEST_CASE("search: results come newest first across hot and warm buckets, with their fields") {
  fixture f;
  standard_data(f);
  auto rows = f.run("*");
  REQUIRE(rows.size() == 6);  // main only: the web index is not searched by default
  std::vector<std::string> raws;
  for (auto& r : rows) raws.push_back(str(r, "_raw").substr(0, 8));
  CHECK(raws == std::vector<std::string>{"GET /lat", "INFO con", "GET /log", "POST /ap", "ERROR co", "GET /ind"});
  CHECK(str(rows[2], "host") == "web2");
  CHECK(str(rows[2], "status") == "500");  // key=value extraction
  CHECK(str(rows[2], "index") == "main");
  CHECK(str(rows[2], "_time") == std::to_string((t0 + 40 * sec) / sec));
}

TEST_CASE("search: index= chooses indexes, without it only main is searched") {
  fixture f;
  standard_data(f);
  CHECK(f.run("index=web").size() == 1);
  CHECK(f.run("index=*").size() == 7);
  CHECK(f.run("GET index=w*").size() == 1);
  CHECK(f.run("index!=main").size() == 1);
  CHECK(f.run("dave").empty());
}

TEST_CASE("search: words, wildcards, phrases, boolean operators and field comparisons") {
  fixture f;
  standard_data(f);
  CHECK(f.run("error").size() == 1);
  CHECK(f.run("ERROR").size() == 1);                 // case-insensitive
  CHECK(f.run("10.0.0.5").size() == 1);              // a whole major segment
  CHECK(f.run("5").size() == 1);                     // and its minor parts
  CHECK(f.run("conn*").size() == 2);
  CHECK(f.run("*used").size() == 1);                 // refused
  CHECK(f.run("\"connection closed\"").size() == 1);
  CHECK(f.run("\"closed connection\"").empty());
  CHECK(f.run("connection NOT error").size() == 1);
  CHECK(f.run("error OR status=404").size() == 2);
  CHECK(f.run("GET OR POST user=carol").size() == 1);  // (GET OR POST) AND user=carol
  CHECK(f.run("host=web*").size() == 4);
  CHECK(f.run("host=WEB1 sourcetype=access").size() == 3);
  CHECK(f.run("status!=200").size() == 3);           // needs the field: events without status do not match
  CHECK(f.run("bytes>=512").size() == 2);
  CHECK(f.run("bytes<100").size() == 2);
  CHECK(f.run("user=c*").size() == 2);
}

TEST_CASE("search: earliest and latest, inline or from the request") {
  fixture f;
  standard_data(f);
  auto at = [](time_us t) { return std::to_string(t / sec); };
  CHECK(f.run("earliest=" + at(t0 + 20 * sec) + " latest=" + at(t0 + 41 * sec)).size() == 3);
  search_summary pruned;
  CHECK(f.run("earliest=" + at(t0 + 3600 * sec), &pruned).size() == 1);
  CHECK(pruned.buckets_skipped == 2);  // the two warm buckets end before the range begins
  CHECK(pruned.events_read == 1);
  f.opt.earliest = t0 + 3600 * sec;
  CHECK(f.run("*").size() == 1);
  CHECK(f.run("earliest=0 *").size() == 6);  // the search's own earliest wins
  f.opt.earliest.reset();
  f.opt.now = t0 + 3600 * sec + 10 * sec;
  CHECK(f.run("earliest=-1m").size() == 1);
  CHECK(f.run("earliest=-1d@d latest=@h").size() == 5);
}

TEST_CASE("search: counts are answered from posting lists without reading events") {
  fixture f;
  standard_data(f);
  search_summary s;
  auto rows = f.run("connection | stats count", &s);
  REQUIRE(rows.size() == 1);
  CHECK(str(rows[0], "count") == "2");
  CHECK(s.events_read == 0);
  rows = f.run("* | stats count by sourcetype", &s);
  REQUIRE(rows.size() == 2);
  CHECK(str(rows[0], "sourcetype") == "access");
  CHECK(str(rows[0], "count") == "4");
  CHECK(s.events_read == 0);
  rows = f.run("GET | timechart span=1h count", &s);
  REQUIRE(rows.size() == 2);
  CHECK(str(rows[0], "count") == "2");
  CHECK(str(rows[1], "count") == "1");
  CHECK(s.events_read == 0);
  rows = f.run("user=alice | stats count", &s);  // a search-time field: events must be read
  CHECK(str(rows[0], "count") == "2");
  CHECK(s.events_read > 0);
}

TEST_CASE("search: request ids left out of a warm bucket's dictionary are still found exactly") {
  // 40,000 lines, each ending in a unique 12-hex-digit request id. Rolled to warm, the ids
  // (terms of one event, hex digits only) leave the dictionary for per-slice filters; each
  // expected answer is counted from the generated lines.
  fixture f;
  auto id = [](uint64_t i) {
    char b[16];
    std::snprintf(b, sizeof b, "%012llx",
                  (unsigned long long)((i * 0x9E3779B97F4Bull + 0x5DEECE66Dull) % (1ull << 48)));
    return std::string{b};
  };
  constexpr size_t n = 40000;  // two journal slices
  std::vector<std::string> lines;
  for (size_t i = 0; i < n; ++i)
    lines.push_back("GET /cart/" + std::to_string(i % 50) + " status=" + (i % 10 ? "200" : "503") +
                    " rid=" + id(i));
  std::vector<event_view> views;
  for (size_t i = 0; i < n; ++i)
    views.push_back(
        {t0 + time_us(i) * sec / 100, "web1", "/var/log/a.log", "access", lines[i], {}});
  f.add("main", views);
  REQUIRE(!f.st->roll_hot_buckets("main"));
  size_t warm = 0;
  for (auto& b : f.st->find("main")->buckets()) {
    if (b.state == bucket_state::hot) continue;
    ++warm;
    auto r = bucket_reader::open(b.dir);
    REQUIRE(r.has_value());
    CHECK(r->postings(id(777))->isEmpty());  // left out of the dictionary
    auto maybe = r->rare_term_events(id(777));
    CHECK(maybe.contains(777));
    CHECK(maybe.cardinality() < n);                      // only the slices whose filter may hold it
    CHECK(r->postings("503")->cardinality() == n / 10);  // not rare: still in the dictionary
    // The bucket's bloom filter holds the dictionary's terms; may_contain also asks the
    // slices' filters, so no id is ruled out and about 1 % of absent ones pass.
    size_t absent_passed = 0;
    for (size_t i = 0; i < n; ++i) REQUIRE(r->may_contain(id(i)));
    for (size_t i = n; i < n + 2000; ++i) absent_passed += r->may_contain(id(i));
    CHECK(absent_passed < 100);
  }
  CHECK(warm == 1);
  auto count = [&](const std::string& q) {
    auto rows = f.run(q + " | stats count");
    REQUIRE(rows.size() == 1);
    return std::stoull(str(rows[0], "count"));
  };
  auto naive_count = [&](auto&& matches) {
    size_t c = 0;
    for (size_t i = 0; i < n; ++i) c += matches(id(i));
    return c;
  };
  for (size_t i : {size_t(0), size_t(777), n - 1}) {
    CAPTURE(id(i));
    auto rows = f.run(id(i));
    REQUIRE(rows.size() == 1);
    CHECK(str(rows[0], "_raw") == lines[i]);
    CHECK(count("TERM(rid=" + id(i) + ")") == 1);
    CHECK(count("TERM(" + id(i) + ")") == 0);  // not a whole major segment
    CHECK(count("rid=" + id(i)) == 1);
    CHECK(count("NOT " + id(i)) == n - 1);
    CHECK(count(id(i) + " status=503") == (i % 10 ? 0 : 1));
    // Four or five hex digits: no other term of the lines (statuses, cart numbers) matches.
    std::string prefix = id(i).substr(0, 4), suffix = id(i).substr(7);
    CHECK(count(prefix + "*") ==
          naive_count([&](const std::string& x) { return x.compare(0, 4, prefix) == 0; }));
    CHECK(count("*" + suffix) ==
          naive_count([&](const std::string& x) { return x.substr(7) == suffix; }));
  }
  CHECK(count("abcdefabcdef") == 0);
  CHECK(count("cart* 503") == n / 10);  // a glob with letters outside hex: the dictionary alone
}

TEST_CASE("search: the bloom filter skips buckets and never changes results") {
  fixture f;
  standard_data(f);
  search_summary with_bloom;
  auto a = f.run("refused OR absentword", &with_bloom);
  search_summary skipped;
  f.run("absentword", &skipped);
  CHECK(skipped.buckets_skipped >= 2);
  for (auto& b : f.st->find("main")->buckets())
    if (b.state != bucket_state::hot) REQUIRE(rebuild(b.dir, false).has_value());  // no bloom filters
  auto none = f.run("refused OR absentword");
  CHECK(a == none);
  CHECK(a.size() == 1);
}

TEST_CASE("search: delete hides events from every later search without changing metadata") {
  fixture f;
  standard_data(f);
  auto size_before = io::dir_size(f.dir / "db");
  std::vector<std::pair<std::string, uint64_t>> counts_before;
  for (auto& b : f.st->find("main")->buckets())
    if (b.state != bucket_state::hot) counts_before.emplace_back(b.dir.string(), read_manifest(b.dir)->hosts[0].second.count);
  auto rows = f.run("user=alice | delete");
  REQUIRE(rows.size() == 1);
  CHECK(str(rows[0], "deleted") == "2");
  CHECK(f.run("alice").empty());
  CHECK(f.run("* | stats count").front().get("count")->as_string() == "4");
  CHECK(io::dir_size(f.dir / "db") >= size_before);  // disk space is not freed
  for (auto& [dir, count] : counts_before) CHECK(read_manifest(dir)->hosts[0].second.count == count);
  // Marks on a hot bucket survive its roll to warm.
  REQUIRE(f.run("status=404 | delete").size() == 1);
  REQUIRE(!f.st->roll_hot_buckets("main"));
  CHECK(f.run("status=404").empty());
}

TEST_CASE("search: eval functions and where") {
  fixture f;
  standard_data(f);
  auto rows = f.run(
      "status=500 | eval a = 1 + 2 * 3, b = \"x\" . upper(host), c = if(bytes > 5, \"big\", \"small\"),"
      " d = case(status = 404, \"nf\", status = 500, \"err\"), e = len(user), g = lower(\"ABC\"),"
      " h = tonumber(\"0x1F\", 16), i = round(2.567, 2), j = substr(\"abcdef\", 2, 3), k = tonumber(\"12\") + 1,"
      " l = substr(\"abcdef\", -2), m = bytes / 0");
  REQUIRE(rows.size() == 1);
  auto& r = rows[0];
  CHECK(str(r, "a") == "7");
  CHECK(str(r, "b") == "xWEB2");
  CHECK(str(r, "c") == "big");
  CHECK(str(r, "d") == "err");
  CHECK(str(r, "e") == "3");
  CHECK(str(r, "g") == "abc");
  CHECK(str(r, "h") == "31");
  CHECK(str(r, "i") == "2.57");
  CHECK(str(r, "j") == "bcd");
  CHECK(str(r, "k") == "13");
  CHECK(str(r, "l") == "ef");
  CHECK(r.get("m")->is_null());
  CHECK(f.run("* | where bytes > 100 AND user != \"carol\"").size() == 1);
  CHECK(f.run("* | eval n = tonumber(\"1F\", 16) | where n = 31").size() == 6);
}

TEST_CASE("search: stats functions with as and by") {
  fixture f;
  standard_data(f);
  auto rows = f.run(
      "sourcetype=access | stats count, dc(user) as users, sum(bytes) as total, avg(bytes), min(bytes) as lo,"
      " max(bytes) as hi, values(status) as codes, earliest(status) as first, latest(status) as last by host");
  REQUIRE(rows.size() == 2);
  auto& web1 = rows[0];
  CHECK(str(web1, "host") == "web1");
  CHECK(str(web1, "count") == "3");
  CHECK(str(web1, "users") == "2");
  CHECK(str(web1, "total") == "2560");
  CHECK(str(web1, "avg(bytes)") == "853.333333");
  CHECK(str(web1, "lo") == "0");
  CHECK(str(web1, "hi") == "2048");
  CHECK(web1.get("codes")->items() == std::vector<std::string>{"200", "201", "404"});
  CHECK(str(web1, "first") == "200");
  CHECK(str(web1, "last") == "404");
  auto none = f.run("nothingmatches | stats count");
  REQUIRE(none.size() == 1);
  CHECK(str(none[0], "count") == "0");
}

TEST_CASE("search: timechart bins by span, fills empty bins and splits by a field") {
  fixture f;
  standard_data(f);
  auto rows = f.run("* | timechart span=30m count by sourcetype");
  REQUIRE(rows.size() == 3);  // 00:00, 00:30 (empty), 01:00
  CHECK(str(rows[0], "_time") == std::to_string(t0 / sec));
  CHECK(str(rows[0], "access") == "3");
  CHECK(str(rows[0], "db") == "2");
  CHECK(str(rows[1], "access") == "0");
  CHECK(str(rows[2], "access") == "1");
}

TEST_CASE("search: top and rare count values with percentages") {
  fixture f;
  standard_data(f);
  auto top = f.run("* | top 2 host");
  REQUIRE(top.size() == 2);
  CHECK(str(top[0], "host") == "web1");
  CHECK(str(top[0], "count") == "3");
  CHECK(str(top[0], "percent") == "50");
  auto rare = f.run("* | rare host");
  CHECK(str(rare[0], "host") == "web2");
}

TEST_CASE("search: head, tail, sort, dedup, fields, table, rename and rex") {
  fixture f;
  standard_data(f);
  CHECK(str(f.run("* | head 2").back(), "_raw").substr(0, 4) == "INFO");
  auto tail = f.run("* | tail 2");
  REQUIRE(tail.size() == 2);
  CHECK(str(tail[0], "_raw").substr(0, 9) == "GET /inde");  // the oldest first
  auto sorted = f.run("bytes>=0 | sort -bytes, host | head 2");
  CHECK(str(sorted[0], "bytes") == "2048");
  CHECK(str(sorted[1], "bytes") == "512");
  CHECK(f.run("* | dedup host").size() == 3);
  CHECK(f.run("* | dedup 2 host").size() == 5);
  auto fields = f.run("error | fields host");
  CHECK(fields[0].get("host"));
  CHECK(!fields[0].get("user"));
  CHECK(fields[0].get("_raw"));
  auto table = f.run("error | table user, host");
  REQUIRE(table[0].fields().size() ==
          2);  // exactly the listed fields: no hidden _cd reaches outputs
  CHECK(f.error_of("error | table user | delete").find("delete needs events") == 0);
  CHECK(table[0].fields()[0].first == "user");
  CHECK(str(f.run("error | rename user as who")[0], "who") == "carol");
  auto rex = f.run("error | rex \"to (?<ip>\\d+\\.\\d+\\.\\d+\\.\\d+)\" | table ip");
  CHECK(str(rex[0], "ip") == "10.0.0.5");
  CHECK(f.error_of("* | rex \"(unclosed\"").find("rex: invalid regular expression") == 0);
}

TEST_CASE("search: limits stop a search with a clear error instead of exhausting memory") {
  fixture f;
  standard_data(f);
  f.opt.limits.max_rows = 3;
  CHECK(f.error_of("* | sort host") == "sort: more than 3 events to hold; narrow the search or add | head");
  f.opt.limits.max_groups = 2;
  CHECK(f.error_of("* | stats count by user").find("stats: the number of groups exceeds the limit of 2") == 0);
  CHECK(f.run("* | head 3").size() == 3);  // head stops the merge at its count
}

TEST_CASE("search: a search that would hold more than max_memory stops with an error naming it") {
  // 2,000 events of about 300 bytes, each with its own id: holding them all
  // takes at least 2,000 x 300 bytes of text.
  fixture f;
  std::vector<event_view> events;
  std::vector<std::string> raws;
  for (int i = 0; i < 2000; ++i)
    raws.push_back("id=" + std::to_string(i) + " " + std::string(290, char('a' + i % 26)));
  for (int i = 0; i < 2000; ++i)
    events.push_back({t0 + i * sec, "h", "/l", "st", raws[size_t(i)], {}});
  f.add("main", events);
  const std::string limit_text =
      "would hold more than the search memory limit of 262144 bytes "
      "([search] max_mem_usage_mb)";
  f.opt.limits.max_memory = 256 * 1024;  // below the 600 KB of raw text
  auto sorted = f.error_of("* | sort 0 id");
  CHECK(sorted.find("sort: its ") == 0);
  CHECK(sorted.find(limit_text) != std::string::npos);
  auto grouped = f.error_of("* | stats count by id");
  CHECK(grouped.find("stats: its ") == 0);
  CHECK(grouped.find(limit_text) != std::string::npos);
  // One group whose distinct values grow past the limit.
  f.opt.limits.max_memory = 64 * 1024;
  CHECK(f.error_of("* | stats values(id) as ids").find(limit_text.substr(0, 40)) !=
        std::string::npos);
  // A command that multiplies the rows it was given (mvexpand) is checked after it runs.
  // (300 events hold about 600 KB; 300 x 100 expanded rows of two fields several MB.)
  f.opt.limits.max_memory = 2 << 20;
  std::string hundred = "0";
  for (int i = 1; i < 100; ++i) hundred += "," + std::to_string(i);
  const std::string expand =
      "* | head 300 | fields id | eval many=split(\"" + hundred + "\", \",\") | mvexpand many";
  CHECK(f.run("* | head 300 | fields id | eval many=split(\"" + hundred + "\", \",\")").size() ==
        300);
  CHECK(f.error_of(expand).find(
            "mvexpand: 30000 rows would hold more than the search memory limit of 2 MB") == 0);
  f.opt.limits.max_memory = 64 << 20;
  CHECK(f.run(expand).size() == 30000);
  // Within the limit the same searches answer in full.
  f.opt.limits.max_memory = 64 << 20;
  auto all = f.run("* | sort 0 id");
  REQUIRE(all.size() == 2000);
  CHECK(f.run("* | stats count by id").size() == 2000);
  auto ids = f.run("* | stats dc(id) as n");
  CHECK(str(ids[0], "n") == "2000");
  // A stream out (no command that holds rows) is not limited by memory at all.
  f.opt.limits.max_memory = 64 * 1024;
  CHECK(f.run("* | fields id").size() == 2000);
}

TEST_CASE("search: indexed fields are searchable even when their value is not in _raw") {
  fixture f;
  f.add("main", {{t0, "h", "s", "st", "no team here", {{"team", "Blue"}}},
                 {t0 + sec, "h", "s", "st", "team=red in the text", {}}});
  CHECK(f.run("team=blue").size() == 1);
  CHECK(str(f.run("team=blue")[0], "_raw") == "no team here");
  CHECK(f.run("team=red").size() == 1);
  CHECK(f.run("team=*").size() == 2);
  CHECK(f.run("* | stats count by team").size() == 2);
}

TEST_CASE("search: words with minor breakers, IN, CASE() and TERM() as Splunk answers them") {
  // Expected counts are worked out by hand from these five events.
  fixture f;
  f.add("main",
        {{t0 + 1 * sec,
          "h1",
          "/l",
          "kv",
          "Nov 22 action=allow src=10.1.2.3 dst=10.1.2.30 amount=137.64",
          {}},
         {t0 + 2 * sec, "h2", "/l", "kv", "user Bob paid amount=1137.64 from 110.1.2.3", {}},
         {t0 + 3 * sec,
          "h3",
          "/l",
          "js",
          R"({"user":"bob","ip":"10.1.2.3","msg":"Disk Full","lvl":"ERROR"})",
          {}}});
  REQUIRE(!f.st->roll_hot_buckets("main"));  // a searchable copy and a hot bucket
  f.add("main", {{t0 + 4 * sec, "h4", "/l", "kv", "level=WARN 10.1.2.3 connected, disk full", {}},
                 {t0 + 5 * sec, "h5", "/l", "kv", "ERROR log-error src=10.1.2.4 level=error", {}}});
  auto count = [&](const std::string& q) { return f.run(q).size(); };
  auto hosts = [&](const std::string& q) {
    std::string out;
    for (auto& r : f.run(q)) out = str(r, "host") + (out.empty() ? "" : " ") + out;
    return out;  // oldest first
  };
  // A word with minor breakers is found inside a larger segment, bounded by breakers.
  CHECK(hosts("10.1.2.3") == "h1 h3 h4");  // not 10.1.2.30, not 110.1.2.3
  CHECK(hosts("137.64") == "h1");          // not 1137.64
  CHECK(count("1.2") == 5);
  CHECK(count("0.1") == 0);  // "10.1": the 0 is not at a breaker
  CHECK(hosts("110.1.2.3") == "h2");
  CHECK(hosts("10.1.*") == "h1 h3 h4 h5");  // not 110.1.2.3
  CHECK(hosts("*.1.2.3") == "h1 h2 h3 h4");
  CHECK(hosts("10.1.2.3*") == "h1 h3 h4");
  CHECK(hosts("src=10.1.*") == "h1 h5");  // a comparison of the extracted field src
  CHECK(hosts("error") == "h3 h5");       // "ERROR" and "log-error"
  CHECK(hosts("\"disk full\"") == "h3 h4");
  CHECK(hosts("* | search 10.1.2.3") == "h1 h3 h4");
  CHECK(hosts("* | search 137.64 OR TERM(10.1.2.3)") == "h1 h3 h4");
  // TERM(): a whole major segment.
  CHECK(hosts("TERM(10.1.2.3)") == "h3 h4");
  CHECK(hosts("TERM(src=10.1.2.3)") == "h1");
  CHECK(hosts("TERM(src=10.1.*)") == "h1 h5");
  CHECK(hosts("TERM(error)") == "h3 h5");  // "ERROR" alone; not "log-error" or "level=error"
  CHECK(count("TERM(log-error)") == 1);
  // CASE(): with its case.
  CHECK(hosts("CASE(ERROR)") == "h3 h5");
  CHECK(hosts("CASE(error)") == "h5");
  CHECK(hosts("CASE(\"Disk Full\")") == "h3");
  CHECK(hosts("CASE(Bo*)") == "h2");
  CHECK(hosts("level=CASE(error)") == "h5");
  CHECK(count("level=CASE(ERROR)") == 0);
  // IN, != and NOT.
  CHECK(hosts("level IN (ERROR, WARN)") == "h4 h5");
  CHECK(hosts("level IN (w*)") == "h4");
  CHECK(hosts("host IN (h1, \"h3\" h5*)") == "h1 h3 h5");
  CHECK(count("NOT level IN (error)") == 4);  // events without level match NOT
  CHECK(hosts("level!=error") == "h4");       // != needs the field
  CHECK(count("NOT level=error") == 4);
  CHECK(hosts("* | search level IN (warn) OR CASE(Bob)") == "h2 h4");
  CHECK(hosts("137.64 OR CASE(ERROR)") == "h1 h3 h5");
  CHECK(hosts("10.1.2.3 AND TERM(10.1.2.3)") == "h3 h4");
  CHECK(hosts("* | where level IN (\"WARN\", \"error\")") == "h4 h5");
  CHECK(hosts("* | where NOT host IN (\"h1\", \"h2\", \"h3\")") == "h4 h5");
}

TEST_CASE(
    "search: random words, phrases, CASE() and TERM() through the index agree with the naive "
    "reading") {
  // Tiny alphabets so that breakers, stars and case meet in every way; the
  // index (posting lists, prefix and suffix globs, exactness) must find exactly
  // the events the naive reading of the rules finds.
  fixture f;
  const std::string text_chars = "aAb1 .=-:[],*";
  std::mt19937 rng(5);
  std::vector<std::string> raws;
  raws.reserve(300);  // the event views point into these strings
  for (int batch = 0; batch < 2; ++batch) {
    std::vector<event_view> events;
    for (int i = 0; i < 150; ++i) {
      std::string raw;
      for (size_t k = 0, n = 1 + rng() % 16; k < n; ++k)
        raw += text_chars[rng() % text_chars.size()];
      raws.push_back(raw);
      events.push_back({t0 + time_us(raws.size()) * sec, "h", "/l", "st", raws.back(), {}});
    }
    f.add("main", events);
    if (batch == 0) REQUIRE(!f.st->roll_hot_buckets("main"));  // a searchable copy and a hot bucket
  }
  size_t nonempty = 0;
  for (int round = 0; round < 400; ++round) {
    std::string chars =
        round % 4 == 1 ? "aAb1 .-:[],*" : "aAb1.-:*";  // phrases may hold spaces and majors
    std::string pattern;
    for (size_t k = 0, n = 1 + rng() % 5; k < n; ++k) pattern += chars[rng() % chars.size()];
    search_node n;
    std::string q;
    switch (round % 4) {
      case 0:
        n.type = search_node::kind::term, q = pattern;
        break;
      case 1:
        n.type = search_node::kind::phrase, q = "\"" + pattern + "\"";
        break;
      case 2:
        n.type = search_node::kind::term, n.case_sensitive = true, q = "CASE(" + pattern + ")";
        break;
      default:
        n.type = search_node::kind::term, n.whole_term = true, q = "TERM(" + pattern + ")";
        break;
    }
    n.text = pattern;
    if (n.whole_term && pattern.find_first_not_of(".-:") == std::string::npos)
      continue;  // refused: no term
    if (pattern.find_first_not_of("*") == std::string::npos && n.type == search_node::kind::phrase)
      continue;
    size_t want = 0;
    for (auto& raw : raws) want += testing::naive_word_matches(n, raw);
    CAPTURE(q);
    CHECK(f.run(q).size() == want);
    auto counted =
        f.run(q + " | stats count");  // counts over exact candidates come from posting lists
    REQUIRE(counted.size() == 1);
    CHECK(str(counted[0], "count") == std::to_string(want));
    nonempty += want > 0;
  }
  CHECK(nonempty > 150);
}
