// Decoding one zstd frame from untrusted bytes, with a decoder context per thread: the
// one way the journal and the index files read their zstd frames.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kura::zstd_frame {

/// What decode found.
enum class status {
  ok,           ///< `out` holds the frame's content
  bad_size,     ///< the frame header records no content size, or one above the limit
  undecodable,  ///< the frame does not decode to the size it records
  no_memory,    ///< no decoder context could be allocated
};

/// Decodes `frame`, which must record its content size, of at most `max_size` bytes,
/// into `out` (resized to that size). Thread-safe.
status decode(std::string_view frame, uint64_t max_size, std::string& out);

}  // namespace kura::zstd_frame
