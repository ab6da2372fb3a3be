// ORM transactions: an atomic block commits when its body returns and rolls back when it throws;
// its querysets run inside it through using_(blk.db()); on_commit runs after the COMMIT; a
// serializable block is retried on conflicts; iterator() reads a table in chunks.
// Usage: orm_transaction [CONNINFO]
#include <turbopg/orm/atomic.hpp>
#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/schema.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <iostream>
#include <stdexcept>
#include <string>

namespace orm = turbopg::orm;
using orm::F;

struct Wallet {
    orm::primary_key<> id;
    orm::varchar<50> owner;
    double balance = 0;
};

asio::awaitable<void> transfer(orm::database db, std::string from, std::string to, double amount) {
    orm::retry_options serializable{
        .transaction = {.isolation = orm::isolation_level::serializable}};
    co_await orm::retry_transaction(
        db,
        [&](orm::atomic_block& blk) -> asio::awaitable<void> {
            auto wallets = orm::objects<Wallet>().using_(blk.db()); // inside the transaction
            co_await wallets.filter(F(&Wallet::owner) == from)
                .update(orm::set(&Wallet::balance, F(&Wallet::balance) - amount));
            co_await wallets.filter(F(&Wallet::owner) == to)
                .update(orm::set(&Wallet::balance, F(&Wallet::balance) + amount));
            if ((co_await wallets.get(F(&Wallet::owner) == from)).balance < 0)
                throw std::runtime_error("insufficient funds"); // rolls both updates back
            blk.on_commit([=] { std::cout << from << " sent " << amount << " to " << to << '\n'; });
        },
        serializable);
}

asio::awaitable<void> run(std::string conninfo) {
    turbopg::wire::pool pool(co_await asio::this_coro::executor, conninfo, {.max_size = 4});
    co_await orm::drop_table<Wallet>(pool);
    co_await orm::create_table<Wallet>(pool);
    co_await pool.execute("insert into wallet (owner, balance) values ('ann', 100), ('bob', 0)");

    co_await transfer(pool, "ann", "bob", 30);
    try {
        co_await transfer(pool, "ann", "bob", 500);
    } catch (const std::runtime_error& e) {
        std::cout << "transfer refused: " << e.what() << '\n';
    }

    auto it = orm::objects<Wallet>().using_(pool).order_by("owner").iterator(1000);
    for (auto chunk = co_await it.next(); !chunk.empty(); chunk = co_await it.next())
        for (const auto& w : chunk)
            std::cout << w.owner.value << ": " << w.balance << '\n'; // ann: 70, bob: 30

    co_await orm::drop_table<Wallet>(pool);
    co_await pool.close();
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
