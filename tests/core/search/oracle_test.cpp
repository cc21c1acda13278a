// The executor (posting lists, bloom filters, fast paths, per-bucket partials,
// merges) must agree exactly with the naive evaluator on the Loghub data for
// hundreds of generated searches.
#include <doctest/doctest.h>

#include <chrono>
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
  time_us min_time = INT64_MAX, max_time = INT64_MIN;
};

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
          auto sp = raw.find(' ', raw.size() / 3);
          auto sp2 = sp == std::string::npos ? sp : raw.find(' ', sp + 1);
          auto sp3 = sp2 == std::string::npos ? sp2 : raw.find(' ', sp2 + 1);
          if (sp3 != std::string::npos && raw.find('"', sp) > sp3) c.phrases.push_back(raw.substr(sp + 1, sp3 - sp - 1));
        }
      }
    }
    c.words.assign(words.begin(), words.end());
    return c;
  }();
  return c;
}

std::string generate(std::mt19937& rng, const corpus& c) {
  auto pick = [&](const auto& v) -> const auto& { return v[rng() % v.size()]; };
  auto word = [&] { return pick(c.words); };
  auto atom = [&]() -> std::string {
    switch (rng() % 14) {
      case 0: return word().substr(0, 3) + "*";
      case 1: {
        std::string w = word();
        return "*" + w.substr(w.size() > 3 ? w.size() - 3 : 0);
      }
      case 2: return "sourcetype=" + pick(c.samples);
      case 3: return "sourcetype=" + pick(c.samples).substr(0, 2) + "*";
      case 4: return "host=" + pick(c.samples) + "-a";
      case 5: return "NOT " + word();
      case 6: return "(" + word() + " OR " + word() + ")";
      case 7: return "\"" + pick(c.phrases) + "\"";
      case 8: return pick(std::vector<std::string>{"uid=0", "euid=0", "tty=NODEVssh", "rhost=*", "user=root",
                                                   "uid!=0", "uid<1", "uid>=0", "user=r*"});
      case 9: return pick(std::vector<std::string>{"index=web", "index=main", "index=*", "index!=web"});
      case 10: return "host!=" + pick(c.samples) + "-b";
      default: return word();
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
      "", "", "", "| head 7", "| tail 4", "| stats count", "| stats count by sourcetype", "| stats count by host",
      "| stats count, dc(host) as hosts by sourcetype", "| stats min(_time) as first, max(_time) as last, values(sourcetype) as st by index",
      "| timechart span=30d count", "| timechart span=30d count by sourcetype", "| top 3 sourcetype", "| rare host",
      "| dedup sourcetype", "| eval n=len(_raw) | stats avg(n) as a, max(n) as m by sourcetype",
      "| where len(_raw) > 80 | stats count by index", "| rex \"(?<first>[A-Za-z]+)\" | stats count by first | sort -count, first | head 5",
      "| sort 20 _time | head 3", "| fields host, sourcetype | head 4", "| table _time, host | head 4",
      "| search " + word() + " | stats count", "| top 2 sourcetype by index", "| stats earliest(host) as e, latest(host) as l",
      "| eval s=substr(upper(sourcetype), 1, 3) . \"-\" . round(len(_raw) / 10) | stats count by s | sort - count | head 3",
      "| dedup 2 host | stats count by host", "| timechart count", "| stats sum(uid) as total, count by sourcetype"};
  return q + " " + pick(tails);
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
    auto merged = merge_parts(*q, std::move(parts), opt, [&](const row& r) {
      split.push_back(r);
      return true;
    });
    REQUIRE_MESSAGE(merged.has_value(), merged.err().render());
    CHECK_MESSAGE(split == *expected, "the search split into three parts differs");
    bool same = got == *expected;
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
