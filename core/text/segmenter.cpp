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
