// Encoding and decoding of forwarder protocol frames. See FORMAT.md here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/error.hpp"

namespace kura::wire {

/// Largest frame a reader accepts (a 64 KB block with its metadata fits easily).
constexpr uint32_t max_frame_bytes = 1u << 20;
/// length (4) + checksum (4).
constexpr size_t frame_header_bytes = 8;

struct block {
  std::string channel;
  uint64_t seq = 0;
  std::string index, host, source, sourcetype;
  std::string data;
  bool operator==(const block&) const = default;
};

enum class ack_status : uint8_t { stored = 0, duplicate = 1, rejected = 2, busy = 3 };

struct ack {
  std::string channel;
  uint64_t seq = 0;
  ack_status status = ack_status::stored;
  std::string message;
  bool operator==(const ack&) const = default;
};

using message = std::variant<block, ack>;

/// The bytes of one frame carrying `m`. Errors: invalid_argument (too large).
result<std::string> encode(const message& m);

/// Cuts a byte stream into messages. Feed bytes as they arrive; next() returns
/// each complete message, nullopt when more bytes are needed, or an error
/// (corruption: bad length, checksum, FlatBuffers verification, missing
/// fields) after which the connection must be closed.
class frame_reader {
 public:
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  result<std::optional<message>> next();
  /// Bytes received but not yet decoded.
  size_t pending() const { return buffer_.size() - start_; }

 private:
  std::string buffer_;
  size_t start_ = 0;
};

}  // namespace kura::wire
