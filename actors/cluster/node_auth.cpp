// HMAC proofs, nonces and session tokens (OpenSSL).
#include "actors/cluster/node_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <vector>

namespace kura::cluster {
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

/// Sessions kept at most; beyond it one is forgotten (its node gets
/// "unknown session" and logs in again).
constexpr size_t max_sessions = 10'000;

}  // namespace

std::string random_hex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), int(buf.size())) != 1) std::abort();  // no entropy: nothing safe to do
  return hex(buf.data(), buf.size());
}

std::string hmac_hex(const std::string& secret, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), int(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return hex(mac, len);
}

bool same_proof(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string login_proof(const std::string& secret, const node_identity& who,
                        const std::string& nonce) {
  std::string data = "login\n" + who.role;
  data += '\0';
  data += who.name;
  data += '\0';
  data += who.guid;
  data += '\0';
  data += nonce;
  return hmac_hex(secret, data);
}

std::string session_book::challenge() {
  auto now = std::chrono::steady_clock::now();
  std::erase_if(nonces_, [&](auto& n) { return now - n.second > nonce_lifetime; });
  if (nonces_.size() >= max_open_nonces) nonces_.erase(nonces_.begin());
  auto nonce = random_hex(16);
  nonces_.emplace(nonce, now);
  return nonce;
}

std::optional<std::string> session_book::login(const node_identity& who, const std::string& nonce,
                                               const std::string& proof, std::string& why) {
  auto it = nonces_.find(nonce);
  if (it == nonces_.end() || std::chrono::steady_clock::now() - it->second > nonce_lifetime) {
    if (it != nonces_.end()) nonces_.erase(it);
    why = "unknown or expired nonce";
    return std::nullopt;
  }
  nonces_.erase(it);
  if (!same_proof(proof, login_proof(secret_, who, nonce))) {
    why = "wrong pass4SymmKey";
    return std::nullopt;
  }
  if (sessions_.size() >= max_sessions) sessions_.erase(sessions_.begin());
  auto token = random_hex(24);
  sessions_.emplace(token, who);
  return token;
}

const node_identity* session_book::check(const std::string& token) const {
  auto it = sessions_.find(token);
  return it == sessions_.end() ? nullptr : &it->second;
}

}  // namespace kura::cluster
