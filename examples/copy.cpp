// Bulk-load rows with binary COPY, then stream them back out.
// Usage: copy [CONNINFO]   (libpq syntax; PG* environment variables apply)
#include <turbopg/wire/connection.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <iostream>
#include <optional>
#include <string>

namespace pg = turbopg::wire;

struct reading {
    std::int64_t sensor;
    double value;
    std::optional<std::string> note; // NULL reads as an empty optional
};

asio::awaitable<void> run(std::string conninfo) {
    auto conn = co_await pg::connection::connect(co_await asio::this_coro::executor, conninfo);
    co_await conn.execute("create temp table reading (sensor int8, value float8, note text)");

    // Rows of C++ values, encoded in the binary COPY format and streamed in bounded memory.
    auto in = co_await conn.copy_in_rows<std::int64_t, double, std::optional<std::string>>(
        "copy reading (sensor, value, note) from stdin (format binary)");
    for (std::int64_t i = 0; i < 100'000; ++i) {
        std::optional<std::string> note;
        if (i % 1000 == 0) note = "checked";
        co_await in.write_row(i, i * 0.5, note);
    }
    std::cout << co_await in.finish() << " rows loaded\n";

    // And back: each row decoded as it arrives.
    double total = 0;
    auto n = co_await conn.copy_out_rows<reading>(
        "copy (select * from reading where note is not null) to stdout (format binary)",
        [&](reading&& r) { total += r.value; });
    std::cout << n << " checked readings, total " << total << '\n';
    co_await conn.close();
}

int main(int argc, char** argv) {
    asio::io_context ctx;
    asio::co_spawn(ctx, run(argc > 1 ? argv[1] : ""), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    try {
        ctx.run();
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return 1;
    }
}
