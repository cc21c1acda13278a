// Streaming stages, partial aggregation and row-stream commands.
#include "core/search/commands.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/search/eval.hpp"

namespace kura::search {
namespace {

value time_value(time_us t) { return value{double(t) / 1e6}; }

std::string limit_message(const std::string& what, size_t limit, const std::string& advice) {
  return what + " exceeds the limit of " + std::to_string(limit) + "; " + advice;
}

void insert_sorted(std::vector<std::string>& v, std::string s, size_t cap, bool& truncated) {
  auto it = std::lower_bound(v.begin(), v.end(), s);
  if (it != v.end() && *it == s) return;
  if (v.size() >= cap) {
    truncated = true;
    return;
  }
  v.insert(it, std::move(s));
}

}  // namespace

bool is_streaming(command::kind k) {
  using K = command::kind;
  return k == K::search || k == K::where || k == K::eval || k == K::rex || k == K::fields || k == K::table ||
         k == K::rename;
}

bool is_aggregation(command::kind k) {
  using K = command::kind;
  return k == K::stats || k == K::timechart || k == K::top || k == K::rare;
}

// -- streaming ------------------------------------------------------------------

result<stream_stage> stream_stage::make(const command& c) {
  stream_stage s;
  s.cmd_ = &c;
  if (c.type == command::kind::search) s.filter_ = std::make_shared<predicate>(c.filter);
  if (c.type == command::kind::rex) {
    auto x = rex_extractor::make(c.regex, c.rex_field);
    if (!x) return error{x.err().code(), x.err().message() + " at " + c.pos.render()};
    s.rex_ = std::make_shared<rex_extractor>(std::move(*x));
  }
  return s;
}

bool stream_stage::apply(row& r) const {
  const command& c = *cmd_;
  switch (c.type) {
    case command::kind::search: return filter_->matches(r);
    case command::kind::where: return evaluate(c.condition, r).truthy();
    case command::kind::eval:
      for (auto& [name, e] : c.assignments) r.set(name, evaluate(e, r));
      return true;
    case command::kind::rex: rex_->apply(r); return true;
    case command::kind::fields: {
      auto listed = [&](const std::string& f) { return std::find(c.fields.begin(), c.fields.end(), f) != c.fields.end(); };
      auto& f = r.fields();
      if (c.remove) {
        f.erase(std::remove_if(f.begin(), f.end(), [&](auto& kv) { return listed(kv.first); }), f.end());
      } else {
        // Like Splunk, `fields a, b` keeps the internal fields (_time, _raw, _cd) too.
        f.erase(std::remove_if(f.begin(), f.end(),
                               [&](auto& kv) { return !listed(kv.first) && kv.first[0] != '_'; }),
                f.end());
      }
      return true;
    }
    case command::kind::table: {
      row out;
      for (auto& name : c.fields)
        if (auto* v = r.get(name)) out.set(name, *v);
      if (auto* cd = r.get("_cd")) out.set("_cd", *cd);  // kept for ordering and delete, hidden by outputs
      r = std::move(out);
      return true;
    }
    case command::kind::rename:
      for (auto& [from, to] : c.renames) r.rename(from, to);
      return true;
    default: return true;
  }
}

// -- aggregation ----------------------------------------------------------------

partial_aggregate::partial_aggregate(const command& c, const search_limits& limits, std::optional<time_us> earliest,
                                     std::optional<time_us> latest)
    : cmd_(&c), limits_(limits), span_(c.span) {
  if (c.type == command::kind::timechart && span_ == 0) {
    span_ = 86400 * us_per_sec;
    if (earliest && latest && *latest > *earliest) {
      for (int64_t s : {1, 10, 60, 300, 600, 1800, 3600, 86400, 604800})
        if ((*latest - *earliest) / (s * us_per_sec) <= 100) {
          span_ = s * us_per_sec;
          break;
        }
    }
  }
}

time_us partial_aggregate::bin(time_us t) const {
  time_us b = t / span_ * span_;
  return (t < 0 && b != t) ? b - span_ : b;
}

error partial_aggregate::group_for(std::vector<std::string> key, std::vector<agg_state>*& out) {
  auto it = groups_.find(key);
  if (it == groups_.end()) {
    if (groups_.size() >= limits_.max_groups)
      return {errc::invalid_argument, limit_message(cmd_->name + ": the number of groups", limits_.max_groups,
                                                    "narrow the search or group by fewer values")};
    size_t n = (cmd_->type == command::kind::stats || cmd_->type == command::kind::timechart) ? cmd_->aggregations.size() : 1;
    it = groups_.emplace(std::move(key), std::vector<agg_state>(n)).first;
  }
  out = &it->second;
  return {};
}

void partial_aggregate::fold(agg_state& s, const aggregation& a, const row& r) const {
  if (a.field.empty()) {
    ++s.count;
    return;
  }
  auto* v = r.get(a.field);
  if (!v || v->is_null()) return;
  time_us t = r.time();
  for (auto& item : v->items()) {
    value iv{item};
    ++s.count;
    if (auto n = iv.as_number()) {
      s.sum += *n;
      ++s.numeric;
    }
    if (a.function == "min" && (!s.min || compare_values(iv, *s.min) < 0)) s.min = iv;
    if (a.function == "max" && (!s.max || compare_values(iv, *s.max) > 0)) s.max = iv;
    if (a.function == "dc" || a.function == "values") insert_sorted(s.distinct, item, limits_.max_values, s.truncated);
    if (a.function == "earliest" && (!s.first || t < s.first_time)) s.first = iv, s.first_time = t;
    if (a.function == "latest" && (!s.last || t >= s.last_time)) s.last = iv, s.last_time = t;
  }
}

error partial_aggregate::add(const row& r) {
  const command& c = *cmd_;
  std::vector<std::string> key;
  if (c.type == command::kind::timechart) key.push_back(std::to_string(bin(r.time())));
  if (c.type == command::kind::top || c.type == command::kind::rare) {
    for (auto& f : c.by) {
      auto* v = r.get(f);
      if (!v || v->is_null()) return {};
      key.push_back(v->as_string());
    }
    for (auto& f : c.fields) {
      auto* v = r.get(f);
      if (!v || v->is_null()) return {};
      key.push_back(v->as_string());
    }
    std::vector<agg_state>* g;
    if (auto err = group_for(std::move(key), g)) return err;
    ++(*g)[0].count;
    return {};
  }
  for (auto& f : c.by) {
    auto* v = r.get(f);
    if (!v || v->is_null()) return {};  // rows without a by field are not counted, as in Splunk
    key.push_back(v->as_string());
  }
  std::vector<agg_state>* g;
  if (auto err = group_for(std::move(key), g)) return err;
  for (size_t i = 0; i < c.aggregations.size(); ++i) fold((*g)[i], c.aggregations[i], r);
  return {};
}

error partial_aggregate::add_counts(const std::vector<std::string>& by_values, time_us time, uint64_t n) {
  if (n == 0) return {};
  std::vector<std::string> key;
  if (cmd_->type == command::kind::timechart) key.push_back(std::to_string(bin(time)));
  key.insert(key.end(), by_values.begin(), by_values.end());
  std::vector<agg_state>* g;
  if (auto err = group_for(std::move(key), g)) return err;
  for (auto& s : *g) s.count += n;
  return {};
}

error partial_aggregate::merge(const partial_aggregate& other) {
  for (auto& [key, states] : other.groups_) {
    std::vector<agg_state>* g;
    if (auto err = group_for(key, g)) return err;
    for (size_t i = 0; i < states.size(); ++i) {
      auto& a = (*g)[i];
      auto& b = states[i];
      a.count += b.count;
      a.sum += b.sum;
      a.numeric += b.numeric;
      if (b.min && (!a.min || compare_values(*b.min, *a.min) < 0)) a.min = b.min;
      if (b.max && (!a.max || compare_values(*b.max, *a.max) > 0)) a.max = b.max;
      for (auto& d : b.distinct) insert_sorted(a.distinct, d, limits_.max_values, a.truncated);
      a.truncated |= b.truncated;
      if (b.first && (!a.first || b.first_time < a.first_time)) a.first = b.first, a.first_time = b.first_time;
      if (b.last && (!a.last || b.last_time >= a.last_time)) a.last = b.last, a.last_time = b.last_time;
    }
  }
  return {};
}

namespace {

value final_value(const aggregation& a, const agg_state& s) {
  const std::string& f = a.function;
  if (f == "count") return value{double(s.count)};
  if (f == "dc") return value{double(s.distinct.size())};
  if (f == "sum") return s.numeric ? value{s.sum} : value{};
  if (f == "avg") return s.numeric ? value{s.sum / double(s.numeric)} : value{};
  if (f == "min") return s.min ? *s.min : value{};
  if (f == "max") return s.max ? *s.max : value{};
  if (f == "values") return s.distinct.empty() ? value{} : value::multi(s.distinct);
  if (f == "earliest") return s.first ? *s.first : value{};
  if (f == "latest") return s.last ? *s.last : value{};
  return {};
}

}  // namespace

result<std::vector<row>> partial_aggregate::finish(std::optional<time_us> earliest, std::optional<time_us> latest) const {
  const command& c = *cmd_;
  std::vector<row> out;
  if (c.type == command::kind::stats) {
    if (groups_.empty() && c.by.empty()) {
      row r;  // stats over no rows: one row of zero counts
      for (auto& a : c.aggregations) r.set(a.as, a.function == "count" || a.function == "dc" ? value{0.0} : value{});
      out.push_back(std::move(r));
      return out;
    }
    for (auto& [key, states] : groups_) {
      row r;
      for (size_t i = 0; i < c.by.size(); ++i) r.set(c.by[i], value{key[i]});
      for (size_t i = 0; i < c.aggregations.size(); ++i) r.set(c.aggregations[i].as, final_value(c.aggregations[i], states[i]));
      out.push_back(std::move(r));
    }
    return out;
  }
  if (c.type == command::kind::timechart) {
    // Columns: one per aggregation without `by`, one per by-value with it.
    std::set<std::string> series;
    time_us lo = INT64_MAX, hi = INT64_MIN;
    for (auto& [key, _] : groups_) {
      time_us b = std::stoll(key[0]);
      lo = std::min(lo, b);
      hi = std::max(hi, b);
      if (!c.by.empty()) series.insert(key[1]);
    }
    if (earliest) lo = std::min(lo, bin(*earliest));
    if (latest && *latest > INT64_MIN + 1) hi = std::max(hi, bin(*latest - 1));
    if (groups_.empty() && !(earliest && latest)) return out;
    if ((hi - lo) / span_ + 1 > time_us(limits_.max_rows))
      return error{errc::invalid_argument, limit_message("timechart: the number of bins", limits_.max_rows, "use a larger span")};
    for (time_us b = lo; b <= hi; b += span_) {
      row r;
      r.set("_time", time_value(b));
      if (c.by.empty()) {
        auto it = groups_.find({std::to_string(b)});
        for (size_t i = 0; i < c.aggregations.size(); ++i) {
          auto& a = c.aggregations[i];
          value v = it == groups_.end() ? value{} : final_value(a, it->second[i]);
          if (v.is_null() && (a.function == "count" || a.function == "dc")) v = value{0.0};
          r.set(a.as, v);
        }
      } else {
        auto& a = c.aggregations[0];
        for (auto& s : series) {
          auto it = groups_.find({std::to_string(b), s});
          value v = it == groups_.end() ? value{} : final_value(a, it->second[0]);
          if (v.is_null() && (a.function == "count" || a.function == "dc")) v = value{0.0};
          r.set(s, v);
        }
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  // top / rare: per by-group, values ordered by count (desc for top), then value.
  std::map<std::vector<std::string>, std::vector<std::pair<std::vector<std::string>, uint64_t>>> by_group;
  std::map<std::vector<std::string>, uint64_t> totals;
  for (auto& [key, states] : groups_) {
    std::vector<std::string> g(key.begin(), key.begin() + long(c.by.size()));
    std::vector<std::string> vals(key.begin() + long(c.by.size()), key.end());
    by_group[g].emplace_back(std::move(vals), states[0].count);
    totals[g] += states[0].count;
  }
  bool top = c.type == command::kind::top;
  for (auto& [g, entries] : by_group) {
    std::sort(entries.begin(), entries.end(), [&](auto& a, auto& b) {
      if (a.second != b.second) return top ? a.second > b.second : a.second < b.second;
      return a.first < b.first;
    });
    size_t n = c.limit == 0 ? entries.size() : std::min(entries.size(), c.limit);
    for (size_t i = 0; i < n; ++i) {
      row r;
      for (size_t k = 0; k < c.by.size(); ++k) r.set(c.by[k], value{g[k]});
      for (size_t k = 0; k < c.fields.size(); ++k) r.set(c.fields[k], value{entries[i].first[k]});
      r.set("count", value{double(entries[i].second)});
      r.set("percent", value{std::round(1e6 * 100.0 * double(entries[i].second) / double(totals[g])) / 1e6});
      out.push_back(std::move(r));
    }
  }
  return out;
}

// -- row-stream commands --------------------------------------------------------

result<std::vector<row>> apply_command(const command& c, std::vector<row> rows, const search_limits& limits,
                                       std::optional<time_us> earliest, std::optional<time_us> latest) {
  if (is_streaming(c.type)) {
    auto stage = stream_stage::make(c);
    if (!stage) return stage.err();
    std::vector<row> out;
    for (auto& r : rows)
      if (stage->apply(r)) out.push_back(std::move(r));
    return out;
  }
  if (is_aggregation(c.type)) {
    partial_aggregate p{c, limits, earliest, latest};
    for (auto& r : rows)
      if (auto err = p.add(r)) return err;
    return p.finish(earliest, latest);
  }
  switch (c.type) {
    case command::kind::head:
      if (rows.size() > c.limit) rows.resize(c.limit);
      return rows;
    case command::kind::tail: {
      std::vector<row> out;
      size_t n = std::min(rows.size(), c.limit);
      for (size_t i = 0; i < n; ++i) out.push_back(std::move(rows[rows.size() - 1 - i]));
      return out;
    }
    case command::kind::sort: {
      size_t limit = c.limit == 0 ? limits.default_sort_limit : c.limit;
      std::stable_sort(rows.begin(), rows.end(), [&](const row& a, const row& b) {
        for (auto& [field, desc] : c.sort_keys) {
          static const value null;
          auto* va = a.get(field);
          auto* vb = b.get(field);
          int cmp = compare_values(va ? *va : null, vb ? *vb : null);
          if (cmp != 0) return desc ? (va && vb ? cmp > 0 : cmp < 0) : cmp < 0;
        }
        return false;
      });
      if (rows.size() > limit) rows.resize(limit);
      return rows;
    }
    case command::kind::dedup: {
      std::map<std::vector<std::string>, size_t> seen;
      std::vector<row> out;
      for (auto& r : rows) {
        std::vector<std::string> key;
        bool complete = true;
        for (auto& f : c.fields) {
          auto* v = r.get(f);
          if (!v || v->is_null()) {
            complete = false;
            break;
          }
          key.push_back(v->as_string());
        }
        if (!complete) continue;  // keepempty=false: rows without the fields are dropped
        if (++seen[key] > c.limit) continue;
        if (seen.size() > limits.max_rows)
          return error{errc::invalid_argument, limit_message("dedup: distinct values", limits.max_rows, "dedup fewer values")};
        out.push_back(std::move(r));
      }
      return out;
    }
    default:
      return error{errc::invalid_argument, c.name + " cannot run here (at " + c.pos.render() + ")"};
  }
}

}  // namespace kura::search
