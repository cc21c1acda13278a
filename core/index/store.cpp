// Index operations, Detention and cross-index retention.
#include "core/index/store.hpp"

#include <algorithm>

#include "core/log.hpp"

namespace kura {
namespace {
constexpr const char* component = "IndexAdminHandler";
}

result<std::unique_ptr<store>> store::open(store_config cfg, std::vector<index_config> indexes,
                                           std::vector<std::string>* notes) {
  std::unique_ptr<store> s{new store};
  s->cfg_ = std::move(cfg);
  for (auto& name : builtin_indexes())
    if (std::none_of(indexes.begin(), indexes.end(), [&](auto& c) { return c.name == name; }))
      indexes.push_back(default_index_config(name, s->cfg_.db_root));
  for (auto& c : indexes) {
    if (s->indexes_.count(c.name)) return error{errc::invalid_argument, "index '" + c.name + "' is defined twice"};
    auto idx = index::open(c, notes);
    if (!idx) return idx.err();
    s->indexes_.emplace(c.name, std::move(*idx));
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
  if (indexes_.count(cfg.name)) return {errc::already_exists, "index '" + cfg.name + "' already exists"};
  auto idx = index::open(cfg);
  if (!idx) return idx.err();
  indexes_.emplace(cfg.name, std::move(*idx));
  log::info(component, "added index '" + cfg.name + "'");
  return {};
}

error store::remove_index(const std::string& name) {
  auto it = indexes_.find(name);
  if (it == indexes_.end()) return {errc::not_found, "index '" + name + "' does not exist"};
  if (std::find(builtin_indexes().begin(), builtin_indexes().end(), name) != builtin_indexes().end())
    return {errc::invalid_argument, "index '" + name + "' is built in and cannot be removed"};
  auto cfg = it->second->config();
  indexes_.erase(it);
  for (auto* dir : {&cfg.home_path, &cfg.cold_path, &cfg.thawed_path}) {
    if (auto err = io::remove_all(*dir)) return err;
    // The index's own directory ($KURA_HOME/…/<name>) goes too once it is empty.
    std::error_code ec;
    if (io::fs::is_empty(dir->parent_path(), ec) && !ec) io::fs::remove(dir->parent_path(), ec);
  }
  log::warn(component, "removed index '" + name + "' and its data; events sent to it will now be discarded");
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

error store::check_free_space(const index& idx) {
  auto& path = idx.config().home_path;
  auto free = io::free_space(path);
  if (!free) return free.err();
  if (*free < cfg_.min_free_space_bytes) {
    auto msg = "Detention: " + std::to_string(*free / (1024 * 1024)) + " MB free on the partition of " + path.string() +
               ", below minFreeSpace " + std::to_string(cfg_.min_free_space_bytes / (1024 * 1024)) +
               " MB; indexing paused until space is freed";
    if (!detention_) log::warn(component, msg);
    detention_ = msg;
    return {errc::disk_full, msg};
  }
  if (detention_) log::info(component, "free disk space is back above minFreeSpace; indexing resumed");
  detention_.reset();
  return {};
}

error store::append(const std::string& index_name, std::span<const event_view> events, int64_t now_secs) {
  auto* idx = find(index_name);
  if (!idx) {
    discarded_ += events.size();
    return {errc::not_found, "index '" + index_name + "' does not exist; " + std::to_string(events.size()) +
                                 " events discarded"};
  }
  if (idx->config().disabled) return {errc::index_disabled, "index '" + index_name + "' is disabled"};
  if (auto err = check_free_space(*idx)) return err;
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
  for (auto& vol : cfg_.volumes) {
    if (vol.max_volume_data_size_mb == 0) continue;
    std::vector<volume_bucket> on_volume;
    for (auto& [_, idx] : indexes_) {
      bool home = idx->config().home_volume == vol.name, cold = idx->config().cold_volume == vol.name;
      if (!home && !cold) continue;
      for (auto& f : idx->facts()) {
        bool at_home = f.state != bucket_state::cold;
        if (at_home ? home : cold) on_volume.push_back({f, at_home});
      }
    }
    for (auto& action : plan_volume(mb_to_bytes(vol.max_volume_data_size_mb), on_volume))
      if (auto err = find(action.index)->apply(action)) return err;
  }
  return {};
}

result<std::vector<fsck_report>> store::fsck(const std::string& name, bool repair) {
  if (!name.empty() && !find(name)) return error{errc::not_found, "index '" + name + "' does not exist"};
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
