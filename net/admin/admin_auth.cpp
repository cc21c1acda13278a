// HMAC proofs, nonces and secret files.
#include "net/admin/admin_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

namespace kura::admin {
namespace {

std::string hex(const unsigned char* bytes, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

std::string random_hex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), int(buf.size())) != 1) std::abort();  // no entropy: nothing safe to do
  return hex(buf.data(), buf.size());
}

}  // namespace

std::string new_nonce() { return random_hex(16); }

std::string proof(const std::string& secret, const std::string& nonce, bool json,
                  const std::vector<std::string>& words) {
  std::string data = nonce + "\n" + (json ? "json" : "text") + "\n";
  for (auto& w : words) {
    data += w;
    data += '\0';
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), int(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return hex(mac, len);
}

bool same_proof(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

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
  auto secret = random_hex(24);
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
