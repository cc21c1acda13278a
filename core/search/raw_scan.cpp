// The raw-text prefilter: required literals and their search in slices.
#include "core/search/raw_scan.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/search/fields.hpp"
#include "core/search/row_commands.hpp"
#include "core/text/segmenter.hpp"

namespace kura::search {
namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char fold(char c) { return (c >= 'A' && c <= 'Z') ? char(c | 0x20) : c; }

std::string folded(std::string_view s) {
  std::string out{s};
  for (auto& c : out) c = fold(c);
  return out;
}

/// How common a byte is in log text: the search anchors on the two rarest
/// bytes of the needle.
int commonness(char c) {
  if (c == ' ') return 10;
  if (std::strchr("etaoinsrETAOINSR", c) && c) return 8;
  if (is_letter(c)) return 6;
  if ((c >= '0' && c <= '9') || std::strchr("/.-:\"=", c)) return 5;
  return 2;
}

/// The two anchor positions (i <= j) of a needle of at least one byte.
std::pair<size_t, size_t> anchors(std::string_view needle) {
  size_t a = 0;
  for (size_t k = 1; k < needle.size(); ++k)
    if (commonness(needle[k]) < commonness(needle[a])) a = k;
  if (needle.size() == 1) return {0, 0};
  size_t b = a == 0 ? 1 : 0;
  for (size_t k = 0; k < needle.size(); ++k)
    if (k != a && commonness(needle[k]) < commonness(needle[b])) b = k;
  return {std::min(a, b), std::max(a, b)};
}

bool equal_folded(const char* text, std::string_view needle) {
  for (size_t k = 0; k < needle.size(); ++k)
    if (fold(text[k]) != needle[k]) return false;
  return true;
}

std::string_view trim_minor(std::string_view s) {
  auto minor = [](char c) {
    return segmenter::classes()[uint8_t(c)] == segmenter::char_class::minor;
  };
  while (!s.empty() && minor(s.front())) s.remove_prefix(1);
  while (!s.empty() && minor(s.back())) s.remove_suffix(1);
  return s;
}

void keep_longest(std::string& best, std::string_view candidate) {
  if (candidate.size() > best.size()) best = std::string{candidate};
}

/// The longest literal some AND-ed word or phrase of the base search requires.
void base_literal(const search_node& n, std::string& best) {
  if (n.type == search_node::kind::and_) {
    for (auto& c : n.children) base_literal(c, best);
    return;
  }
  if (n.type != search_node::kind::term && n.type != search_node::kind::phrase) return;
  bool wildcards = n.type == search_node::kind::term || n.whole_term;
  std::string text =
      folded(n.type == search_node::kind::term || n.whole_term ? trim_minor(n.text)
                                                               : std::string_view{n.text});
  if (!wildcards) return keep_longest(best, text);
  size_t at = 0;
  while (at <= text.size()) {
    size_t star = std::min(text.find('*', at), text.size());
    keep_longest(best, std::string_view{text}.substr(at, star - at));
    at = star + 1;
  }
}

/// Whether a flag group `(?flags)` or `(?flags:` of the pattern turns on `i`.
bool has_case_insensitive_flag(std::string_view p) {
  for (size_t at = p.find("(?"); at != std::string_view::npos; at = p.find("(?", at + 2)) {
    if (at > 0 && p[at - 1] == '\\') continue;
    for (size_t k = at + 2;
         k < p.size() && p[k] != ')' && p[k] != ':' && p[k] != '<' && p[k] != 'P'; ++k)
      if (p[k] == 'i') return true;
  }
  return false;
}

}  // namespace

std::string required_regex_literal(std::string_view p) {
  if (has_case_insensitive_flag(p)) return {};
  std::vector<std::string> runs;
  std::string run;
  auto cut = [&] {
    if (!run.empty()) runs.push_back(std::move(run));
    run.clear();
  };
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '|') return {};  // a top-level alternative (groups are skipped whole below)
    if (c == '(') {           // skip the group: what is inside may be optional or alternative
      cut();
      int depth = 0;
      for (; i < p.size(); ++i) {
        if (p[i] == '\\') {
          ++i;
        } else if (p[i] == '[') {  // a class may hold ( or )
          for (++i; i < p.size() && p[i] != ']'; ++i)
            if (p[i] == '\\') ++i;
        } else if (p[i] == '(') {
          ++depth;
        } else if (p[i] == ')' && --depth == 0) {
          break;
        }
      }
      ++i;
      continue;
    }
    if (c == '[') {
      cut();
      ++i;
      if (i < p.size() && p[i] == '^') ++i;
      if (i < p.size() && p[i] == ']') ++i;  // a leading ] is a member
      for (; i < p.size() && p[i] != ']'; ++i)
        if (p[i] == '\\') ++i;
      ++i;
      continue;
    }
    if (c == '*' || c == '?' || c == '{') {  // the preceding atom may be absent
      bool optional = c != '{';
      if (c == '{') {
        size_t k = i + 1;
        while (k < p.size() && p[k] >= '0' && p[k] <= '9') ++k;
        optional = std::all_of(p.begin() + long(i) + 1, p.begin() + long(k),
                               [](char d) { return d == '0'; });
      }
      if (optional && !run.empty()) run.pop_back();
      cut();
      if (c == '{') {
        while (i < p.size() && p[i] != '}') ++i;
      }
      ++i;
      continue;
    }
    if (c == '+') {  // the atom is kept, but what follows need not be next to it
      cut();
      ++i;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= p.size()) return {};
      char e = p[i + 1];
      i += 2;
      if (!std::isalnum(static_cast<unsigned char>(e))) {
        run += e;
        continue;
      }
      if (e == 'Q') return {};  // \Q…\E: not read here
      // \d \w \b \x41 \p{Greek} \0…: no plain character; skip its arguments too
      cut();
      while (i < p.size()) {
        if (p[i] == '{') {
          while (i < p.size() && p[i] != '}') ++i;
          ++i;
        } else if (std::isalnum(static_cast<unsigned char>(p[i]))) {
          ++i;
        } else {
          break;
        }
      }
      continue;
    }
    if (c == '.' || c == '^' || c == '$' || c == ')') {
      cut();
      ++i;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {  // non-ASCII: keep to ASCII literals
      cut();
      ++i;
      continue;
    }
    run += c;
    ++i;
  }
  cut();
  std::string best;
  for (auto& r : runs) keep_longest(best, r);
  return folded(best);
}

size_t find_folded(std::string_view text, std::string_view needle, size_t from) {
  const size_t n = needle.size();
  if (n == 0) return from <= text.size() ? from : std::string_view::npos;
  if (from > text.size() || text.size() - from < n) return std::string_view::npos;
  auto [ai, bi] = anchors(needle);
  const char* t = text.data();
  size_t p = from;
  const size_t last = text.size() - n;  // the last start
#if defined(__SSE2__)
  const __m128i fa = _mm_set1_epi8(is_letter(needle[ai]) ? 0x20 : 0);
  const __m128i fb = _mm_set1_epi8(is_letter(needle[bi]) ? 0x20 : 0);
  const __m128i va = _mm_set1_epi8(needle[ai]);
  const __m128i vb = _mm_set1_epi8(needle[bi]);
  while (p + 16 <= last + 1) {  // starts p … p+15 are all valid
    __m128i x = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t + p + ai)), fa);
    __m128i y = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t + p + bi)), fb);
    unsigned mask =
        unsigned(_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(y, vb))));
    while (mask) {
      unsigned k = unsigned(__builtin_ctz(mask));
      if (equal_folded(t + p + k, needle)) return p + k;
      mask &= mask - 1;
    }
    p += 16;
  }
#endif
  for (; p <= last; ++p)
    if (fold(t[p + ai]) == needle[ai] && fold(t[p + bi]) == needle[bi] &&
        equal_folded(t + p, needle))
      return p;
  return std::string_view::npos;
}

std::optional<raw_prefilter> raw_prefilter::of(const query& q) {
  raw_prefilter f;
  base_literal(q.base, f.literal_);
  for (auto& c : q.commands) {
    if (c.type != command::kind::regex || !c.row || c.row->regex_field != "_raw" || c.row->negate)
      break;
    auto re = std::make_shared<const re2::RE2>(re2_named_groups(c.row->pattern), re2::RE2::Quiet);
    if (!re->ok()) break;  // the command itself reports it
    f.regexes_.push_back(std::move(re));
    keep_longest(f.literal_, required_regex_literal(c.row->pattern));
  }
  if (f.literal_.empty() && f.regexes_.empty()) return std::nullopt;
  return f;
}

bool raw_prefilter::raw_regexes_match(std::string_view raw) const {
  return std::all_of(regexes_.begin(), regexes_.end(),
                     [&](auto& re) { return re2::RE2::PartialMatch(raw, *re); });
}

bool raw_prefilter::scan::may_match(std::string_view raw) {
  const std::string& lit = f_.literal_;
  if (lit.empty()) return true;
  if (raw.data() < records_.data() || raw.data() + raw.size() > records_.data() + records_.size())
    return true;
  size_t start = size_t(raw.data() - records_.data()), end = start + raw.size();
  if (!searched_ || (next_hit_ != std::string_view::npos && next_hit_ < start)) {
    next_hit_ = find_folded(records_, lit, start);
    searched_ = true;
  }
  // A hit that runs past this _raw may hide one inside it (overlapping occurrences).
  while (next_hit_ != std::string_view::npos && next_hit_ < end && next_hit_ + lit.size() > end)
    next_hit_ = find_folded(records_, lit, next_hit_ + 1);
  return next_hit_ != std::string_view::npos && next_hit_ + lit.size() <= end;
}

}  // namespace kura::search
