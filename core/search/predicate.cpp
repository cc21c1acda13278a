// Exact evaluation and index planning of the base search.
#include "core/search/predicate.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/bucket/index_builder.hpp"
#include "core/text/segmenter.hpp"

namespace kura::search {
namespace {

std::string lower(std::string_view s) {
  std::string out;
  segmenter::to_lower(s, out);
  return out;
}

/// The terms of one event's _raw, built on first use.
struct term_cache {
  explicit term_cache(const row& row_in) : r(row_in) {}
  const row& r;
  bool built = false;
  std::string lowered;
  std::string scratch;
  std::unordered_set<std::string> terms;

  void build() {
    if (built) return;
    built = true;
    auto* raw = r.get("_raw");
    if (!raw) return;
    std::string text = raw->as_string();
    segmenter::for_each_term(text, scratch, [&](std::string_view t) { terms.emplace(t); });
    segmenter::to_lower(text, lowered);
  }
};

bool has_wildcard(std::string_view s) { return s.find('*') != std::string_view::npos; }

bool word_matches(std::string_view text, bool phrase, term_cache& c) {
  c.build();
  if (!phrase && has_wildcard(text)) {
    std::string pattern = lower(text);
    if (pattern.find_first_not_of('*') == std::string::npos) return true;
    for (auto& t : c.terms)
      if (glob_match(pattern, t)) return true;
    return false;
  }
  auto segments = segmenter::major_segments(text);
  if (segments.empty()) return true;
  for (auto& s : segments)
    if (!c.terms.count(s)) return false;
  if (segments.size() == 1 && !phrase) return true;
  return c.lowered.find(lower(text)) != std::string::npos;
}

bool compare_matches(const search_node& n, const row& r) {
  auto* v = r.get(n.field);
  if (!v || v->is_null()) return false;
  if (n.op == compare_op::eq || n.op == compare_op::ne) {
    std::string pattern = lower(n.text);
    bool any = false;
    for (auto& item : v->items()) any |= glob_match(pattern, lower(item));
    return n.op == compare_op::eq ? any : !any;
  }
  auto rhs = value{n.text}.as_number();
  if (!rhs) return false;
  for (auto& item : v->items()) {
    auto lhs = value{item}.as_number();
    if (!lhs) continue;
    bool ok = n.op == compare_op::lt ? *lhs < *rhs
              : n.op == compare_op::le ? *lhs <= *rhs
              : n.op == compare_op::gt ? *lhs > *rhs
                                       : *lhs >= *rhs;
    if (ok) return true;
  }
  return false;
}

bool eval_node(const search_node& n, const row& r, term_cache& c) {
  switch (n.type) {
    case search_node::kind::all: return true;
    case search_node::kind::and_:
      return std::all_of(n.children.begin(), n.children.end(), [&](auto& ch) { return eval_node(ch, r, c); });
    case search_node::kind::or_:
      return std::any_of(n.children.begin(), n.children.end(), [&](auto& ch) { return eval_node(ch, r, c); });
    case search_node::kind::not_: return !eval_node(n.children[0], r, c);
    case search_node::kind::term: return word_matches(n.text, false, c);
    case search_node::kind::phrase: return word_matches(n.text, true, c);
    case search_node::kind::compare: return compare_matches(n, r);
  }
  return false;
}

/// Union of the postings of every dictionary term that matches a glob.
result<Roaring> glob_postings(const bucket_view& b, std::string_view prefix_in_dictionary,
                              const std::string& pattern, size_t strip) {
  auto terms = b.terms_with_prefix(prefix_in_dictionary);
  if (!terms) return terms.err();
  Roaring out;
  for (auto& t : *terms) {
    std::string_view tv{t};
    if (strip == 0 && tv.find('|') != std::string_view::npos) continue;  // a field term, not a word
    if (!glob_match(pattern, tv.substr(strip))) continue;
    auto p = b.postings(t);
    if (!p) return p.err();
    out |= *p;
  }
  return out;
}

result<predicate::candidates_t> plan(const search_node& n, const bucket_view& b, const Roaring& all) {
  using cand = predicate::candidates_t;
  switch (n.type) {
    case search_node::kind::all: return cand{all, true};
    case search_node::kind::and_: {
      cand acc{all, true};
      for (auto& ch : n.children) {
        auto c = plan(ch, b, all);
        if (!c) return c;
        acc.ordinals &= c->ordinals;
        acc.exact &= c->exact;
        if (acc.ordinals.isEmpty()) return cand{Roaring{}, true};
      }
      return acc;
    }
    case search_node::kind::or_: {
      cand acc{Roaring{}, true};
      for (auto& ch : n.children) {
        auto c = plan(ch, b, all);
        if (!c) return c;
        acc.ordinals |= c->ordinals;
        acc.exact &= c->exact;
      }
      return acc;
    }
    case search_node::kind::not_: {
      auto c = plan(n.children[0], b, all);
      if (!c) return c;
      if (!c->exact) return cand{all, false};
      return cand{all - c->ordinals, true};
    }
    case search_node::kind::term:
    case search_node::kind::phrase: {
      bool phrase = n.type == search_node::kind::phrase;
      if (!phrase && has_wildcard(n.text)) {
        std::string pattern = lower(n.text);
        if (pattern.find_first_not_of('*') == std::string::npos) return cand{all, true};
        // "Some term of _raw matches the glob" is exactly the union over the
        // dictionary's matching terms (field terms excluded).
        auto p = glob_postings(b, pattern.substr(0, pattern.find('*')), pattern, 0);
        if (!p) return p.err();
        return cand{*p & all, true};
      }
      auto segments = segmenter::major_segments(n.text);
      if (segments.empty()) return cand{all, true};
      Roaring acc = all;
      for (auto& s : segments) {
        auto p = b.postings(s);
        if (!p) return p.err();
        acc &= *p;
      }
      bool exact = segments.size() == 1 && (!phrase || segments[0] == lower(n.text));
      return cand{std::move(acc), exact};
    }
    case search_node::kind::compare: {
      if (n.field == "index") {
        bool eq = glob_match(lower(n.text), lower(b.index()));
        if (n.op == compare_op::eq) return cand{eq ? all : Roaring{}, true};
        if (n.op == compare_op::ne) return cand{eq ? Roaring{} : all, true};
        return cand{all, false};
      }
      if (is_metadata_field(n.field) && (n.op == compare_op::eq || n.op == compare_op::ne)) {
        std::string value = lower(n.text);
        Roaring eq;
        if (!has_wildcard(value)) {
          auto p = b.postings(field_term(n.field, value));
          if (!p) return p.err();
          eq = std::move(*p);
        } else {
          std::string prefix = field_term(n.field, value.substr(0, value.find('*')));
          auto p = glob_postings(b, prefix, value, field_term(n.field, "").size());
          if (!p) return p.err();
          eq = std::move(*p);
        }
        eq &= all;
        return cand{n.op == compare_op::eq ? std::move(eq) : all - eq, true};
      }
      if (n.op == compare_op::eq && !has_wildcard(n.text)) {
        // The field is an indexed field (its term field|value) or extracted
        // from _raw (then each part of the value is a term of _raw).
        auto indexed = b.postings(field_term(n.field, n.text));
        if (!indexed) return indexed.err();
        Roaring acc = all;
        std::string scratch;
        bool any = false;
        std::vector<std::string> parts;
        segmenter::for_each_term(n.text, scratch, [&](std::string_view t) {
          if (t.find_first_of("/:=@.-$#%\\_") == std::string_view::npos) parts.emplace_back(t);
        });
        for (auto& part : parts) {
          auto p = b.postings(part);
          if (!p) return p.err();
          acc &= *p;
          any = true;
        }
        if (!any) return cand{all, false};
        acc |= *indexed & all;
        return cand{std::move(acc), false};
      }
      return cand{all, false};
    }
  }
  return cand{all, false};
}

void required_terms(const search_node& n, std::vector<std::string>& out) {
  if (n.type == search_node::kind::and_) {
    for (auto& c : n.children) required_terms(c, out);
  } else if ((n.type == search_node::kind::term || n.type == search_node::kind::phrase) && !has_wildcard(n.text)) {
    for (auto& s : segmenter::major_segments(n.text)) out.push_back(s);
  } else if (n.type == search_node::kind::compare && is_metadata_field(n.field) && n.op == compare_op::eq &&
             !has_wildcard(n.text)) {
    out.push_back(field_term(n.field, n.text));
  }
}

bool needs_fields(const search_node& n) {
  if (n.type == search_node::kind::compare && !is_default_field(n.field)) return true;
  return std::any_of(n.children.begin(), n.children.end(), needs_fields);
}

bool index_allowed(const search_node& n, const std::string& index) {
  // Only top-level AND conjuncts can rule a bucket out by its index.
  if (n.type == search_node::kind::and_)
    return std::all_of(n.children.begin(), n.children.end(), [&](auto& c) { return index_allowed(c, index); });
  if (n.type == search_node::kind::compare && n.field == "index" && n.op == compare_op::eq)
    return glob_match(lower(n.text), lower(index));
  return true;
}

}  // namespace

bool glob_match(std::string_view p, std::string_view t) {
  // Iterative matcher with backtracking to the last star: linear in practice.
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (pi < p.size() && p[pi] == t[ti]) {
      ++pi;
      ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool is_metadata_field(std::string_view f) { return f == "host" || f == "source" || f == "sourcetype"; }

bool is_default_field(std::string_view name) {
  return name == "_raw" || name == "_time" || name == "host" || name == "source" || name == "sourcetype" ||
         name == "index" || name == "_cd";
}

predicate::predicate(search_node root) : root_(std::move(root)) {}

bool predicate::matches(const row& r) const {
  term_cache c{r};
  return eval_node(root_, r, c);
}

result<predicate::candidates_t> predicate::candidates(const bucket_view& b) const {
  Roaring all;
  all.addRange(0, b.events());
  all -= b.deleted();
  return plan(root_, b, all);
}

bool predicate::may_match(const bucket_view& b) const {
  if (!index_allowed(root_, b.index())) return false;
  std::vector<std::string> terms;
  required_terms(root_, terms);
  return std::all_of(terms.begin(), terms.end(), [&](auto& t) { return b.may_contain(t); });
}

bool predicate::needs_extracted_fields() const { return needs_fields(root_); }

}  // namespace kura::search
