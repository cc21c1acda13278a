// The aggregation functions: names, folding, merging and final values.
#include "core/search/aggregations.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace kura::search {
namespace {

const std::vector<std::string_view>& plain_functions() {
  static const std::vector<std::string_view> f{
      "count",  "dc",     "estdc", "sum",      "sumsq",  "avg",           "min",        "max",
      "range",  "values", "list",  "first",    "last",   "mode",          "median",     "stdev",
      "stdevp", "var",    "varp",  "earliest", "latest", "earliest_time", "latest_time"};
  return f;
}

std::string too_many(const aggregation& a, size_t max_values, const char* what,
                     const char* advice) {
  return a.as + " keeps more than " + std::to_string(max_values) + " " + what +
         " in one group (the max_values limit); " + advice;
}

/// Inserts into a sorted unique list; false when it would pass `cap`.
bool insert_sorted(std::vector<std::string>& v, const std::string& s, size_t cap) {
  auto it = std::lower_bound(v.begin(), v.end(), s);
  if (it != v.end() && *it == s) return true;
  if (v.size() >= cap) return false;
  v.insert(it, s);
  return true;
}

/// Keeps the first list_limit values of two lists ordered by position.
void merge_listed(std::vector<listed_value>& into, const std::vector<listed_value>& from) {
  std::vector<listed_value> out;
  out.reserve(std::min(list_limit, into.size() + from.size()));
  size_t i = 0, j = 0;
  while (out.size() < list_limit && (i < into.size() || j < from.size())) {
    if (j == from.size() || (i < into.size() && !from[j].before(into[i])))
      out.push_back(std::move(into[i++]));
    else
      out.push_back(from[j++]);
  }
  into = std::move(out);
}

bool uses_numbers(const std::string& f) { return f == "median" || f == "perc"; }

/// The value at percentile p (0..100) of the numbers with counts, interpolated
/// linearly at rank p/100·(n−1).
double percentile_of(const std::map<double, uint64_t>& numbers, uint64_t n, double p) {
  double rank = p / 100.0 * double(n - 1);
  uint64_t lo_rank = rank >= double(n - 1) ? n - 1 : uint64_t(std::floor(rank));
  double frac = rank - double(lo_rank);
  // The values at 0-based ranks lo_rank and lo_rank + 1.
  std::optional<double> lo, hi;
  uint64_t seen = 0;
  for (auto& [v, c] : numbers) {
    seen += c;
    if (!lo && seen > lo_rank) lo = v;
    if (seen > lo_rank + 1) {
      hi = v;
      break;
    }
  }
  if (!lo) return numbers.rbegin()->first;  // counts that overflowed (only from damaged input)
  if (!hi || frac == 0) return *lo;
  return *lo + (*hi - *lo) * frac;
}

double variance(const agg_state& s, bool population) {
  double n = double(s.numeric);
  double m2 = std::max(0.0, s.sumsq - s.sum * s.sum / n);  // rounding may dip below 0
  if (population) return m2 / n;
  return s.numeric < 2 ? 0.0 : m2 / (n - 1);
}

}  // namespace

std::optional<aggregation_name> lookup_aggregation(std::string_view written) {
  if (written == "mean") return aggregation_name{"avg"};
  if (written == "c") return aggregation_name{"count"};  // Splunk's abbreviation
  if (written == "distinct_count") return aggregation_name{"dc"};
  if (std::find(plain_functions().begin(), plain_functions().end(), written) !=
      plain_functions().end())
    return aggregation_name{std::string{written}};
  for (std::string_view prefix : {"exactperc", "upperperc", "perc", "p"}) {
    if (written.size() <= prefix.size() || written.substr(0, prefix.size()) != prefix) continue;
    auto digits = written.substr(prefix.size());
    if (!std::isdigit(static_cast<unsigned char>(digits[0]))) continue;
    double p = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
    if (ec != std::errc{} || end != digits.data() + digits.size() || p < 0 || p > 100)
      return std::nullopt;
    return aggregation_name{"perc", p};
  }
  return std::nullopt;
}

bool aggregation_needs_field(const std::string& function) { return function != "count"; }

bool aggregation_zero_when_empty(const std::string& function) {
  return function == "count" || function == "dc" || function == "estdc";
}

bool is_condition(const expr& e) {
  if (e.type == expr::kind::unary) return e.text == "NOT";
  if (e.type == expr::kind::binary) {
    static const std::vector<std::string_view> ops{"=",  "==",  "!=", "<",   "<=",  ">",
                                                   ">=", "AND", "OR", "XOR", "LIKE"};
    return std::find(ops.begin(), ops.end(), e.text) != ops.end();
  }
  if (e.type == expr::kind::call) {
    static const std::vector<std::string_view> tests{
        "isnull", "isnotnull", "isnum",     "isstr",       "isint",
        "like",   "match",     "cidrmatch", "searchmatch", "in"};
    return std::find(tests.begin(), tests.end(), e.text) != tests.end();
  }
  return false;
}

size_t approx_bytes(const agg_state& s) {
  // Per kept value: the container's node or slot and a short text on the heap.
  constexpr size_t per_text = sizeof(std::string) + 32, per_node = 48;
  return sizeof(agg_state) + s.distinct.capacity() * per_text + s.numbers.size() * per_node +
         s.modes.size() * (per_node + per_text + sizeof(mode_entry)) +
         s.listed.capacity() * (sizeof(listed_value) + 32) + s.sketch.heap_bytes();
}

error fold_aggregation(agg_state& s, const aggregation& a, const value& v, time_us time,
                       row_position at, size_t max_values) {
  const std::string& f = a.function;
  if (a.field.empty() && !a.argument) {  // a bare count: every row
    ++s.count;
    return {};
  }
  if (v.is_null()) return {};
  auto items = v.items();
  for (uint32_t i = 0; i < items.size(); ++i) {
    const std::string& item = items[i];
    value iv{item};
    ++s.count;
    auto n = iv.as_number();
    if (n) {
      s.sum += *n;
      s.sumsq += *n * *n;
      ++s.numeric;
    }
    if (f == "min" && (!s.min || compare_values(iv, *s.min) < 0)) s.min = iv;
    if (f == "max" && (!s.max || compare_values(iv, *s.max) > 0)) s.max = iv;
    if (f == "range" && n) {
      if (!s.min || *n < *s.min->as_number()) s.min = value{*n};
      if (!s.max || *n > *s.max->as_number()) s.max = value{*n};
    }
    if ((f == "dc" || f == "values") && !insert_sorted(s.distinct, item, max_values))
      return {errc::invalid_argument,
              too_many(a, max_values, "distinct values",
                       f == "dc" ? "use estdc() for an estimate" : "narrow the search")};
    if ((f == "earliest" || f == "earliest_time") && (!s.first || time < s.first_time))
      s.first = iv, s.first_time = time;
    if ((f == "latest" || f == "latest_time") && (!s.last || time >= s.last_time))
      s.last = iv, s.last_time = time;
    if (uses_numbers(f) && n) {
      ++s.numbers[*n];
      if (s.numbers.size() > max_values)
        return {errc::invalid_argument, too_many(a, max_values, "distinct numbers",
                                                 "narrow the search or group more finely")};
    }
    if (f == "mode") {
      auto [it, added] = s.modes.try_emplace(item, mode_entry{0, at});
      ++it->second.count;
      if (at.before(it->second.first)) it->second.first = at;  // rows may come out of result order
      if (added && s.modes.size() > max_values)
        return {errc::invalid_argument,
                too_many(a, max_values, "distinct values", "narrow the search")};
    }
    if (f == "list") {
      // Rows may arrive out of result order (a bucket is read oldest first):
      // keep the list ordered and only its first list_limit values.
      listed_value lv{at, i, item};
      auto it = std::upper_bound(s.listed.begin(), s.listed.end(), lv,
                                 [](auto& x, auto& y) { return x.before(y); });
      if (size_t(it - s.listed.begin()) < list_limit) {
        s.listed.insert(it, std::move(lv));
        if (s.listed.size() > list_limit) s.listed.pop_back();
      }
    }
    if (f == "first" && (!s.first_seen || at.before(s.first_seen_at)))
      s.first_seen = iv, s.first_seen_at = at;
    if (f == "last" && (!s.last_seen || !at.before(s.last_seen_at)))
      s.last_seen = iv, s.last_seen_at = at;
    if (f == "estdc") s.sketch.add(item);
  }
  return {};
}

error merge_aggregation(agg_state& a, const agg_state& b, const aggregation& agg,
                        size_t max_values) {
  const std::string& f = agg.function;
  a.count += b.count;
  a.sum += b.sum;
  a.sumsq += b.sumsq;
  a.numeric += b.numeric;
  if (b.min && (!a.min || compare_values(*b.min, *a.min) < 0)) a.min = b.min;
  if (b.max && (!a.max || compare_values(*b.max, *a.max) > 0)) a.max = b.max;
  for (auto& d : b.distinct)
    if (!insert_sorted(a.distinct, d, max_values))
      return {errc::invalid_argument,
              too_many(agg, max_values, "distinct values",
                       f == "dc" ? "use estdc() for an estimate" : "narrow the search")};
  a.truncated |= b.truncated;
  if (b.first && (!a.first || b.first_time < a.first_time))
    a.first = b.first, a.first_time = b.first_time;
  if (b.last && (!a.last || b.last_time >= a.last_time)) a.last = b.last, a.last_time = b.last_time;
  for (auto& [n, c] : b.numbers) {
    a.numbers[n] += c;
    if (a.numbers.size() > max_values)
      return {errc::invalid_argument, too_many(agg, max_values, "distinct numbers",
                                               "narrow the search or group more finely")};
  }
  for (auto& [text, e] : b.modes) {
    auto [it, added] = a.modes.try_emplace(text, e);
    if (!added) {
      it->second.count += e.count;
      if (e.first.before(it->second.first)) it->second.first = e.first;
    }
    if (a.modes.size() > max_values)
      return {errc::invalid_argument,
              too_many(agg, max_values, "distinct values", "narrow the search")};
  }
  if (!b.listed.empty()) merge_listed(a.listed, b.listed);
  if (b.first_seen && (!a.first_seen || b.first_seen_at.before(a.first_seen_at)))
    a.first_seen = b.first_seen, a.first_seen_at = b.first_seen_at;
  if (b.last_seen && (!a.last_seen || !b.last_seen_at.before(a.last_seen_at)))
    a.last_seen = b.last_seen, a.last_seen_at = b.last_seen_at;
  a.sketch.merge(b.sketch);
  return {};
}

value finish_aggregation(const aggregation& a, const agg_state& s) {
  const std::string& f = a.function;
  bool numbers = s.numeric > 0;
  if (f == "count") return value{double(s.count)};
  if (f == "dc") return value{double(s.distinct.size())};
  if (f == "estdc") return value{s.sketch.estimate()};
  if (f == "sum") return numbers ? value{s.sum} : value{};
  if (f == "sumsq") return numbers ? value{s.sumsq} : value{};
  if (f == "avg") return numbers ? value{s.sum / double(s.numeric)} : value{};
  if (f == "stdev" || f == "stdevp")
    return numbers ? value{std::sqrt(variance(s, f == "stdevp"))} : value{};
  if (f == "var" || f == "varp") return numbers ? value{variance(s, f == "varp")} : value{};
  if (f == "min") return s.min ? *s.min : value{};
  if (f == "max") return s.max ? *s.max : value{};
  if (f == "range") {
    auto lo = s.min ? s.min->as_number() : std::nullopt,
         hi = s.max ? s.max->as_number() : std::nullopt;
    return lo && hi ? value{*hi - *lo} : value{};
  }
  if (f == "values") return s.distinct.empty() ? value{} : value::multi(s.distinct);
  if (f == "list") {
    if (s.listed.empty()) return {};
    std::vector<std::string> items;
    for (size_t i = 0; i < std::min(list_limit, s.listed.size()); ++i)
      items.push_back(s.listed[i].text);
    return value::multi(std::move(items));
  }
  if (f == "first") return s.first_seen ? *s.first_seen : value{};
  if (f == "last") return s.last_seen ? *s.last_seen : value{};
  if (f == "earliest") return s.first ? *s.first : value{};
  if (f == "latest") return s.last ? *s.last : value{};
  if (f == "earliest_time") return s.first ? value{double(s.first_time) / 1e6} : value{};
  if (f == "latest_time") return s.last ? value{double(s.last_time) / 1e6} : value{};
  if (f == "mode") {
    const std::pair<const std::string, mode_entry>* best = nullptr;
    for (auto& e : s.modes)
      if (!best || e.second.count > best->second.count ||
          (e.second.count == best->second.count && e.second.first.before(best->second.first)))
        best = &e;
    return best ? value{best->first} : value{};
  }
  if (f == "median" || f == "perc") {
    uint64_t n = 0;
    for (auto& [_, c] : s.numbers) n = c > UINT64_MAX - n ? UINT64_MAX : n + c;
    if (n == 0) return {};
    if (f == "median") {  // the middle value; of two, the higher (Splunk)
      uint64_t seen = 0;
      for (auto& [v, c] : s.numbers)
        if ((seen += c) > n / 2) return value{v};
    }
    return value{percentile_of(s.numbers, n, a.percentile)};
  }
  return {};
}

value aggregation_cell(const aggregation& a, const agg_state* s) {
  value v = s ? finish_aggregation(a, *s) : value{};
  if (v.is_null() && aggregation_zero_when_empty(a.function)) v = value{0.0};
  return v;
}

}  // namespace kura::search
