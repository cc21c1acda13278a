// Text files with a checksum line.
#include "core/io/checksummed_text.hpp"

#include <cstdio>

#include "core/util/hash.hpp"

namespace kura::io {

error write_checksummed_text(const fs::path& path, std::string_view text) {
  std::string out{text};
  char sum[40];
  std::snprintf(sum, sizeof sum, "checksum %016llx\n", (unsigned long long)hash::checksum64(text));
  out.append(sum);
  return write_file_atomic(path, out);
}

result<std::optional<std::string>> read_checksummed_text(const fs::path& path) {
  auto bytes = read_file(path);
  if (!bytes) {
    if (bytes.err().code() == errc::not_found) return std::optional<std::string>{};
    return bytes.err();
  }
  auto bad = [&](const std::string& why) { return error{errc::corruption, path.string() + ": " + why}; };
  constexpr size_t line_size = 9 + 16 + 1;
  if (bytes->size() < line_size) return bad("no checksum line");
  size_t at = bytes->size() - line_size;
  std::string_view line{bytes->data() + at, line_size};
  if (line.substr(0, 9) != "checksum " || line.back() != '\n' || (at > 0 && (*bytes)[at - 1] != '\n'))
    return bad("no checksum line");
  char expected[20];
  std::snprintf(expected, sizeof expected, "%016llx", (unsigned long long)hash::checksum64({bytes->data(), at}));
  if (line.substr(9, 16) != expected) return bad("checksum mismatch");
  bytes->resize(at);
  return std::optional<std::string>{std::move(*bytes)};
}

}  // namespace kura::io
