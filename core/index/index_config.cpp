// Defaults, parsing and validation of index settings.
#include "core/index/index_config.hpp"

#include <charconv>

namespace kura {

error index_config::validate() const {
  auto bad = [&](std::string key, std::string what) {
    return error{errc::invalid_argument, "index '" + name + "': " + key + " " + what};
  };
  if (auto err = validate_index_name(name, true)) return err;
  if (home_path.empty()) return bad("homePath", "is empty");
  if (cold_path.empty()) return bad("coldPath", "is empty");
  if (thawed_path.empty()) return bad("thawedPath", "is empty");
  if (max_data_size_bytes == 0) return bad("maxDataSize", "must be greater than 0");
  if (max_hot_index_mem_bytes < mb_to_bytes(max_hot_index_mem_min_mb))
    return bad("maxHotIndexMemMB", "must be at least " + std::to_string(max_hot_index_mem_min_mb));
  if (max_hot_buckets == 0) return bad("maxHotBuckets", "must be at least 1");
  if (parallel_hot_buckets == 0) return bad("parallelHotBuckets", "must be at least 1");
  if (max_hot_span_secs <= 0) return bad("maxHotSpanSecs", "must be greater than 0");
  if (max_total_data_size_bytes == 0) return bad("maxTotalDataSizeMB", "must be greater than 0");
  if (frozen_time_period_secs <= 0) return bad("frozenTimePeriodInSecs", "must be greater than 0");
  return {};
}

index_config default_index_config(const std::string& name, const io::fs::path& db_root) {
  index_config c;
  c.name = name;
  auto dir = db_root / (name == "main" ? std::string{"defaultdb"} : name);
  c.home_path = dir / "db";
  c.cold_path = dir / "colddb";
  c.thawed_path = dir / "thaweddb";
  if (name == "main") {
    c.max_hot_buckets = 10;
    c.max_data_size_bytes = mb_to_bytes(max_data_size_auto_high_volume_mb);
  }
  return c;
}

result<uint64_t> parse_max_data_size(std::string_view text) {
  if (text == "auto") return mb_to_bytes(max_data_size_auto_mb);
  if (text == "auto_high_volume") return mb_to_bytes(max_data_size_auto_high_volume_mb);
  uint64_t mb = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), mb);
  if (ec != std::errc{} || p != text.data() + text.size() || mb == 0 || mb > 1u << 30)
    return error{errc::invalid_argument, "maxDataSize: expected \"auto\", \"auto_high_volume\" or a number of MB > 0, got \"" +
                                             std::string{text} + "\""};
  return mb_to_bytes(mb);
}

result<journal_compression> parse_journal_compression(std::string_view text) {
  if (text == "snappy") return journal_compression::snappy;
  if (text == "zstd") return journal_compression::zstd;
  return error{
      errc::invalid_argument,
      "journalCompression: expected \"snappy\" or \"zstd\", got \"" + std::string{text} + "\""};
}

error validate_index_name(std::string_view name, bool internal) {
  if (name.empty()) return {errc::invalid_argument, "index name is empty"};
  if (name.size() > 255) return {errc::invalid_argument, "index name is longer than 255 characters"};
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok)
      return {errc::invalid_argument, "index name \"" + std::string{name} +
                                          "\": only ASCII letters, digits, '_' and '-' are allowed"};
  }
  if (!internal && (name[0] == '_' || name[0] == '-'))
    return {errc::invalid_argument, "index name \"" + std::string{name} + "\" may not start with '_' or '-'"};
  return {};
}

result<io::fs::path> resolve_index_path(std::string_view key, std::string_view value,
                                        const std::vector<volume_config>& volumes, std::string& volume_out) {
  volume_out.clear();
  constexpr std::string_view prefix = "volume:";
  if (value.substr(0, prefix.size()) != prefix) {
    if (value.empty()) return error{errc::invalid_argument, std::string{key} + " is empty"};
    return io::fs::path{value};
  }
  if (key == "thawedPath")
    return error{errc::invalid_argument, "thawedPath may not use a volume (\"" + std::string{value} + "\")"};
  auto rest = value.substr(prefix.size());
  auto slash = rest.find('/');
  auto vname = rest.substr(0, slash);
  for (auto& v : volumes) {
    if (v.name != vname) continue;
    volume_out = v.name;
    return slash == std::string_view::npos ? v.path : v.path / rest.substr(slash + 1);
  }
  return error{errc::not_found, std::string{key} + " names volume \"" + std::string{vname} + "\", which is not defined"};
}

}  // namespace kura
