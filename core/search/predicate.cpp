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

/// One event's _raw, as given and lowercased, built on first use.
struct raw_cache {
  explicit raw_cache(const row& row_in) : r(row_in) {}
  const row& r;
  bool built = false;
  std::string raw;
  std::string lowered;

  void build() {
    if (built) return;
    built = true;
    auto* v = r.get("_raw");
    if (!v) return;
    raw = v->as_string();
    segmenter::to_lower(raw, lowered);
  }
};

bool has_wildcard(std::string_view s) { return s.find('*') != std::string_view::npos; }

segmenter::char_class class_of(char c) { return segmenter::classes()[uint8_t(c)]; }
bool is_breaker(char c) { return class_of(c) != segmenter::char_class::term; }
bool is_major(char c) { return class_of(c) == segmenter::char_class::major; }

/// `s` without minor breakers at its ends ("-v." -> "v"), as the segmenter trims segments.
std::string_view trim_minor(std::string_view s) {
  while (!s.empty() && class_of(s.front()) == segmenter::char_class::minor) s.remove_prefix(1);
  while (!s.empty() && class_of(s.back()) == segmenter::char_class::minor) s.remove_suffix(1);
  return s;
}

/// What a term or phrase node looks for: a word is trimmed of minor breakers
/// at its ends; lowercased unless CASE().
std::string pattern_of(const search_node& n, bool keep_case) {
  std::string_view text = n.text;
  if (n.type == search_node::kind::term) text = trim_minor(text);
  return keep_case ? std::string{text} : lower(text);
}

/// TERM(): some major segment of `text`, trimmed of minor breakers, equals
/// (or globs) `pattern` (lowercased and trimmed like it).
bool whole_term_occurs(std::string_view text, std::string_view pattern) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_major(text[i])) ++i;
    size_t b = i;
    while (i < text.size() && !is_major(text[i])) ++i;
    auto segment = trim_minor(text.substr(b, i - b));
    if (segment.empty()) continue;
    if (has_wildcard(pattern) ? glob_match(pattern, segment) : segment == pattern) return true;
  }
  return false;
}

bool word_matches(const search_node& n, raw_cache& c) {
  c.build();
  if (n.whole_term) return whole_term_occurs(c.lowered, lower(trim_minor(n.text)));
  bool wildcards = n.type == search_node::kind::term;
  return word_occurs(n.case_sensitive ? c.raw : c.lowered, pattern_of(n, n.case_sensitive),
                     wildcards);
}

bool compare_matches(const search_node& n, const row& r) {
  auto* v = r.get(n.field);
  if (!v || v->is_null()) return false;
  if (n.op == compare_op::eq || n.op == compare_op::ne) {
    std::string pattern = n.case_sensitive ? n.text : lower(n.text);
    bool any = false;
    for (auto& item : v->items()) any |= glob_match(pattern, n.case_sensitive ? item : lower(item));
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

bool eval_node(const search_node& n, const row& r, raw_cache& c) {
  switch (n.type) {
    case search_node::kind::all: return true;
    case search_node::kind::and_:
      return std::all_of(n.children.begin(), n.children.end(), [&](auto& ch) { return eval_node(ch, r, c); });
    case search_node::kind::or_:
      return std::any_of(n.children.begin(), n.children.end(), [&](auto& ch) { return eval_node(ch, r, c); });
    case search_node::kind::not_: return !eval_node(n.children[0], r, c);
    case search_node::kind::term:
    case search_node::kind::phrase:
      return word_matches(n, c);
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

/// The events containing `term`: its posting list, or, when a warm bucket left the
/// term out of its dictionary, the events that may contain it (`exact` is then cleared).
result<Roaring> term_events(const bucket_view& b, std::string_view term, bool& exact) {
  auto got = b.postings(term);
  if (!got || !got->isEmpty()) return got;
  auto rare = b.rare_term_events(term);
  if (rare && !rare->isEmpty()) exact = false;
  return rare;
}

/// A run of non-breakers in a search word, and whether a `*` touches it.
struct piece {
  std::string text;
  bool star_left = false, star_right = false;
};

/// The runs of non-breakers of `pattern` (`*` is a major breaker to the
/// segmenter). Where a word occurs, each piece is (within) a run of _raw
/// between breakers, i.e. a term of the index: exactly that term when no `*`
/// touches it, else a term matching `*piece`, `piece*` or `*piece*`.
std::vector<piece> pieces_of(std::string_view pattern, bool wildcards) {
  std::vector<piece> out;
  size_t i = 0;
  while (i < pattern.size()) {
    while (i < pattern.size() && is_breaker(pattern[i])) ++i;
    size_t b = i;
    while (i < pattern.size() && !is_breaker(pattern[i])) ++i;
    if (i == b) break;
    out.push_back({std::string{pattern.substr(b, i - b)},
                   wildcards && b > 0 && pattern[b - 1] == '*',
                   wildcards && i < pattern.size() && pattern[i] == '*'});
  }
  return out;
}

/// A word or phrase: the intersection over its pieces; exact when the word is
/// one piece (with `*` at most at its ends) and case does not matter.
result<predicate::candidates_t> plan_word(const search_node& n, const bucket_view& b,
                                          const Roaring& all) {
  using cand = predicate::candidates_t;
  bool wildcards = n.type == search_node::kind::term;
  std::string pattern = pattern_of(n, false);
  if (pattern.empty() || (wildcards && pattern.find_first_not_of('*') == std::string::npos))
    return cand{all, true};
  auto pieces = pieces_of(pattern, wildcards);
  bool exact = !n.case_sensitive && pieces.size() == 1 &&
               pattern == (pieces[0].star_left ? "*" : "") + pieces[0].text +
                              (pieces[0].star_right ? "*" : "");
  Roaring acc = all;
  for (auto& p : pieces) {
    if (p.text.size() > segmenter::max_term_length) {  // not indexed: verified on _raw
      exact = false;
      continue;
    }
    if (!p.star_left && !p.star_right) {
      auto got = term_events(b, p.text, exact);
      if (!got) return got.err();
      acc &= *got;
    } else {
      std::string glob = (p.star_left ? "*" : "") + p.text + (p.star_right ? "*" : "");
      if (b.may_leave_out(glob)) {  // a left-out term may match: any event may hold one
        exact = false;
        continue;
      }
      auto got =
          glob_postings(b, p.star_left ? std::string_view{} : std::string_view{p.text}, glob, 0);
      if (!got) return got.err();
      acc &= *got;
    }
    if (acc.isEmpty()) return cand{Roaring{}, true};
  }
  return cand{std::move(acc), exact};
}

/// TERM(x): the term x itself (the segmenter indexes each trimmed major
/// segment whole). Exact when x has a minor breaker, since minor parts never
/// do; otherwise a minor part equal to x is verified away.
result<predicate::candidates_t> plan_whole_term(const search_node& n, const bucket_view& b,
                                                const Roaring& all) {
  using cand = predicate::candidates_t;
  std::string x = lower(trim_minor(n.text));
  if (x.empty() || x.size() > segmenter::max_term_length) return cand{all, false};
  bool has_minor = std::any_of(x.begin(), x.end(),
                               [](char c) { return class_of(c) == segmenter::char_class::minor; });
  bool exact = has_minor && !n.case_sensitive;
  if (!has_wildcard(x)) {
    auto got = term_events(b, x, exact);
    if (!got) return got.err();
    return cand{*got & all, exact};
  }
  if (b.may_leave_out(x)) return cand{all, false};
  auto got = glob_postings(b, std::string_view{x}.substr(0, x.find('*')), x, 0);
  if (!got) return got.err();
  return cand{*got & all, exact};
}

result<predicate::candidates_t> plan_compare(const search_node& n, const bucket_view& b,
                                             const Roaring& all);

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
    case search_node::kind::phrase:
      return n.whole_term ? plan_whole_term(n, b, all) : plan_word(n, b, all);
    case search_node::kind::compare: {
      auto c = plan_compare(n, b, all);
      if (c && n.case_sensitive) c->exact = false;  // the index holds lowercased text
      return c;
    }
  }
  return cand{all, false};
}

result<predicate::candidates_t> plan_compare(const search_node& n, const bucket_view& b,
                                             const Roaring& all) {
  using cand = predicate::candidates_t;
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
    bool exact_part = true;  // unused: these candidates are verified anyway
    for (auto& part : parts) {
      auto p = term_events(b, part, exact_part);
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

void required_terms(const search_node& n, std::vector<std::string>& out) {
  if (n.type == search_node::kind::and_) {
    for (auto& c : n.children) required_terms(c, out);
  } else if (n.type == search_node::kind::term || n.type == search_node::kind::phrase) {
    if (n.whole_term) {
      std::string x = lower(trim_minor(n.text));
      if (!x.empty() && !has_wildcard(x) && x.size() <= segmenter::max_term_length)
        out.push_back(x);
      return;
    }
    for (auto& p : pieces_of(pattern_of(n, false), n.type == search_node::kind::term))
      if (!p.star_left && !p.star_right && p.text.size() <= segmenter::max_term_length)
        out.push_back(p.text);
  } else if (n.type == search_node::kind::compare && is_metadata_field(n.field) &&
             n.op == compare_op::eq && !has_wildcard(n.text)) {
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

bool word_occurs(std::string_view text, std::string_view pattern, bool wildcards) {
  if (pattern.empty() || (wildcards && pattern.find_first_not_of('*') == std::string_view::npos))
    return true;
  // Each end of an occurrence: the end of the text, next to a breaker, or itself a breaker.
  auto start_ok = [&](size_t k) {
    return k == 0 || is_breaker(text[k - 1]) || (k < text.size() && is_breaker(text[k]));
  };
  auto end_ok = [&](size_t k) {
    return k == text.size() || is_breaker(text[k]) || (k > 0 && is_breaker(text[k - 1]));
  };
  if (!wildcards || !has_wildcard(pattern)) {
    for (size_t at = text.find(pattern); at != std::string_view::npos;
         at = text.find(pattern, at + 1))
      if (start_ok(at) && end_ok(at + pattern.size())) return true;
    return false;
  }
  // A set-of-states walk over the text (linear in text x pattern, no
  // backtracking): state i = "pattern[0..i) matched"; a new match may start
  // wherever start_ok holds; `*` consumes anything but a major breaker.
  size_t m = pattern.size();
  std::vector<char> cur(m + 1, 0), next(m + 1, 0);
  auto close = [&](std::vector<char>& s) {
    for (size_t i = 0; i < m; ++i)
      if (s[i] && pattern[i] == '*') s[i + 1] = 1;
  };
  for (size_t k = 0;; ++k) {
    if (start_ok(k)) {
      cur[0] = 1;
      close(cur);
    }
    if (cur[m] && end_ok(k)) return true;
    if (k == text.size()) return false;
    char c = text[k];
    std::fill(next.begin(), next.end(), 0);
    for (size_t i = 0; i < m; ++i) {
      if (!cur[i]) continue;
      if (pattern[i] == '*') {
        if (!is_major(c)) next[i] = 1;
      } else if (pattern[i] == c) {
        next[i + 1] = 1;
      }
    }
    close(next);
    cur.swap(next);
  }
}

bool is_metadata_field(std::string_view f) { return f == "host" || f == "source" || f == "sourcetype"; }

bool is_default_field(std::string_view name) {
  return name == "_raw" || name == "_time" || name == "host" || name == "source" || name == "sourcetype" ||
         name == "index" || name == "_cd";
}

predicate::predicate(search_node root) : root_(std::move(root)) {}

bool predicate::matches(const row& r) const {
  raw_cache c{r};
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
