// Counts every heap allocation of the process: the C allocation functions are replaced by
// counting ones on top of glibc's own (__libc_malloc and friends), so operator new (libstdc++'s
// calls malloc or aligned_alloc), Asio's recycling allocator when it misses (aligned_alloc), and
// C code are all counted, each allocation once. free() stays glibc's.
#include "alloc_count.hpp"

#include <atomic>
#include <cerrno>
#include <cstddef>

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t n, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t align, std::size_t size);
}

namespace {

std::atomic<std::uint64_t> allocations{0};

void count() noexcept {
    allocations.fetch_add(1, std::memory_order_relaxed);
}

} // namespace

namespace turbopg::bench {

std::optional<std::uint64_t> allocations_so_far() noexcept {
    return allocations.load(std::memory_order_relaxed);
}

} // namespace turbopg::bench

extern "C" {

void* malloc(std::size_t size) {
    count();
    return __libc_malloc(size);
}

void* calloc(std::size_t n, std::size_t size) {
    count();
    return __libc_calloc(n, size);
}

// Counted as an allocation: it may move the block (and realloc(nullptr, n) is malloc(n)).
void* realloc(void* p, std::size_t size) {
    count();
    return __libc_realloc(p, size);
}

void* aligned_alloc(std::size_t align, std::size_t size) {
    count();
    return __libc_memalign(align, size);
}

void* memalign(std::size_t align, std::size_t size) {
    count();
    return __libc_memalign(align, size);
}

int posix_memalign(void** out, std::size_t align, std::size_t size) {
    if (align % sizeof(void*) != 0 || (align & (align - 1)) != 0) return EINVAL;
    count();
    void* p = __libc_memalign(align, size);
    if (p == nullptr) return ENOMEM;
    *out = p;
    return 0;
}

} // extern "C"
