// The naive evaluator's commands on whole row lists.
#include "search/naive_coordinator.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/io/file.hpp"
#include "core/search/commands.hpp"
#include "core/search/coordinator_args.hpp"
#include "core/search/eval.hpp"
#include "core/search/lookup.hpp"
#include "search/naive_stats.hpp"

namespace kura::testing {
namespace {

using search::command;
using search::row;
using search::value;

/// stats with the command's aggregations over `rows`, by `by`.
std::vector<row> stats_of(const command& c, const std::vector<std::string>& by,
                          const std::vector<row>& rows) {
  command s = c;
  s.type = command::kind::stats;
  s.coordinator = nullptr;
  s.by = by;
  if (naive_stats_handles(s)) return naive_stats(s, rows);
  auto r = search::apply_command(s, rows, search::search_limits{}, std::nullopt, std::nullopt);
  if (!r) throw std::runtime_error(r.err().render());
  return *r;
}

/// "a\x1fb": the values of `fields`, or nullopt when one is missing.
std::optional<std::string> group(const row& r, const std::vector<std::string>& fields) {
  std::string key;
  for (auto& f : fields) {
    auto* v = r.get(f);
    if (!v || v->is_null()) return std::nullopt;
    key += v->as_string() + '\x1f';
  }
  return key;
}

void copy_aggregates(const command& c, const row& from, row& to) {
  for (auto& a : c.aggregations)
    if (auto* v = from.get(a.as); v && !v->is_null()) to.set(a.as, *v);
}

bool zero_when_empty(const std::string& f) { return f == "count" || f == "dc" || f == "estdc"; }

std::vector<row> chart(const command& c, const std::vector<row>& rows) {
  if (c.by.size() < 2) return stats_of(c, c.by, rows);
  const std::string& over = c.by[0];
  const std::string& split = c.by[1];
  std::vector<row> input = rows;
  if (c.coordinator->use_null)
    for (auto& r : input)
      if (auto* v = r.get(split); !v || v->is_null()) r.set(split, value{"NULL"});
  auto long_rows = stats_of(c, c.by, input);
  std::set<std::string> series;
  std::map<std::string, double> totals;
  for (auto& r : long_rows) {
    series.insert(r.get(split)->as_string());
    auto* v = r.get(c.aggregations[0].as);
    if (v && v->as_number()) totals[r.get(split)->as_string()] += *v->as_number();
  }
  std::vector<std::string> kept(series.begin(), series.end());
  bool other = false;
  std::vector<row> other_rows;
  if (c.limit != 0 && kept.size() > c.limit) {
    std::stable_sort(kept.begin(), kept.end(),
                     [&](auto& a, auto& b) { return totals[a] > totals[b]; });
    kept.resize(c.limit);
    std::sort(kept.begin(), kept.end());
    if (c.use_other) {
      other = true;
      std::vector<row> rest;
      for (auto& r : input)
        if (auto* v = r.get(split);
            v && !v->is_null() && std::find(kept.begin(), kept.end(), v->as_string()) == kept.end())
          rest.push_back(r);
      other_rows = stats_of(c, {over}, rest);
    }
  }
  auto name = [&](const search::aggregation& a, const std::string& s) {
    return c.aggregations.size() > 1 ? a.as + ": " + s : s;
  };
  auto cell = [&](const search::aggregation& a, const row* r) {
    const value* v = r ? r->get(a.as) : nullptr;
    if (v && !v->is_null()) return *v;
    return zero_when_empty(a.function) ? value{0.0} : value{};
  };
  std::vector<std::string> overs;
  for (auto& r : long_rows) {
    auto ov = r.get(over)->as_string();
    if (std::find(overs.begin(), overs.end(), ov) == overs.end()) overs.push_back(ov);
  }
  std::vector<row> out;
  for (auto& ov : overs) {
    row r;
    r.set(over, value{ov});
    for (auto& a : c.aggregations) {
      for (auto& s : kept) {
        const row* found = nullptr;
        for (auto& l : long_rows)
          if (l.get(over)->as_string() == ov && l.get(split)->as_string() == s) found = &l;
        r.set(name(a, s), cell(a, found));
      }
      if (other) {
        const row* found = nullptr;
        for (auto& l : other_rows)
          if (l.get(over)->as_string() == ov) found = &l;
        r.set(name(a, "OTHER"), cell(a, found));
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<row> eventstats(const command& c, std::vector<row> rows) {
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < rows.size(); ++i)
    if (auto g = group(rows[i], c.by)) groups[*g].push_back(i);
  std::vector<row> out = rows;
  for (auto& [_, members] : groups) {
    std::vector<row> subset;
    for (auto i : members) subset.push_back(rows[i]);
    auto s = stats_of(c, {}, subset);
    for (auto i : members) copy_aggregates(c, s.at(0), out[i]);
  }
  return out;
}

std::vector<row> streamstats(const command& c, const std::vector<row>& rows) {
  auto& args = *c.coordinator;
  std::vector<row> out = rows;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto g = group(rows[i], c.by);
    if (!g) continue;
    size_t end = args.current ? i + 1 : i;
    std::vector<size_t> members;
    size_t start = 0;
    if (args.window && (args.global || c.by.empty()))
      start = end > args.window ? end - args.window : 0;
    for (size_t j = start; j < end; ++j)
      if (group(rows[j], c.by) == g) members.push_back(j);
    if (args.window && !(args.global || c.by.empty()) && members.size() > args.window)
      members.erase(members.begin(), members.end() - long(args.window));
    if (members.empty()) continue;
    std::vector<row> subset;
    for (auto j : members) subset.push_back(rows[j]);
    copy_aggregates(c, stats_of(c, {}, subset).at(0), out[i]);
  }
  return out;
}

result<std::vector<row>> transaction(const command& c, const std::vector<row>& rows,
                                     const naive_context& ctx) {
  auto& args = *c.coordinator;
  auto is = [&](const std::optional<search::transaction_filter>& f, const row& r) {
    if (!f) return false;
    return f->is_eval ? search::evaluate(f->condition, r).truthy() : ctx.matches(f->search, r);
  };
  // Rows of each key, newest first.
  std::map<std::string, std::vector<size_t>> keyed;
  for (size_t i = 0; i < rows.size(); ++i) {
    size_t have = 0;
    for (auto& f : c.fields)
      if (auto* v = rows[i].get(f); v && !v->is_null()) ++have;
    if (have == 0 && !c.fields.empty()) continue;
    if (have != c.fields.size())
      return error{errc::invalid_argument, "transaction: only some of the fields"};
    keyed[*group(rows[i], c.fields)].push_back(i);
  }
  std::vector<std::vector<size_t>> found;
  for (auto& [_, list] : keyed) {
    std::vector<size_t> cur;  // the open transaction, newest first
    auto flush = [&](bool complete) {
      if (!cur.empty() && complete) found.push_back(cur);
      cur.clear();
    };
    for (size_t i : list) {
      time_us t = rows[i].time();
      if (!cur.empty()) {
        time_us newest = rows[cur.front()].time(), oldest = rows[cur.back()].time();
        if ((args.max_span && newest - t > *args.max_span) ||
            (args.max_pause && oldest - t > *args.max_pause))
          flush(!args.starts_with);
      }
      if (is(args.ends_with, rows[i])) {
        flush(!args.starts_with);
      } else if (cur.empty() && args.ends_with) {
        continue;
      }
      cur.push_back(i);
      if (is(args.starts_with, rows[i]))
        flush(true);
      else if (cur.size() >= args.max_events)
        flush(!args.starts_with);
    }
    flush(!args.starts_with);
  }
  std::sort(found.begin(), found.end(), [&](auto& a, auto& b) {
    time_us ta = rows[a.back()].time(), tb = rows[b.back()].time();
    return ta != tb ? ta > tb : a.back() < b.back();
  });
  std::vector<row> out;
  for (auto& members : found) {
    row r;
    r.set("_time", *rows[members.back()].get("_time"));
    std::vector<std::string> order;
    std::map<std::string, std::vector<value>> seen;
    std::vector<std::string> raws;
    for (auto m = members.rbegin(); m != members.rend(); ++m)
      for (auto& [name, v] : rows[*m].fields()) {
        if (name == "_time" || name == "_cd" || v.is_null()) continue;
        if (name == "_raw") {
          raws.push_back(v.as_string());
          continue;
        }
        if (!seen.count(name)) order.push_back(name);
        seen[name].push_back(v);
      }
    for (auto& name : order) {
      std::set<std::string> distinct;
      for (auto& v : seen[name])
        for (auto& item : v.items()) distinct.insert(item);
      auto& first = seen[name][0];
      if (distinct.size() == 1 && first.type() != value::kind::multi)
        r.set(name, first);
      else
        r.set(name, value::multi({distinct.begin(), distinct.end()}));
    }
    if (!raws.empty()) {
      std::string joined;
      for (auto& s : raws) joined += (joined.empty() && &s == &raws[0] ? "" : "\n") + s;
      r.set("_raw", value{joined});
      if (r.get("linecount")) {
        size_t lines = 0;
        for (auto& s : raws) lines += size_t(std::count(s.begin(), s.end(), '\n')) + 1;
        r.set("linecount", value{double(lines)});
      }
    }
    r.set("duration",
          value{double(rows[members.front()].time() - rows[members.back()].time()) / 1e6});
    r.set("eventcount", value{double(members.size())});
    out.push_back(std::move(r));
  }
  return out;
}

result<std::vector<row>> join(const command& c, const std::vector<row>& rows,
                              const naive_context& ctx) {
  auto sub = ctx.subsearch(*c.coordinator->subquery);
  if (!sub) return sub.err();
  std::vector<row> out;
  for (auto& r : rows) {
    size_t n = 0;
    auto g = group(r, c.fields);
    for (auto& s : *sub) {
      if (!g || group(s, c.fields) != g) continue;
      if (c.coordinator->max != 0 && n == c.coordinator->max) break;
      row joined = r;
      for (auto& [name, v] : s.fields()) joined.set(name, v);
      out.push_back(std::move(joined));
      ++n;
    }
    if (n == 0 && c.coordinator->left) out.push_back(r);
  }
  return out;
}

result<search::csv_table> table(const command& c, const naive_context& ctx) {
  auto text = io::read_file(io::fs::path{ctx.lookup_dir} / (c.coordinator->table.ends_with(".csv")
                                                                ? c.coordinator->table
                                                                : c.coordinator->table + ".csv"));
  if (!text) return text.err();
  return search::parse_csv(*text);
}

result<std::vector<row>> lookup(const command& c, std::vector<row> rows, const naive_context& ctx) {
  auto t = table(c, ctx);
  if (!t) return t.err();
  auto col = [&](const std::string& n) {
    return size_t(std::find(t->header.begin(), t->header.end(), n) - t->header.begin());
  };
  auto outputs = c.coordinator->output;
  if (outputs.empty())
    for (auto& h : t->header)
      if (std::none_of(c.coordinator->match.begin(), c.coordinator->match.end(),
                       [&](auto& m) { return m.first == h; }))
        outputs.emplace_back(h, h);
  for (auto& r : rows) {
    std::vector<size_t> hits;
    for (size_t i = 0; i < t->records.size(); ++i) {
      bool all = true;
      for (auto& [lf, ef] : c.coordinator->match) {
        auto* v = r.get(ef);
        auto items = v && !v->is_null() ? v->items() : std::vector<std::string>{};
        all &= std::find(items.begin(), items.end(), t->records[i][col(lf)]) != items.end();
      }
      if (all) hits.push_back(i);
    }
    for (auto& [lf, ef] : outputs) {
      if (c.coordinator->output_new && r.get(ef) && !r.get(ef)->is_null()) continue;
      std::vector<std::string> vals;
      for (auto i : hits) {
        auto& cell = t->records[i][col(lf)];
        if (!cell.empty() && std::find(vals.begin(), vals.end(), cell) == vals.end())
          vals.push_back(cell);
      }
      if (vals.empty())
        r.erase(ef);
      else
        r.set(ef, vals.size() == 1 ? value{vals[0]} : value::multi(vals));
    }
  }
  return rows;
}

}  // namespace

bool naive_coordinator_handles(const search::command& c) {
  using K = command::kind;
  return c.type == K::chart || c.type == K::eventstats || c.type == K::streamstats ||
         c.type == K::transaction || c.type == K::join || c.type == K::append ||
         c.type == K::lookup || c.type == K::inputlookup;
}

result<std::vector<search::row>> naive_coordinator(const search::command& c,
                                                   std::vector<search::row> rows,
                                                   const naive_context& ctx) {
  using K = command::kind;
  switch (c.type) {
    case K::chart:
      return chart(c, rows);
    case K::eventstats:
      return eventstats(c, std::move(rows));
    case K::streamstats:
      return streamstats(c, rows);
    case K::transaction:
      return transaction(c, rows, ctx);
    case K::join:
      return join(c, rows, ctx);
    case K::append: {
      auto sub = ctx.subsearch(*c.coordinator->subquery);
      if (!sub) return sub.err();
      rows.insert(rows.end(), sub->begin(), sub->end());
      return rows;
    }
    case K::lookup:
      return lookup(c, std::move(rows), ctx);
    case K::inputlookup: {
      auto t = table(c, ctx);
      if (!t) return t.err();
      std::vector<row> out;
      for (auto& rec : t->records) {
        row r;
        for (size_t i = 0; i < rec.size(); ++i)
          if (!rec[i].empty()) r.set(t->header[i], value{rec[i]});
        out.push_back(std::move(r));
      }
      return out;
    }
    default:
      return error{errc::invalid_argument, "naive_coordinator: not handled"};
  }
}

}  // namespace kura::testing
