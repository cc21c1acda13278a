// The naive stats: collect, sort, compute.
#include "search/naive_stats.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <string>

#include "core/search/eval.hpp"

namespace kura::testing {
namespace {

using search::value;

/// What one aggregation saw in one group, in row order.
struct collected {
  uint64_t rows = 0;                            // rows of the group (bare count)
  std::vector<std::vector<std::string>> items;  // per row that had a value: its items
};

bool condition(const search::expr& e) {
  using K = search::expr::kind;
  if (e.type == K::unary) return e.text == "NOT";
  if (e.type == K::binary)
    for (const char* op : {"=", "==", "!=", "<", "<=", ">", ">=", "AND", "OR", "XOR", "LIKE"})
      if (e.text == op) return true;
  if (e.type == K::call)
    for (const char* f : {"isnull", "isnotnull", "isnum", "isstr", "isint", "like", "match",
                          "cidrmatch", "searchmatch", "in"})
      if (e.text == f) return true;
  return false;
}

value compute(const search::aggregation& a, const collected& c) {
  const std::string& f = a.function;
  std::vector<std::string> all;
  for (auto& row_items : c.items) all.insert(all.end(), row_items.begin(), row_items.end());
  std::vector<double> nums;
  for (auto& s : all)
    if (auto n = value{s}.as_number()) nums.push_back(*n);
  std::sort(nums.begin(), nums.end());
  double n = double(nums.size());
  if (f == "count") return value{double(a.field.empty() && !a.argument ? c.rows : all.size())};
  if (f == "dc" || f == "estdc")
    return value{double(std::set<std::string>(all.begin(), all.end()).size())};
  if (f == "values") {
    std::set<std::string> s(all.begin(), all.end());
    return s.empty() ? value{} : value::multi({s.begin(), s.end()});
  }
  if (f == "list") {
    if (all.empty()) return {};
    if (all.size() > 100) all.resize(100);
    return value::multi(all);
  }
  if (f == "first") return c.items.empty() ? value{} : value{c.items.front().front()};
  if (f == "last") return c.items.empty() ? value{} : value{c.items.back().back()};
  if (f == "min" || f == "max") {
    if (all.empty()) return {};
    value best{all[0]};
    for (auto& s : all) {
      int cmp = search::compare_values(value{s}, best);
      if (f == "min" ? cmp < 0 : cmp > 0) best = value{s};
    }
    return best;
  }
  if (f == "mode") {
    if (all.empty()) return {};
    std::map<std::string, size_t> counts;
    for (auto& s : all) ++counts[s];
    std::string best = all[0];
    for (auto& s : all)  // in order of first sight: a later value wins only with more
      if (counts[s] > counts[best]) best = s;
    return value{best};
  }
  if (nums.empty()) return {};
  double sum = 0;
  for (double x : nums) sum += x;
  double mean = sum / n;
  double squares = 0, deviations = 0;
  for (double x : nums) squares += x * x, deviations += (x - mean) * (x - mean);
  if (f == "sum") return value{sum};
  if (f == "sumsq") return value{squares};
  if (f == "avg") return value{mean};
  if (f == "range") return value{nums.back() - nums.front()};
  if (f == "var") return value{nums.size() < 2 ? 0.0 : deviations / (n - 1)};
  if (f == "varp") return value{deviations / n};
  if (f == "stdev") return value{nums.size() < 2 ? 0.0 : std::sqrt(deviations / (n - 1))};
  if (f == "stdevp") return value{std::sqrt(deviations / n)};
  if (f == "median")
    return value{nums[nums.size() / 2]};  // odd: the middle; even: the higher middle
  if (f == "perc") {
    double rank = a.percentile / 100 * (n - 1);
    size_t lo = size_t(std::floor(rank));
    if (lo + 1 >= nums.size()) return value{nums[lo]};
    return value{nums[lo] + (nums[lo + 1] - nums[lo]) * (rank - double(lo))};
  }
  throw std::runtime_error("naive stats: no function " + f);
}

}  // namespace

bool naive_stats_handles(const search::command& c) {
  if (c.type != search::command::kind::stats) return false;
  for (auto& a : c.aggregations)
    if (a.function == "earliest" || a.function == "latest" || a.function == "earliest_time" ||
        a.function == "latest_time")
      return false;
  return true;
}

std::vector<search::row> naive_stats(const search::command& c,
                                     const std::vector<search::row>& rows) {
  std::map<std::vector<std::string>, std::vector<collected>> groups;
  for (auto& r : rows) {
    // Every combination of the by fields' values (a multivalue field: each distinct value).
    std::vector<std::vector<std::string>> keys{{}};
    bool complete = true;
    for (auto& f : c.by) {
      auto* v = r.get(f);
      if (!v || v->is_null()) {
        complete = false;
        continue;
      }
      std::set<std::string> values;
      for (auto& item : v->items()) values.insert(item);
      std::vector<std::vector<std::string>> next;
      for (auto& k : keys)
        for (auto& item : values) {
          next.push_back(k);
          next.back().push_back(v->type() == value::kind::multi ? item : v->as_string());
        }
      keys = next;
    }
    if (!complete) continue;
    for (auto& key : keys) {
      auto& g = groups[key];
      g.resize(c.aggregations.size());
      for (size_t i = 0; i < c.aggregations.size(); ++i) {
        auto& a = c.aggregations[i];
        ++g[i].rows;
        value v;
        if (a.argument) {
          v = search::evaluate(*a.argument, r);
          if (condition(*a.argument)) v = v.truthy() ? value{1.0} : value{};
        } else if (auto* got = a.field.empty() ? nullptr : r.get(a.field)) {
          v = *got;
        }
        if (!v.is_null() && !v.items().empty()) g[i].items.push_back(v.items());
      }
    }
  }
  std::vector<search::row> out;
  if (groups.empty() && c.by.empty()) groups[{}].resize(c.aggregations.size());
  for (auto& [key, states] : groups) {
    search::row r;
    for (size_t i = 0; i < c.by.size(); ++i) r.set(c.by[i], value{key[i]});
    for (size_t i = 0; i < c.aggregations.size(); ++i) {
      auto& a = c.aggregations[i];
      value v = compute(a, states[i]);
      if (v.is_null() && (a.function == "dc" || a.function == "estdc")) v = value{0.0};
      r.set(a.as, v);
    }
    out.push_back(std::move(r));
  }
  return out;
}

bool naive_timechart_handles(const search::command& c) {
  return c.type == search::command::kind::timechart && !c.by.empty() && c.limit > 0;
}

result<std::vector<search::row>> naive_timechart(const search::command& c,
                                                 const std::vector<search::row>& rows,
                                                 const search::search_limits& limits,
                                                 std::optional<time_us> earliest,
                                                 std::optional<time_us> latest) {
  search::command unlimited = c;
  unlimited.limit = 0;
  auto all = search::apply_command(unlimited, rows, limits, earliest, latest);
  if (!all) return all.err();
  // The series and their totals, from the unlimited chart's columns.
  std::set<std::string> series;
  for (auto& r : rows)
    if (auto* v = r.get(c.by[0]); v && !v->is_null()) series.insert(v->as_string());
  if (series.size() <= c.limit) return all;
  auto column = [&](const search::aggregation& a, const std::string& s) {
    return c.aggregations.size() > 1 ? a.as + ": " + s : s;
  };
  std::vector<std::pair<double, std::string>> ranked;  // (−total, name): ascending is the rank
  for (auto& s : series) {
    double total = 0;
    for (auto& r : *all)
      if (auto* v = r.get(column(c.aggregations[0], s)))
        if (auto n = v->as_number()) total += *n;
    ranked.emplace_back(-total, s);
  }
  std::sort(ranked.begin(), ranked.end());
  std::set<std::string> kept;
  for (size_t i = 0; i < c.limit; ++i) kept.insert(ranked[i].second);
  std::vector<search::row> other_rows;
  for (auto& r : rows) {
    auto* v = r.get(c.by[0]);
    if (!v || v->is_null() || kept.count(v->as_string())) continue;
    search::row o = r;
    o.set(c.by[0], value{"OTHER"});
    other_rows.push_back(std::move(o));
  }
  auto other = search::apply_command(unlimited, other_rows, limits, earliest, latest);
  if (!other) return other.err();
  std::vector<search::row> out;
  for (auto& r : *all) {
    search::row o;
    o.set("_time", *r.get("_time"));
    for (auto& a : c.aggregations) {
      for (auto& s : kept) o.set(column(a, s), *r.get(column(a, s)));
      if (!c.use_other) continue;
      const value* v = nullptr;  // the OTHER chart's bin at the same time (it may have fewer bins)
      for (auto& x : *other)
        if (*x.get("_time") == *r.get("_time")) v = x.get(column(a, "OTHER"));
      bool zero = a.function == "count" || a.function == "dc" || a.function == "estdc";
      o.set(column(a, "OTHER"), v ? *v : zero ? value{0.0} : value{});
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace kura::testing
