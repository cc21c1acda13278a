// The commands that need the merged row stream, and chart's pivot.
#include "core/search/coordinator_commands.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>

#include "core/search/aggregations.hpp"
#include "core/search/coordinator_args.hpp"
#include "core/search/eval.hpp"
#include "core/search/lookup.hpp"
#include "core/search/predicate.hpp"

namespace kura::search {

bool chart_uses_null(const command& c) { return !c.coordinator || c.coordinator->use_null; }

bool is_coordinator_command(command::kind k) {
  using K = command::kind;
  return k == K::eventstats || k == K::streamstats || k == K::transaction || k == K::join ||
         k == K::append || k == K::lookup || k == K::inputlookup || k == K::outputlookup;
}

bool is_generating_command(command::kind k) { return k == command::kind::inputlookup; }

error validate_coordinator_commands(const query& q) {
  for (size_t i = 0; i < q.commands.size(); ++i) {
    auto& c = q.commands[i];
    if (!is_generating_command(c.type)) continue;
    if (i != 0 || q.base.type != search_node::kind::all)
      return {errc::invalid_argument, c.name + " must be the first command: | " + c.name +
                                          " NAME (at " + c.pos.render() + ")"};
  }
  return {};
}

// -- chart ----------------------------------------------------------------------

result<std::vector<row>> partial_aggregate::finish_chart() const {
  const command& c = *cmd_;
  // Empty cells: 0 for count and dc, as in Splunk's chart; no value otherwise.
  std::vector<row> out;
  if (c.by.size() < 2) {  // no column split: the rows of stats
    if (groups_.empty() && c.by.empty()) {
      row r;
      for (auto& a : c.aggregations) r.set(a.as, aggregation_cell(a, nullptr));
      out.push_back(std::move(r));
      return out;
    }
    for (auto& [key, states] : groups_) {
      row r;
      for (size_t i = 0; i < c.by.size(); ++i) r.set(c.by[i], value{key[i]});
      for (size_t i = 0; i < c.aggregations.size(); ++i)
        r.set(c.aggregations[i].as, aggregation_cell(c.aggregations[i], &states[i]));
      out.push_back(std::move(r));
    }
    return out;
  }
  // Column split: the series shown are the top `limit` by total (as timechart
  // ranks them), the others merged into OTHER unless useother=f.
  std::map<std::vector<std::string>, std::vector<agg_state>> other;
  auto shown = shown_series(other);
  if (!shown) return shown.err();
  std::set<std::string> all;
  for (auto& [key, _] : groups_) all.insert(key[1]);
  bool with_other = c.use_other && shown->size() < all.size();
  std::vector<std::string> row_values;
  for (auto& [key, _] : groups_)
    if (row_values.empty() || row_values.back() != key[0]) row_values.push_back(key[0]);
  for (auto& rv : row_values) {
    row r;
    r.set(c.by[0], value{rv});
    set_series_cells(r, rv, *shown, with_other, other);
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

error limit_error(const command& c, const std::string& what, size_t limit) {
  return {errc::invalid_argument, c.name + ": " + what + " exceeds the limit of " +
                                      std::to_string(limit) + " rows; narrow the search (at " +
                                      c.pos.render() + ")"};
}

/// The values of `fields` in `r` as a key, or nullopt when one is missing.
std::optional<std::vector<std::string>> key_of(const row& r,
                                               const std::vector<std::string>& fields) {
  std::vector<std::string> key;
  key.reserve(fields.size());
  for (auto& f : fields) {
    auto* v = r.get(f);
    if (!v || v->is_null()) return std::nullopt;
    key.push_back(v->as_string());
  }
  return key;
}

/// The command as stats (same aggregations), for eventstats and streamstats.
command as_stats(const command& c, bool keep_by) {
  command s = c;
  s.type = command::kind::stats;
  s.coordinator = nullptr;
  if (!keep_by) s.by.clear();
  return s;
}

/// Sets the aggregation fields of one finished stats row onto `r` (values only).
void set_aggregates(const command& c, const row& finished, row& r) {
  for (auto& a : c.aggregations)
    if (auto* v = finished.get(a.as); v && !v->is_null()) r.set(a.as, *v);
}

// -- eventstats -----------------------------------------------------------------

result<std::vector<row>> eventstats(const command& c, std::vector<row> rows,
                                    const search_options& o) {
  command s = as_stats(c, true);
  partial_aggregate p{s, o.limits, std::nullopt, std::nullopt};
  for (auto& r : rows)
    if (auto err = p.add(r)) return err;
  auto finished = p.finish(std::nullopt, std::nullopt);
  if (!finished) return finished.err();
  std::map<std::vector<std::string>, const row*> by_key;
  for (auto& f : *finished)
    if (auto key = key_of(f, c.by)) by_key.emplace(std::move(*key), &f);
  for (auto& r : rows) {
    auto key = key_of(r, c.by);
    if (!key) continue;  // rows without a by field get nothing, as stats leaves them out
    auto it = by_key.find(*key);
    if (it != by_key.end()) set_aggregates(c, *it->second, r);
  }
  return rows;
}

// -- streamstats ----------------------------------------------------------------

result<std::vector<row>> streamstats(const command& c, std::vector<row> rows,
                                     const search_options& o) {
  auto& args = *c.coordinator;
  command s = as_stats(c, false);
  const std::vector<row> original = rows;  // later rows see the input, not earlier outputs
  auto finish_over = [&](const std::vector<size_t>& window, row& r) -> error {
    if (window.empty()) return {};
    partial_aggregate p{s, o.limits, std::nullopt, std::nullopt};
    for (size_t w : window)
      if (auto err = p.add(original[w])) return err;
    auto f = p.finish(std::nullopt, std::nullopt);
    if (!f) return f.err();
    set_aggregates(c, f->front(), r);
    return {};
  };
  if (args.window == 0) {
    // Running aggregates per group: one partial each, finished at every row.
    std::map<std::vector<std::string>, std::pair<std::unique_ptr<partial_aggregate>, size_t>>
        running;
    for (size_t i = 0; i < rows.size(); ++i) {
      auto key = key_of(original[i], c.by);
      if (!key) continue;
      auto& [p, n] = running[*key];
      if (!p) p = std::make_unique<partial_aggregate>(s, o.limits, std::nullopt, std::nullopt);
      if (args.current) {
        if (auto err = p->add(original[i])) return err;
        ++n;
      }
      if (n > 0) {
        auto f = p->finish(std::nullopt, std::nullopt);
        if (!f) return f.err();
        set_aggregates(c, f->front(), rows[i]);
      }
      if (!args.current) {
        if (auto err = p->add(original[i])) return err;
        ++n;
      }
    }
    return rows;
  }
  // A window of the last N rows: one for all rows (global, or no by), or one per group.
  bool one_window = args.global || c.by.empty();
  std::deque<size_t> global_window;
  std::map<std::vector<std::string>, std::deque<size_t>> group_windows;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto key = key_of(original[i], c.by);
    if (!one_window && !key) continue;
    auto& window = one_window ? global_window : group_windows[*key];
    auto push = [&] {
      window.push_back(i);
      if (window.size() > args.window) window.pop_front();
    };
    if (args.current) push();
    if (key) {
      std::vector<size_t> members;
      for (size_t w : window)
        if (w == i || key_of(original[w], c.by) == key) members.push_back(w);
      if (auto err = finish_over(members, rows[i])) return err;
    }
    if (!args.current) push();
  }
  return rows;
}

// -- transaction ----------------------------------------------------------------

/// Groups rows into transactions. Rows come newest first, so a transaction
/// grows backwards in time:
/// - rows with none of the fields are in no transaction; rows with some but
///   not all of them are refused (Splunk's transitive grouping is not done);
/// - a row whose key has an open transaction joins it unless the transaction
///   would then span more than maxspan, or the gap to its earliest row is more
///   than maxpause: then the open one closes first;
/// - with endswith, a row matching it closes the open transaction and opens a
///   new one; a row with no open transaction is in none;
/// - with startswith, a row matching it joins and closes its transaction;
///   transactions closed any other way (maxspan, maxpause, maxevents, the end
///   of the rows, a newer endswith) never saw their start and are dropped
///   (keepevicted=false);
/// - maxevents rows close a transaction.
/// Each transaction is one row: _time of its earliest row, the union of the
/// other fields (distinct values, sorted: mvlist=f), _raw of its rows oldest
/// first joined by newlines, duration (seconds) and eventcount; newest first
/// by earliest time (ties: the one whose oldest row comes first).
result<std::vector<row>> transaction(const command& c, std::vector<row> rows) {
  auto& args = *c.coordinator;
  auto compile = [](const std::optional<transaction_filter>& f) -> std::shared_ptr<predicate> {
    if (!f || f->is_eval) return nullptr;
    return std::make_shared<predicate>(f->search);
  };
  auto start_pred = compile(args.starts_with);
  auto end_pred = compile(args.ends_with);
  auto matches = [](const std::optional<transaction_filter>& f, const std::shared_ptr<predicate>& p,
                    const row& r) {
    if (!f) return false;
    return f->is_eval ? evaluate(f->condition, r).truthy() : p->matches(r);
  };
  struct open_txn {
    std::vector<size_t> members;  // newest first
    time_us latest = 0, earliest = 0;
  };
  std::vector<open_txn> done;
  std::map<std::vector<std::string>, std::optional<open_txn>> open;
  auto close = [&](std::optional<open_txn>& t, bool complete) {
    if (t && complete) done.push_back(std::move(*t));
    t.reset();
  };
  bool needs_start = args.starts_with.has_value();
  for (size_t i = 0; i < rows.size(); ++i) {
    const row& r = rows[i];
    size_t present = 0;
    for (auto& f : c.fields)
      if (auto* v = r.get(f); v && !v->is_null()) ++present;
    if (!c.fields.empty() && present == 0) continue;
    if (present < c.fields.size())
      return error{
          errc::invalid_argument,
          "transaction: some rows have only some of the fields; keep rows that have all of them "
          "(e.g. | search f1=* f2=*) (at " +
              c.pos.render() + ")"};
    auto key = *key_of(r, c.fields);
    auto& t = open[key];
    time_us now = r.time();
    if (t && ((args.max_span && t->latest - now > *args.max_span) ||
              (args.max_pause && t->earliest - now > *args.max_pause)))
      close(t, !needs_start);
    if (args.ends_with && matches(args.ends_with, end_pred, r)) {
      close(t, !needs_start);
      t = open_txn{{}, now, now};
    } else if (!t) {
      if (args.ends_with) continue;
      t = open_txn{{}, now, now};
    }
    t->members.push_back(i);
    t->earliest = std::min(t->earliest, now);
    t->latest = std::max(t->latest, now);
    if (needs_start && matches(args.starts_with, start_pred, r))
      close(t, true);
    else if (t->members.size() >= args.max_events)
      close(t, !needs_start);
  }
  for (auto& [_, t] : open) close(t, !needs_start);

  // Newest first by earliest time; ties: the one whose oldest row comes first in the input.
  std::vector<std::pair<std::pair<time_us, size_t>, row>> out;
  out.reserve(done.size());
  for (auto& t : done) {
    row tr;
    tr.set("_time", value{double(t.earliest) / 1e6});
    std::vector<std::string> order;
    std::map<std::string, std::set<std::string>> values;
    std::map<std::string, value> single;
    std::string raw;
    for (auto m = t.members.rbegin(); m != t.members.rend(); ++m) {  // oldest first
      for (auto& [name, v] : rows[*m].fields()) {
        if (name == "_time" || name == "_cd" || v.is_null()) continue;
        if (name == "_raw") {
          if (!raw.empty()) raw += '\n';
          raw += v.as_string();
          continue;
        }
        auto [it, fresh] = values.try_emplace(name);
        if (fresh) {
          order.push_back(name);
          single.emplace(name, v);
        }
        for (auto& item : v.items()) it->second.insert(item);
      }
    }
    for (auto& name : order) {
      auto& vs = values[name];
      if (vs.size() == 1 && single[name].type() != value::kind::multi)
        tr.set(name, single[name]);
      else
        tr.set(name, value::multi(std::vector<std::string>(vs.begin(), vs.end())));
    }
    if (!raw.empty() || std::any_of(t.members.begin(), t.members.end(),
                                    [&](size_t m) { return rows[m].get("_raw"); })) {
      tr.set("_raw", value{raw});
      // linecount (a default field) is the transaction's: the lines of its _raw, as in Splunk.
      if (tr.get("linecount"))
        tr.set("linecount", value{double(std::count(raw.begin(), raw.end(), '\n') + 1)});
    }
    tr.set("duration", value{double(t.latest - t.earliest) / 1e6});
    tr.set("eventcount", value{double(t.members.size())});
    out.emplace_back(std::pair{t.earliest, t.members.back()}, std::move(tr));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) {
    if (a.first.first != b.first.first) return a.first.first > b.first.first;
    return a.first.second < b.first.second;
  });
  std::vector<row> result_rows;
  result_rows.reserve(out.size());
  for (auto& [_, r] : out) result_rows.push_back(std::move(r));
  return result_rows;
}

// -- subsearches: join, append ----------------------------------------------------

result<std::vector<row>> run_subsearch(const command& c, const search_options& o) {
  if (!o.run_subsearch)
    return error{
        errc::invalid_argument,
        c.name + ": subsearches cannot run in this kind of search (at " + c.pos.render() + ")"};
  std::vector<row> out;
  bool over = false;
  auto err = o.run_subsearch(c.coordinator->subsearch, o, [&](const row& r) {
    if (out.size() >= o.limits.max_rows) {
      over = true;
      return false;
    }
    out.push_back(r);
    return true;
  });
  if (err) return error{err.code(), c.name + " subsearch: " + err.message()};
  if (over) return limit_error(c, "the subsearch's result", o.limits.max_rows);
  return out;
}

result<std::vector<row>> join(const command& c, std::vector<row> rows, const search_options& o) {
  auto& args = *c.coordinator;
  auto sub = run_subsearch(c, o);
  if (!sub) return sub.err();
  std::map<std::vector<std::string>, std::vector<size_t>> index;
  for (size_t j = 0; j < sub->size(); ++j)
    if (auto key = key_of((*sub)[j], c.fields)) index[*key].push_back(j);
  std::vector<row> out;
  for (auto& r : rows) {
    auto key = key_of(r, c.fields);
    auto it = key ? index.find(*key) : index.end();
    if (it == index.end()) {
      if (args.left) out.push_back(std::move(r));
      continue;
    }
    size_t n = args.max == 0 ? it->second.size() : std::min(args.max, it->second.size());
    for (size_t k = 0; k < n; ++k) {
      row joined = r;
      for (auto& [name, v] : (*sub)[it->second[k]].fields()) joined.set(name, v);  // overwrite=true
      out.push_back(std::move(joined));
      if (out.size() > o.limits.max_rows)
        return limit_error(c, "the joined result", o.limits.max_rows);
    }
  }
  return out;
}

result<std::vector<row>> append(const command& c, std::vector<row> rows, const search_options& o) {
  auto sub = run_subsearch(c, o);
  if (!sub) return sub.err();
  if (rows.size() + sub->size() > o.limits.max_rows)
    return limit_error(c, "the appended result", o.limits.max_rows);
  for (auto& r : *sub) rows.push_back(std::move(r));
  return rows;
}

// -- lookups ----------------------------------------------------------------------

result<csv_table> load(const command& c, const search_options& o) {
  auto t =
      read_lookup({o.lookup_dir, o.bundle_lookup_dirs}, c.coordinator->table, o.limits.max_rows);
  if (!t)
    return error{t.err().code(),
                 c.name + ": " + t.err().message() + " (at " + c.pos.render() + ")"};
  return t;
}

result<std::vector<row>> lookup(const command& c, std::vector<row> rows, const search_options& o) {
  auto& args = *c.coordinator;
  auto table = load(c, o);
  if (!table) return table.err();
  auto column = [&](const std::string& name) -> result<size_t> {
    auto it = std::find(table->header.begin(), table->header.end(), name);
    if (it == table->header.end())
      return error{errc::invalid_argument, c.name + ": lookup \"" + args.table +
                                               "\" has no column \"" + name + "\" (at " +
                                               c.pos.render() + ")"};
    return size_t(it - table->header.begin());
  };
  std::vector<size_t> match_columns;
  for (auto& [lf, _] : args.match) {
    auto col = column(lf);
    if (!col) return col.err();
    match_columns.push_back(*col);
  }
  std::vector<std::pair<size_t, std::string>> outputs;  // column, event field
  if (args.output.empty()) {
    for (size_t i = 0; i < table->header.size(); ++i)
      if (std::find(match_columns.begin(), match_columns.end(), i) == match_columns.end())
        outputs.emplace_back(i, table->header[i]);
  } else {
    for (auto& [lf, ef] : args.output) {
      auto col = column(lf);
      if (!col) return col.err();
      outputs.emplace_back(*col, ef);
    }
  }
  std::map<std::vector<std::string>, std::vector<size_t>>
      index;  // match values -> records, in file order
  for (size_t i = 0; i < table->records.size(); ++i) {
    std::vector<std::string> key;
    for (size_t col : match_columns) key.push_back(table->records[i][col]);
    index[key].push_back(i);
  }
  for (auto& r : rows) {
    // The matching records: every value of a multivalue field is looked up.
    std::vector<std::vector<std::string>> keys{{}};
    bool complete = true;
    for (auto& [_, ef] : args.match) {
      auto* v = r.get(ef);
      if (!v || v->is_null()) {
        complete = false;
        break;
      }
      extend_keys(keys, v->items());
      if (keys.size() > 10'000) {
        complete = false;  // a pathological product of multivalues: no match
        break;
      }
    }
    std::set<size_t> records;
    if (complete)
      for (auto& k : keys)
        if (auto it = index.find(k); it != index.end())
          records.insert(it->second.begin(), it->second.end());
    for (auto& [col, ef] : outputs) {
      if (args.output_new)
        if (auto* existing = r.get(ef); existing && !existing->is_null()) continue;
      std::vector<std::string> vals;
      for (size_t rec : records) {
        auto& cell = table->records[rec][col];
        if (!cell.empty() && std::find(vals.begin(), vals.end(), cell) == vals.end())
          vals.push_back(cell);
      }
      if (vals.empty())
        r.erase(ef);  // OUTPUT replaces: no match leaves the field empty
      else
        r.set(ef, vals.size() == 1 ? value{vals[0]} : value::multi(std::move(vals)));
    }
  }
  return rows;
}

result<std::vector<row>> inputlookup(const command& c, const search_options& o) {
  auto table = load(c, o);
  if (!table) return table.err();
  std::vector<row> out;
  out.reserve(table->records.size());
  for (auto& rec : table->records) {
    row r;
    for (size_t i = 0; i < rec.size(); ++i)
      if (!rec[i].empty()) r.set(table->header[i], value{rec[i]});
    out.push_back(std::move(r));
  }
  return out;
}

/// Writes the rows; the columns are their fields in order of first
/// appearance, internal fields (`_raw`, `_cd`, …) left out except `_time`.
result<std::vector<row>> outputlookup(const command& c, std::vector<row> rows,
                                      const search_options& o) {
  csv_table t;
  std::set<std::string> seen;
  for (auto& r : rows)
    for (auto& [name, _] : r.fields())
      if ((name[0] != '_' || name == "_time") && seen.insert(name).second) t.header.push_back(name);
  if (t.header.empty() && !rows.empty())
    return error{errc::invalid_argument,
                 c.name + ": the rows have no fields to write (at " + c.pos.render() + ")"};
  for (auto& r : rows) {
    std::vector<std::string> rec;
    rec.reserve(t.header.size());
    for (auto& h : t.header) {
      auto* v = r.get(h);
      rec.push_back(v && !v->is_null() ? v->as_string() : std::string{});
    }
    t.records.push_back(std::move(rec));
  }
  if (auto err = write_lookup(o.lookup_dir, c.coordinator->table, t))
    return error{err.code(), c.name + ": " + err.message() + " (at " + c.pos.render() + ")"};
  return rows;
}

}  // namespace

result<std::vector<row>> apply_coordinator_command(const command& c, std::vector<row> rows,
                                                   const search_options& options) {
  if (!c.coordinator)
    return error{errc::invalid_argument, c.name + " has no options (at " + c.pos.render() + ")"};
  switch (c.type) {
    case command::kind::eventstats:
      return eventstats(c, std::move(rows), options);
    case command::kind::streamstats:
      return streamstats(c, std::move(rows), options);
    case command::kind::transaction:
      return transaction(c, std::move(rows));
    case command::kind::join:
      return join(c, std::move(rows), options);
    case command::kind::append:
      return append(c, std::move(rows), options);
    case command::kind::lookup:
      return lookup(c, std::move(rows), options);
    case command::kind::inputlookup:
      return inputlookup(c, options);
    case command::kind::outputlookup:
      return outputlookup(c, std::move(rows), options);
    default:
      return error{errc::invalid_argument, c.name + " cannot run here (at " + c.pos.render() + ")"};
  }
}

}  // namespace kura::search
