// Formatting and strict parsing of bucket cluster ids.
#include "core/cluster/bucket_key.hpp"

#include <cctype>
#include <charconv>

namespace kura::cluster {

std::string bucket_key::to_string() const {
  std::string out;
  out.reserve(index.size() + origin.size() + 22);
  out += index;
  out += '~';
  out += std::to_string(local_id.value);
  out += '~';
  out += origin;
  return out;
}

std::optional<bucket_key> bucket_key::parse(std::string_view text) {
  auto first = text.find('~');
  if (first == std::string_view::npos || first == 0) return std::nullopt;
  auto second = text.find('~', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::string_view index = text.substr(0, first);
  std::string_view id = text.substr(first + 1, second - first - 1);
  std::string_view origin = text.substr(second + 1);
  // Both end up in directory names on other peers: letters, digits, '_' and '-'
  // only (no '/', no "..": a name from the network must stay where it is put).
  auto plain = [](std::string_view part, size_t max) {
    if (part.empty() || part.size() > max) return false;
    for (char c : part)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
    return true;
  };
  if (!plain(index, 255) || !plain(origin, 64)) return std::nullopt;
  // Only canonical decimal: "007" or "+7" would name the same bucket under a second
  // spelling, and ids are compared as strings in logs and status documents.
  if (id.empty() || (id.size() > 1 && id[0] == '0')) return std::nullopt;
  for (char c : id)
    if (c < '0' || c > '9') return std::nullopt;
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
  if (ec != std::errc{} || ptr != id.data() + id.size()) return std::nullopt;  // overflow
  return bucket_key{std::string(index), bucket_id{value}, std::string(origin)};
}

}  // namespace kura::cluster
