// See zstd_frame.hpp.
#include "core/util/zstd_frame.hpp"

#include <zstd.h>

#include <memory>

namespace kura::zstd_frame {

void encoder::cctx_free::operator()(ZSTD_CCtx_s* cctx) const { ZSTD_freeCCtx(cctx); }

result<size_t> encoder::append(std::string_view plain, int level, std::string& out) {
  if (!cctx_) {
    cctx_.reset(ZSTD_createCCtx());
    if (!cctx_) return error{errc::io_error, "cannot allocate a zstd context"};
  }
  size_t at = out.size();
  out.resize(at + ZSTD_compressBound(plain.size()));
  size_t n = ZSTD_compressCCtx(cctx_.get(), out.data() + at, out.size() - at, plain.data(),
                               plain.size(), level);
  if (ZSTD_isError(n)) {
    out.resize(at);
    return error{errc::io_error, std::string{"zstd compression failed: "} + ZSTD_getErrorName(n)};
  }
  out.resize(at + n);
  return n;
}

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
