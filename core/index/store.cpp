// Index operations, Detention and cross-index retention.
#include "core/index/store.hpp"

#include <algorithm>

#include "core/log.hpp"

namespace kura {
namespace {
constexpr const char* component = "IndexAdminHandler";
}

error detention_guard::check(const io::fs::path& home_path) {
  auto free = io::free_space(home_path);
  if (!free) return free.err();
  if (*free < min_free_) {
    auto msg = "Detention: " + std::to_string(*free / (1024 * 1024)) +
               " MB free on the partition of " + home_path.string() + ", below minFreeSpace " +
               std::to_string(min_free_ / (1024 * 1024)) +
               " MB; indexing paused until space is freed";
    if (!message_) log::warn(component, msg);
    message_ = msg;
    return {errc::disk_full, msg};
  }
  if (message_)
    log::info(component, "free disk space is back above minFreeSpace; indexing resumed");
  message_.reset();
  return {};
}

std::vector<std::pair<std::string, uint64_t>> capped_volumes(const store_config& cfg) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (auto& vol : cfg.volumes)
    if (vol.max_volume_data_size_mb > 0)
      out.emplace_back(vol.name, mb_to_bytes(vol.max_volume_data_size_mb));
  return out;
}

error remove_index_data(const index_config& cfg) {
  for (auto* dir : {&cfg.home_path, &cfg.cold_path, &cfg.thawed_path}) {
    if (auto err = io::remove_all(*dir)) return err;
    // The index's own directory ($KURA_HOME/…/<name>) goes too once it is empty.
    std::error_code ec;
    if (io::fs::is_empty(dir->parent_path(), ec) && !ec) io::fs::remove(dir->parent_path(), ec);
  }
  return {};
}

error check_removable(const std::string& name) {
  if (std::find(builtin_indexes().begin(), builtin_indexes().end(), name) !=
      builtin_indexes().end())
    return {errc::invalid_argument, "index '" + name + "' is built in and cannot be removed"};
  return {};
}

result<std::vector<std::unique_ptr<index>>> open_indexes(const store_config& cfg,
                                                         std::vector<index_config> indexes,
                                                         std::vector<std::string>* notes) {
  for (auto& name : builtin_indexes())
    if (std::none_of(indexes.begin(), indexes.end(), [&](auto& c) { return c.name == name; }))
      indexes.push_back(default_index_config(name, cfg.db_root));
  std::vector<std::unique_ptr<index>> opened;
  for (auto& c : indexes) {
    c.peer_guid = cfg.peer_guid;
    if (std::any_of(opened.begin(), opened.end(),
                    [&](auto& i) { return i->config().name == c.name; }))
      return error{errc::invalid_argument, "index '" + c.name + "' is defined twice"};
    auto idx = index::open(c, notes);
    if (!idx) return idx.err();
    opened.push_back(std::move(*idx));
  }
  return opened;
}

result<std::unique_ptr<store>> store::open(store_config cfg, std::vector<index_config> indexes,
                                           std::vector<std::string>* notes) {
  std::unique_ptr<store> s{new store};
  s->cfg_ = std::move(cfg);
  s->detention_ = detention_guard{s->cfg_.min_free_space_bytes};
  auto opened = open_indexes(s->cfg_, std::move(indexes), notes);
  if (!opened) return opened.err();
  for (auto& idx : *opened) {
    auto name = idx->config().name;
    s->indexes_.emplace(name, std::move(idx));
  }
  return s;
}

index* store::find(const std::string& name) {
  auto it = indexes_.find(name);
  return it == indexes_.end() ? nullptr : it->second.get();
}

std::vector<std::string> store::index_names() const {
  std::vector<std::string> names;
  for (auto& [name, _] : indexes_) names.push_back(name);
  return names;
}

error store::add_index(index_config cfg) {
  if (auto err = validate_index_name(cfg.name)) return err;
  if (indexes_.count(cfg.name))
    return {errc::already_exists, "index '" + cfg.name + "' already exists"};
  auto idx = index::open(cfg);
  if (!idx) return idx.err();
  indexes_.emplace(cfg.name, std::move(*idx));
  log::info(component, "added index '" + cfg.name + "'");
  return {};
}

error store::remove_index(const std::string& name) {
  auto it = indexes_.find(name);
  if (it == indexes_.end()) return {errc::not_found, "index '" + name + "' does not exist"};
  if (auto err = check_removable(name)) return err;
  auto cfg = it->second->config();
  indexes_.erase(it);
  if (auto err = remove_index_data(cfg)) return err;
  log::warn(component,
            "removed index '" + name + "' and its data; events sent to it will now be discarded");
  return {};
}

error store::disable_index(const std::string& name) {
  auto* idx = find(name);
  if (!idx) return {errc::not_found, "index '" + name + "' does not exist"};
  idx->set_disabled(true);
  log::info(component, "disabled index '" + name + "'");
  return idx->commit();
}

error store::enable_index(const std::string& name) {
  auto* idx = find(name);
  if (!idx) return {errc::not_found, "index '" + name + "' does not exist"};
  idx->set_disabled(false);
  log::info(component, "enabled index '" + name + "'");
  return {};
}

error store::clean_eventdata(const std::string& name) {
  if (!name.empty()) {
    auto* idx = find(name);
    if (!idx) return {errc::not_found, "index '" + name + "' does not exist"};
    return idx->clean();
  }
  for (auto& [_, idx] : indexes_)
    if (auto err = idx->clean()) return err;
  return {};
}

error store::append(const std::string& index_name, std::span<const event_view> events,
                    int64_t now_secs) {
  auto* idx = find(index_name);
  if (!idx) {
    discarded_ += events.size();
    return {errc::not_found, "index '" + index_name + "' does not exist; " +
                                 std::to_string(events.size()) + " events discarded"};
  }
  if (idx->config().disabled)
    return {errc::index_disabled, "index '" + index_name + "' is disabled"};
  if (auto err = detention_.check(idx->config().home_path)) return err;
  for (auto& ev : events)
    if (auto err = idx->append(ev)) return err;
  if (auto err = idx->commit()) return err;
  if (idx->take_roll_count() > 0) return enforce_retention(now_secs);
  return {};
}

error store::roll_hot_buckets(const std::string& name) {
  for (auto& [n, idx] : indexes_)
    if (name.empty() || n == name)
      if (auto err = idx->roll_hot_buckets()) return err;
  if (!name.empty() && !find(name)) return {errc::not_found, "index '" + name + "' does not exist"};
  return {};
}

error store::enforce_retention(int64_t now_secs) {
  for (auto& [_, idx] : indexes_) {
    idx->take_roll_count();
    if (auto r = idx->enforce_retention(now_secs); !r) return r.err();
  }
  return enforce_volumes();
}

error store::enforce_volumes() {
  std::vector<index_volume_facts> facts;
  for (auto& [_, idx] : indexes_)
    facts.push_back({idx->config().home_volume, idx->config().cold_volume, idx->facts()});
  for (auto& action : plan_volumes(capped_volumes(cfg_), facts))
    if (auto err = find(action.index)->apply(action)) return err;
  return {};
}

result<std::vector<fsck_report>> store::fsck(const std::string& name, bool repair) {
  if (!name.empty() && !find(name))
    return error{errc::not_found, "index '" + name + "' does not exist"};
  std::vector<fsck_report> all;
  for (auto& [n, idx] : indexes_)
    if (name.empty() || n == name)
      for (auto& r : idx->fsck(repair)) all.push_back(std::move(r));
  return all;
}

error store::close() {
  for (auto& [_, idx] : indexes_)
    if (auto err = idx->close()) return err;
  return {};
}

}  // namespace kura
