#include "harness.hpp"

#include "alloc_count.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>

namespace turbopg::bench {
namespace {

double wall_now() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

double cpu_now() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return s(ru.ru_utime) + s(ru.ru_stime);
}

} // namespace

timed_section::timed_section() noexcept
    : wall0_(wall_now())
    , cpu0_(cpu_now())
    , allocations0_(allocations_so_far()) {}

measurement timed_section::finish(long ops, std::string check) const {
    measurement m;
    m.seconds = wall_now() - wall0_;
    m.cpu_seconds = cpu_now() - cpu0_;
    if (auto now = allocations_so_far(); now && allocations0_)
        m.allocations = *now - *allocations0_;
    m.ops = ops;
    m.check = std::move(check);
    return m;
}

std::string format_line(std::string_view workload, const measurement& m) {
    char buf[512];
    int n =
        std::snprintf(buf, sizeof buf,
                      "workload=%.*s peer=turbopg ops=%ld seconds=%.6f ops_per_s=%.1f cpu_s=%.3f",
                      static_cast<int>(workload.size()), workload.data(), m.ops, m.seconds,
                      static_cast<double>(m.ops) / m.seconds, m.cpu_seconds);
    std::string line(buf, static_cast<std::size_t>(n));
    if (!m.check.empty()) line += " check=" + m.check;
    if (m.allocations) {
        std::snprintf(buf, sizeof buf, " allocs=%llu allocs_per_op=%.3f",
                      static_cast<unsigned long long>(*m.allocations),
                      static_cast<double>(*m.allocations) / static_cast<double>(m.ops));
        line += buf;
    }
    return line;
}

void block_on(asio::io_context& io, asio::awaitable<void> a) {
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(a), [&](std::exception_ptr e) {
        failure = e;
        io.stop();
    });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
}

void run_workers(asio::io_context& io, std::size_t n,
                 const std::function<asio::awaitable<void>(std::size_t)>& worker) {
    std::exception_ptr failure;
    std::size_t running = n;
    for (std::size_t k = 0; k < n; ++k)
        asio::co_spawn(io, worker(k), [&](std::exception_ptr e) {
            if (e && !failure) failure = e;
            if (--running == 0) io.stop();
        });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
}

} // namespace turbopg::bench
