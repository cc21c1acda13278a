// See zstd_frame.hpp.
#include "core/util/zstd_frame.hpp"

#include <zstd.h>

#include <memory>

namespace kura::zstd_frame {

status decode(std::string_view frame, uint64_t max_size, std::string& out) {
  auto size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size > max_size)
    return status::bad_size;
  thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx{ZSTD_createDCtx(),
                                                                         &ZSTD_freeDCtx};
  if (!dctx) return status::no_memory;
  out.resize(size);
  size_t n = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), frame.data(), frame.size());
  return ZSTD_isError(n) || n != size ? status::undecodable : status::ok;
}

}  // namespace kura::zstd_frame
