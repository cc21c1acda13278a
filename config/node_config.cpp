// TOML -> node_config, with validation.
#include "config/node_config.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "config/toml_support.hpp"

namespace kura::config {

using detail::each_key;
using detail::expected;
using detail::reader;

const std::string& secret_for_master(const clustering_section& c, const std::string& uri) {
  auto it = c.master_secrets.find(uri);
  return it == c.master_secrets.end() ? c.pass4SymmKey : it->second;
}

const char* to_string(node_role r) {
  switch (r) {
    case node_role::standalone:
      return "standalone";
    case node_role::master:
      return "master";
    case node_role::peer:
      return "peer";
    case node_role::search_head:
      return "search_head";
  }
  return "?";
}

namespace {

/// Replaces $KURA_HOME and ${KURA_HOME}.
std::string expand_home(std::string s, const std::string& home) {
  for (std::string_view var : {"${KURA_HOME}", "$KURA_HOME"}) {
    for (size_t at = s.find(var); at != std::string::npos; at = s.find(var, at + home.size()))
      s.replace(at, var.size(), home);
  }
  return s;
}

error port(const reader& rd, const toml::node& n, std::string_view key, uint16_t& out) {
  int64_t v;
  if (auto err = rd.integer(n, key, v, 1, 65535)) return err;
  out = uint16_t(v);
  return {};
}

/// The per-index keys, Splunk's indexes.conf names. `global` is the [indexes]
/// table's own keys, inherited by every index.
error index_key(const reader& rd, const toml::node& v, const std::string& key, index_config& c,
                std::map<std::string, std::string>& paths, const std::string& home) {
  int64_t n;
  std::string s;
  if (key == "homePath" || key == "coldPath" || key == "thawedPath" || key == "coldToFrozenDir") {
    if (v.is_table())
      return expected(v, rd.file, rd.section, key,
                      "a path (write \"" + key + ".maxDataSizeMB\" in quotes)");
    if (auto err = rd.string(v, key, s)) return err;
    paths[key] = expand_home(s, home);
    return {};
  }
  if (key == "maxDataSize") {
    if (v.is_integer()) {
      if (auto err = rd.integer(v, key, n, 1, 1 << 30)) return err;
      c.max_data_size_bytes = mb_to_bytes(uint64_t(n));
      return {};
    }
    if (auto err = rd.string(v, key, s))
      return expected(v, rd.file, rd.section, key, "\"auto\", \"auto_high_volume\" or MB");
    auto bytes = parse_max_data_size(s);
    if (!bytes)
      return expected(v, rd.file, rd.section, key, "\"auto\", \"auto_high_volume\" or MB");
    c.max_data_size_bytes = *bytes;
    return {};
  }
  // An integer key in [min, max], stored by `assign`.
  auto whole = [&](int64_t min, int64_t max, auto assign) -> error {
    if (auto err = rd.integer(v, key, n, min, max)) return err;
    assign(n);
    return {};
  };
  constexpr int64_t huge = int64_t(1) << 40;
  if (key == "maxHotIndexMemMB")
    return whole(int64_t(max_hot_index_mem_min_mb), 1 << 20,
                 [&](int64_t x) { c.max_hot_index_mem_bytes = mb_to_bytes(uint64_t(x)); });
  if (key == "maxHotBuckets")
    return whole(1, 1000, [&](int64_t x) { c.max_hot_buckets = uint32_t(x); });
  if (key == "parallelHotBuckets")
    return whole(1, 64, [&](int64_t x) { c.parallel_hot_buckets = uint32_t(x); });
  if (key == "maxHotSpanSecs") return whole(1, huge, [&](int64_t x) { c.max_hot_span_secs = x; });
  if (key == "maxWarmDBCount")
    return whole(0, 1'000'000, [&](int64_t x) { c.max_warm_db_count = uint32_t(x); });
  if (key == "maxTotalDataSizeMB")
    return whole(1, huge,
                 [&](int64_t x) { c.max_total_data_size_bytes = mb_to_bytes(uint64_t(x)); });
  if (key == "frozenTimePeriodInSecs")
    return whole(1, huge, [&](int64_t x) { c.frozen_time_period_secs = x; });
  if (key == "homePath.maxDataSizeMB")
    return whole(0, huge,
                 [&](int64_t x) { c.home_max_data_size_bytes = mb_to_bytes(uint64_t(x)); });
  if (key == "coldPath.maxDataSizeMB")
    return whole(0, huge,
                 [&](int64_t x) { c.cold_max_data_size_bytes = mb_to_bytes(uint64_t(x)); });
  if (key == "coldToFrozenScript") return rd.string(v, key, c.cold_to_frozen_script);
  if (key == "createBloomfilter") return rd.boolean(v, key, c.create_bloomfilter);
  if (key == "journalCompression") {
    if (auto err = rd.string(v, key, s)) return err;
    auto codec = parse_journal_compression(s);
    if (!codec) return expected(v, rd.file, rd.section, key, "\"snappy\" or \"zstd\"");
    c.journal_codec = *codec;
    return {};
  }
  if (key == "disabled") return rd.boolean(v, key, c.disabled);
  if (key == "repFactor") {
    c.replicated = v.is_string() && *v.value<std::string>() == "auto";
    if (c.replicated || (v.is_integer() && *v.value<int64_t>() == 0)) return {};
    return expected(v, rd.file, rd.section, key, "\"auto\" or 0");
  }
  return expected(
      v, rd.file, rd.section, key,
      "one of homePath, coldPath, thawedPath, maxDataSize, maxHotIndexMemMB, maxHotBuckets, "
      "parallelHotBuckets, maxHotSpanSecs, "
      "maxWarmDBCount, "
      "maxTotalDataSizeMB, frozenTimePeriodInSecs, homePath.maxDataSizeMB, coldPath.maxDataSizeMB, "
      "coldToFrozenDir, coldToFrozenScript, createBloomfilter, journalCompression, disabled, "
      "repFactor");
}

}  // namespace

result<node_config> parse_node_config(std::string_view text, const std::string& file,
                                      const std::string& kura_home_env) {
  auto parsed = detail::parse_document(text, file);
  if (!parsed) return parsed.err();
  const toml::table& doc = *parsed;
  node_config cfg;
  cfg.file = file;
  static const std::set<std::string, std::less<>> sections{
      "node",      "http",    "receiver", "search",      "clustering",
      "diskUsage", "indexes", "volumes",  "sourcetypes", "transforms"};
  for (auto& [k, v] : doc)
    if (!sections.count(k.str()) || !v.is_table())
      return expected(v, file, std::string{k.str()}, k.str(),
                      "a section: [node], [http], [receiver], [search], [clustering], [diskUsage], "
                      "[indexes.NAME], [volumes.NAME], "
                      "[sourcetypes.NAME] or [transforms.NAME]");
  auto section = [&](const char* name) -> const toml::table* {
    auto* n = doc.get(name);
    return n ? n->as_table() : nullptr;
  };

  // [node] first: its home expands every other path.
  std::string home_text;
  bool has_home = false;
  auto node_err = each_key(
      doc, file, "node",
      [&](const std::string& key, const toml::node& v, const reader& rd) -> error {
        if (key == "name") return rd.string(v, key, cfg.node.name);
        if (key == "home") {
          has_home = true;
          return rd.string(v, key, home_text);
        }
        if (key == "role") {
          std::string role;
          if (auto err = rd.string(v, key, role)) return err;
          if (role == "standalone")
            cfg.node.role = node_role::standalone;
          else if (role == "master")
            cfg.node.role = node_role::master;
          else if (role == "peer")
            cfg.node.role = node_role::peer;
          else if (role == "search_head")
            cfg.node.role = node_role::search_head;
          else
            return expected(v, file, "node", key, "one of standalone, master, peer, search_head");
          return {};
        }
        if (key == "admin_port") return port(rd, v, key, cfg.node.admin_port);
        if (key == "bind") return rd.string(v, key, cfg.node.bind);
        if (key == "workers") {
          int64_t n;
          if (auto err = rd.integer(v, key, n, 1, 256)) return err;
          cfg.node.workers = uint32_t(n);
          return {};
        }
        return expected(v, file, "node", key, "one of name, home, role, admin_port, bind, workers");
      });
  if (node_err) return node_err;
  if (!has_home) home_text = kura_home_env;
  if (home_text.empty())
    return error{
        errc::invalid_argument,
        file + ": [node] home: expected a directory (or the KURA_HOME environment variable)"};
  cfg.node.home = expand_home(home_text, kura_home_env);
  if (cfg.node.name.empty()) cfg.node.name = io::fs::path{file}.stem().string();
  const std::string home = cfg.node.home.string();

  auto http_err =
      each_key(doc, file, "http",
               [&](const std::string& key, const toml::node& v, const reader& rd) -> error {
                 if (key == "port") return port(rd, v, key, cfg.http.port);
                 if (key == "hec_tokens") return rd.strings(v, key, cfg.http.hec_tokens);
                 if (key == "api_tokens") return rd.strings(v, key, cfg.http.api_tokens);
                 if (key == "max_content_length") {
                   int64_t n;
                   if (auto err = rd.integer(v, key, n, 1024, int64_t(1) << 32)) return err;
                   cfg.http.max_content_length = uint64_t(n);
                   return {};
                 }
                 return expected(v, file, "http", key,
                                 "one of port, hec_tokens, api_tokens, max_content_length");
               });
  if (http_err) return http_err;
  auto receiver_err =
      each_key(doc, file, "receiver",
               [&](const std::string& key, const toml::node& v, const reader& rd) -> error {
                 if (key == "port") return port(rd, v, key, cfg.receiver.port);
                 return expected(v, file, "receiver", key, "port");
               });
  if (receiver_err) return receiver_err;
  auto search_err =
      each_key(doc, file, "search",
               [&](const std::string& key, const toml::node& v, const reader& rd) -> error {
                 if (key == "max_mem_usage_mb") {
                   int64_t n;
                   if (auto err = rd.integer(v, key, n, 1, 1 << 20)) return err;
                   cfg.search.max_mem_usage_mb = uint64_t(n);
                   return {};
                 }
                 return expected(v, file, "search", key, "max_mem_usage_mb");
               });
  if (search_err) return search_err;
  const toml::node* key_node = nullptr;
  if (auto* t = section("clustering")) {
    std::string sec = "clustering";
    reader rd{file, sec};
    for (auto& [k, v] : *t) {
      std::string key{k.str()};
      error err;
      int64_t n;
      if (key == "master_uri") {
        if (v.is_array())
          err = rd.strings(v, key, cfg.clustering.master_uris);
        else {
          std::string one;
          err = rd.string(v, key, one);
          cfg.clustering.master_uris = {one};
        }
      } else if (key == "masters") {
        if (!v.is_table())
          return expected(v, file, sec, key,
                          "a table of [clustering.masters.\"host:port\"] sections");
        for (auto& [uri, entry] : *v.as_table()) {
          std::string sub = "clustering.masters." + std::string{uri.str()};
          auto* t2 = entry.as_table();
          if (!t2) return expected(entry, file, sub, uri.str(), "a table with pass4SymmKey");
          for (auto& [k2, v2] : *t2) {
            if (k2.str() != "pass4SymmKey")
              return expected(v2, file, sub, k2.str(), "pass4SymmKey");
            std::string secret;
            if (auto e = reader{file, sub}.string(v2, "pass4SymmKey", secret)) return e;
            if (secret.size() < 8)
              return expected(v2, file, sub, "pass4SymmKey", "a secret of at least 8 characters");
            cfg.clustering.master_secrets[std::string{uri.str()}] = secret;
          }
        }
      } else if (key == "pass4SymmKey") {
        err = rd.string(v, key, cfg.clustering.pass4SymmKey);
        key_node = &v;
      } else if (key == "pass4SymmKey_file") {
        std::string path;
        err = rd.string(v, key, path);
        if (!err) {
          auto secret = io::read_file(expand_home(path, home));
          if (!secret)
            return expected(v, file, sec, key, "a readable file (" + secret.err().message() + ")");
          while (!secret->empty() && (secret->back() == '\n' || secret->back() == '\r'))
            secret->pop_back();
          cfg.clustering.pass4SymmKey = *secret;
          key_node = &v;
        }
      } else if (key == "replication_port")
        err = port(rd, v, key, cfg.clustering.replication_port);
      else if (key == "replication_factor") {
        err = rd.integer(v, key, n, 1, 64);
        cfg.clustering.replication_factor = uint32_t(n);
      } else if (key == "search_factor") {
        err = rd.integer(v, key, n, 1,
                         64);  // compared with replication_factor below, once both are known
        cfg.clustering.search_factor = uint32_t(n);
      } else if (key == "heartbeat_period")
        err = rd.number(v, key, cfg.clustering.heartbeat_period, 0.01, 3600);
      else if (key == "heartbeat_timeout")
        err = rd.number(v, key, cfg.clustering.heartbeat_timeout, 0.01, 86400);
      else if (key == "restart_timeout")
        err = rd.number(v, key, cfg.clustering.restart_timeout, 0, 86400);
      else if (key == "quiet_period")
        err = rd.number(v, key, cfg.clustering.quiet_period, 0, 86400);
      else
        err = expected(
            v, file, sec, key,
            "one of master_uri, masters, pass4SymmKey, pass4SymmKey_file, replication_port, "
            "replication_factor, "
            "search_factor, heartbeat_period, heartbeat_timeout, restart_timeout, quiet_period");
      if (err) return err;
    }
    if (cfg.clustering.search_factor > cfg.clustering.replication_factor)
      return expected(
          t->get("search_factor") ? *t->get("search_factor") : *t, file, sec, "search_factor",
          "at most replication_factor (" + std::to_string(cfg.clustering.replication_factor) + ")");
    if (cfg.clustering.heartbeat_timeout <= cfg.clustering.heartbeat_period)
      return expected(t->get("heartbeat_timeout") ? *t->get("heartbeat_timeout") : *t, file, sec,
                      "heartbeat_timeout", "more than heartbeat_period");
  }
  if (cfg.node.role != node_role::standalone && cfg.clustering.pass4SymmKey.empty())
    return error{errc::invalid_argument,
                 file +
                     ": [clustering] pass4SymmKey: expected a secret (or pass4SymmKey_file): a " +
                     std::string{to_string(cfg.node.role)} + " must authenticate to its cluster"};
  if (key_node && cfg.clustering.pass4SymmKey.size() < 8)
    return expected(*key_node, file, "clustering", "pass4SymmKey",
                    "a secret of at least 8 characters");
  if ((cfg.node.role == node_role::peer || cfg.node.role == node_role::search_head)) {
    auto host_port = [](const std::string& uri) {
      auto colon = uri.rfind(':');
      return colon != std::string::npos && colon > 0 && colon + 1 < uri.size() &&
             uri.find_first_not_of("0123456789", colon + 1) == std::string::npos;
    };
    auto& uris = cfg.clustering.master_uris;
    bool ok = !uris.empty() && std::all_of(uris.begin(), uris.end(), host_port) &&
              (cfg.node.role == node_role::search_head || uris.size() == 1);
    if (!ok)
      return error{errc::invalid_argument,
                   file + ": [clustering] master_uri: expected \"host:port\" of the master (a " +
                       std::string{to_string(cfg.node.role)} + " needs one)"};
  }
  {
    // Every listening port must differ.
    std::map<uint16_t, std::string> used;
    std::vector<std::pair<uint16_t, std::string>> ports{{cfg.node.admin_port, "[node] admin_port"},
                                                        {cfg.http.port, "[http] port"},
                                                        {cfg.receiver.port, "[receiver] port"}};
    if (cfg.node.role == node_role::peer)
      ports.emplace_back(cfg.clustering.replication_port, "[clustering] replication_port");
    for (auto& [p, name] : ports)
      if (auto [it, fresh] = used.emplace(p, name); !fresh)
        return error{errc::invalid_argument,
                     file + ": " + name + " " + std::to_string(p) + " is also " + it->second};
  }

  cfg.store.db_root = cfg.node.home / "var/lib/kura";
  auto disk_err =
      each_key(doc, file, "diskUsage",
               [&](const std::string& key, const toml::node& v, const reader& rd) -> error {
                 if (key != "minFreeSpace")
                   return expected(v, file, "diskUsage", key, "minFreeSpace");
                 int64_t n;
                 if (auto err = rd.integer(v, key, n, 0, int64_t(1) << 40)) return err;
                 cfg.store.min_free_space_bytes = mb_to_bytes(uint64_t(n));
                 return {};
               });
  if (disk_err) return disk_err;
  if (auto* t = section("volumes")) {
    for (auto& [k, v] : *t) {
      std::string name{k.str()}, sec = "volumes." + name;
      reader rd{file, sec};
      if (!v.is_table())
        return expected(v, file, "volumes", name, "a [volumes." + name + "] section");
      volume_config vol;
      vol.name = name;
      bool has_path = false;
      for (auto& [vk, vv] : *v.as_table()) {
        std::string key{vk.str()};
        int64_t n;
        std::string path;
        if (key == "path") {
          if (auto err = rd.string(vv, key, path)) return err;
          vol.path = expand_home(path, home);
          has_path = true;
        } else if (key == "maxVolumeDataSizeMB") {
          if (auto err = rd.integer(vv, key, n, 0, int64_t(1) << 40)) return err;
          vol.max_volume_data_size_mb = uint64_t(n);
        } else {
          return expected(vv, file, sec, key, "one of path, maxVolumeDataSizeMB");
        }
      }
      if (!has_path) return expected(v, file, sec, "path", "a directory (the key is required)");
      cfg.store.volumes.push_back(std::move(vol));
    }
  }
  if (auto* t = section("indexes")) {
    // Keys of [indexes] itself are global settings every index inherits (Splunk's
    // settings before the first stanza); [indexes.NAME] overrides them.
    std::vector<std::pair<std::string, const toml::node*>> globals;
    for (auto& [k, v] : *t)
      if (!v.is_table()) globals.emplace_back(std::string{k.str()}, &v);
    for (auto& [k, v] : *t) {
      if (!v.is_table()) continue;
      std::string name{k.str()}, sec = "indexes." + name;
      if (auto err = validate_index_name(name, true))
        return expected(v, file, sec, name, "a valid index name (" + err.message() + ")");
      reader rd{file, sec};
      index_config c = default_index_config(name, cfg.store.db_root);
      std::map<std::string, std::string> paths;
      std::string global_sec = "indexes";
      reader grd{file, global_sec};
      for (auto& [key, node] : globals)
        if (auto err = index_key(grd, *node, key, c, paths, home)) return err;
      for (auto& [ik, iv] : *v.as_table())
        if (auto err = index_key(rd, iv, std::string{ik.str()}, c, paths, home)) return err;
      for (auto* key : {"homePath", "coldPath", "thawedPath"}) {
        if (!paths.count(key)) continue;
        std::string vol;
        auto resolved = resolve_index_path(key, paths[key], cfg.store.volumes, vol);
        const toml::node* where_node = v.as_table()->get(key);
        if (!resolved)
          return expected(where_node ? *where_node : v, file, sec, key, resolved.err().message());
        (std::string{key} == "homePath"   ? c.home_path
         : std::string{key} == "coldPath" ? c.cold_path
                                          : c.thawed_path) = *resolved;
        if (std::string{key} == "homePath") c.home_volume = vol;
        if (std::string{key} == "coldPath") c.cold_volume = vol;
      }
      if (paths.count("coldToFrozenDir")) c.cold_to_frozen_dir = paths["coldToFrozenDir"];
      if (auto err = c.validate()) return expected(v, file, sec, name, err.message());
      cfg.indexes.push_back(std::move(c));
    }
  }
  auto sourcetypes = detail::sourcetypes_from(doc, file);
  if (!sourcetypes) return sourcetypes.err();
  cfg.sourcetypes = std::move(*sourcetypes);
  auto search_fields = detail::field_rules_from(doc, file);
  if (!search_fields) return search_fields.err();
  cfg.search_fields = std::move(*search_fields);
  return cfg;
}

result<node_config> load_node_config(const io::fs::path& file) {
  return detail::load_file(file, parse_node_config);
}

}  // namespace kura::config
