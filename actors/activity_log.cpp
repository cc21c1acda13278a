// The status page's recent activity.
#include "actors/activity_log.hpp"

namespace kura {

void activity_log::count_stored(size_t n, time_us now) {
  std::lock_guard lock{mutex_};
  stored_[now / us_per_sec / interval_secs] += n;
  while (stored_.size() > intervals) stored_.erase(stored_.begin());
}

void activity_log::note_line(const std::string& line) {
  if (line.find(" WARN ") == std::string::npos && line.find(" ERROR ") == std::string::npos) return;
  std::lock_guard lock{mutex_};
  problems_.push_back(line);
  if (problems_.size() > kept_problems) problems_.pop_front();
}

activity activity_log::snapshot(time_us now) const {
  activity a;
  a.interval_secs = interval_secs;
  int64_t current = now / us_per_sec / interval_secs;
  std::lock_guard lock{mutex_};
  for (int64_t i = current - int64_t(intervals) + 1; i <= current; ++i) {
    auto it = stored_.find(i);
    a.events.push_back(it == stored_.end() ? 0 : it->second);
  }
  a.problems.assign(problems_.begin(), problems_.end());
  return a;
}

}  // namespace kura
