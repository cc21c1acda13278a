// The executor (posting lists, bloom filters, fast paths, per-bucket partials,
// merges) must agree exactly with the naive evaluator on the Loghub data for
// hundreds of generated searches.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "core/index/store.hpp"
#include "core/pipeline/event_stream.hpp"
#include "core/search/cursor_table.hpp"
#include "core/search/executor.hpp"
#include "core/search/parser.hpp"
#include "core/search/store_search.hpp"
#include "core/testing.hpp"
#include "core/text/segmenter.hpp"
#include "search/naive.hpp"
#include "search/naive_words.hpp"

using namespace kura;
using namespace kura::search;

namespace {

constexpr time_us now = 1'514'764'800'000'000;  // 2018-01-01: year inference for the samples

#if defined(__SANITIZE_ADDRESS__)
constexpr int query_count = 60;  // the sanitizer build is ~10x slower
#else
constexpr int query_count = 300;
#endif

struct corpus {
  testing::temp_dir dir;
  std::unique_ptr<store> st;
  std::vector<std::string> words;      // terms seen in the data
  std::vector<std::string> phrases;    // two consecutive words of a line
  std::vector<std::string> samples;    // sourcetypes
  std::vector<std::string>
      inner;  // runs of minor parts inside a major segment: "10.1.2", "user-agent"
  std::vector<std::string> segments;  // whole major segments, trimmed, as written: "src=10.1.2.3"
  std::vector<std::string> cased;     // alphabetic terms as written: "Failed", "ERROR"
  time_us min_time = INT64_MAX, max_time = INT64_MIN;
};

/// Words with minor breakers, whole segments and cased words of one event,
/// for the generated searches of segmentation, TERM() and CASE().
void collect_breaker_words(const std::string& raw, corpus& c) {
  const auto& cls = segmenter::classes();
  auto is = [&](char ch, segmenter::char_class k) {
    return cls[static_cast<unsigned char>(ch)] == k;
  };
  size_t i = 0, taken = 0;
  while (i < raw.size() && taken < 3) {
    while (i < raw.size() && is(raw[i], segmenter::char_class::major)) ++i;
    size_t b = i;
    while (i < raw.size() && !is(raw[i], segmenter::char_class::major)) ++i;
    std::string seg = raw.substr(b, i - b);
    while (!seg.empty() && is(seg.front(), segmenter::char_class::minor)) seg.erase(seg.begin());
    while (!seg.empty() && is(seg.back(), segmenter::char_class::minor)) seg.pop_back();
    if (seg.empty() || seg.size() > 60) continue;
    bool alpha = std::all_of(seg.begin(), seg.end(),
                             [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); });
    if (alpha && seg.size() >= 3 && (b * 7 + seg.size()) % 3 == 0) c.cased.push_back(seg);
    std::vector<size_t> cuts;  // minor breakers inside the segment
    for (size_t k = 0; k < seg.size(); ++k)
      if (is(seg[k], segmenter::char_class::minor)) cuts.push_back(k);
    if (cuts.empty() || seg.find('=') == 0) continue;
    ++taken;
    c.segments.push_back(seg);
    // From after one minor breaker (or the start) to before a later one (or the end).
    size_t from = cuts.size() > 1 && seg.size() % 2 ? cuts[0] + 1 : 0;
    size_t to = cuts.size() > 2 ? cuts[cuts.size() - 1] : seg.size();
    if (to > from) c.inner.push_back(seg.substr(from, to - from));
  }
}

/// Generated JSON events (HEC's usual payload) over the Loghub time range, in
/// main: nested objects, arrays, arrays of objects, escapes, nulls, and every
/// 40th event truncated (no fields). Numbers are written in their shortest
/// form (naive_json.hpp).
void add_json_events(corpus& c) {
  std::mt19937 rng(7);
  const char* users[] = {"bob", "alice", "carol", "dave", "erin"};
  const char* countries[][2] = {
      {"JP", "Tokyo"}, {"US", "Boston"}, {"FR", "Paris"}, {"DE", "Berlin"}};
  const char* tags[] = {"beta", "web", "mobile"};
  const int statuses[] = {200, 200, 201, 404, 500};
  std::vector<std::string> raws;
  for (int i = 0; i < 1200; ++i) {
    auto* geo = countries[rng() % 4];
    char latency[32];
    std::snprintf(latency, sizeof latency, "%g", double(rng() % 4000) / 4);
    std::string e = std::string{R"({"user":")"} + users[rng() % 5] + R"(","status":)" +
                    std::to_string(statuses[rng() % 5]) + R"(,"latency_ms":)" + latency +
                    R"(,"geo":{"country":")" + geo[0] + R"(","city":")" + geo[1] + R"("})";
    std::string t;
    for (auto* tag : tags)
      if (rng() % 2) t += (t.empty() ? "\"" : ",\"") + std::string{tag} + "\"";
    e += R"(,"tags":[)" + t + "]";
    if (int n = int(rng() % 3); n > 0) {
      e += R"(,"items":[)";
      for (int k = 0; k < n; ++k)
        e += std::string{k ? "," : ""} + R"({"sku":"A)" + std::to_string(rng() % 20) +
             R"(","qty":)" + std::to_string(rng() % 6) + "}";
      e += "]";
    }
    e += std::string{R"(,"ok":)"} + (rng() % 3 ? "true" : "false");
    if (rng() % 5 == 0) e += R"(,"note":null)";
    if (rng() % 4 == 0)
      e += R"(,"req":{"headers":{"ua":"curl/8.)" + std::to_string(rng() % 3) + R"("}})";
    if (rng() % 6 == 0) e += R"(,"msg":"said \"hi\" caf\u00e9")";
    e += "}";
    if (i % 40 == 39) e.pop_back();  // truncated
    raws.push_back(std::move(e));
  }
  std::vector<event_view> views;
  time_us span = c.max_time - c.min_time;
  for (size_t i = 0; i < raws.size(); ++i)
    views.push_back({c.min_time + time_us(i) * (span / time_us(raws.size())),
                     i % 2 ? "json-b" : "json-a",
                     "http:app",
                     "_json",
                     raws[i],
                     {}});
  for (size_t at = 0; at < views.size(); at += 400) {
    std::vector<event_view> batch(views.begin() + long(at),
                                  views.begin() + long(std::min(views.size(), at + 400)));
    REQUIRE(!c.st->append("main", batch, now / us_per_sec));
  }
}

corpus& data() {
  static corpus c = [] {
    corpus c;
    store_config sc;
    sc.db_root = c.dir / "db";
    sc.min_free_space_bytes = 0;
    std::vector<index_config> idx;
    for (auto* name : {"main", "web"}) {
      auto ic = default_index_config(name, sc.db_root);
      ic.max_data_size_bytes = 256 * 1024;  // many warm buckets
      ic.max_hot_buckets = 3;
      ic.frozen_time_period_secs = int64_t(100) * 365 * 86400;
      idx.push_back(ic);
    }
    auto s = store::open(sc, idx);
    REQUIRE(s.has_value());
    c.st = std::move(*s);
    std::set<std::string> words;
    auto root = io::fs::path{KURA_SHARED_DIR} / "datasets/loghub";
    std::vector<std::string> names;
    for (auto& e : io::fs::directory_iterator(root))
      if (e.is_directory()) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    for (auto& name : names) {
      c.samples.push_back(name);
      auto text = testing::slurp(root / name / (name + "_2k.log"));
      std::string index = (name == "Apache" || name == "OpenSSH") ? "web" : "main";
      for (int half = 0; half < 2; ++half) {
        // Two hosts per sample; each half of the file is one input stream.
        auto mid = text.find('\n', text.size() / 2) + 1;
        auto part = half == 0 ? text.substr(0, mid) : text.substr(mid);
        auto stream = event_stream::open(sourcetype_rules{}, {name + (half ? "-b" : "-a"), "/var/log/" + name + ".log", name, index});
        REQUIRE(stream.has_value());
        std::vector<parsed_event> events;
        stream->feed(part, now, events);
        stream->finish(now, events);
        std::vector<event_view> views;
        for (auto& e : events) {
          views.push_back({e.time, stream->meta().host, stream->meta().source, stream->meta().sourcetype, e.raw, {}});
          c.min_time = std::min(c.min_time, e.time);
          c.max_time = std::max(c.max_time, e.time);
        }
        for (size_t at = 0; at < views.size(); at += 500) {
          std::vector<event_view> batch(views.begin() + long(at), views.begin() + long(std::min(views.size(), at + 500)));
          REQUIRE(!c.st->append(index, batch, now / us_per_sec));
        }
        for (size_t i = 0; i < events.size(); i += 37) {
          std::string scratch;
          std::vector<std::string> line_terms;
          segmenter::for_each_term(events[i].raw, scratch, [&](std::string_view t) {
            if (t.size() >= 3 && std::isalpha(static_cast<unsigned char>(t[0]))) words.emplace(t);
          });
          auto& raw = events[i].raw;
          collect_breaker_words(raw, c);
          auto sp = raw.find(' ', raw.size() / 3);
          auto sp2 = sp == std::string::npos ? sp : raw.find(' ', sp + 1);
          auto sp3 = sp2 == std::string::npos ? sp2 : raw.find(' ', sp2 + 1);
          if (sp3 != std::string::npos && raw.find('"', sp) > sp3) c.phrases.push_back(raw.substr(sp + 1, sp3 - sp - 1));
        }
      }
    }
    c.words.assign(words.begin(), words.end());
    add_json_events(c);
    return c;
  }();
  return c;
}

/// A word with minor breakers (`10.1.2`, `10.1.*`), TERM(), CASE() or an IN list.
std::string breaker_atom(std::mt19937& rng, const corpus& c) {
  auto pick = [&](const auto& v) -> const auto& { return v[rng() % v.size()]; };
  auto lowered = [](std::string s) {
    for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  switch (rng() % 12) {
    case 0:
    case 1:
      return pick(c.inner);
    case 2: {  // cut at a minor breaker, then a star: "10.1.*", "user-*"
      std::string w = pick(c.inner);
      size_t cut = w.find_last_of("/:=@.-$#%\\_");
      return cut == std::string::npos || cut == 0 ? w + "*" : w.substr(0, cut + 1) + "*";
    }
    case 3:
      return "*" + pick(c.inner).substr(1);
    case 4:
      return "TERM(" + pick(c.segments) + ")";
    case 5: {
      std::string s = pick(c.segments);
      return "TERM(" + s.substr(0, s.size() / 2 + 1) + "*)";
    }
    case 6:
      return "TERM(" + pick(c.cased) + ")";
    case 7:
      return "CASE(" + pick(c.cased) + ")";
    case 8:
      return "CASE(" + lowered(pick(c.cased)) + ")";
    case 9:
      return "sourcetype IN (" + pick(c.samples) + ", " + pick(c.samples).substr(0, 3) + "*)";
    case 10:
      return pick(std::vector<std::string>{"uid IN (0, 1)", "NOT uid IN (0)",
                                           "user IN (root,\"r*\" test)", "sourcetype=CASE(Apache)",
                                           "sourcetype=CASE(apache)", "host=TERM(Linux-a)"});
    default:
      return "(" + pick(c.inner) + " OR CASE(" + pick(c.cased) + "))";
  }
}

std::string generate(std::mt19937& rng, const corpus& c) {
  auto pick = [&](const auto& v) -> const auto& { return v[rng() % v.size()]; };
  auto word = [&] { return pick(c.words); };
  auto atom = [&]() -> std::string {
    switch (rng() % 15) {
      case 14:  // JSON fields of the generated JSON events (naive_json.cpp)
        return pick(std::vector<std::string>{
            "user=bob", "user=a*", "geo.country=JP", "geo.country!=US", "tags{}=beta", "tags{}=web",
            "items{}.sku=A1*", "status>=500", "latency_ms<100", "ok=true", "sourcetype=_json",
            "host=json-a", "req.headers.ua=curl*", "items{}.qty>3", "NOT tags{}=mobile"});
      case 0:
        return word().substr(0, 3) + "*";
      case 1: {
        std::string w = word();
        return "*" + w.substr(w.size() > 3 ? w.size() - 3 : 0);
      }
      case 2:
        return "sourcetype=" + pick(c.samples);
      case 3:
        return "sourcetype=" + pick(c.samples).substr(0, 2) + "*";
      case 4:
        return "host=" + pick(c.samples) + "-a";
      case 5:
        return "NOT " + word();
      case 6:
        return "(" + word() + " OR " + word() + ")";
      case 7:
        return "\"" + pick(c.phrases) + "\"";
      case 8:
        return pick(std::vector<std::string>{"uid=0", "euid=0", "tty=NODEVssh", "rhost=*",
                                             "user=root", "uid!=0", "uid<1", "uid>=0", "user=r*",
                                             // default fields (naive_fields.cpp)
                                             "date_wday=monday", "date_hour<6", "linecount>1",
                                             "date_zone=local", "date_month=ju*",
                                             "timestartpos>0"});
      case 9:
        return pick(std::vector<std::string>{"index=web", "index=main", "index=*", "index!=web"});
      case 10:
        return "host!=" + pick(c.samples) + "-b";
      case 11:
        return breaker_atom(rng, c);
      default:
        return word();
    }
  };
  std::string q;
  int n = int(rng() % 3);
  for (int i = 0; i <= n; ++i) q += (i ? (rng() % 5 == 0 ? " OR " : " ") : "") + atom();
  if (rng() % 4 == 0) {
    time_us span = c.max_time - c.min_time;
    time_us a = c.min_time + time_us(rng() % 1000) * (span / 1000);
    q += " earliest=" + std::to_string(a / us_per_sec) + " latest=" + std::to_string((a + span / 3) / us_per_sec);
  }
  static const std::vector<std::string> tails{
      "", "", "", "| head 7", "| tail 4", "| stats count", "| stats count by sourcetype",
      "| stats count by host", "| stats count, dc(host) as hosts by sourcetype",
      "| stats min(_time) as first, max(_time) as last, values(sourcetype) as st by index",
      "| timechart span=30d count", "| timechart span=30d count by sourcetype",
      "| top 3 sourcetype", "| rare host", "| dedup sourcetype",
      "| eval n=len(_raw) | stats avg(n) as a, max(n) as m by sourcetype",
      "| where len(_raw) > 80 | stats count by index",
      "| rex \"(?<first>[A-Za-z]+)\" | stats count by first | sort -count, first | head 5",
      "| sort 20 _time | head 3", "| fields host, sourcetype | head 4",
      "| table _time, host | head 4", "| search " + word() + " | stats count",
      "| top 2 sourcetype by index", "| stats earliest(host) as e, latest(host) as l",
      "| eval s=substr(upper(sourcetype), 1, 3) . \"-\" . round(len(_raw) / 10) | stats count by s "
      "| sort - count | head 3",
      "| dedup 2 host | stats count by host", "| timechart count",
      "| stats sum(uid) as total, count by sourcetype",
      // aggregations.hpp's functions, against naive_stats.cpp
      "| eval n=len(_raw) | stats median(n) as med, p90(n) as p, stdev(n) as sd, var(n) as v, "
      "range(n) as r, mode(n) as mo by sourcetype",
      "| eval n=len(_raw) | stats perc25(n), exactperc75(n), upperperc99.5(n), sumsq(n), "
      "stdevp(n), varp(n) by host",
      "| stats first(host) as f, last(host) as l, list(sourcetype) as li, mode(host) as m, "
      "estdc(host) as e",
      "| stats count(eval(len(_raw) > 100)) as long, count(eval(uid=0)) as root, count by "
      "sourcetype",
      "| eval w=lower(substr(_raw, 1, 2)) | stats first(w), last(w), list(w), mode(w), dc(w), "
      "estdc(w) by index",
      "| timechart span=30d limit=3 count by sourcetype",
      "| timechart span=30d limit=2 useother=f dc(host) by sourcetype",
      // default fields, against naive_fields.cpp
      "| stats count by date_hour", "| stats count by date_wday, date_month",
      "| where linecount > 1 | stats count",
      "| stats count by punct | sort - count, punct | head 3",
      "| stats min(timestartpos) as s, max(timeendpos) as e, values(date_zone) as z, dc(date_mday) "
      "as d by sourcetype",
      "| eval y=date_year . \"-\" . date_minute . \":\" . date_second | stats count by y | sort - "
      "count, y | head 3",
      // eval functions (eval_functions.cpp), against naive_eval.cpp
      "| where searchmatch(\"uid=0 OR user=root\") | stats count by sourcetype",
      "| where searchmatch(\"" +
          [&] {
            auto w = word();  // quoted in an eval string: no quote or backslash
            return w.find_first_of("\\\"") == std::string::npos ? w : std::string("session");
          }() +
          "\") | stats count by host",
      "| eval w=strftime(_time, \"%Y-%m %a %H\") | stats count by w | sort - count, w | head 5",
      "| where like(host, \"%-a\") OR match(sourcetype, \"^[a-m]\") | stats count by host",
      "| eval p=mvcount(split(_raw, \" \")), f=mvindex(split(_raw, \" \"), 0), "
      "l=mvindex(split(_raw, \" \"), -1)"
      " | stats max(p) as p, dc(f) as f, dc(l) as l by sourcetype",
      "| eval r=replace(lower(sourcetype), \"([aeiou])\", \"<\\1>\"), "
      "c=if(cidrmatch(\"10.0.0.0/8\", rhost), \"ten\", \"other\")"
      " | stats count by r, c",
      "| eval t=trim(substr(_raw, 1, 12)), m=mvjoin(mvdedup(split(lower(host), \"-\")), \"+\") | "
      "stats dc(t) as t, count by m",
      "| eval k=coalesce(rhost, user, \"none\"), b=tostring(len(_raw) > 100) | stats count by k, b "
      "| sort - count, k | head 5",
      // JSON fields, spath and the JSON eval functions, against naive_json.cpp
      "| stats count by geo.country",
      "| stats count, sum(latency_ms) as total, avg(latency_ms) as avg by user",
      "| stats count by tags{}",
      "| stats sum(items{}.qty) as q, dc(items{}.sku) as skus, values(tags{}) as t by geo.country",
      "| spath output=first_sku path=items{1}.sku | stats count by first_sku | sort - count, "
      "first_sku | head 5",
      "| spath | stats count by geo.city, req.headers.ua",
      "| spath input=_raw path=tags{2} output=t2 | stats count by t2",
      "| eval c=spath(_raw, \"geo.city\"), j=json_object(\"u\", user, \"s\", status, \"t\", "
      "tags{}) | stats count by c, j"
      " | sort - count, c, j | head 5",
      "| eval x=json_extract(_raw, \"items{0}.sku\"), y=json_extract(_raw, \"geo\"), "
      "z=json_extract(_raw, \"tags{}\", \"ok\")"
      " | stats count by x, y, z | sort - count, x, y, z | head 5",
      "| where 'geo.country'=\"JP\" AND latency_ms > 100 | stats count by user",
      "| table user, geo.country, tags{}, msg | head 5",

      // row commands (row_commands.cpp), against naive_commands.cpp
      "| bin _time span=1d | stats count by _time | sort - count, _time | head 5",
      "| eval n=len(_raw) | bin n span=50 as b | stats count by b | sort - count, b | head 5",
      "| eval n=len(_raw) | bin bins=8 n | stats count by n",
      "| bin _time bins=20 | stats count by _time",
      "| fillnull value=none user, rhost | stats count by user, rhost | sort - count, user | head "
      "5",
      "| head 30 | fillnull | stats count by uid, euid",
      "| eval p=substr(_raw, 1, 20) | makemv delim=\" \" p | mvexpand p limit=3 | stats count by p "
      "| sort - count, p | head 5",
      "| eval n=tostring(len(_raw)) . \"KB\" | convert rmunit(n) as m, num(uid), memk(n) | stats "
      "sum(m) as s, sum(uid) as u, max(n) as k by sourcetype",
      "| eval d=\"0\" . tostring(len(_raw) % 24) . \":30:00\" | convert dur2sec(d) ctime(_time) as "
      "t | stats sum(d) as d, dc(t) as t by host",
      "| stats count by sourcetype, host | addtotals | addtotals row=f col=t labelfield=sourcetype "
      "label=all",
      "| regex _raw=\"\\d+\\.\\d+\\.\\d+\\.\\d+\" | stats count by sourcetype",
      "| regex sourcetype!=\"^[A-H]\" | stats count by sourcetype",
      "| rex mode=sed \"s/[0-9]+/#/g\" | eval s=substr(_raw, 1, 25) | stats count by s | sort - "
      "count, s | head 5",
      "| rex field=_raw mode=sed \"y/aeiou/AEIOU/\" | eval s=substr(_raw, 1, 15) | stats count by "
      "s | sort - count, s | head 3",
      "| rex max_match=3 \"(?<num>[0-9]+)\" | mvexpand num | stats count by num | sort - count, "
      "num | head 5",
      "| rename source* as src* | table _time, src*, host | head 5",
      "| fields - _raw, date_* | head 3",
      "| sort 10 - num(uid), str(host), -_time | table _time, host, uid",
      "| dedup host sortby -_time | table host, _time",
      "| dedup sourcetype consecutive=t | stats count by sourcetype",
      "| dedup uid keepempty=t | stats count", "| stats count by host | sort ip(host), -count",
      "| fieldformat h=upper(host) | table h, host | head 3",
      "| makeresults count=4 | eval n=7 | bin n span=5 | fillnull value=x m | eval v=\"a b\" | "
      "makemv v | mvexpand v",
      "| makeresults count=3 | eval x=2, y=\"3\" | addtotals col=t labelfield=l",
      // commands on the merged rows (coordinator_commands.cpp), against naive_coordinator.cpp
      "| chart count over sourcetype by host", "| chart limit=3 count over host by sourcetype",
      "| chart useother=f limit=2 avg(uid) over host by sourcetype",
      "| chart count, max(uid) as m by sourcetype",
      "| chart usenull=f count over sourcetype by user", "| chart count by index, sourcetype",
      "| eventstats count as n by sourcetype | stats max(n) as n, count by sourcetype",
      "| head 200 | eventstats avg(uid) as a, dc(host) as h by sourcetype | table _time, "
      "sourcetype, uid, a, h",
      "| head 100 | streamstats count as c, dc(host) as h | table _time, c, h",
      "| head 100 | streamstats window=5 current=f count as c, max(uid) as m by sourcetype | table "
      "_time, sourcetype, c, m",
      "| head 100 | streamstats window=4 global=f values(host) as v by sourcetype | table _time, v",
      "| head 300 | transaction host maxspan=1h | table _time, host, duration, eventcount",
      "| head 300 | transaction sourcetype maxpause=10m maxevents=5 | stats count, sum(eventcount) "
      "as e by sourcetype",
      "| head 300 | transaction host endswith=eval(len(_raw) > 100) | table _time, host, "
      "eventcount, duration",
      "| head 300 | transaction startswith=\"uid=0 OR user=root\" maxspan=1d | table _time, "
      "eventcount, _raw",
      "| head 50 | join sourcetype [search * | stats count as total by sourcetype]",
      "| head 50 | join type=left max=0 host [search uid=0 | head 3 | table host, uid]",
      "| stats count by sourcetype | append [search * | stats count by host]",
      "| lookup sourcetypes sourcetype OUTPUT kind | stats count by kind",
      "| eval st=sourcetype | lookup sourcetypes sourcetype AS st OUTPUTNEW kind AS k | table "
      "_time, k | head 20",
      "| inputlookup sourcetypes | stats count by kind"};
  auto tail = pick(tails);
  bool generating = tail.rfind("| makeresults", 0) == 0 || tail.rfind("| inputlookup", 0) == 0;
  return generating ? tail : q + " " + tail;  // a generating command takes no base search
}

/// Rows equal but for the last bits of numbers: sums and stdev added in
/// another order (per bucket, then merged) round differently.
bool same_rows(const std::vector<row>& a, const std::vector<row>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto& fa = a[i].fields();
    auto& fb = b[i].fields();
    if (fa.size() != fb.size()) return false;
    for (size_t k = 0; k < fa.size(); ++k) {
      if (fa[k].first != fb[k].first) return false;
      auto& va = fa[k].second;
      auto& vb = fb[k].second;
      if (va.type() == value::kind::number && vb.type() == value::kind::number) {
        double x = *va.as_number(), y = *vb.as_number();
        if (std::abs(x - y) > 1e-9 * std::max({1.0, std::abs(x), std::abs(y)})) return false;
      } else if (!(va == vb)) {
        return false;
      }
    }
  }
  return true;
}

std::string render(const row& r) {
  std::string s;
  for (auto& [k, v] : r.fields()) s += k + "=" + v.as_string() + " ";
  return s;
}

}  // namespace

TEST_CASE("oracle: generated searches agree exactly with the naive evaluator on the Loghub data, whole and split") {
  auto& c = data();
  std::vector<std::string> warnings;
  query main_only, all_indexes;
  all_indexes.names_index = true;
  auto main_views = collect_views(*c.st, main_only, warnings);
  auto all_views = collect_views(*c.st, all_indexes, warnings);
  REQUIRE(warnings.empty());
  auto ptrs = [](auto& views) {
    std::vector<const bucket_view*> out;
    for (auto& v : views) out.push_back(v.get());
    return out;
  };
  auto main_ptrs = ptrs(main_views), all_ptrs = ptrs(all_views);
  CHECK(main_ptrs.size() > 10);  // hot and many warm buckets
  testing::naive_evaluator naive_main{main_ptrs}, naive_all{all_ptrs};
  std::mt19937 rng(2026);
  search_options opt;
  opt.now = now;
  // A lookup table for lookup and inputlookup: sourcetype -> kind.
  testing::temp_dir lookups;
  {
    std::string csv = "sourcetype,kind\n";
    for (size_t k = 0; k < c.samples.size(); ++k)
      csv += c.samples[k] + ",kind" + std::to_string(k % 3) + "\n";
    REQUIRE(!io::write_file_atomic(lookups / "sourcetypes.csv", csv));
  }
  opt.lookup_dir = lookups.path.string();
  naive_main.lookup_dir = naive_all.lookup_dir = opt.lookup_dir;
  size_t nonempty = 0, agreed = 0;
  std::chrono::steady_clock::duration exec_time{}, naive_time{}, slowest{};
  std::string slowest_text;
  for (int i = 0; i < query_count; ++i) {
    auto text = generate(rng, c);
    CAPTURE(text);
    auto q = parse_query(text, now);
    REQUIRE_MESSAGE(q.has_value(), q.err().message());
    std::vector<row> got;
    auto t0 = std::chrono::steady_clock::now();
    auto summary = execute(*q, q->names_index ? all_ptrs : main_ptrs, opt, [&](const row& r) {
      got.push_back(r);
      return true;
    });
    auto t1 = std::chrono::steady_clock::now();
    auto expected = (q->names_index ? naive_all : naive_main).run(*q, opt.earliest, opt.latest, opt.limits);
    auto t2 = std::chrono::steady_clock::now();
    exec_time += t1 - t0;
    naive_time += t2 - t1;
    if (t1 - t0 > slowest) slowest = t1 - t0, slowest_text = text;
    REQUIRE_MESSAGE(summary.has_value(), summary.err().render());
    REQUIRE_MESSAGE(expected.has_value(), expected.err().render());
    // The same search split into three owners of buckets (as three bucket
    // actors or peers would run it), read through cursors in small batches.
    auto& ptrs = q->names_index ? all_ptrs : main_ptrs;
    std::vector<search_part> parts;
    size_t third = (ptrs.size() + 2) / 3;
    std::vector<cursor_table> owners(3);
    for (size_t at = 0, k = 0; at < ptrs.size(); at += third, ++k) {
      std::vector<const bucket_view*> group(ptrs.begin() + long(at), ptrs.begin() + long(std::min(at + third, ptrs.size())));
      auto opened = owners[k].open(cursor_request{text, opt, at}, group);
      REQUIRE_MESSAGE(opened.has_value(), opened.err().render());
      auto id = opened->id;
      auto* owner = &owners[k];
      parts.push_back(remote_part(
          std::move(*opened), [owner, id] { return owner->next(id, 7); },
          [](const std::string&, const Roaring&) { return error{errc::bad_state, "no deletes here"}; }));
    }
    std::vector<row> split;
    auto split_opt = opt;  // subsearches of the split search run whole, over the same buckets
    split_opt.run_subsearch = [&](std::string_view sub_text, const search_options& o,
                                  const row_sink& sink) {
      auto sub = parse_query(sub_text, o.now);
      if (!sub) return sub.err();
      auto done = execute(*sub, ptrs, o, sink);
      return done ? error{} : done.err();
    };
    auto merged = merge_parts(*q, std::move(parts), split_opt, [&](const row& r) {
      split.push_back(r);
      return true;
    });
    REQUIRE_MESSAGE(merged.has_value(), merged.err().render());
    CHECK_MESSAGE(same_rows(split, *expected), "the search split into three parts differs");
    bool same = same_rows(got, *expected);
    if (!same) {
      MESSAGE("rows: got " << got.size() << ", expected " << expected->size());
      for (size_t k = 0; k < std::min(got.size(), expected->size()); ++k)
        if (!(got[k] == (*expected)[k])) {
          MESSAGE("first difference at row " << k << "\n got:      " << render(got[k]) << "\n expected: "
                                             << render((*expected)[k]));
          break;
        }
    }
    CHECK(same);
    agreed += same;
    nonempty += !got.empty();
  }
  using ms = std::chrono::milliseconds;
  MESSAGE(agreed << " of " << query_count << " searches agreed; " << nonempty << " returned rows; executor "
                 << std::chrono::duration_cast<ms>(exec_time).count() << " ms, naive "
                 << std::chrono::duration_cast<ms>(naive_time).count() << " ms; slowest search "
                 << std::chrono::duration_cast<ms>(slowest).count() << " ms: " << slowest_text);
  CHECK(nonempty > size_t(query_count) / 2);  // the generator must exercise real matches
}

TEST_CASE(
    "oracle: words with minor breakers, TERM(), CASE() and IN alone agree with the naive "
    "evaluator") {
  // The same atoms as the generator's breaker_atom, one to three per search, so
  // each kind is seen to find events (not only to agree on finding none).
  auto& c = data();
  std::vector<std::string> warnings;
  query main_only;
  auto views = collect_views(*c.st, main_only, warnings);
  std::vector<const bucket_view*> ptrs;
  for (auto& v : views) ptrs.push_back(v.get());
  testing::naive_evaluator naive{ptrs};
  std::mt19937 rng(12);
  search_options opt;
  opt.now = now;
  std::map<std::string, std::pair<int, int>> by_kind;  // kind -> (searches, with rows)
  for (int i = 0; i < query_count / 2; ++i) {
    std::string text = breaker_atom(rng, c);
    if (rng() % 3 == 0) text += " " + breaker_atom(rng, c);
    CAPTURE(text);
    auto q = parse_query(text, now);
    REQUIRE_MESSAGE(q.has_value(), q.err().message());
    std::vector<row> got;
    auto summary = execute(*q, ptrs, opt, [&](const row& r) {
      got.push_back(r);
      return true;
    });
    REQUIRE_MESSAGE(summary.has_value(), summary.err().render());
    auto expected = naive.run(*q, opt.earliest, opt.latest, opt.limits);
    REQUIRE_MESSAGE(expected.has_value(), expected.err().render());
    CHECK_MESSAGE(got.size() == expected->size(),
                  "got " << got.size() << ", expected " << expected->size());
    CHECK(got == *expected);
    std::string kind = text.find("TERM(") != std::string::npos   ? "TERM"
                       : text.find("CASE(") != std::string::npos ? "CASE"
                       : text.find(" IN (") != std::string::npos ? "IN"
                                                                 : "word";
    ++by_kind[kind].first;
    by_kind[kind].second += !got.empty();
  }
  // Each kind finds events somewhere, and a third of all searches do (the ASan
  // build runs fewer searches, so one kind alone may fall below a third).
  size_t searches = 0, found = 0;
  for (auto& [kind, n] : by_kind) {
    MESSAGE(kind << ": " << n.second << " of " << n.first << " searches found events");
    CHECK(n.second > 0);
    searches += n.first;
    found += n.second;
  }
  CHECK(found * 3 > searches);
  CHECK(by_kind.size() == 4);
}

TEST_CASE("oracle: the word matcher agrees with the naive reading on random text and patterns") {
  // Small alphabets make every boundary case frequent: breakers at the ends,
  // stars next to breakers, case differences, repeated prefixes.
  const std::string alphabet = "aAb1 .=-:[],\"*";
  std::mt19937 rng(99);
  size_t matched = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string raw;
    size_t len = rng() % 20;
    for (size_t i = 0; i < len; ++i) raw += alphabet[rng() % alphabet.size()];
    // A pattern: often a piece of the text, sometimes with stars, sometimes random.
    std::string pattern;
    if (!raw.empty() && rng() % 4 != 0) {
      size_t from = rng() % raw.size();
      pattern = raw.substr(from, 1 + rng() % 6);
    } else {
      for (size_t i = 0, n = 1 + rng() % 5; i < n; ++i)
        pattern += alphabet[rng() % alphabet.size()];
    }
    if (rng() % 3 == 0) pattern.insert(rng() % (pattern.size() + 1), "*");
    search_node n;
    switch (rng() % 4) {
      case 0:
        n.type = search_node::kind::term;
        break;
      case 1:
        n.type = search_node::kind::phrase;
        break;
      case 2:
        n.type = search_node::kind::term, n.case_sensitive = true;
        break;
      default:
        n.type = search_node::kind::term, n.whole_term = true;
        break;
    }
    n.text = pattern;
    CAPTURE(raw);
    CAPTURE(pattern);
    CAPTURE(int(n.type));
    CAPTURE(n.case_sensitive);
    CAPTURE(n.whole_term);
    row r;
    r.set("_raw", value{raw});
    bool want = testing::naive_word_matches(n, raw);
    CHECK(predicate{n}.matches(r) == want);
    matched += want;
  }
  CHECK(matched > 2000);
}
