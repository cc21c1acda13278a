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

std::string server_info(const server_status& s) {
  json j;
  j["name"] = s.name;
  j["role"] = s.role;
  j["version"] = s.version;
  j["uptime_secs"] = s.uptime_secs;
  j["detention"] = s.detention ? json(*s.detention) : json(nullptr);
  j["discarded_events"] = s.discarded_events;
  return j.dump();
}

std::string index_list(const std::vector<index_status>& indexes) {
  json list = json::array();
  for (auto& idx : indexes) {
    json j;
    j["name"] = idx.name;
    j["disabled"] = idx.disabled;
    j["home_path"] = idx.home_path;
    j["cold_path"] = idx.cold_path;
    j["thawed_path"] = idx.thawed_path;
    uint64_t events = 0, bytes = 0;
    std::map<std::string, uint64_t> by_state{{"hot", 0}, {"warm", 0}, {"cold", 0}, {"thawed", 0}};
    std::optional<time_us> earliest, latest;
    for (auto& b : idx.buckets) {
      events += b.events;
      bytes += b.size_bytes;
      ++by_state[to_string(b.state)];
      if (b.events == 0) continue;
      earliest = std::min(earliest.value_or(b.oldest), b.oldest);
      latest = std::max(latest.value_or(b.newest), b.newest);
    }
    j["events"] = events;
    j["size_bytes"] = bytes;
    j["buckets"] = {{"hot", by_state["hot"]},
                    {"warm", by_state["warm"]},
                    {"cold", by_state["cold"]},
                    {"thawed", by_state["thawed"]}};
    j["earliest"] = earliest ? json(exporting::iso_time(double(*earliest) / 1e6)) : json(nullptr);
    j["latest"] = latest ? json(exporting::iso_time(double(*latest) / 1e6)) : json(nullptr);
    list.push_back(std::move(j));
  }
  json doc;
  doc["indexes"] = std::move(list);
  return doc.dump();
}

result<std::string> bucket_list(const std::vector<index_status>& indexes,
                                const std::string& index_name) {
  json list = json::array();
  bool found = index_name.empty();
  for (auto& idx : indexes) {
    if (!index_name.empty() && idx.name != index_name) continue;
    found = true;
    for (auto& b : idx.buckets) list.push_back(bucket_json(idx.name, b));
  }
  if (!found) return error{errc::not_found, "index '" + index_name + "' does not exist"};
  json doc;
  doc["buckets"] = std::move(list);
  return doc.dump();
}

namespace {

json generation_peers(const std::vector<cluster_generation_peer>& peers) {
  json list = json::array();
  for (auto& p : peers)
    list.push_back({{"name", p.name}, {"guid", p.guid}, {"host_port", p.host_port}});
  return list;
}

}  // namespace

std::string master_info(const master_status& s) {
  json j;
  j["generation"] = s.generation;
  j["valid"] = s.valid;
  j["complete"] = s.complete;
  j["indexing_ready"] = s.indexing_ready;
  j["replication_factor"] = s.replication_factor;
  j["search_factor"] = s.search_factor;
  j["peers_up"] = s.peers_up;
  j["buckets"] = {
      {"total", s.buckets_total}, {"valid", s.buckets_valid}, {"complete", s.buckets_complete}};
  j["fixup"] = {{"pending", s.fixup_primary + s.fixup_searchable + s.fixup_replicate},
                {"primary", s.fixup_primary},
                {"searchable", s.fixup_searchable},
                {"replicate", s.fixup_replicate},
                {"bytes_to_go", s.fixup_bytes_to_go},
                {"running", s.fixup_running}};
  j["rolling_restart"] = s.rolling_restart.empty() ? json() : json(s.rolling_restart);
  j["active_bundle"] = s.active_bundle;
  return j.dump();
}

std::string master_peers(const master_status& s) {
  json list = json::array();
  for (auto& p : s.peers)
    list.push_back({{"name", p.name},
                    {"guid", p.guid},
                    {"status", p.status},
                    {"host_port", p.host_port},
                    {"buckets", p.buckets},
                    {"primaries", p.primaries},
                    {"searchable", p.searchable},
                    {"last_heartbeat_secs_ago", p.last_heartbeat_secs_ago}});
  return list.dump();
}

std::string master_buckets(const master_status& s) {
  json list = json::array();
  for (auto& b : s.buckets) {
    json copies = json::array();
    for (auto& c : b.copies)
      copies.push_back({{"peer", c.peer},
                        {"guid", c.guid},
                        {"searchable", c.searchable},
                        {"primary", c.primary}});
    list.push_back({{"id", b.id},
                    {"index", b.index},
                    {"state", b.state},
                    {"size_bytes", b.size_bytes},
                    {"events", b.events},
                    {"valid", b.valid},
                    {"complete", b.complete},
                    {"copies", std::move(copies)}});
  }
  return list.dump();
}

std::string master_generation(const master_status& s) {
  json j;
  j["generation"] = s.generation;
  j["peers"] = generation_peers(s.generation_peers);
  return j.dump();
}

std::string peer_bundle_status(const master_status& s, const cluster_peer_status& p) {
  if (p.status == "Down" || p.status == "GracefulShutdown") return p.status;
  if (p.status == "Restarting" || p.status == "ReassigningPrimaries") return "restarting";
  return p.active_bundle == s.active_bundle ? "applied" : "pending";
}

std::string bundle_status(const master_status& s) {
  nlohmann::json peers = nlohmann::json::array();
  for (auto& p : s.peers)
    peers.push_back({{"name", p.name},
                     {"active_bundle", p.active_bundle},
                     {"status", peer_bundle_status(s, p)}});
  nlohmann::json j{{"active_bundle", s.active_bundle}, {"peers", peers}};
  j["rolling_restart"] =
      s.rolling_restart.empty() ? nlohmann::json() : nlohmann::json(s.rolling_restart);
  return j.dump();
}

std::string peer_info(const peer_cluster_status& s) {
  json j;
  j["name"] = s.name;
  j["guid"] = s.guid;
  j["status"] = s.status;
  j["master_uri"] = s.master_uri;
  j["master_reachable"] = s.master_reachable;
  j["generation"] = s.generation;
  j["replication_port"] = s.replication_port;
  j["active_bundle"] = s.active_bundle;
  auto streams = [](const std::vector<replication_stream>& list) {
    json out = json::array();
    for (auto& r : list)
      out.push_back({{"bucket", r.bucket},
                     {"peer", r.peer},
                     {"bytes", r.bytes},
                     {"bytes_per_sec", r.bytes_per_sec}});
    return out;
  };
  j["streams_out"] = streams(s.streams_out);
  j["streams_in"] = streams(s.streams_in);
  return j.dump();
}

std::string searchhead_generation(const std::vector<searchhead_master_status>& masters) {
  json list = json::array();
  for (auto& m : masters)
    list.push_back({{"master_uri", m.master_uri},
                    {"generation", m.generation},
                    {"peers", generation_peers(m.peers)},
                    {"reachable", m.reachable},
                    {"valid", m.valid}});
  return list.dump();
}

}  // namespace kura::status
