// The search executor: per-bucket work and the merge.
#include "core/search/executor.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <queue>
#include <set>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "core/bucket/bucket_ops.hpp"
#include "core/bucket/index_builder.hpp"
#include "core/search/coordinator_commands.hpp"
#include "core/search/eval_functions.hpp"
#include "core/search/fields.hpp"
#include "core/search/parser.hpp"
#include "core/search/predicate.hpp"
#include "core/search/raw_scan.hpp"
#include "core/search/row_commands.hpp"

namespace kura::search {
namespace {

void expr_fields(const expr& e, std::set<std::string>& out) {
  if (e.type == expr::kind::field) out.insert(e.text);
  if (e.type == expr::kind::call)  // searchmatch("...") reads _raw and its search's fields
    for (auto& f : implicit_call_fields(e)) out.insert(f);
  for (auto& a : e.args) expr_fields(a, out);
}

void node_fields(const search_node& n, std::set<std::string>& out) {
  if (n.type == search_node::kind::compare) out.insert(n.field);
  for (auto& c : n.children) node_fields(c, out);
}

/// Streaming stages of commands [0, end).
result<std::vector<stream_stage>> stages(const query& q, size_t end) {
  std::vector<stream_stage> out;
  for (size_t i = 0; i < end; ++i) {
    auto s = stream_stage::make(q.commands[i]);
    if (!s) return s.err();
    out.push_back(std::move(*s));
  }
  return out;
}

/// Runs the stages from `first` on; false when one drops the row.
bool run_stages(const std::vector<stream_stage>& st, size_t first, row& r) {
  for (size_t i = first; i < st.size(); ++i)
    if (!st[i].apply(r)) return false;
  return true;
}

/// One hit of a bucket: its time and ordinal.
struct hit {
  time_us time;
  uint32_t ordinal;
};

/// What every source of one part reads: the compiled search.
struct compiled_search {
  predicate base;
  std::vector<stream_stage> stages;  // the streaming commands before the split
  field_plan fields;
  std::shared_ptr<search_summary> summary = std::make_shared<search_summary>();
  std::unique_ptr<predicate> planner;  // `base` for finding candidates (see planning_copy)
  std::unique_ptr<row_context> rows;  // sourcetype rules and default fields, as this part runs them
  std::optional<raw_prefilter> prefilter;  // what _raw must hold (raw_scan.hpp)
};

/// Reads the selected events of `b`: an event the prefilter rejects costs no
/// row; the others become rows that the base search (unless `exact`) and the
/// streaming stages decide, and `keep(ordinal, event, row)` takes the kept
/// ones. `ctx` is the caller's (one per thread); `events_read` counts.
error scan_bucket(const bucket_view& b, const Roaring& ordinals, bool exact,
                  const compiled_search& c, row_context& ctx, uint64_t& events_read,
                  const std::function<void(uint64_t, const event_view&, row&)>& keep) {
  auto decide = [&](uint64_t ord, const event_view& ev, size_t first_stage) {
    row r = event_row(b, ord, ev, c.fields, ctx);
    if (!exact && !c.base.matches(r)) return;
    if (!run_stages(c.stages, first_stage, r)) return;
    keep(ord, ev, r);
  };
  if (!c.prefilter)
    return b.read_events(ordinals, [&](uint64_t ord, const event_view& ev) {
      ++events_read;
      decide(ord, ev, 0);
    });
  const raw_prefilter& f = *c.prefilter;
  std::optional<raw_prefilter::scan> slice;  // the scan of the slice being read
  return b.read_events(
      ordinals, [&](std::string_view records) { slice.emplace(f, records); },
      [&](uint64_t ord, const event_view& ev) {
        ++events_read;
        if (slice && !slice->may_match(ev.raw)) return;
        if (!f.raw_regexes_match(ev.raw)) return;
        decide(ord, ev, f.leading_regexes());  // the leading regex stages are decided
      });
}

/// The base search as the term index may answer it: a comparison on a field
/// whose values need not be words of _raw (date_wday, punct, EVAL and
/// FIELDALIAS results, …) is made one the index cannot narrow (all events,
/// verified on the row), since its value's words prove nothing.
search_node planning_copy(search_node n, const field_rules& rules) {
  if (n.type == search_node::kind::compare && n.op == compare_op::eq &&
      (is_computed_default_field(n.field) || rules.computed(n.field)))
    n.op = compare_op::le;  // plans as "every event, not exact"; `matches` still uses the original
  for (auto& c : n.children) c = planning_copy(std::move(c), rules);
  return n;
}

/// A bucket's hits as finished rows, newest first, decompressed a chunk at a time.
class bucket_source final : public row_source {
 public:
  bucket_source(const bucket_view& b, size_t rank, std::vector<hit> hits, bool exact, const compiled_search& c)
      : b_(b), rank_(rank), hits_(std::move(hits)), exact_(exact), c_(c) {}

  time_us upper_time() const override {
    if (!buffer_.empty()) return buffer_.front().first.time;
    return next_ < hits_.size() ? hits_[next_].time : INT64_MIN;
  }

  result<std::optional<rank_key>> peek() override {
    if (auto err = narrow()) return err;
    while (buffer_.empty() && next_ < hits_.size()) {
      size_t end = std::min(hits_.size(), next_ + chunk_hits);
      Roaring chunk;
      for (size_t i = next_; i < end; ++i) chunk.add(hits_[i].ordinal);
      std::unordered_map<uint32_t, row> rows;
      auto err = scan_bucket(b_, chunk, exact_, c_, *c_.rows, c_.summary->events_read,
                             [&](uint64_t ord, const event_view&, row& r) {
                               rows.emplace(uint32_t(ord), std::move(r));
                             });
      if (err) return err;
      for (size_t i = next_; i < end; ++i) {
        auto it = rows.find(hits_[i].ordinal);
        if (it != rows.end()) buffer_.emplace_back(hits_[i], std::move(it->second));
      }
      next_ = end;
    }
    if (buffer_.empty()) return std::optional<rank_key>{};
    auto& h = buffer_.front().first;
    return std::optional<rank_key>{rank_key{h.time, rank_, h.ordinal}};
  }

  row take() override {
    row r = std::move(buffer_.front().second);
    buffer_.pop_front();
    return r;
  }

 private:
  /// Candidates to verify that fill more than one chunk are first narrowed to those
  /// the raw prefilter passes, in one read of their slices: otherwise each chunk
  /// would decode the same slices again (a left-out request id's candidates are a
  /// whole slice: 14 decodes of it for one event). Only the survivors count in
  /// events_read, when their chunk is read.
  error narrow() {
    if (narrowed_ || exact_ || !c_.prefilter || hits_.size() <= chunk_hits) return {};
    narrowed_ = true;
    Roaring all, pass;
    for (auto& h : hits_) all.add(h.ordinal);
    const raw_prefilter& f = *c_.prefilter;
    std::optional<raw_prefilter::scan> slice;
    auto err = b_.read_events(
        all, [&](std::string_view records) { slice.emplace(f, records); },
        [&](uint64_t ord, const event_view& ev) {
          if (slice && !slice->may_match(ev.raw)) return;
          if (f.raw_regexes_match(ev.raw)) pass.add(uint32_t(ord));
        });
    if (err) return err;
    std::erase_if(hits_, [&](const hit& h) { return !pass.contains(h.ordinal); });
    return {};
  }

  static constexpr size_t chunk_hits = 512;  // events read and turned into rows at once
  const bucket_view& b_;
  size_t rank_;
  std::vector<hit> hits_;
  bool narrowed_ = false;
  size_t next_ = 0;
  std::deque<std::pair<hit, row>> buffer_;
  bool exact_;
  const compiled_search& c_;
};

/// A merge of sources, itself a source.
class merged_source final : public row_source {
 public:
  explicit merged_source(std::vector<std::unique_ptr<row_source>> inputs) : inputs_(std::move(inputs)) {
    // Open inputs in order of the newest time they may hold.
    std::stable_sort(inputs_.begin(), inputs_.end(),
                     [](auto& a, auto& b) { return a->upper_time() > b->upper_time(); });
  }

  time_us upper_time() const override {
    time_us t = INT64_MIN;
    for (auto* in : open_) t = std::max(t, in->upper_time());
    if (next_ < inputs_.size()) t = std::max(t, inputs_[next_]->upper_time());
    return t;
  }

  result<std::optional<rank_key>> peek() override {
    // An unopened input joins once nothing open is newer than its newest row.
    for (;;) {
      auto best = best_open();
      if (!best) return best.err();
      if (next_ < inputs_.size() && (!*best || inputs_[next_]->upper_time() >= (*best)->key.time)) {
        open_.push_back(inputs_[next_++].get());
        continue;
      }
      if (!*best) return std::optional<rank_key>{};
      current_ = (*best)->source;
      return std::optional<rank_key>{(*best)->key};
    }
  }

  row take() override { return current_->take(); }

 private:
  struct candidate {
    row_source* source;
    rank_key key;
  };
  result<std::optional<candidate>> best_open() {
    std::optional<candidate> best;
    for (size_t i = 0; i < open_.size();) {
      auto k = open_[i]->peek();
      if (!k) return k.err();
      if (!*k) {
        open_.erase(open_.begin() + long(i));
        continue;
      }
      if (!best || k->value().before(best->key)) best = candidate{open_[i], **k};
      ++i;
    }
    return best;
  }

  std::vector<std::unique_ptr<row_source>> inputs_;
  size_t next_ = 0;
  std::vector<row_source*> open_;
  row_source* current_ = nullptr;
};

struct bucket_work {
  const bucket_view* b;
  size_t rank;
  Roaring candidates;
  bool exact;
};

/// A part of one bucket's candidates that one thread reads.
struct scan_chunk {
  const bucket_work* work;
  Roaring ordinals;
};

/// Candidates per chunk: small enough to share a part's buckets evenly among
/// the cores, large enough that the slice a chunk boundary cuts (decoded by
/// both chunks) costs little.
constexpr uint32_t chunk_ordinals = 65536;

void split_chunks(const bucket_work& w, std::vector<scan_chunk>& out) {
  if (w.candidates.isEmpty()) return;
  uint64_t lo = w.candidates.minimum(), hi = uint64_t(w.candidates.maximum()) + 1;
  for (uint64_t at = lo - lo % chunk_ordinals; at < hi; at += chunk_ordinals) {
    Roaring range;
    range.addRange(at, at + chunk_ordinals);
    range &= w.candidates;
    if (!range.isEmpty()) out.push_back({&w, std::move(range)});
  }
}

/// The partial aggregate of each chunk (in chunk order), read by as many
/// threads as there are cores (the calling thread is one), each with its own
/// row context. Errors: the first chunk's error in chunk order.
result<std::vector<partial_aggregate>> aggregate_chunks(
    const command& agg, const std::vector<scan_chunk>& chunks, const compiled_search& c,
    const search_options& options, std::optional<time_us> earliest, std::optional<time_us> latest) {
  if (chunks.empty()) return std::vector<partial_aggregate>{};
  std::vector<std::optional<partial_aggregate>> partials(chunks.size());
  std::vector<error> errors(chunks.size());
  size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1,
                                      std::max<size_t>(chunks.size(), 1));
  std::vector<uint64_t> reads(threads, 0);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&](size_t t) {
    row_context ctx{c.fields, options};
    for (size_t i; !failed && (i = next++) < chunks.size();) {
      auto& p = partials[i].emplace(agg, options.limits, earliest, latest);
      const bucket_work& w = *chunks[i].work;
      error inner;
      auto err = scan_bucket(*w.b, chunks[i].ordinals, w.exact, c, ctx, reads[t],
                             [&](uint64_t ord, const event_view& ev, row& r) {
                               if (!inner)  // first/last/list need result order
                                 inner = p.add(r, row_position{ev.time, w.rank, ord});
                             });
      errors[i] = err ? err : inner;
      if (errors[i]) failed = true;
    }
  };
  std::vector<std::future<void>> helpers;
  for (size_t t = 1; t < threads; ++t) {
    try {
      helpers.push_back(std::async(std::launch::async, worker, t));
    } catch (const std::system_error&) {  // no thread to be had: the others take its chunks
      break;
    }
  }
  worker(0);
  for (auto& h : helpers) h.get();
  for (auto n : reads) c.summary->events_read += n;
  std::vector<partial_aggregate> out;
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (errors[i]) return errors[i];
    if (partials[i]) out.push_back(std::move(*partials[i]));
  }
  return out;
}

/// Answers a count-only aggregation from posting lists and the time column.
/// Returns false when this bucket needs the general path.
result<bool> count_fast_path(const command& c, const bucket_work& w, partial_aggregate& p) {
  bool counts_only = c.type == command::kind::stats || c.type == command::kind::timechart;
  if (counts_only)
    for (auto& a : c.aggregations)
      counts_only &= a.function == "count" && a.field.empty() && !a.argument;
  std::vector<std::string> group_fields = c.by;
  if (c.type == command::kind::top || c.type == command::kind::rare) {
    if (!c.by.empty() || c.fields.size() != 1) return false;
    group_fields = c.fields;
    counts_only = true;
  }
  if (!counts_only || !w.exact || group_fields.size() > 1) return false;
  if (!group_fields.empty() && !is_metadata_field(group_fields[0]) && group_fields[0] != "index") return false;
  const bucket_view& b = *w.b;
  // The groups of this bucket and their ordinals.
  std::vector<std::pair<std::vector<std::string>, Roaring>> groups;
  if (group_fields.empty()) {
    groups.emplace_back(std::vector<std::string>{}, w.candidates);
  } else if (group_fields[0] == "index") {
    groups.emplace_back(std::vector<std::string>{b.index()}, w.candidates);
  } else {
    auto values = b.metadata_values(group_fields[0]);
    std::set<std::string> terms;
    for (auto& v : values)
      if (!terms.insert(field_term(group_fields[0], v)).second) return false;  // values differing only in case
    for (auto& v : values) {
      auto post = b.postings(field_term(group_fields[0], v));
      if (!post) return post.err();
      groups.emplace_back(std::vector<std::string>{v}, *post & w.candidates);
    }
  }
  for (auto& [key, ords] : groups) {
    if (c.type != command::kind::timechart) {
      if (auto err = p.add_counts(key, 0, ords.cardinality())) return err;
      continue;
    }
    auto times = b.times(ords);
    if (!times) return times.err();
    std::map<time_us, uint64_t> bins;
    for (auto t : *times) ++bins[p.bin(t)];
    for (auto& [bin, n] : bins)
      if (auto err = p.add_counts(key, bin, n)) return err;
  }
  return true;
}

bool has_words(const search_node& n) {
  if (n.type == search_node::kind::term || n.type == search_node::kind::phrase) return true;
  return std::any_of(n.children.begin(), n.children.end(), has_words);
}

}  // namespace

field_plan plan_fields(const query& q) {
  field_plan plan;
  bool aggregates = std::any_of(q.commands.begin(), q.commands.end(), [](auto& c) {
    return is_aggregation(c.type) || c.type == command::kind::delete_;
  });
  if (!aggregates) return plan;  // results are events: every field, key=value ones included
  std::set<std::string> used, produced;
  node_fields(q.base, used);
  std::set<std::string> read_first = used;  // read before a command sets them: from the event
  bool raw = has_words(q.base);
  for (auto& c : q.commands) {
    auto produced_before = produced;
    if (is_coordinator_command(c.type))
      return plan;  // lookup, transaction…: every field, as for events
    if (!row_command_fields(c, used)) return plan;  // wildcards or every field: keep them all
    node_fields(c.filter, used);
    raw |= has_words(c.filter);
    expr_fields(c.condition, used);
    for (auto& [name, e] : c.assignments) {
      expr_fields(e, used);
      // eval always sets its field; but when the field was read before (eval x=x*2),
      // the event's own value is still needed.
      if (!used.count(name)) produced.insert(name);
    }
    if (c.type == command::kind::rex) {
      used.insert(c.rex_field);
      auto x = rex_extractor::make(c.regex, c.rex_field);
      if (!x) return plan;  // the error is reported when the search runs
      // A group that does not match leaves the event's own field: not "produced".
      for (auto& g : x->group_names()) used.insert(g);
    }
    if (c.type == command::kind::spath) {  // reads its input; with a path, sets one known field
      used.insert(c.rex_field);
      if (!c.spath_path.empty())
        produced.insert(c.spath_output.empty() ? c.spath_path : c.spath_output);
    }
    if (c.type == command::kind::delete_) used.insert("_cd");
    used.insert(c.fields.begin(), c.fields.end());
    used.insert(c.by.begin(), c.by.end());
    for (auto& a : c.aggregations) {
      if (!a.field.empty()) used.insert(a.field);
      if (a.argument) expr_fields(*a.argument, used);  // count(eval(...))
    }
    for (auto& [f, _] : c.sort_keys) used.insert(f);
    for (auto& [from, to] : c.renames) {  // a row without `from` keeps its own `to`
      used.insert(from);
      used.insert(to);
    }
    for (auto& f : used)  // `eval bytes=bytes*2` reads the event's bytes
      if (!produced_before.count(f)) read_first.insert(f);
    if (is_aggregation(c.type) || c.type == command::kind::delete_) break;  // later commands see its rows
  }
  plan.key_values = false;
  for (auto& f : read_first)
    if (!is_default_field(f) && !is_computed_default_field(f)) plan.key_values = true;
  plan.from_event.assign(read_first.begin(), read_first.end());
  plan.all = false;
  plan.names.assign(used.begin(), used.end());
  if (raw || plan.key_values) plan.names.push_back("_raw");
  plan.host = plan.wants("host");
  plan.source = plan.wants("source");
  plan.sourcetype = plan.wants("sourcetype");
  plan.index = plan.wants("index");
  plan.cd = plan.wants("_cd");
  plan.raw = plan.wants("_raw");
  return plan;
}

bool field_plan::wants(std::string_view name) const {
  return all || std::find(names.begin(), names.end(), name) != names.end();
}

namespace {
std::optional<std::vector<std::string>> extraction_wants(const field_plan& plan) {
  if (plan.all) return std::nullopt;
  return plan.key_values ? plan.from_event : std::vector<std::string>{};
}

default_fields::wants computed_wants(const field_plan& plan) {
  default_fields::wants w;
  if (!plan.computed) return w;
  w.linecount = plan.wants("linecount");
  w.punct = plan.wants("punct");
  w.server = plan.wants("splunk_server");
  w.timepos = plan.wants("timestartpos") || plan.wants("timeendpos");
  for (auto* f : {"date_second", "date_minute", "date_hour", "date_mday", "date_month", "date_year",
                  "date_wday", "date_zone"})
    w.date |= plan.wants(f);
  return w;
}
}  // namespace

row_context::row_context(const field_plan& plan, const search_options& options)
    : extraction(options.extractions, extraction_wants(plan)),
      defaults(computed_wants(plan), options.server_name) {}

row event_row(const bucket_view& b, uint64_t ordinal, const event_view& ev, const field_plan& plan) {
  row_context ctx{plan, search_options{}};
  return event_row(b, ordinal, ev, plan, ctx);
}

row event_row(const bucket_view& b, uint64_t ordinal, const event_view& ev, const field_plan& plan,
              row_context& ctx) {
  row r;
  r.reserve(8);
  r.add("_time", value{double(ev.time) / 1e6});
  if (plan.host) r.add("host", value{ev.host});
  if (plan.source) r.add("source", value{ev.source});
  if (plan.sourcetype) r.add("sourcetype", value{ev.sourcetype});
  if (plan.index) r.add("index", value{b.index()});
  if (plan.cd) r.add("_cd", value{b.key() + ":" + std::to_string(ordinal)});
  for (auto& f : ev.fields)
    if (plan.wants(f.key)) r.set(f.key, value{f.value});
  // Default fields first: search-time rules (EVAL) may read them.
  if (ctx.defaults.needs_any())
    ctx.defaults.add(
        ev.raw, ev.time,
        ctx.defaults.needs_timestamp() ? ctx.extraction.timestamps(ev.sourcetype) : nullptr, r);
  // EXTRACT, REPORT, KV_MODE (key=value and JSON), FIELDALIAS, EVAL of the sourcetype.
  ctx.extraction.apply(ev.sourcetype, ev.raw, r);
  if (plan.raw) r.set("_raw", value{ev.raw});
  return r;
}

std::unique_ptr<row_source> merge_sources(std::vector<std::unique_ptr<row_source>> inputs) {
  return std::make_unique<merged_source>(std::move(inputs));
}

namespace {

size_t split_point(const query& q) {
  size_t boundary = 0;
  while (boundary < q.commands.size() && is_streaming(q.commands[boundary])) ++boundary;
  return boundary;
}

bool aggregates_at(const query& q, size_t boundary) {
  return boundary < q.commands.size() && is_aggregation(q.commands[boundary].type);
}

}  // namespace

result<search_part> execute_part(const query& q, const std::vector<const bucket_view*>& buckets, size_t first_rank,
                                 const search_options& options) {
  std::optional<time_us> earliest = q.earliest ? q.earliest : options.earliest;
  std::optional<time_us> latest = q.latest ? q.latest : options.latest;
  size_t boundary = split_point(q);
  auto prefix = stages(q, boundary);
  if (!prefix) return prefix.err();
  auto c = std::make_shared<compiled_search>(compiled_search{predicate{q.base}, std::move(*prefix), plan_fields(q)});
  c->rows = std::make_unique<row_context>(c->fields, options);
  c->prefilter = raw_prefilter::of(q);
  c->planner = std::make_unique<predicate>(
      planning_copy(q.base, options.extractions ? *options.extractions : *field_rules::builtin()));
  auto& summary = *c->summary;
  search_part part;
  part.summary = c->summary;
  part.state = c;
  std::map<std::string, io::fs::path> dirs;

  // Prune and find candidates, bucket by bucket.
  std::vector<bucket_work> work;
  for (size_t i = 0; i < buckets.size(); ++i) {
    const bucket_view& b = *buckets[i];
    part.bucket_indexes.emplace(b.key(), b.index());
    dirs.emplace(b.key(), b.dir());
    if (starts_with_generator(q) ||
        (!q.commands.empty() && is_generating_command(q.commands[0].type)) || b.events() == 0 ||
        (earliest && b.max_time() < *earliest) || (latest && b.min_time() >= *latest) ||
        !c->planner->may_match(b)) {
      ++summary.buckets_skipped;
      continue;
    }
    auto cand = c->planner->candidates(b);
    if (!cand) return cand.err();
    if ((earliest && b.min_time() < *earliest) || (latest && b.max_time() >= *latest)) {
      auto in_range = b.in_time_range(earliest.value_or(INT64_MIN), latest.value_or(INT64_MAX));
      if (!in_range) return in_range.err();
      cand->ordinals &= *in_range;
    }
    ++summary.buckets_searched;
    if (!cand->ordinals.isEmpty()) work.push_back({&b, first_rank + i, std::move(cand->ordinals), cand->exact});
  }

  part.mark_deleted = [dirs = std::move(dirs)](const std::string& key, const Roaring& ordinals) {
    return add_deletes(dirs.at(key), ordinals);
  };

  if (aggregates_at(q, boundary)) {
    // One partial per bucket, merged into this part's partial.
    const command& agg = q.commands[boundary];
    part.aggregate.emplace(agg, options.limits, earliest, latest);
    std::vector<scan_chunk> chunks;
    for (auto& w : work) {
      if (boundary == 0) {
        partial_aggregate bucket_part{agg, options.limits, earliest, latest};
        auto fast = count_fast_path(agg, w, bucket_part);
        if (!fast) return fast.err();
        if (*fast) {
          if (auto err = part.aggregate->merge(bucket_part)) return err;
          continue;
        }
      }
      split_chunks(w, chunks);
    }
    auto partials = aggregate_chunks(agg, chunks, *c, options, earliest, latest);
    if (!partials) return partials.err();
    for (auto& p : *partials)
      if (auto err = part.aggregate->merge(p)) return err;
    return part;
  }

  // Events: one source per bucket, merged newest first.
  std::vector<std::unique_ptr<row_source>> sources;
  for (auto& w : work) {
    auto times = w.b->times(w.candidates);
    if (!times) return times.err();
    std::vector<hit> hits;
    hits.reserve(times->size());
    size_t i = 0;
    for (uint32_t o : w.candidates) hits.push_back({(*times)[i++], o});
    std::sort(hits.begin(), hits.end(), [](const hit& a, const hit& b) {
      return a.time != b.time ? a.time > b.time : a.ordinal > b.ordinal;
    });
    sources.push_back(std::make_unique<bucket_source>(*w.b, w.rank, std::move(hits), w.exact, *c));
  }
  part.events = merge_sources(std::move(sources));
  return part;
}

result<search_summary> merge_parts(const query& q, std::vector<search_part> parts, const search_options& options,
                                   const row_sink& emit) {
  std::optional<time_us> earliest = q.earliest ? q.earliest : options.earliest;
  std::optional<time_us> latest = q.latest ? q.latest : options.latest;
  size_t boundary = split_point(q);
  search_summary summary;
  auto totals = [&] {
    for (auto& p : parts) {
      summary.buckets_searched += p.summary->buckets_searched;
      summary.buckets_skipped += p.summary->buckets_skipped;
      summary.events_read += p.summary->events_read;
    }
  };
  // Each command's result rows count against the memory limit (a command that
  // adds fields or rows, as eventstats, mvexpand, join or append, can grow them).
  auto within_memory = [&](const std::vector<row>& rows, const std::string& what) -> error {
    size_t bytes = rows.capacity() * sizeof(row);
    for (auto& r : rows) {
      bytes += r.approx_bytes() - sizeof(row);
      if (bytes > options.limits.max_memory)
        return memory_limit_error(what + ": " + std::to_string(rows.size()) + " rows",
                                  options.limits, "narrow the search or add | head");
    }
    return {};
  };
  auto finish_rows = [&](std::vector<row> rows, size_t from) -> result<search_summary> {
    for (size_t i = from; i < q.commands.size(); ++i) {
      auto next =
          is_coordinator_command(q.commands[i].type)
              ? apply_coordinator_command(q.commands[i], std::move(rows), options)
              : apply_command(q.commands[i], std::move(rows), options.limits, earliest, latest);
      if (!next) return next.err();
      rows = std::move(*next);
      if (auto err = within_memory(rows, q.commands[i].name)) return err;
    }
    totals();
    for (auto& r : rows) {
      ++summary.results;
      if (!emit(r)) break;
    }
    return summary;
  };

  if (aggregates_at(q, boundary)) {
    partial_aggregate merged{q.commands[boundary], options.limits, earliest, latest};
    for (auto& p : parts)
      if (auto err = merged.merge(*p.aggregate)) return err;
    auto rows = merged.finish(earliest, latest);
    if (!rows) return rows.err();
    return finish_rows(std::move(*rows), boundary + 1);
  }

  std::vector<std::unique_ptr<row_source>> sources;
  std::map<std::string, const search_part*> owners;  // bucket key -> the part holding it
  for (auto& p : parts) {
    sources.push_back(std::move(p.events));
    for (auto& [key, _] : p.bucket_indexes) owners.emplace(key, &p);
  }
  auto merged = merge_sources(std::move(sources));
  bool stream_out = boundary == q.commands.size();
  bool deleting = boundary < q.commands.size() && q.commands[boundary].type == command::kind::delete_;
  size_t head_limit = SIZE_MAX;
  if (boundary < q.commands.size() && q.commands[boundary].type == command::kind::head)
    head_limit = q.commands[boundary].limit;
  std::vector<row> rows;
  size_t held_bytes = 0;                     // rows' approx_bytes, against max_memory
  std::map<std::string, Roaring> to_delete;  // bucket key -> ordinals
  for (uint64_t taken = 0; taken < head_limit; ++taken) {
    auto key = merged->peek();
    if (!key) return key.err();
    if (!*key) break;
    row r = merged->take();
    if (stream_out) {
      ++summary.results;
      if (!emit(r)) break;
    } else if (deleting) {
      auto* cd_value = r.get("_cd");
      if (!cd_value)  // `table` or `fields - _cd` before delete dropped the event's identity
        return error{errc::invalid_argument,
                     "delete needs events: remove the table or fields command before it"};
      auto cd = cd_value->as_string();
      auto colon = cd.rfind(':');
      to_delete[cd.substr(0, colon)].add(uint32_t(std::stoul(cd.substr(colon + 1))));
    } else {
      if (rows.size() >= options.limits.max_rows)
        return error{errc::invalid_argument,
                     q.commands[boundary].name + ": more than " + std::to_string(options.limits.max_rows) +
                         " events to hold; narrow the search or add | head"};
      held_bytes += r.approx_bytes();
      if (held_bytes > options.limits.max_memory)
        return memory_limit_error(
            q.commands[boundary].name + ": its " + std::to_string(rows.size()) + " events",
            options.limits, "narrow the search or add | head");
      rows.push_back(std::move(r));
    }
  }
  if (stream_out) {
    totals();
    return summary;
  }
  if (deleting) {
    std::map<std::string, uint64_t> per_index;
    for (auto& [key, ordinals] : to_delete) {
      auto* owner = owners.at(key);
      if (auto err = owner->mark_deleted(key, ordinals)) return err;
      per_index[owner->bucket_indexes.at(key)] += ordinals.cardinality();
      summary.deleted += ordinals.cardinality();
    }
    std::vector<row> out;
    for (auto& [index, n] : per_index) {
      row r;
      r.set("index", value{index});
      r.set("deleted", value{double(n)});
      out.push_back(std::move(r));
    }
    return finish_rows(std::move(out), boundary + 1);
  }
  return finish_rows(std::move(rows), head_limit != SIZE_MAX ? boundary + 1 : boundary);
}

result<search_summary> execute(const query& q, const std::vector<const bucket_view*>& buckets,
                               const search_options& options, const row_sink& emit) {
  search_options with_subsearches = options;
  if (!with_subsearches.run_subsearch)  // subsearches run over the same buckets
    with_subsearches.run_subsearch = [&buckets](std::string_view text, const search_options& o,
                                                const row_sink& sink) -> error {
      auto sub = parse_query(text, o.now);
      if (!sub) return sub.err();
      auto done = execute(*sub, buckets, o, sink);
      return done ? error{} : done.err();
    };
  auto part = execute_part(q, buckets, 0, with_subsearches);
  if (!part) return part.err();
  std::vector<search_part> parts;
  parts.push_back(std::move(*part));
  return merge_parts(q, std::move(parts), with_subsearches, emit);
}

}  // namespace kura::search
