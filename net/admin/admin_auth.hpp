// How the shell proves it knows the node's secret (pass4SymmKey) without
// sending it: an HMAC-SHA256 (OpenSSL) over a single-use nonce from the node
// and the command. See actors/interfaces/admin_actor.hpp for the exchange.
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/io/file.hpp"

namespace kura::admin {

/// 32 random hex characters (OpenSSL's RAND_bytes).
std::string new_nonce();

/// hex HMAC-SHA256(secret, nonce \n json \n word \0 word \0 …).
std::string proof(const std::string& secret, const std::string& nonce, bool json,
                  const std::vector<std::string>& words);

/// Compares two proofs in constant time.
bool same_proof(const std::string& a, const std::string& b);

/// Reads a secret file (the first line, trailing whitespace removed).
/// Errors: not_found, invalid_argument (empty).
result<std::string> read_secret(const io::fs::path& file);

/// The node's secret: `configured` when set; otherwise the one in
/// `<home>/etc/pass4SymmKey`, created (random, mode 0600) on first start so
/// that a standalone node without [clustering] still authenticates its shell.
/// Errors: io_error.
result<std::string> node_secret(const std::string& configured, const io::fs::path& home);

/// Where the shell looks for the secret without --secret-file:
/// $KURA_HOME/etc/pass4SymmKey, or ./kura-home/etc/pass4SymmKey.
io::fs::path default_secret_file();

}  // namespace kura::admin
