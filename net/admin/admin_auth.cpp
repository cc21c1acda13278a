// HMAC proofs, nonces and secret files.
#include "net/admin/admin_auth.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "actors/cluster/node_auth.hpp"

namespace kura::admin {

std::string new_nonce() { return cluster::random_hex(16); }

std::string proof(const std::string& secret, const std::string& nonce, bool json,
                  const std::vector<std::string>& words) {
  std::string data = nonce + "\n" + (json ? "json" : "text") + "\n";
  for (auto& w : words) {
    data += w;
    data += '\0';
  }
  return cluster::hmac_hex(secret, data);
}

bool same_proof(const std::string& a, const std::string& b) { return cluster::same_proof(a, b); }

result<std::string> read_secret(const io::fs::path& file) {
  std::ifstream in{file};
  if (!in) return error{errc::not_found, "cannot read the secret file " + file.string()};
  std::string line;
  std::getline(in, line);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  if (line.empty())
    return error{errc::invalid_argument, "the secret file " + file.string() + " is empty"};
  return line;
}

result<std::string> node_secret(const std::string& configured, const io::fs::path& home) {
  if (!configured.empty()) return configured;
  auto file = home / "etc" / "pass4SymmKey";
  if (auto existing = read_secret(file)) return existing;
  std::error_code ec;
  io::fs::create_directories(file.parent_path(), ec);
  auto secret = cluster::random_hex(24);
  if (auto err = io::write_file_atomic(file, secret + "\n")) return err;
  ::chmod(file.c_str(), 0600);
  return secret;
}

io::fs::path default_secret_file() {
  const char* home = std::getenv("KURA_HOME");
  return (home ? io::fs::path{home} : io::fs::current_path() / "kura-home") / "etc" /
         "pass4SymmKey";
}

}  // namespace kura::admin
