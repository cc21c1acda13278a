// The naive evaluator.
#include "search/naive.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include "core/search/executor.hpp"
#include "core/text/segmenter.hpp"
#include "search/naive_commands.hpp"
#include "search/naive_coordinator.hpp"
#include "search/naive_eval.hpp"
#include "search/naive_json.hpp"
#include "search/naive_stats.hpp"
#include "search/naive_words.hpp"

namespace kura::testing {
namespace {

/// The row with the naive default fields where the executor puts them: after
/// the event's own fields (_cd, then indexed fields), before extracted ones.
search::row with_default_fields(search::row r, const event_view& ev) {
  search::row defaults;
  add_naive_default_fields(ev.raw, ev.time, defaults);
  auto& f = r.fields();
  for (auto& [name, _] : defaults.fields()) r.erase(name);
  auto at = std::find_if(f.begin(), f.end(), [](auto& p) { return p.first == "_cd"; });
  at = at == f.end() ? f.begin() + 1 : at + 1;
  at += long(std::min<size_t>(ev.fields.size(), size_t(f.end() - at)));
  f.insert(at, defaults.fields().begin(), defaults.fields().end());
  return r;
}

std::optional<double> number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || s.front() == ' ' || !std::isfinite(d)) return std::nullopt;
  return d;
}

}  // namespace

naive_evaluator::naive_evaluator(const std::vector<const search::bucket_view*>& buckets) {
  for (size_t rank = 0; rank < buckets.size(); ++rank) {
    auto& b = *buckets[rank];
    Roaring all;
    all.addRange(0, b.events());
    all -= b.deleted();
    auto err = b.read_events(all, [&](uint64_t ord, const event_view& ev) {
      search::field_plan plan;
      plan.computed = false;  // linecount, punct, date_*, …: naive_fields.cpp computes them
      event_entry e{ev.time, rank, ord,
                    naive_with_json_fields(
                        with_default_fields(search::event_row(b, ord, ev, plan), ev), ev.raw),
                    std::string{ev.raw}};
      events_.push_back(std::move(e));
    });
    if (err) throw std::runtime_error(err.render());
  }
  std::sort(events_.begin(), events_.end(), [](const event_entry& a, const event_entry& b) {
    if (a.time != b.time) return a.time > b.time;
    if (a.rank != b.rank) return a.rank < b.rank;
    return a.ordinal > b.ordinal;
  });
}

bool naive_evaluator::matches(const search::search_node& n, const event_entry& e) const {
  using K = search::search_node::kind;
  switch (n.type) {
    case K::all: return true;
    case K::and_:
      for (auto& c : n.children)
        if (!matches(c, e)) return false;
      return true;
    case K::or_:
      for (auto& c : n.children)
        if (matches(c, e)) return true;
      return false;
    case K::not_: return !matches(n.children[0], e);
    case K::term:
    case K::phrase:
      return naive_word_matches(n, e.raw);
    case K::compare: {
      auto* v = e.row.get(n.field);
      if (!v || v->is_null()) return false;
      auto items = v->items();
      if (n.op == search::compare_op::eq || n.op == search::compare_op::ne) {
        bool any = std::any_of(items.begin(), items.end(), [&](auto& i) {
          return naive_value_glob(n.text, i, n.case_sensitive);
        });
        return n.op == search::compare_op::eq ? any : !any;
      }
      auto rhs = number(n.text);
      if (!rhs) return false;
      for (auto& i : items) {
        auto lhs = number(i);
        if (!lhs) continue;
        switch (n.op) {
          case search::compare_op::lt: if (*lhs < *rhs) return true; break;
          case search::compare_op::le: if (*lhs <= *rhs) return true; break;
          case search::compare_op::gt: if (*lhs > *rhs) return true; break;
          case search::compare_op::ge: if (*lhs >= *rhs) return true; break;
          default: break;
        }
      }
      return false;
    }
  }
  return false;
}

result<std::vector<search::row>> naive_evaluator::run(const search::query& q, std::optional<time_us> earliest,
                                                      std::optional<time_us> latest,
                                                      const search::search_limits& limits) const {
  const auto request_earliest = earliest, request_latest = latest;  // what subsearches get
  if (q.earliest) earliest = q.earliest;
  if (q.latest) latest = q.latest;
  std::vector<search::row> rows;
  for (auto& e : events_) {
    if ((earliest && e.time < *earliest) || (latest && e.time >= *latest)) continue;
    if (!matches(q.base, e)) continue;
    rows.push_back(e.row);
  }
  for (auto& c : q.commands) {
    if (naive_coordinator_handles(c)) {  // its own chart, eventstats, … (naive_coordinator.cpp)
      naive_context ctx{
          [this](const search::search_node& n, const search::row& r) {
            auto* raw = r.get("_raw");
            return matches(n, event_entry{0, 0, 0, r, raw ? raw->as_string() : std::string{}});
          },
          [&](const search::query& sub) {
            return run(sub, request_earliest, request_latest, limits);
          },
          lookup_dir};
      auto next = naive_coordinator(c, std::move(rows), ctx);
      if (!next) return next.err();
      rows = std::move(*next);
      continue;
    }
    if (naive_json_handles(c)) {  // its own spath (naive_json.cpp)
      rows = naive_spath(c, std::move(rows));
      continue;
    }
    if (naive_stats_handles(c)) {  // its own stats (naive_stats.cpp)
      rows = naive_stats(c, rows);
      continue;
    }
    if (naive_timechart_handles(c)) {  // its own timechart limit/useother (naive_stats.cpp)
      auto next = naive_timechart(c, rows, limits, earliest, latest);
      if (!next) return next.err();
      rows = std::move(*next);
      continue;
    }
    if (naive_eval_handles(c)) {  // its own eval/where (naive_eval.cpp)
      rows = naive_eval(c, std::move(rows),
                        [this](const search::search_node& n, const search::row& r) {
                          auto* raw = r.get("_raw");
                          event_entry e{0, 0, 0, r, raw ? raw->as_string() : std::string{}};
                          return matches(n, e);
                        });
      continue;
    }
    if (naive_row_handles(c)) {  // its own row commands (naive_commands.cpp)
      auto next = naive_row_command(
          c, std::move(rows), limits, [this](const search::search_node& n, const search::row& r) {
            auto* raw = r.get("_raw");
            event_entry e{0, 0, 0, r, raw ? raw->as_string() : std::string{}};
            return matches(n, e);
          });
      if (!next) return next.err();
      rows = std::move(*next);
      continue;
    }
    auto next = search::apply_command(c, std::move(rows), limits, earliest, latest);
    if (!next) return next.err();
    rows = std::move(*next);
  }
  return rows;
}

}  // namespace kura::testing
