// Breaker tables for the segmenter.
#include "core/text/segmenter.hpp"

namespace kura::segmenter {

const std::array<char_class, 256>& classes() {
  static const std::array<char_class, 256> table = [] {
    std::array<char_class, 256> t{};
    for (int c = 0; c < 32; ++c) t[c] = char_class::major;  // control bytes, \t \n \r
    for (unsigned char c : std::string_view{" []<>(){}|!;,'\"*&?+`^~\x7f"}) t[c] = char_class::major;
    for (unsigned char c : std::string_view{"/:=@.-$#%\\_"}) t[c] = char_class::minor;
    return t;
  }();
  return table;
}

void to_lower(std::string_view text, std::string& out) {
  out.resize(text.size());
  char* o = out.data();
  for (char c : text) *o++ = lower(c);
}

}  // namespace kura::segmenter

namespace kura::segmenter {

std::vector<std::string> major_segments(std::string_view text) {
  const auto& cls = classes();
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && cls[uint8_t(text[i])] == char_class::major) ++i;
    size_t b = i;
    while (i < text.size() && cls[uint8_t(text[i])] != char_class::major) ++i;
    size_t e = i;
    while (b < e && cls[uint8_t(text[b])] == char_class::minor) ++b;
    while (e > b && cls[uint8_t(text[e - 1])] == char_class::minor) --e;
    if (e > b) {
      std::string seg;
      to_lower(text.substr(b, e - b), seg);
      out.push_back(std::move(seg));
    }
  }
  return out;
}

}  // namespace kura::segmenter
