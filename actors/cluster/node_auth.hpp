// How nodes prove to each other that they know the cluster's secret
// (pass4SymmKey) without sending it, and the sessions that follow. No CAF:
// the doors (admin port, replication port) and the shell's admin actor use
// these, and they are tested directly.
//
//   client                                   door
//   challenge                            --> nonce (single use, 60 s)
//   login(hello, nonce, proof)           --> session token (or refused: logged on both sides)
//   any request(token, ...)              --> checked against the tokens it gave out
//
// proof = hex HMAC-SHA256(secret, "login\n" role \0 name \0 guid \0 nonce).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace kura::cluster {

/// `bytes` random bytes from OpenSSL, as lowercase hex.
std::string random_hex(size_t bytes);

/// hex HMAC-SHA256(secret, data).
std::string hmac_hex(const std::string& secret, const std::string& data);

/// Compares two proofs in constant time.
bool same_proof(const std::string& a, const std::string& b);

/// Who logs in: the node's role, name and GUID (and where it can be reached).
struct node_identity {
  std::string role;  ///< "peer", "search_head", "master"
  std::string name;
  std::string guid;
};

/// The proof a node sends with `login`.
std::string login_proof(const std::string& secret, const node_identity& who,
                        const std::string& nonce);

/// The nonces and session tokens of one door. Not thread-safe (its actor
/// serializes calls).
class session_book {
 public:
  /// A nonce is good for one login within this time.
  static constexpr std::chrono::seconds nonce_lifetime{60};
  /// Nonces handed out and not used, at most (a client asking in a loop).
  static constexpr size_t max_open_nonces = 10'000;

  explicit session_book(std::string secret) : secret_(std::move(secret)) {}

  /// A fresh single-use nonce.
  std::string challenge();
  /// Checks a login; on success returns a new session token for `who`.
  /// On failure returns nullopt and sets `why` (unknown nonce, wrong secret).
  std::optional<std::string> login(const node_identity& who, const std::string& nonce,
                                   const std::string& proof, std::string& why);
  /// The node a token belongs to, or nullptr when the token is not one of ours.
  const node_identity* check(const std::string& token) const;

 private:
  std::string secret_;
  std::map<std::string, std::chrono::steady_clock::time_point> nonces_;
  std::map<std::string, node_identity> sessions_;
};

}  // namespace kura::cluster
