// POSIX implementation of the file layer.
#include "core/io/file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

namespace kura::io {
namespace {

error sys_error(std::string_view what, const fs::path& path) {
  return {errc::io_error, std::string{what} + " " + path.string() + ": " + std::strerror(errno)};
}

std::mutex& probe_mutex() {
  static std::mutex m;
  return m;
}
free_space_probe& probe() {
  static free_space_probe p;
  return p;
}

struct failure_registry {
  std::mutex mutex;
  std::map<std::string, int, std::less<>> armed;  // name -> passes left before failing
};
failure_registry& failures() {
  static failure_registry r;
  return r;
}

error write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("write", path);
    }
    data.remove_prefix(size_t(n));
  }
  return {};
}

}  // namespace

result<std::string> read_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return error{errc::not_found, "no such file " + path.string()};
    return sys_error("open", path);
  }
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(size_t(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto err = sys_error("read", path);
      ::close(fd);
      return err;
    }
    if (n == 0) break;
    out.append(buf, size_t(n));
  }
  ::close(fd);
  return out;
}

error sync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error("open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return sys_error("fsync directory", dir);
  return {};
}

error write_file_atomic(const fs::path& path, std::string_view data) {
  if (auto err = check_failure("fsync")) return err;
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return sys_error("create", tmp);
  if (auto err = write_all(fd, data, tmp)) {
    ::close(fd);
    return err;
  }
  if (::fsync(fd) != 0) {
    auto err = sys_error("fsync", tmp);
    ::close(fd);
    return err;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return sys_error("rename", tmp);
  return sync_dir(path.parent_path().empty() ? fs::path{"."} : path.parent_path());
}

error copy_file_durable(const fs::path& from, const fs::path& to) {
  auto data = read_file(from);
  if (!data) return data.err();
  int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return sys_error("create", to);
  auto err = write_all(fd, *data, to);
  if (!err && ::fsync(fd) != 0) err = sys_error("fsync", to);
  ::close(fd);
  return err;
}

error move_path(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (fs::exists(to, ec)) return {errc::already_exists, "cannot move " + from.string() + ": " + to.string() + " exists"};
  if (::rename(from.c_str(), to.c_str()) == 0) {
    if (auto err = sync_dir(to.parent_path())) return err;
    return sync_dir(from.parent_path());
  }
  if (errno != EXDEV) return sys_error("rename " + from.string() + " to", to);
  // Across file systems: copy into a temporary name, rename it into place, then
  // remove the source, so that a crash never leaves a half copy under `to`.
  fs::path tmp = to;
  tmp += ".moving";
  (void)io::remove_all(tmp);
  if (fs::is_directory(from, ec)) {
    if (auto err = make_dirs(tmp)) return err;
    for (auto& entry : fs::recursive_directory_iterator(from, ec)) {
      auto rel = fs::relative(entry.path(), from, ec);
      if (entry.is_directory()) {
        if (auto err = make_dirs(tmp / rel)) return err;
      } else if (auto err = copy_file_durable(entry.path(), tmp / rel)) {
        return err;
      }
    }
  } else if (auto err = copy_file_durable(from, tmp)) {
    return err;
  }
  if (::rename(tmp.c_str(), to.c_str()) != 0) return sys_error("rename", tmp);
  if (auto err = sync_dir(to.parent_path())) return err;
  return io::remove_all(from);
}

error remove_all(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return {errc::io_error, "remove " + path.string() + ": " + ec.message()};
  return {};
}

error make_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return {errc::io_error, "create directory " + dir.string() + ": " + ec.message()};
  return {};
}

uint64_t dir_size(const fs::path& dir) {
  std::error_code ec;
  uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

result<uint64_t> free_space(const fs::path& path) {
  {
    std::lock_guard lock{probe_mutex()};
    if (probe()) return probe()(path);
  }
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return sys_error("statvfs", path);
  return uint64_t(st.f_bavail) * uint64_t(st.f_frsize);
}

free_space_probe set_free_space_probe(free_space_probe p) {
  std::lock_guard lock{probe_mutex()};
  std::swap(probe(), p);
  return p;
}

// -- append_file ----------------------------------------------------------------

append_file::~append_file() { close(); }

append_file::append_file(append_file&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_), path_(std::move(other.path_)) {}

append_file& append_file::operator=(append_file&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    path_ = std::move(other.path_);
  }
  return *this;
}

result<append_file> append_file::open(const fs::path& path) {
  append_file f;
  f.fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (f.fd_ < 0) return sys_error("open for append", path);
  struct stat st {};
  if (::fstat(f.fd_, &st) != 0) return sys_error("stat", path);
  f.size_ = uint64_t(st.st_size);
  f.path_ = path;
  return f;
}

error append_file::append(std::string_view data) {
  if (auto err = check_failure("append")) return err;
  if (auto err = write_all(fd_, data, path_)) return err;
  size_ += data.size();
  return {};
}

error append_file::sync() {
  if (auto err = check_failure("fsync")) return err;
  if (::fdatasync(fd_) != 0) return sys_error("fdatasync", path_);
  return {};
}

error append_file::truncate(uint64_t size) {
  if (::ftruncate(fd_, off_t(size)) != 0) return sys_error("truncate", path_);
  size_ = size;
  return sync();
}

void append_file::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

// -- mapped_file ----------------------------------------------------------------

mapped_file::~mapped_file() {
  if (data_) ::munmap(data_, size_);
}

mapped_file::mapped_file(mapped_file&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

mapped_file& mapped_file::operator=(mapped_file&& other) noexcept {
  if (this != &other) {
    if (data_) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

result<mapped_file> mapped_file::open(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return error{errc::not_found, "no such file " + path.string()};
    return sys_error("open", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    auto err = sys_error("stat", path);
    ::close(fd);
    return err;
  }
  mapped_file m;
  m.size_ = size_t(st.st_size);
  if (m.size_ > 0) {
    void* p = ::mmap(nullptr, m.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      auto err = sys_error("mmap", path);
      ::close(fd);
      m.size_ = 0;
      return err;
    }
    m.data_ = p;
  }
  ::close(fd);
  return m;
}

// -- failure points -------------------------------------------------------------

void arm_failure(std::string_view name, int after) {
  std::lock_guard lock{failures().mutex};
  failures().armed[std::string{name}] = after;
}

void disarm_all_failures() {
  std::lock_guard lock{failures().mutex};
  failures().armed.clear();
}

error check_failure(std::string_view name) {
  auto& r = failures();
  std::lock_guard lock{r.mutex};
  if (r.armed.empty()) return {};
  auto it = r.armed.find(name);
  if (it == r.armed.end()) return {};
  if (it->second > 0) {
    --it->second;
    return {};
  }
  r.armed.erase(it);
  return {errc::io_error, "failure point '" + std::string{name} + "' fired"};
}

}  // namespace kura::io
