// Token checks and the ack registry.
#include "net/hec/hec_session.hpp"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <algorithm>

namespace kura::hec {

status check_token(std::optional<std::string_view> authorization, bool token_in_query,
                   const std::vector<std::string>& tokens) {
  if (!authorization) return token_in_query ? status::query_string_auth_disabled : status::token_required;
  constexpr std::string_view scheme = "Splunk ";
  auto h = *authorization;
  if (h.size() <= scheme.size() || h.substr(0, scheme.size()) != scheme) return status::invalid_authorization;
  auto token = h.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return status::invalid_authorization;
  return std::find(tokens.begin(), tokens.end(), token) != tokens.end() ? status::success : status::invalid_token;
}

bool valid_channel(std::string_view c) {
  if (c.size() != 36) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (c[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(c[i]))) return false;
  }
  return true;
}

std::optional<uint64_t> ack_registry::open(const std::string& channel) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) {
    if (channels_.size() >= max_channels) return std::nullopt;
    it = channels_.emplace(channel, channel_state{}).first;
  }
  auto& s = it->second;
  if (s.pending.size() + s.durable.size() >= max_pending) return std::nullopt;
  uint64_t id = s.next++;
  s.pending.insert(id);
  return id;
}

void ack_registry::acknowledge(const std::string& channel, uint64_t id) {
  auto it = channels_.find(channel);
  if (it == channels_.end() || !it->second.pending.erase(id)) return;
  it->second.durable.insert(id);
}

void ack_registry::cancel(const std::string& channel, uint64_t id) {
  auto it = channels_.find(channel);
  if (it != channels_.end()) it->second.pending.erase(id);
}

std::map<uint64_t, bool> ack_registry::query(const std::string& channel, const std::vector<uint64_t>& ids) {
  std::map<uint64_t, bool> out;
  auto it = channels_.find(channel);
  for (auto id : ids) {
    bool durable = it != channels_.end() && it->second.durable.count(id);
    out[id] = durable;
    if (durable) it->second.durable.erase(id);
  }
  return out;
}

std::optional<std::vector<uint64_t>> parse_ack_query(std::string_view body) {
  simdjson::padded_string padded{body};
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return std::nullopt;
  simdjson::ondemand::array acks;
  if (doc["acks"].get_array().get(acks)) return std::nullopt;
  std::vector<uint64_t> ids;
  for (auto v : acks) {
    uint64_t id;
    if (v.get_uint64().get(id)) return std::nullopt;
    ids.push_back(id);
  }
  return ids;
}

std::string ack_reply(const std::map<uint64_t, bool>& acks) {
  nlohmann::ordered_json j;
  j["acks"] = nlohmann::ordered_json::object();
  for (auto& [id, done] : acks) j["acks"][std::to_string(id)] = done;
  return j.dump();
}

}  // namespace kura::hec
