// The parts of a HEC request that are not the body: the token check and the
// indexer acknowledgment protocol (channels, ack ids, /services/collector/ack).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "net/hec/hec_protocol.hpp"

namespace kura::hec {

/// Checks `Authorization: Splunk <token>` against the configured tokens:
/// missing header -> token_required; another scheme or no token ->
/// invalid_authorization; unknown token -> invalid_token. A token in the
/// query string is refused (query_string_auth_disabled), as Splunk does by default.
status check_token(std::optional<std::string_view> authorization, bool token_in_query,
                   const std::vector<std::string>& tokens);

/// Whether a channel id has Splunk's form: a GUID, 8-4-4-4-12 hex digits.
bool valid_channel(std::string_view channel);

/// Indexer acknowledgment. Each accepted request on a channel gets the next
/// ack id; once its events are durable the id is acknowledged; a query
/// returns, and forgets, the acknowledged ids. Bounded: at most max_channels
/// channels and max_pending ids per channel (then server_busy).
class ack_registry {
 public:
  static constexpr size_t max_channels = 10'000;
  static constexpr size_t max_pending = 100'000;

  /// A new ack id on `channel`, or server_busy. Requires: valid_channel(channel).
  std::optional<uint64_t> open(const std::string& channel);
  /// Marks an id durable.
  void acknowledge(const std::string& channel, uint64_t id);
  /// Forgets a pending id whose request failed (a query then answers false).
  void cancel(const std::string& channel, uint64_t id);
  /// The answer to a query: id -> durable. Durable ids are forgotten once reported.
  std::map<uint64_t, bool> query(const std::string& channel, const std::vector<uint64_t>& ids);

 private:
  struct channel_state {
    uint64_t next = 0;
    std::set<uint64_t> pending, durable;
  };
  std::map<std::string, channel_state> channels_;
};

/// Parses an ack query body {"acks":[0,1,…]}. nullopt for anything else.
std::optional<std::vector<uint64_t>> parse_ack_query(std::string_view body);

/// The reply {"acks":{"0":true,"1":false}}.
std::string ack_reply(const std::map<uint64_t, bool>& acks);

}  // namespace kura::hec
