// The naive evaluator.
#include "search/naive.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include "core/search/executor.hpp"
#include "core/text/segmenter.hpp"

namespace kura::testing {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool glob(const std::string& pattern, const std::string& text) {
  static thread_local std::map<std::string, std::regex> compiled;  // one std::regex per pattern
  auto it = compiled.find(pattern);
  if (it == compiled.end()) {
    std::string re;
    for (char c : lower(pattern)) {
      if (c == '*') re += ".*";
      else if (std::string_view{"\\^$.|?+()[]{}"}.find(c) != std::string_view::npos) re += std::string("\\") + c;
      else re += c;
    }
    it = compiled.emplace(pattern, std::regex(re)).first;
  }
  return std::regex_match(lower(text), it->second);
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
      event_entry e{ev.time, rank, ord, search::event_row(b, ord, ev, search::field_plan{}), {}, lower(std::string{ev.raw})};
      std::string scratch;
      segmenter::for_each_term(ev.raw, scratch, [&](std::string_view t) { e.terms.emplace(t); });
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
    case K::phrase: {
      if (n.type == K::term && n.text.find('*') != std::string::npos) {
        for (auto& t : e.terms)
          if (glob(n.text, t)) return true;
        return n.text.find_first_not_of('*') == std::string::npos;
      }
      auto segments = segmenter::major_segments(n.text);
      for (auto& s : segments)
        if (!e.terms.count(s)) return false;
      if (segments.size() <= 1 && n.type == K::term) return true;
      return segments.empty() || e.lowered_raw.find(lower(n.text)) != std::string::npos;
    }
    case K::compare: {
      auto* v = e.row.get(n.field);
      if (!v || v->is_null()) return false;
      auto items = v->items();
      if (n.op == search::compare_op::eq || n.op == search::compare_op::ne) {
        bool any = std::any_of(items.begin(), items.end(), [&](auto& i) { return glob(n.text, i); });
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
  if (q.earliest) earliest = q.earliest;
  if (q.latest) latest = q.latest;
  std::vector<search::row> rows;
  for (auto& e : events_) {
    if ((earliest && e.time < *earliest) || (latest && e.time >= *latest)) continue;
    if (!matches(q.base, e)) continue;
    rows.push_back(e.row);
  }
  for (auto& c : q.commands) {
    auto next = search::apply_command(c, std::move(rows), limits, earliest, latest);
    if (!next) return next.err();
    rows = std::move(*next);
  }
  return rows;
}

}  // namespace kura::testing
