// The node's GUID file.
#include "config/instance.hpp"

#include <random>

#include "config/toml_support.hpp"

namespace kura::config {
namespace {

std::string new_guid() {
  std::random_device rd;
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += digits[rd() % 16];
  }
  return out;
}

bool valid_guid(const std::string& g) {
  if (g.size() != 36) return false;
  for (size_t i = 0; i < g.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (g[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(g[i]))) return false;
  }
  return true;
}

}  // namespace

result<std::string> load_or_create_guid(const io::fs::path& home) {
  auto file = home / "etc" / "instance.toml";
  std::error_code ec;
  if (io::fs::exists(file, ec)) {
    auto text = io::read_file(file);
    if (!text) return text.err();
    auto doc = detail::parse_document(*text, file.string());
    if (!doc) return doc.err();
    auto guid = (*doc)["guid"].value<std::string>();
    if (!guid || !valid_guid(*guid))
      return error{errc::invalid_argument,
                   file.string() + ": expected guid = \"XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX\""};
    return *guid;
  }
  io::fs::create_directories(file.parent_path(), ec);
  if (ec)
    return error{errc::io_error, "create " + file.parent_path().string() + ": " + ec.message()};
  auto guid = new_guid();
  if (auto err = io::write_file_atomic(
          file, "# This node's identity, made once; never change it.\nguid = \"" + guid + "\"\n"))
    return err;
  return guid;
}

}  // namespace kura::config
