// The naive evaluator's words: see naive_words.hpp.
#include "search/naive_words.hpp"

#include <map>
#include <regex>

#include "core/text/segmenter.hpp"

namespace kura::testing {
namespace {

using segmenter::char_class;

char_class cls(char c) { return segmenter::classes()[static_cast<unsigned char>(c)]; }
bool breaker(char c) { return cls(c) != char_class::term; }

std::string lowered(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return s;
}

std::string trimmed(std::string s) {
  while (!s.empty() && cls(s.front()) == char_class::minor) s.erase(s.begin());
  while (!s.empty() && cls(s.back()) == char_class::minor) s.pop_back();
  return s;
}

std::string hex(unsigned char c) {
  static const char* digits = "0123456789abcdef";
  return std::string{"\\x"} + digits[c >> 4] + digits[c & 15];
}

/// A regex bracket of the bytes below 0x80 of one class ("[" + ... + "]"), or of the others.
std::string bracket(bool of_class, char_class which) {
  std::string out = of_class ? "[" : "[^";
  for (int c = 0; c < 128; ++c)
    if (cls(char(c)) == which || (which == char_class::minor && cls(char(c)) == char_class::major))
      out += hex(static_cast<unsigned char>(c));
  return out + "]";
}

/// One pattern character as a regex (`*` handled by the caller).
std::string literal(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return std::string(1, c);
  return hex(u);
}

const std::regex& compiled(const std::string& re) {
  static thread_local std::map<std::string, std::regex> cache;
  auto it = cache.find(re);
  if (it == cache.end()) it = cache.emplace(re, std::regex(re)).first;
  return it->second;
}

/// The word occurs in `text` with each end at the text's end, next to a breaker, or itself a
/// breaker.
bool occurs(const std::string& text, const std::string& pattern, bool wildcards) {
  if (pattern.empty()) return true;
  if (wildcards && pattern.find_first_not_of('*') == std::string::npos) return true;
  if (!wildcards || pattern.find('*') == std::string::npos) {
    for (size_t at = text.find(pattern); at != std::string::npos; at = text.find(pattern, at + 1)) {
      size_t end = at + pattern.size();
      bool start_ok = at == 0 || breaker(text[at - 1]) || breaker(text[at]);
      bool end_ok = end == text.size() || breaker(text[end]) || breaker(text[end - 1]);
      if (start_ok && end_ok) return true;
    }
    return false;
  }
  // Quick refusal: every literal chunk between stars must be in the text.
  size_t from = 0;
  while (from < pattern.size()) {
    size_t star = pattern.find('*', from);
    std::string chunk =
        pattern.substr(from, star == std::string::npos ? std::string::npos : star - from);
    if (!chunk.empty() && text.find(chunk) == std::string::npos) return false;
    if (star == std::string::npos) break;
    from = star + 1;
  }
  // (^|breaker) body (?=breaker|$), where `*` is any run without a major breaker.
  static const std::string breakers = bracket(true, char_class::minor);  // minor and major
  static const std::string not_major = bracket(false, char_class::major);
  std::string re;
  bool literal_start = pattern.front() != '*' && breaker(pattern.front());
  bool literal_end = pattern.back() != '*' && breaker(pattern.back());
  if (!literal_start) re += "(?:^|" + breakers + ")";
  for (char c : pattern) re += c == '*' ? not_major + "*" : literal(c);
  if (!literal_end) re += "(?=" + breakers + "|$)";
  return std::regex_search(text, compiled(re));
}

bool glob_whole(const std::string& pattern, const std::string& text) {
  std::string re;
  for (char c : pattern) re += c == '*' ? std::string{"[\\s\\S]*"} : literal(c);
  return std::regex_match(text, compiled(re));
}

}  // namespace

bool naive_word_matches(const search::search_node& n, const std::string& raw) {
  if (n.whole_term) {
    // Major segments of _raw, trimmed of minor breakers, against the trimmed term.
    std::string want = trimmed(lowered(n.text));
    std::string text = lowered(raw);
    std::string segment;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i < text.size() && cls(text[i]) != char_class::major) {
        segment += text[i];
        continue;
      }
      std::string t = trimmed(segment);
      segment.clear();
      if (t.empty()) continue;
      if (want.find('*') != std::string::npos ? glob_whole(want, t) : t == want) return true;
    }
    return false;
  }
  bool word = n.type == search::search_node::kind::term;
  std::string pattern = word ? trimmed(n.text) : n.text;
  if (n.case_sensitive) return occurs(raw, pattern, word);
  return occurs(lowered(raw), lowered(pattern), word);
}

bool naive_value_glob(const std::string& pattern, const std::string& text, bool keep_case) {
  return keep_case ? glob_whole(pattern, text) : glob_whole(lowered(pattern), lowered(text));
}

}  // namespace kura::testing
