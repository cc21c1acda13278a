// Loading the Loghub samples and replaying them as events.
#include "loghub_events.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

namespace kura::bench {

loghub_events::loghub_events(const io::fs::path& root, size_t count) {
  std::error_code ec;
  std::vector<io::fs::path> dirs;
  for (auto& entry : io::fs::directory_iterator(root, ec))
    if (entry.is_directory()) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  for (auto& d : dirs) {
    auto name = d.filename().string();
    std::ifstream in(d / (name + "_2k.log"));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) lines.push_back(line);
    if (lines.empty()) continue;
    names_.push_back(name);
    hosts_.push_back("host-" + name);
    sources_.push_back("/var/log/" + name + ".log");
    lines_.push_back(std::move(lines));
  }
  samples = names_.size();
  if (samples == 0) return;
  time_us now = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  events.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    size_t run = i / 100, which = run % samples;
    auto& lines = lines_[which];
    auto& line = lines[((run / samples) * 100 + i % 100) % lines.size()];
    events.push_back({now - time_us(count - i) * 1000, hosts_[which], sources_[which], names_[which], line, {}});
    raw_bytes += line.size() + 1;
  }
}

io::fs::path make_temp_dir(const std::string& prefix) {
  std::string tmpl = (io::fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  return ::mkdtemp(tmpl.data());
}

std::unique_ptr<loghub_events> bench_args::load() const {
  auto data = std::make_unique<loghub_events>(loghub, events);
  if (data->samples > 0) return data;
  std::fprintf(stderr, "error: no Loghub samples under %s\n", loghub.c_str());
  return nullptr;
}

io::fs::path bench_args::work_dir(const std::string& prefix) const {
  return dir.empty() ? make_temp_dir(prefix) : dir;
}

bool bench_args::parse(int argc, char** argv, const char* program) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--loghub" && i + 1 < argc) loghub = argv[++i];
    else if (a == "--events" && i + 1 < argc) events = std::stoul(argv[++i]);
    else if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else if (a == "--keep") keep = true;
    else {
      std::fprintf(stderr, "usage: %s [--loghub DIR] [--events N] [--dir D] [--keep]\n", program);
      return false;
    }
  }
  return true;
}

double median_ms(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace kura::bench
