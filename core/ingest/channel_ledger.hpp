// Which blocks (channel, sequence number) a node has stored and acknowledged,
// so that a block resent after a lost ack is not stored twice. Owned by the
// receiver (later its actor); not thread-safe.
//
// Per channel it keeps a watermark (every seq <= it was stored) and the stored
// seqs above it. Example: record 1, 2, 4 -> watermark 2, above {4}; record 3 ->
// watermark 4, above {}. To bound memory, at most `max_above` seqs are kept above
// the watermark; beyond that the highest are forgotten, which can only let a
// resend be stored twice (at-least-once), never make a block count as stored.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/io/file.hpp"

namespace kura {

class channel_ledger {
 public:
  static constexpr size_t max_above = 10'000;

  /// Loads the ledger kept in `file` (empty when the file does not exist).
  /// Errors: corruption (bad checksum or syntax), io_error.
  static result<channel_ledger> open(const io::fs::path& file);

  /// Whether (channel, seq) was recorded.
  bool contains(std::string_view channel, uint64_t seq) const;
  /// Records (channel, seq) as stored.
  void record(std::string_view channel, uint64_t seq);
  /// Writes the ledger atomically and durably. Errors: io_error.
  error save() const;

  size_t channels() const { return channels_.size(); }

 private:
  struct channel_state {
    uint64_t watermark = 0;
    std::set<uint64_t> above;
  };
  io::fs::path file_;
  std::map<std::string, channel_state, std::less<>> channels_;
};

}  // namespace kura
