// tail -F over globs, with acknowledged read positions.
#include "net/forwarder/file_tailer.hpp"

#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "core/io/checksummed_text.hpp"
#include "core/log.hpp"

namespace kura::forwarder {
namespace {

constexpr const char* component = "TailReader";

std::optional<file_id> id_of(const std::string& path, uint64_t* size = nullptr) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  if (size) *size = uint64_t(st.st_size);
  return file_id{uint64_t(st.st_dev), uint64_t(st.st_ino)};
}

std::vector<std::string> expand(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  ::globfree(&g);
  return out;
}

}  // namespace

file_tailer::file_tailer(std::vector<config::input_settings> monitors,
                         std::map<file_id, file_position> saved)
    : monitors_(std::move(monitors)), saved_(std::move(saved)) {
  // Files rotated while the forwarder was down: found by inode in the
  // directory of their old path, read from their position to their end.
  for (auto& [id, pos] : saved_) {
    auto now = id_of(pos.path);
    if (now && *now == id) continue;  // still at its path: scan() picks it up
    std::optional<size_t> input;
    for (size_t i = 0; i < monitors_.size() && !input; ++i)
      if (::fnmatch(monitors_[i].path.c_str(), pos.path.c_str(), FNM_PATHNAME) == 0) input = i;
    if (!input) continue;
    std::error_code ec;
    for (auto& entry : io::fs::directory_iterator{io::fs::path{pos.path}.parent_path(), ec}) {
      auto candidate = id_of(entry.path().string());
      if (!candidate || !(*candidate == id)) continue;
      log::info(component, pos.path + " was rotated to " + entry.path().string() +
                               " while stopped; reading its rest");
      follow(*input, entry.path().string(), pos.offset, true);
      break;
    }
  }
  scan();
}

file_tailer::~file_tailer() {
  for (auto& f : files_)
    if (f.fd >= 0) ::close(f.fd);
}

void file_tailer::follow(size_t input, const std::string& path, uint64_t offset, bool rotated) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st {};
  ::fstat(fd, &st);
  file_id id{uint64_t(st.st_dev), uint64_t(st.st_ino)};
  if (offset > uint64_t(st.st_size)) {
    log::warn(component, path + " is shorter than its saved position; reading it from the start");
    offset = 0;
  }
  files_.push_back({input, path, id, fd, offset, offset, {}, rotated});
  changed_ = true;
  log::info(component, "following " + path + " from offset " + std::to_string(offset));
}

void file_tailer::scan() {
  drop_finished();
  for (size_t input = 0; input < monitors_.size(); ++input) {
    for (auto& path : expand(monitors_[input].path)) {
      auto id = id_of(path);
      if (!id) continue;
      auto same = std::find_if(files_.begin(), files_.end(), [&](auto& f) { return f.id == *id; });
      if (same != files_.end()) {
        same->path = path;  // a rotated name that still matches the glob
        continue;
      }
      // A file now at a followed path with another inode: the followed one was rotated away.
      for (auto& f : files_)
        if (f.path == path && !f.rotated) {
          f.rotated = true;
          log::info(component, path + " was rotated; reading the old file to its end");
        }
      auto s = saved_.find(*id);
      follow(input, path, s != saved_.end() ? s->second.offset : 0, false);
    }
  }
  // Rotated away without a new file yet, or deleted: read what is left, then drop.
  for (auto& f : files_) {
    if (f.rotated) continue;
    auto now = id_of(f.path);
    if (!now || !(*now == f.id)) f.rotated = true;
  }
  // Truncation: a file shorter than where reading stands starts again at 0.
  for (auto& f : files_) {
    struct stat st {};
    if (::fstat(f.fd, &st) == 0 && uint64_t(st.st_size) < f.read_offset) {
      log::warn(component, f.path + " was truncated; reading it from the start");
      f.read_offset = 0;
      f.committed = 0;
      f.pending.clear();
      changed_ = true;
    }
  }
}

std::optional<chunk> file_tailer::read(size_t max_bytes) {
  for (size_t tried = 0; tried < files_.size(); ++tried) {
    auto& f = files_[next_++ % files_.size()];
    chunk c;
    c.data.resize(max_bytes);
    auto n = ::pread(f.fd, c.data.data(), max_bytes, off_t(f.read_offset));
    if (n <= 0) continue;
    c.data.resize(size_t(n));
    auto last_newline = c.data.rfind('\n');
    if (last_newline != std::string::npos) {
      c.data.resize(last_newline + 1);
    } else if (size_t(n) < max_bytes && !f.rotated) {
      continue;  // a line still being written
    }
    // else: one line longer than a read (cut), or the end of a rotated file without a newline
    f.read_offset += c.data.size();
    f.pending.emplace_back(f.read_offset, false);
    c.input = f.input;
    c.path = f.path;
    c.file = f.id;
    c.end_offset = f.read_offset;
    return c;
  }
  return std::nullopt;
}

void file_tailer::acknowledge(const file_id& file, uint64_t end_offset) {
  for (auto& f : files_) {
    if (!(f.id == file)) continue;
    for (auto& p : f.pending)
      if (p.first == end_offset) p.second = true;
    while (!f.pending.empty() && f.pending.front().second) {
      f.committed = f.pending.front().first;
      f.pending.pop_front();
      changed_ = true;
    }
    return;
  }
}

void file_tailer::drop_finished() {
  for (auto it = files_.begin(); it != files_.end();) {
    struct stat st {};
    bool at_end = ::fstat(it->fd, &st) == 0 && it->read_offset >= uint64_t(st.st_size);
    if (it->rotated && at_end && it->pending.empty()) {
      log::info(component, "finished " + it->path + " (rotated away)");
      ::close(it->fd);
      saved_.erase(it->id);
      it = files_.erase(it);
      changed_ = true;
    } else {
      ++it;
    }
  }
}

std::map<file_id, file_position> file_tailer::positions() const {
  std::map<file_id, file_position> out;
  for (auto& f : files_) out[f.id] = {f.path, f.committed};
  return out;
}

bool file_tailer::take_changed() { return std::exchange(changed_, false); }

result<std::map<file_id, file_position>> load_positions(const io::fs::path& file) {
  auto text = io::read_checksummed_text(file);
  if (!text) return text.err();
  std::map<file_id, file_position> out;
  if (!*text) return out;
  std::istringstream in{**text};
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields{line};
    file_id id;
    file_position pos;
    if (!(fields >> id.dev >> id.inode >> pos.offset))
      return error{errc::corruption, file.string() + ": bad line \"" + line + "\""};
    fields.get();  // the space before the path
    std::getline(fields, pos.path);
    out[id] = pos;
  }
  return out;
}

error save_positions(const io::fs::path& file, const std::map<file_id, file_position>& positions) {
  std::string text;
  for (auto& [id, pos] : positions)
    text += std::to_string(id.dev) + " " + std::to_string(id.inode) + " " +
            std::to_string(pos.offset) + " " + pos.path + "\n";
  return io::write_checksummed_text(file, text);
}

}  // namespace kura::forwarder
