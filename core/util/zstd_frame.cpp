// See zstd_frame.hpp.
#include "core/util/zstd_frame.hpp"

#include <zstd.h>

#include <memory>

namespace kura::zstd_frame {

void encoder::cctx_free::operator()(ZSTD_CCtx_s* cctx) const { ZSTD_freeCCtx(cctx); }

result<size_t> encoder::append(std::string_view plain, const std::vector<size_t>& parts, int level,
                               std::string& out) {
  auto failed = [&](size_t at, std::string what) {
    out.resize(at);
    return error{errc::io_error, "zstd compression failed: " + std::move(what)};
  };
  if (!cctx_) {
    cctx_.reset(ZSTD_createCCtx());
    if (!cctx_) return error{errc::io_error, "cannot allocate a zstd context"};
  }
  auto* cctx = cctx_.get();
  size_t at = out.size();
  if (parts.empty()) {
    out.resize(at + ZSTD_compressBound(plain.size()));
    size_t n = ZSTD_compressCCtx(cctx, out.data() + at, out.size() - at, plain.data(), plain.size(),
                                 level);
    if (ZSTD_isError(n)) return failed(at, ZSTD_getErrorName(n));
    out.resize(at + n);
    return n;
  }
  // Each part but the last is flushed, which ends the block it is in; a block header is
  // 3 bytes, and a part that does not compress is stored raw.
  out.resize(at + ZSTD_compressBound(plain.size()) + 8 * (parts.size() + 1));
  for (size_t r : {ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters),
                   ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level),
                   ZSTD_CCtx_setPledgedSrcSize(cctx, plain.size())})
    if (ZSTD_isError(r)) return failed(at, ZSTD_getErrorName(r));
  ZSTD_outBuffer dst{out.data() + at, out.size() - at, 0};
  size_t from = 0;
  auto compress = [&](size_t to, ZSTD_EndDirective mode) {
    ZSTD_inBuffer src{plain.data() + from, to - from, 0};
    size_t left = ZSTD_compressStream2(cctx, &dst, &src, mode);
    from = to;
    if (ZSTD_isError(left)) return std::string{ZSTD_getErrorName(left)};
    return left == 0 && src.pos == src.size ? std::string{} : std::string{"output bound too small"};
  };
  for (size_t start : parts) {
    if (start > plain.size() || start < from + min_part) continue;
    if (auto err = compress(start, ZSTD_e_flush); !err.empty()) return failed(at, err);
  }
  if (auto err = compress(plain.size(), ZSTD_e_end); !err.empty()) return failed(at, err);
  out.resize(at + dst.pos);
  return dst.pos;
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
