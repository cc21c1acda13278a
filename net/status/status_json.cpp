// Status documents (nlohmann).
#include "net/status/status_json.hpp"

#include <nlohmann/json.hpp>

#include "net/search/export_format.hpp"

namespace kura::status {
namespace {

using json = nlohmann::ordered_json;

json time_or_null(const bucket_info& b, time_us t) {
  if (b.events == 0) return nullptr;
  return exporting::iso_time(double(t) / 1e6);
}

json bucket_json(const std::string& index, const bucket_info& b) {
  json j;
  j["index"] = index;
  j["id"] = b.id.value;
  j["state"] = to_string(b.state);
  j["dir"] = b.dir.string();
  j["events"] = b.events;
  j["size_bytes"] = b.size_bytes;
  j["earliest"] = time_or_null(b, b.oldest);
  j["latest"] = time_or_null(b, b.newest);
  j["searchable"] = b.searchable;
  j["replicated"] = b.replicated;
  j["problem"] = b.problem.empty() ? json(nullptr) : json(b.problem);
  return j;
}

}  // namespace

std::string server_info(const server_facts& facts, store& s) {
  json j;
  j["name"] = facts.name;
  j["role"] = facts.role;
  j["version"] = facts.version;
  j["uptime_secs"] = facts.now - facts.started_at;
  j["detention"] = s.detention() ? json(*s.detention()) : json(nullptr);
  j["discarded_events"] = s.discarded_events();
  j["indexes"] = s.index_names().size();
  return j.dump();
}

std::string index_list(store& s) {
  json list = json::array();
  for (auto& name : s.index_names()) {
    auto* idx = s.find(name);
    auto& cfg = idx->config();
    json j;
    j["name"] = name;
    j["disabled"] = cfg.disabled;
    j["home_path"] = cfg.home_path.string();
    j["cold_path"] = cfg.cold_path.string();
    j["thawed_path"] = cfg.thawed_path.string();
    uint64_t events = 0, bytes = 0;
    std::map<std::string, uint64_t> by_state{{"hot", 0}, {"warm", 0}, {"cold", 0}, {"thawed", 0}};
    std::optional<time_us> earliest, latest;
    for (auto& b : idx->buckets()) {
      events += b.events;
      bytes += b.size_bytes;
      ++by_state[to_string(b.state)];
      if (b.events == 0) continue;
      earliest = std::min(earliest.value_or(b.oldest), b.oldest);
      latest = std::max(latest.value_or(b.newest), b.newest);
    }
    j["events"] = events;
    j["size_bytes"] = bytes;
    j["buckets"] = {{"hot", by_state["hot"]}, {"warm", by_state["warm"]}, {"cold", by_state["cold"]},
                    {"thawed", by_state["thawed"]}};
    j["earliest"] = earliest ? json(exporting::iso_time(double(*earliest) / 1e6)) : json(nullptr);
    j["latest"] = latest ? json(exporting::iso_time(double(*latest) / 1e6)) : json(nullptr);
    list.push_back(std::move(j));
  }
  json doc;
  doc["indexes"] = std::move(list);
  return doc.dump();
}

result<std::string> bucket_list(store& s, const std::string& index_name) {
  if (!index_name.empty() && !s.find(index_name))
    return error{errc::not_found, "index '" + index_name + "' does not exist"};
  json list = json::array();
  for (auto& name : s.index_names()) {
    if (!index_name.empty() && name != index_name) continue;
    for (auto& b : s.find(name)->buckets()) list.push_back(bucket_json(name, b));
  }
  json doc;
  doc["buckets"] = std::move(list);
  return doc.dump();
}

}  // namespace kura::status
