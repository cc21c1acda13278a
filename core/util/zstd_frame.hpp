// zstd frames: encoding with a reused context, and decoding from untrusted bytes with a
// decoder context per thread. The one way the journal and the index files write and read
// their zstd frames.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

struct ZSTD_CCtx_s;

namespace kura::zstd_frame {

/// A compression context, made at the first frame and reused for the next ones. Not
/// thread-safe: one encoder per thread of use.
class encoder {
 public:
  /// Appends `plain` to `out` as one frame at `level` with its content size recorded
  /// (decode() needs it) and returns the frame's size. Errors: io_error (zstd could not
  /// allocate a context or failed); `out` is then as it was.
  result<size_t> append(std::string_view plain, int level, std::string& out) {
    return append(plain, {}, level, out);
  }

  /// The same, but a new block of the frame starts at each of `parts` (ascending offsets
  /// into `plain`) that is at least `min_part` bytes past the last start: each part is
  /// compressed with entropy tables of its own instead of tables fitted to a mix of
  /// unlike streams (the journal's columns: 13 % smaller). The frame decodes as any other.
  result<size_t> append(std::string_view plain, const std::vector<size_t>& parts, int level,
                        std::string& out);

  /// Parts shorter than this share a block with the next: a block's tables cost more than
  /// a short part gains.
  static constexpr size_t min_part = 1024;

 private:
  struct cctx_free {
    void operator()(ZSTD_CCtx_s* cctx) const;
  };
  std::unique_ptr<ZSTD_CCtx_s, cctx_free> cctx_;
};

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
