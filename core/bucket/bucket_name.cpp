// Formatting and parsing of bucket directory names.
#include "core/bucket/bucket_name.hpp"

#include <charconv>
#include <vector>

namespace kura {
namespace {

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '_') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

template <class T>
bool number(std::string_view s, T& out) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool valid_guid(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-'))
      return false;
  return true;
}

}  // namespace

std::string bucket_name::format() const {
  auto id_s = std::to_string(id.value);
  switch (kind) {
    case bucket_kind::hot: return "hot_v1_" + id_s;
    case bucket_kind::invalid_hot: return "invalid_hot_" + id_s;
    case bucket_kind::in_flight: return id_s + "_" + guid;
    case bucket_kind::original:
    case bucket_kind::replicated: {
      std::string s = kind == bucket_kind::original ? "db_" : "rb_";
      s += std::to_string(newest) + "_" + std::to_string(oldest) + "_" + id_s;
      if (!guid.empty()) s += "_" + guid;
      return s;
    }
  }
  return {};
}

std::optional<bucket_name> bucket_name::parse(std::string_view name) {
  auto parts = split(name);
  bucket_name b;
  if (parts.size() == 3 && parts[0] == "hot" && parts[1] == "v1" && number(parts[2], b.id.value)) {
    b.kind = bucket_kind::hot;
    return b;
  }
  if (parts.size() == 3 && parts[0] == "invalid" && parts[1] == "hot" && number(parts[2], b.id.value)) {
    b.kind = bucket_kind::invalid_hot;
    return b;
  }
  if (parts.size() == 2 && number(parts[0], b.id.value) && valid_guid(parts[1])) {
    b.kind = bucket_kind::in_flight;
    b.guid = parts[1];
    return b;
  }
  if ((parts.size() == 4 || parts.size() == 5) && (parts[0] == "db" || parts[0] == "rb")) {
    b.kind = parts[0] == "db" ? bucket_kind::original : bucket_kind::replicated;
    if (!number(parts[1], b.newest) || !number(parts[2], b.oldest) || !number(parts[3], b.id.value))
      return std::nullopt;
    if (parts.size() == 5) {
      if (!valid_guid(parts[4])) return std::nullopt;
      b.guid = parts[4];
    } else if (b.kind == bucket_kind::replicated) {
      return std::nullopt;  // a replicated copy always names its origin peer
    }
    return b;
  }
  return std::nullopt;
}

}  // namespace kura
