// Retention, volume and hot-bucket decisions. Pure functions; see the header.
#include "core/index/lifecycle_policy.hpp"

#include <algorithm>

namespace kura {

const char* to_string(bucket_state s) {
  switch (s) {
    case bucket_state::hot:
      return "hot";
    case bucket_state::warm:
      return "warm";
    case bucket_state::cold:
      return "cold";
    case bucket_state::thawed:
      return "thawed";
  }
  return "?";
}

namespace {

bool older(const bucket_facts& a, const bucket_facts& b) {
  if (a.newest != b.newest) return a.newest < b.newest;
  if (a.index != b.index) return a.index < b.index;
  return a.id < b.id;
}

}  // namespace

std::vector<lifecycle_action> plan_retention(const index_config& cfg,
                                             const std::vector<bucket_facts>& input,
                                             int64_t now_secs) {
  std::vector<lifecycle_action> plan;
  std::vector<bucket_facts> b = input;
  std::sort(b.begin(), b.end(), older);
  std::vector<bool> frozen(b.size(), false);
  auto count = [&](bucket_state s) {
    size_t n = 0;
    for (size_t i = 0; i < b.size(); ++i) n += !frozen[i] && b[i].state == s;
    return n;
  };
  auto bytes = [&](std::initializer_list<bucket_state> states) {
    uint64_t n = 0;
    for (size_t i = 0; i < b.size(); ++i)
      if (!frozen[i] && std::find(states.begin(), states.end(), b[i].state) != states.end())
        n += b[i].size_bytes;
    return n;
  };
  auto oldest = [&](std::initializer_list<bucket_state> states) -> long {
    for (size_t i = 0; i < b.size(); ++i)
      if (!frozen[i] && std::find(states.begin(), states.end(), b[i].state) != states.end())
        return long(i);
    return -1;
  };
  auto act = [&](size_t i, action_kind k, std::string reason) {
    plan.push_back({k, cfg.name, b[i].id, std::move(reason), b[i].origin});
    if (k == action_kind::move_to_cold)
      b[i].state = bucket_state::cold;
    else
      frozen[i] = true;
  };

  while (count(bucket_state::warm) > cfg.max_warm_db_count)
    act(size_t(oldest({bucket_state::warm})), action_kind::move_to_cold, "maxWarmDBCount");
  if (cfg.home_max_data_size_bytes > 0)
    while (bytes({bucket_state::hot, bucket_state::warm}) > cfg.home_max_data_size_bytes) {
      long i = oldest({bucket_state::warm});
      if (i < 0) break;
      act(size_t(i), action_kind::move_to_cold, "homePath.maxDataSizeMB");
    }
  int64_t cutoff = now_secs - cfg.frozen_time_period_secs;
  for (size_t i = 0; i < b.size(); ++i)
    if (!frozen[i] && (b[i].state == bucket_state::warm || b[i].state == bucket_state::cold) &&
        to_epoch_seconds(b[i].newest) < cutoff)
      act(i, action_kind::freeze, "frozenTimePeriodInSecs");
  if (cfg.cold_max_data_size_bytes > 0)
    while (bytes({bucket_state::cold}) > cfg.cold_max_data_size_bytes) {
      long i = oldest({bucket_state::cold});
      if (i < 0) break;
      act(size_t(i), action_kind::freeze, "coldPath.maxDataSizeMB");
    }
  while (bytes({bucket_state::hot, bucket_state::warm, bucket_state::cold}) >
         cfg.max_total_data_size_bytes) {
    long i = oldest({bucket_state::warm, bucket_state::cold});
    if (i < 0) break;
    act(size_t(i), action_kind::freeze, "maxTotalDataSizeMB");
  }
  return plan;
}

std::vector<lifecycle_action> plan_volume(uint64_t cap_bytes,
                                          const std::vector<volume_bucket>& input) {
  std::vector<lifecycle_action> plan;
  if (cap_bytes == 0) return plan;
  std::vector<volume_bucket> b = input;
  std::sort(b.begin(), b.end(), [](auto& x, auto& y) { return older(x.facts, y.facts); });
  bool has_home = false, has_cold = false;
  uint64_t used = 0;
  for (auto& v : b) {
    (v.on_home ? has_home : has_cold) = true;
    used += v.facts.size_bytes;
  }
  bool mixed = has_home && has_cold;
  std::vector<bool> gone(b.size(), false);
  while (used > cap_bytes) {
    long pick = -1;
    for (size_t i = 0; i < b.size() && pick < 0; ++i) {
      if (gone[i]) continue;
      auto s = b[i].facts.state;
      if (mixed ? (s == bucket_state::warm || s == bucket_state::cold)
                : (b[i].on_home ? s == bucket_state::warm : s == bucket_state::cold))
        pick = long(i);
    }
    if (pick < 0) break;
    auto& v = b[size_t(pick)];
    bool to_cold = !mixed && v.on_home;
    plan.push_back({to_cold ? action_kind::move_to_cold : action_kind::freeze, v.facts.index,
                    v.facts.id, "maxVolumeDataSizeMB", v.facts.origin});
    gone[size_t(pick)] = true;
    used -= v.facts.size_bytes;
  }
  return plan;
}

hot_choice choose_hot_bucket(const std::vector<hot_facts>& hot, time_us lo, time_us hi,
                             const index_config& cfg) {
  const time_us span = cfg.max_hot_span_secs * us_per_sec;
  long best = -1;
  time_us best_distance = 0;
  for (size_t i = 0; i < hot.size(); ++i) {
    auto& h = hot[i];
    if (h.taken) continue;
    if (h.events == 0) return {hot_choice::use, i};
    if (std::max(h.newest, hi) - std::min(h.oldest, lo) > span) continue;
    time_us distance = hi < h.oldest ? h.oldest - hi : (lo > h.newest ? lo - h.newest : 0);
    if (best < 0 || distance < best_distance) {
      best = long(i);
      best_distance = distance;
    }
  }
  if (best >= 0) return {hot_choice::use, size_t(best)};
  if (hot.size() < cfg.max_hot_buckets) return {hot_choice::open_new, 0};
  long lru = -1;
  for (size_t i = 0; i < hot.size(); ++i)
    if (!hot[i].taken && (lru < 0 || hot[i].last_write < hot[size_t(lru)].last_write))
      lru = long(i);
  return {hot_choice::roll_then_open, size_t(std::max(lru, 0L))};
}

std::optional<size_t> choose_memory_roll(const std::vector<uint64_t>& memory,
                                         const index_config& cfg) {
  uint64_t total = 0;
  size_t largest = 0;
  for (size_t i = 0; i < memory.size(); ++i) {
    total += memory[i];
    if (memory[i] > memory[largest]) largest = i;
  }
  if (memory.empty() || total < cfg.max_hot_index_mem_bytes) return std::nullopt;
  return largest;
}

std::vector<lifecycle_action> plan_volumes(
    const std::vector<std::pair<std::string, uint64_t>>& capped_volumes,
    const std::vector<index_volume_facts>& indexes) {
  // Buckets a home volume sends to cold land on the cold volume, which may
  // then have to freeze some: plan again on the changed facts until nothing
  // more is planned (each round moves or freezes at least one bucket).
  std::vector<index_volume_facts> facts = indexes;
  std::vector<lifecycle_action> plan;
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& [volume, cap_bytes] : capped_volumes) {
      std::vector<volume_bucket> on_volume;
      for (auto& idx : facts) {
        bool home = idx.home_volume == volume, cold = idx.cold_volume == volume;
        if (!home && !cold) continue;
        for (auto& f : idx.buckets) {
          bool at_home = f.state != bucket_state::cold;
          if (at_home ? home : cold) on_volume.push_back({f, at_home});
        }
      }
      for (auto& action : plan_volume(cap_bytes, on_volume)) {
        for (auto& idx : facts)
          std::erase_if(idx.buckets, [&](bucket_facts& f) {
            if (f.index != action.index || f.id != action.id || f.origin != action.origin)
              return false;
            if (action.kind == action_kind::freeze) return true;
            f.state = bucket_state::cold;
            return false;
          });
        plan.push_back(std::move(action));
        changed = true;
      }
    }
  }
  return plan;
}

}  // namespace kura
