// Memory for large, densely used arrays (the hot index's term table, posting
// pool and per-term arrays), asking the kernel for transparent huge pages:
// filling them otherwise costs a page fault per 4 KiB, a tenth of the indexing
// time measured on a 1M-event bucket. Where THP is off ("never") this is plain
// aligned memory.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace kura::util {

/// Allocations of at least this many bytes are 2 MiB aligned and advised as huge pages.
constexpr size_t huge_page_bytes = size_t(2) << 20;

/// Like std::malloc (never null: throws std::bad_alloc); free with std::free.
inline void* allocate_maybe_huge(size_t bytes) {
  void* p = nullptr;
  if (bytes >= huge_page_bytes) {
    size_t rounded = (bytes + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
    p = std::aligned_alloc(huge_page_bytes, rounded);
    if (p) ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: a refusal changes nothing
  } else {
    p = std::malloc(bytes ? bytes : 1);
  }
  if (!p) throw std::bad_alloc();
  return p;
}

/// A standard allocator over allocate_maybe_huge, for std::vector.
template <class T>
struct huge_page_allocator {
  using value_type = T;
  huge_page_allocator() = default;
  template <class U>
  huge_page_allocator(const huge_page_allocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(allocate_maybe_huge(n * sizeof(T))); }
  void deallocate(T* p, size_t) { std::free(p); }
  template <class U>
  bool operator==(const huge_page_allocator<U>&) const {
    return true;
  }
};

/// Frees memory of allocate_maybe_huge (for std::unique_ptr).
struct free_deleter {
  void operator()(void* p) const { std::free(p); }
};

}  // namespace kura::util
