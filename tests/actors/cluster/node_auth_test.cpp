// Node authentication: proofs, nonces, sessions; host:port strings.
#include "actors/cluster/node_auth.hpp"

#include <doctest/doctest.h>

#include "actors/cluster/host_port.hpp"

using namespace kura;
using namespace kura::cluster;

TEST_CASE("node auth: a node that knows the secret gets a session, one that does not is refused") {
  session_book door{"cluster-secret-1"};
  node_identity peer{"peer", "peer1", "GUID-1"};
  auto nonce = door.challenge();
  std::string why;
  auto token = door.login(peer, nonce, login_proof("cluster-secret-1", peer, nonce), why);
  REQUIRE(token.has_value());
  REQUIRE(door.check(*token) != nullptr);
  CHECK(door.check(*token)->guid == "GUID-1");
  CHECK(door.check("not-a-token") == nullptr);

  auto nonce2 = door.challenge();
  CHECK(!door.login(peer, nonce2, login_proof("wrong-secret", peer, nonce2), why));
  CHECK(why == "wrong pass4SymmKey");
}

TEST_CASE("node auth: a nonce is good for one login, and the proof binds the identity") {
  session_book door{"cluster-secret-1"};
  node_identity peer{"peer", "peer1", "GUID-1"};
  auto nonce = door.challenge();
  auto proof = login_proof("cluster-secret-1", peer, nonce);
  std::string why;
  REQUIRE(door.login(peer, nonce, proof, why));
  CHECK(!door.login(peer, nonce, proof, why));  // replayed
  CHECK(why == "unknown or expired nonce");
  // A proof made for one GUID does not log in another.
  auto nonce2 = door.challenge();
  auto proof2 = login_proof("cluster-secret-1", peer, nonce2);
  node_identity other{"peer", "peer1", "GUID-2"};
  CHECK(!door.login(other, nonce2, proof2, why));
  CHECK(!door.login(peer, "made-up-nonce", login_proof("cluster-secret-1", peer, "made-up-nonce"),
                    why));
}

TEST_CASE("node auth: tokens and nonces are random and distinct") {
  session_book door{"s3cret-s3cret"};
  CHECK(door.challenge() != door.challenge());
  CHECK(random_hex(16).size() == 32);
  CHECK(random_hex(16) != random_hex(16));
  CHECK(same_proof("abc", "abc"));
  CHECK(!same_proof("abc", "abd"));
  CHECK(!same_proof("abc", "abcd"));
}

TEST_CASE("host:port: parsed strictly, advertised with a reachable address") {
  auto hp = actors::split_host_port("127.0.0.1:9887");
  REQUIRE(hp.has_value());
  CHECK(hp->first == "127.0.0.1");
  CHECK(hp->second == 9887);
  for (auto bad : {"", "host", ":80", "host:", "host:0", "host:65536", "host:80x", "host:1234567"})
    CHECK_MESSAGE(!actors::split_host_port(bad).has_value(), bad);
  CHECK(actors::advertised("0.0.0.0", 8089) == "127.0.0.1:8089");
  CHECK(actors::advertised("10.200.0.2", 8089) == "10.200.0.2:8089");
}
