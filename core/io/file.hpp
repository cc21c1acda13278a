// The thin file layer all core disk access goes through: whole-file reads,
// atomic replacement, an append-only file, read-only mappings, directory
// helpers and the free-space probe. Every call returns kura::error with the path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace kura::io {

namespace fs = std::filesystem;

/// Reads a whole file. Errors: not_found, io_error.
result<std::string> read_file(const fs::path& path);

/// Replaces `path` atomically and durably: writes `path.tmp`, fsyncs it, renames
/// it over `path` and fsyncs the directory. A crash leaves the old or the new
/// content, never a mix. Errors: io_error.
error write_file_atomic(const fs::path& path, std::string_view data);

/// fsyncs a directory so that a rename or create in it survives a crash.
error sync_dir(const fs::path& dir);

/// Renames a directory or file, falling back to copy + remove across file
/// systems; syncs both parent directories. Errors: already_exists, io_error.
error move_path(const fs::path& from, const fs::path& to);

/// Copies a file and fsyncs the copy. Errors: io_error.
error copy_file_durable(const fs::path& from, const fs::path& to);

/// Removes a file or a directory tree; a missing path is not an error.
error remove_all(const fs::path& path);

/// Creates a directory and its parents. Errors: io_error.
error make_dirs(const fs::path& dir);

/// Sum of the sizes of the regular files below `dir` (0 when it does not exist).
uint64_t dir_size(const fs::path& dir);

/// Bytes available to an unprivileged writer on the file system holding `path`.
/// Tests replace the probe with set_free_space_probe to simulate a full disk.
result<uint64_t> free_space(const fs::path& path);

/// A function that answers free_space for a path.
using free_space_probe = std::function<result<uint64_t>(const fs::path&)>;

/// Installs a free-space probe (an empty function restores statvfs); returns the old one.
free_space_probe set_free_space_probe(free_space_probe probe);

/// An append-only file (the journal). Not thread-safe; one writer owns it.
class append_file {
 public:
  append_file() = default;
  ~append_file();
  append_file(append_file&& other) noexcept;
  append_file& operator=(append_file&& other) noexcept;
  append_file(const append_file&) = delete;
  append_file& operator=(const append_file&) = delete;

  /// Opens (creating when missing) `path` for appending at its current end.
  static result<append_file> open(const fs::path& path);

  /// Writes all of `data` at the end. Errors: io_error (and the "append" failure point).
  error append(std::string_view data);
  /// fdatasyncs the file: everything appended so far is on disk when it returns ok.
  error sync();
  /// Cuts the file to `size` bytes and syncs it (used to drop a torn tail).
  error truncate(uint64_t size);
  /// Current size in bytes.
  uint64_t size() const { return size_; }
  const fs::path& path() const { return path_; }
  /// Closes the file (also done by the destructor).
  void close();

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
  fs::path path_;
};

/// A read-only memory mapping of a whole file. Files mapped this way are
/// immutable once written (index files), so the mapping stays valid.
class mapped_file {
 public:
  mapped_file() = default;
  ~mapped_file();
  mapped_file(mapped_file&& other) noexcept;
  mapped_file& operator=(mapped_file&& other) noexcept;
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;

  /// Maps `path`. An empty file maps to an empty view. Errors: not_found, io_error.
  static result<mapped_file> open(const fs::path& path);

  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

// -- failure points -------------------------------------------------------------

/// Named failure points ("append", "fsync", "roll", "freeze") are off by default.
/// A test arms one with arm_failure(name, after): the point passes `after` times,
/// then fails once with io_error, then disarms itself.
void arm_failure(std::string_view name, int after = 0);
/// Disarms every failure point.
void disarm_all_failures();
/// Returns io_error when the named point is armed and due, else ok.
error check_failure(std::string_view name);

}  // namespace kura::io
