// Waves of a rolling restart.
#include "core/cluster/rolling_restart.hpp"

#include <algorithm>

namespace kura::cluster {

rolling_restart::rolling_restart(std::vector<std::string> peers, uint32_t percent)
    : peers_(std::move(peers)) {
  percent = std::clamp<uint32_t>(percent, 1, 100);
  wave_size_ = std::max<size_t>(1, peers_.size() * percent / 100);
  left_ = peers_;
}

bool rolling_restart::wave_over() const {
  return std::all_of(current_.begin(), current_.end(),
                     [&](auto& g) { return back_.count(g) || lost_.count(g); });
}

std::vector<std::string> rolling_restart::next_orders(const fits_fn& fits) {
  if (!wave_over() || left_.empty()) return {};
  std::vector<std::string> wave{left_.front()};
  for (size_t i = 1; i < left_.size() && wave.size() < wave_size_; ++i) {
    wave.push_back(left_[i]);
    if (!fits(wave)) wave.pop_back();
  }
  std::erase_if(left_,
                [&](auto& g) { return std::find(wave.begin(), wave.end(), g) != wave.end(); });
  current_ = wave;
  ++waves_started_;
  return current_;
}

void rolling_restart::went_away(const std::string& guid) {
  if (std::find(current_.begin(), current_.end(), guid) != current_.end()) away_.insert(guid);
}

void rolling_restart::registered(const std::string& guid) {
  if (away_.count(guid)) back_.insert(guid);
}

void rolling_restart::lost(const std::string& guid) {
  if (std::find(current_.begin(), current_.end(), guid) != current_.end()) lost_.insert(guid);
}

bool rolling_restart::done() const { return left_.empty() && wave_over(); }

}  // namespace kura::cluster
