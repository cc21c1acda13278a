// Following monitored files like `tail -F`: globs are looked at again on each
// scan; a file renamed away (rotation) is read to its end before the new file
// at its path; a file that shrinks (truncation) is read again from the start.
// Only whole lines are handed out (a line longer than a read is cut).
//
// Read positions: every chunk handed out carries the file's identity (device,
// inode) and the offset after its last byte. Once the chunk's block is
// acknowledged, acknowledge() moves the file's committed offset; positions()
// is what to save, and a restart resumes each file at its committed offset,
// so a restart neither skips nor repeats acknowledged lines. A file rotated
// while the forwarder was down is found again by its inode in the directory
// of its old path and read to its end first.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/forwarder_config.hpp"
#include "core/error.hpp"

namespace kura::forwarder {

struct file_id {
  uint64_t dev = 0, inode = 0;
  auto operator<=>(const file_id&) const = default;
};

/// Where reading of one file stands: the committed offset and the path it had.
struct file_position {
  std::string path;
  uint64_t offset = 0;
};

/// Whole lines from one file.
struct chunk {
  size_t input = 0;         ///< index into the monitors
  std::string path;         ///< the file's path (the default `source`)
  file_id file;
  uint64_t end_offset = 0;  ///< offset after the chunk's last byte
  std::string data;
};

class file_tailer {
 public:
  /// `saved`: positions from the last run.
  file_tailer(std::vector<config::input_settings> monitors, std::map<file_id, file_position> saved);
  ~file_tailer();
  file_tailer(const file_tailer&) = delete;
  file_tailer& operator=(const file_tailer&) = delete;

  /// Looks for new, rotated and truncated files.
  void scan();
  /// Up to `max_bytes` of whole lines from one file that has new data, or nullopt.
  std::optional<chunk> read(size_t max_bytes);
  /// A chunk's block was acknowledged.
  void acknowledge(const file_id& file, uint64_t end_offset);
  /// The committed positions of the files followed (what to save).
  std::map<file_id, file_position> positions() const;
  /// True when positions changed since the last call.
  bool take_changed();

 private:
  struct followed {
    size_t input;
    std::string path;
    file_id id;
    int fd = -1;
    uint64_t read_offset = 0;     // next byte to read
    uint64_t committed = 0;       // acknowledged up to here
    std::deque<std::pair<uint64_t, bool>> pending;  // (end offset, acknowledged) of chunks handed out
    bool rotated = false;         // renamed away: read to its end, then drop
  };
  void follow(size_t input, const std::string& path, uint64_t offset, bool rotated);
  void drop_finished();

  std::vector<config::input_settings> monitors_;
  std::map<file_id, file_position> saved_;
  std::vector<followed> files_;
  size_t next_ = 0;  // round robin over files
  bool changed_ = false;
};

/// Reads and writes the positions file ("<dev> <inode> <offset> <path>" lines
/// with a checksum line). Errors: corruption, io_error.
result<std::map<file_id, file_position>> load_positions(const io::fs::path& file);
error save_positions(const io::fs::path& file, const std::map<file_id, file_position>& positions);

}  // namespace kura::forwarder
