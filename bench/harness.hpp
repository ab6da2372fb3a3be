// What every turbopg workload shares: its arguments, the timed section (wall time, client CPU
// and allocations) and the line it prints, and small helpers to run coroutines to completion.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace turbopg::bench {

struct workload_args {
    std::string url;
    long ops = 0; // what the workload does N times (queries, rows); as given or its default
};

struct measurement {
    long ops = 0;
    double seconds = 0;     // wall time of the timed section
    double cpu_seconds = 0; // user + system CPU of this process in the timed section
    std::optional<std::uint64_t> allocations; // in the timed section, when counted
    std::string check;                        // a checksum of the values read, if any
};

// The line of the format (shared with ../shared/peers), plus check= and allocs= when
// there are any.
std::string format_line(std::string_view workload, const measurement& m);

// Starts measuring when constructed; finish() stops.
class timed_section {
public:
    timed_section() noexcept;
    measurement finish(long ops, std::string check = {}) const;

private:
    double wall0_;
    double cpu0_;
    std::optional<std::uint64_t> allocations0_;
};

// Thrown when a value read back is not the one expected.
struct check_failed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The argument of the i-th point query (the libpq baseline uses the same).
inline std::int32_t param_of(long i) {
    return static_cast<std::int32_t>(i * 7919L % 1000003L);
}

// Runs `a` on `io` until it completes; returns its value or rethrows its exception. Work that
// remains (a connection's reader) is left for the next call.
template <class T>
T block_on(asio::io_context& io, asio::awaitable<T> a) {
    std::optional<T> value;
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T v) {
        failure = e;
        if (!e) value.emplace(std::move(v));
        io.stop(); // a connection keeps reading in the background: run() would not return
    });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*value);
}
void block_on(asio::io_context& io, asio::awaitable<void> a);

// Runs worker(0) ... worker(n - 1) concurrently on `io` until all complete; rethrows the first
// failure. `worker` must outlive the call (the coroutines refer to it).
void run_workers(asio::io_context& io, std::size_t n,
                 const std::function<asio::awaitable<void>(std::size_t)>& worker);

} // namespace turbopg::bench
