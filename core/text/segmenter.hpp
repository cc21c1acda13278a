// Index-time segmentation, as Splunk does it: `_raw` is lowercased and cut at
// major breakers (white space, brackets, quotes, `|` `;` `,` `!` …) into major
// segments; each major segment is indexed whole and cut again at minor breakers
// (`/` `:` `=` `@` `.` `-` `$` `#` `%` `\` `_`) into its minor parts. So
// "src=10.0.0.5" yields "src=10.0.0.5", "src", "10", "0" and "5".
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kura::segmenter {

/// Longest term indexed; a longer major segment contributes only its minor parts.
constexpr size_t max_term_length = 256;

enum class char_class : uint8_t { term = 0, minor = 1, major = 2 };

/// The class of every byte (bytes >= 0x80, i.e. UTF-8, are term bytes).
const std::array<char_class, 256>& classes();

/// ASCII lowercase of one byte.
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

/// Lowercases `text` into `out` (replacing its content).
void to_lower(std::string_view text, std::string& out);

/// The major segments of `text`, lowercased, with minor breakers trimmed from
/// their ends ("[Error]: x" -> "error", "x"): what a search word must match.
std::vector<std::string> major_segments(std::string_view text);

/// Calls `emit(term)` for every term of `raw`, in order, duplicates included.
/// `scratch` holds the lowercased text; the views passed to `emit` point into it.
template <class Emit>
void for_each_term(std::string_view raw, std::string& scratch, Emit&& emit) {
  to_lower(raw, scratch);
  const auto& cls = classes();
  const char* p = scratch.data();
  const char* end = p + scratch.size();
  while (p < end) {
    while (p < end && cls[uint8_t(*p)] == char_class::major) ++p;
    const char* seg = p;
    bool has_minor = false;
    while (p < end && cls[uint8_t(*p)] != char_class::major) {
      has_minor |= cls[uint8_t(*p)] == char_class::minor;
      ++p;
    }
    if (p == seg) break;
    std::string_view major{seg, size_t(p - seg)};
    if (!has_minor) {
      if (major.size() <= max_term_length) emit(major);
      continue;
    }
    // Trim minor breakers at the ends of the whole segment ("-v." -> "v").
    size_t b = 0, e = major.size();
    while (b < e && cls[uint8_t(major[b])] == char_class::minor) ++b;
    while (e > b && cls[uint8_t(major[e - 1])] == char_class::minor) --e;
    if (e > b && e - b <= max_term_length) emit(major.substr(b, e - b));
    const char* q = seg;
    while (q < p) {
      while (q < p && cls[uint8_t(*q)] == char_class::minor) ++q;
      const char* part = q;
      while (q < p && cls[uint8_t(*q)] == char_class::term) ++q;
      if (q > part && size_t(q - part) <= max_term_length &&
          size_t(q - part) != e - b)  // a part equal to the trimmed whole was emitted already
        emit(std::string_view{part, size_t(q - part)});
    }
  }
}

}  // namespace kura::segmenter
