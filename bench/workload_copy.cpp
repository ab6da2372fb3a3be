#include "input_rows.hpp"
#include "workloads.hpp"

#include <turbopg/wire/connection.hpp>

#include <string>
#include <string_view>

namespace turbopg::bench {

measurement copy_in(const workload_args& a) {
    const auto input = generate_input_rows(a.ops);
    asio::io_context io{1};
    auto conn = block_on(io, wire::connection::connect(io.get_executor(), a.url));
    block_on(io, [&]() -> asio::awaitable<void> { co_await conn.execute("TRUNCATE bench_in"); }());

    timed_section t;
    block_on(io, [&]() -> asio::awaitable<void> {
        auto in =
            co_await conn.copy_in_rows<std::int64_t, std::string_view, double,
                                       std::chrono::sys_time<std::chrono::microseconds>, bool>(
                "COPY bench_in (id, name, score, created, flag) FROM STDIN (FORMAT binary)");
        co_await in.write_rows(input);
        auto copied = co_await in.finish();
        if (copied != static_cast<std::uint64_t>(a.ops))
            throw check_failed("COPY reported " + std::to_string(copied) + " rows");
    }());
    auto m = t.finish(a.ops);
    block_on(io, conn.close());
    return m;
}

} // namespace turbopg::bench
