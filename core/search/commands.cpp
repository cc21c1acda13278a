// Streaming stages, partial aggregation and row-stream commands.
#include "core/search/commands.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/search/eval.hpp"
#include "core/search/eval_functions.hpp"
#include "core/search/json_fields.hpp"
#include "core/search/row_commands.hpp"

namespace kura::search {
namespace {

value time_value(time_us t) { return value{double(t) / 1e6}; }

std::string limit_message(const std::string& what, size_t limit, const std::string& advice) {
  return what + " exceeds the limit of " + std::to_string(limit) + "; " + advice;
}

}  // namespace

error memory_limit_error(const std::string& what, const search_limits& limits,
                         const std::string& advice) {
  return {errc::invalid_argument, what + " would hold more than the search memory limit of " +
                                      (limits.max_memory % (size_t(1) << 20) == 0
                                           ? std::to_string(limits.max_memory >> 20) + " MB"
                                           : std::to_string(limits.max_memory) + " bytes") +
                                      " ([search] max_mem_usage_mb); " + advice};
}

std::optional<std::vector<std::string>> field_values(const row& r,
                                                     const std::vector<std::string>& fields) {
  std::vector<std::string> key;
  for (auto& f : fields) {
    auto* v = r.get(f);
    if (!v || v->is_null()) return std::nullopt;
    key.push_back(v->as_string());
  }
  return key;
}

void extend_keys(std::vector<std::vector<std::string>>& keys,
                 const std::vector<std::string>& items) {
  std::vector<std::vector<std::string>> product;
  for (auto& k : keys)
    for (auto& item : items) {
      product.push_back(k);
      product.back().push_back(item);
    }
  keys = std::move(product);
}

bool is_streaming(command::kind k) {
  using K = command::kind;
  return k == K::search || k == K::where || k == K::eval || k == K::rex || k == K::fields ||
         k == K::table || k == K::rename || k == K::spath;
}

bool is_streaming(const command& c) {
  if (auto row = is_row_streaming(c)) return *row;
  return is_streaming(c.type);
}

bool is_aggregation(command::kind k) {
  using K = command::kind;
  return k == K::stats || k == K::timechart || k == K::top || k == K::rare || k == K::chart;
}

// -- streaming ------------------------------------------------------------------

result<stream_stage> stream_stage::make(const command& c) {
  stream_stage s;
  s.cmd_ = &c;
  if (is_row_streaming(c) || c.row) {  // row_commands.hpp
    auto row = row_stage::make(c);
    if (!row) return row.err();
    s.row_ = std::move(*row);
    return s;
  }
  if (c.type == command::kind::search) s.filter_ = std::make_shared<predicate>(c.filter);
  if (c.type == command::kind::eval)
    for (auto& [name, e] : c.assignments)
      if (is_boolean_expr(e))  // as Splunk: a field holds no Boolean
        return error{errc::invalid_argument,
                     "eval: " + name +
                         " cannot be assigned a Boolean (use if(<condition>, …)) at " +
                         e.pos.render()};
  if (c.type == command::kind::rex) {
    auto x = rex_extractor::make(c.regex, c.rex_field);
    if (!x) return error{x.err().code(), x.err().message() + " at " + c.pos.render()};
    s.rex_ = std::make_shared<rex_extractor>(std::move(*x));
  }
  if (c.type == command::kind::spath) {
    auto x = spath_stage::make(c.rex_field, c.spath_output, c.spath_path);
    if (!x) return error{x.err().code(), x.err().message() + " at " + c.pos.render()};
    s.spath_ = std::make_shared<spath_stage>(std::move(*x));
  }
  return s;
}

bool stream_stage::apply(row& r) const {
  if (row_) return row_->apply(r);
  const command& c = *cmd_;
  switch (c.type) {
    case command::kind::search: return filter_->matches(r);
    case command::kind::where: return evaluate(c.condition, r).truthy();
    case command::kind::eval:
      for (auto& [name, e] : c.assignments) r.set(name, evaluate(e, r));
      return true;
    case command::kind::rex: rex_->apply(r); return true;
    case command::kind::spath:
      spath_->apply(r);
      return true;
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
    size_t n = (cmd_->type == command::kind::stats || cmd_->type == command::kind::timechart ||
                cmd_->type == command::kind::chart)
                   ? cmd_->aggregations.size()
                   : 1;
    size_t key_bytes = 64 + key.capacity() * sizeof(std::string);  // the map's node, the key
    for (auto& k : key) key_bytes += k.capacity() + 1;
    if (auto err = charge(0, key_bytes + n * approx_bytes(agg_state{}))) return err;
    it = groups_.emplace(std::move(key), std::vector<agg_state>(n)).first;
  }
  out = &it->second;
  return {};
}

error partial_aggregate::charge(size_t before, size_t after) {
  if (after <= before) return {};
  bytes_ += after - before;
  if (bytes_ <= limits_.max_memory) return {};
  return memory_limit_error(cmd_->name + ": its " + std::to_string(groups_.size()) + " groups",
                            limits_, "narrow the search or group by fewer values");
}

error partial_aggregate::add(const row& r) {
  return add(r, row_position{0, 0, UINT64_MAX - added_++});
}

error partial_aggregate::add(const row& r, const row_position& at) {
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
  // A multivalue by field puts the row in the group of each of its values, as
  // Splunk's stats does (`stats count by tags{}`).
  std::vector<std::vector<std::string>> keys{std::move(key)};
  for (auto& f : c.by) {
    auto* v = r.get(f);
    if (!v || v->is_null()) {
      // chart's column split keeps such rows in its NULL column (usenull=t), as Splunk does
      if (c.type == command::kind::chart && &f == &c.by.back() && c.by.size() == 2 &&
          chart_uses_null(c)) {
        for (auto& k : keys) k.push_back("NULL");
        continue;
      }
      return {};  // rows without a by field are not counted, as in Splunk
    }
    if (v->type() != value::kind::multi) {
      for (auto& k : keys) k.push_back(v->as_string());
      continue;
    }
    auto items = v->items();
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    if (items.empty()) return {};
    extend_keys(keys, items);
  }
  for (size_t k = 1; k < keys.size(); ++k)
    if (auto err = add_to_group(std::move(keys[k]), r, at)) return err;
  return add_to_group(std::move(keys[0]), r, at);
}

error partial_aggregate::add_to_group(std::vector<std::string> key, const row& r,
                                      const row_position& at) {
  const command& c = *cmd_;
  std::vector<agg_state>* g;
  if (auto err = group_for(std::move(key), g)) return err;
  time_us t = r.time();
  static const value null;
  for (size_t i = 0; i < c.aggregations.size(); ++i) {
    auto& a = c.aggregations[i];
    value computed;
    const value* v = &null;
    if (a.argument) {
      computed = evaluate(*a.argument, r);
      // A condition counts its rows: true is 1, false no value (count(eval(x>1))).
      if (is_condition(*a.argument)) computed = computed.truthy() ? value{1.0} : value{};
      v = &computed;
    } else if (!a.field.empty()) {
      if (auto* got = r.get(a.field)) v = got;
    }
    size_t before = approx_bytes((*g)[i]);
    if (auto err = fold_aggregation((*g)[i], a, *v, t, at, limits_.max_values))
      return error{err.code(), c.name + ": " + err.message()};
    if (auto err = charge(before, approx_bytes((*g)[i]))) return err;
  }
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
  static const aggregation count_of_rows{"count", "", "count", std::nullopt, 0};  // top, rare
  bool has_aggregations = cmd_->type == command::kind::stats ||
                          cmd_->type == command::kind::timechart ||
                          cmd_->type == command::kind::chart;
  for (auto& [key, states] : other.groups_) {
    std::vector<agg_state>* g;
    if (auto err = group_for(key, g)) return err;
    for (size_t i = 0; i < states.size(); ++i) {
      auto& a = has_aggregations ? cmd_->aggregations[i] : count_of_rows;
      size_t before = approx_bytes((*g)[i]);
      if (auto err = merge_aggregation((*g)[i], states[i], a, limits_.max_values))
        return error{err.code(), cmd_->name + ": " + err.message()};
      if (auto err = charge(before, approx_bytes((*g)[i]))) return err;
    }
  }
  return {};
}

result<std::vector<std::string>> partial_aggregate::shown_series(
    std::map<std::vector<std::string>, std::vector<agg_state>>& other) const {
  const command& c = *cmd_;
  std::set<std::string> all;
  for (auto& [key, _] : groups_) all.insert(key[1]);
  if (c.limit == 0 || all.size() <= c.limit)
    return std::vector<std::string>(all.begin(), all.end());
  // Splunk's default `agg=sum`: series ranked by the sum of their values (of
  // the first aggregation) over all bins; ties by name.
  auto& first = c.aggregations[0];
  std::map<std::string, double> totals;
  for (auto& [key, states] : groups_)
    if (auto n = finish_aggregation(first, states[0]).as_number()) totals[key[1]] += *n;
  std::vector<std::string> ranked(all.begin(), all.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](auto& x, auto& y) { return totals[x] > totals[y]; });
  std::set<std::string> kept(ranked.begin(), ranked.begin() + long(c.limit));
  if (c.use_other) {
    // OTHER is each aggregation over the rows of the series not shown (their
    // states merged), so avg, dc or perc of OTHER are right, not sums of them.
    for (auto& [key, states] : groups_) {
      if (kept.count(key[1])) continue;
      auto& merged = other[{key[0]}];
      if (merged.empty()) merged.resize(states.size());
      for (size_t i = 0; i < states.size(); ++i)
        if (auto err =
                merge_aggregation(merged[i], states[i], c.aggregations[i], limits_.max_values))
          return error{err.code(), c.name + ": " + err.message()};
    }
  }
  return std::vector<std::string>(kept.begin(), kept.end());
}

void partial_aggregate::set_series_cells(
    row& r, const std::string& key, const std::vector<std::string>& series, bool with_other,
    const std::map<std::vector<std::string>, std::vector<agg_state>>& other) const {
  const command& c = *cmd_;
  auto column = [&](const aggregation& a, const std::string& s) {
    return c.aggregations.size() > 1 ? a.as + ": " + s : s;
  };
  for (size_t i = 0; i < c.aggregations.size(); ++i) {
    auto& a = c.aggregations[i];
    for (auto& s : series) {
      auto it = groups_.find({key, s});
      r.set(column(a, s), aggregation_cell(a, it == groups_.end() ? nullptr : &it->second[i]));
    }
    if (with_other) {
      auto it = other.find({key});
      r.set(column(a, "OTHER"), aggregation_cell(a, it == other.end() ? nullptr : &it->second[i]));
    }
  }
}

result<std::vector<row>> partial_aggregate::finish(std::optional<time_us> earliest, std::optional<time_us> latest) const {
  const command& c = *cmd_;
  if (c.type == command::kind::chart) return finish_chart();  // coordinator_commands.cpp
  std::vector<row> out;
  if (c.type == command::kind::stats) {
    if (groups_.empty() && c.by.empty()) {
      row r;  // stats over no rows: one row of zero counts
      for (auto& a : c.aggregations) r.set(a.as, aggregation_cell(a, nullptr));
      out.push_back(std::move(r));
      return out;
    }
    for (auto& [key, states] : groups_) {
      row r;
      for (size_t i = 0; i < c.by.size(); ++i) r.set(c.by[i], value{key[i]});
      for (size_t i = 0; i < c.aggregations.size(); ++i)
        r.set(c.aggregations[i].as, finish_aggregation(c.aggregations[i], states[i]));
      out.push_back(std::move(r));
    }
    return out;
  }
  if (c.type == command::kind::timechart) {
    // Columns: one per aggregation without `by`; with it one per series (the
    // top `limit`, then OTHER), named "<aggregation>: <series>" when there are
    // several aggregations, as Splunk names them.
    time_us lo = INT64_MAX, hi = INT64_MIN;
    for (auto& [key, _] : groups_) {
      time_us b = std::stoll(key[0]);
      lo = std::min(lo, b);
      hi = std::max(hi, b);
    }
    if (earliest) lo = std::min(lo, bin(*earliest));
    if (latest && *latest > INT64_MIN + 1) hi = std::max(hi, bin(*latest - 1));
    if (groups_.empty() && !(earliest && latest)) return out;
    if ((hi - lo) / span_ + 1 > time_us(limits_.max_rows))
      return error{errc::invalid_argument, limit_message("timechart: the number of bins", limits_.max_rows, "use a larger span")};
    std::map<std::vector<std::string>, std::vector<agg_state>> other;
    std::vector<std::string> series;
    bool with_other = false;
    if (!c.by.empty()) {
      auto shown = shown_series(other);
      if (!shown) return shown.err();
      series = std::move(*shown);
      std::set<std::string> all;
      for (auto& [key, _] : groups_) all.insert(key[1]);
      with_other = c.use_other && series.size() < all.size();
    }
    for (time_us b = lo; b <= hi; b += span_) {
      row r;
      r.set("_time", time_value(b));
      std::string bin_key = std::to_string(b);
      if (c.by.empty()) {
        auto it = groups_.find({bin_key});
        for (size_t i = 0; i < c.aggregations.size(); ++i)
          r.set(
              c.aggregations[i].as,
              aggregation_cell(c.aggregations[i], it == groups_.end() ? nullptr : &it->second[i]));
        out.push_back(std::move(r));
        continue;
      }
      set_series_cells(r, bin_key, series, with_other, other);
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
  if (is_streaming(c)) {
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
  if (c.row) return apply_row_command(c, std::move(rows), limits);  // row_commands.hpp
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
        auto key = field_values(r, c.fields);
        if (!key) continue;  // keepempty=false: rows without the fields are dropped
        if (++seen[*key] > c.limit) continue;
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
