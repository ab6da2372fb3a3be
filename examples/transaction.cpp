// A transfer in a transaction: committed when the body returns, rolled back when it throws; a
// savepoint undoes only its own part.
// Usage: transaction [CONNINFO]
#include <turbopg/wire/transaction.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <iostream>
#include <stdexcept>
#include <string>

namespace pg = turbopg::wire;

asio::awaitable<void> transfer(pg::connection& conn, std::int64_t from, std::int64_t to,
                               double amount) {
    co_await pg::with_transaction(conn, [&](pg::transaction& tx) -> asio::awaitable<void> {
        co_await tx.conn().execute("update account set balance = balance - $1 where id = $2",
                                   amount, from);
        co_await tx.conn().execute("update account set balance = balance + $1 where id = $2",
                                   amount, to);
        auto low = co_await tx.conn().query_value<double>(
            "select balance from account where id = $1", from);
        if (low < 0) throw std::runtime_error("insufficient funds"); // rolls back both updates

        // Best effort inside the transfer: a failed audit row undoes only itself.
        try {
            co_await pg::with_savepoint(tx, [&](pg::transaction& sp) -> asio::awaitable<void> {
                co_await sp.conn().execute("insert into audit values ($1)", "transfer");
            });
        } catch (const pg::error& e) {
            std::cout << "audit skipped: SQLSTATE " << e.sqlstate() << '\n';
        }
    });
}

asio::awaitable<void> run(std::string conninfo) {
    auto conn = co_await pg::connection::connect(co_await asio::this_coro::executor, conninfo);
    co_await conn.simple_query("create temp table account (id int8 primary key, balance float8);"
                               "insert into account values (1, 100), (2, 0);"
                               "create temp table audit (what varchar(4))"); // too short: fails

    co_await transfer(conn, 1, 2, 30);
    try {
        co_await transfer(conn, 1, 2, 500);
    } catch (const std::runtime_error& e) {
        std::cout << "transfer refused: " << e.what() << '\n';
    }
    for (auto [id, balance] : co_await conn.query_as<std::tuple<std::int64_t, double>>(
             "select id, balance from account order by id"))
        std::cout << "account " << id << ": " << balance << '\n'; // 70 and 30
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
