// Connect, run parameterised queries, read rows as tuples and structs.
// Usage: quickstart [CONNINFO]   (libpq syntax; PG* environment variables apply)
#include <turbopg/wire/connection.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <iostream>
#include <optional>
#include <string>

namespace pg = turbopg::wire;

struct book {
    std::int64_t id;
    std::string title;
    std::optional<double> price; // NULL reads as an empty optional
};

asio::awaitable<void> run(std::string conninfo) {
    auto conn = co_await pg::connection::connect(co_await asio::this_coro::executor, conninfo);

    co_await conn.execute("create temp table book (id int8, title text, price float8)");
    co_await conn.execute("insert into book values ($1, $2, $3), ($4, $5, $6)", std::int64_t{1},
                          "Dune", 9.5, std::int64_t{2}, "Emma", std::nullopt);

    // One value, one row, every row: typed, checked against the column types.
    auto count = co_await conn.query_value<std::int64_t>("select count(*) from book");
    for (const book& b : co_await conn.query_as<book>("select id, title, price from book"))
        std::cout << b.id << ' ' << b.title << ' ' << b.price.value_or(0) << '\n';

    // Or untyped: columns by index or name.
    auto result = co_await conn.query("select title from book where price > $1", 5.0);
    for (auto row : result)
        std::cout << row.get<std::string>("title") << '\n';
    std::cout << count << " books\n";

    try {
        co_await conn.query("select * from missing_table");
    } catch (const pg::error& e) {
        std::cout << "SQLSTATE " << e.sqlstate() << ": " << e.diagnostics()->message << '\n';
    }
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
