// Atomic blocks against the real server: commit and rollback, savepoints, on_commit, options,
// select_for_update between two connections, retry_transaction and named databases.
#include "support/server.hpp"

#include <turbopg/orm/atomic.hpp>
#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/schema.hpp>

#include <asio/this_coro.hpp>

#include <stdexcept>

using namespace turbopg;
using namespace turbopg::orm;
using namespace turbopg::test;
using asio::awaitable;

// Models live in a named namespace: clang 14 cannot reflect a struct without linkage.
namespace atomic_test {
struct TxAccount {
    primary_key<> id;
    varchar<50> owner;
    std::int64_t balance = 0;
};

// A fresh "tx_account" table: ann 100, bob 50.
awaitable<void> fresh_accounts(wire::connection& c) {
    co_await drop_table<TxAccount>(c);
    co_await create_table<TxAccount>(c);
    co_await c.execute("insert into tx_account (owner, balance) values ('ann', 100), ('bob', 50)");
}

auto accounts(database db) {
    return objects<TxAccount>().using_(db);
}

// The owners of the rows `c` can lock (skip_locked, `of` as given), in a transaction of its own.
awaitable<std::string> lockable_owners(wire::connection& c, std::vector<std::string> of = {}) {
    const lock_options skip_locked{.skip_locked = true, .of = std::move(of)};
    co_return co_await atomic(c, [&](atomic_block& blk) -> awaitable<std::string> {
        std::string owners;
        auto rows =
            co_await accounts(blk.db()).all().order_by("id").select_for_update(skip_locked).fetch();
        for (auto& r : rows)
            owners += r.owner.value + ";";
        co_return owners;
    });
}

awaitable<std::int64_t> balance(database db, const char* owner) {
    auto a = co_await accounts(db).get(F(&TxAccount::owner) == owner);
    co_return a.balance;
}

awaitable<void> add_to(database db, const char* owner, std::int64_t amount) {
    co_await accounts(db)
        .filter(F(&TxAccount::owner) == owner)
        .update(set(&TxAccount::balance, F(&TxAccount::balance) + amount));
}

// Raises an error with SQLSTATE `state` on the server.
awaitable<void> provoke(wire::connection& c, const std::string& state) {
    auto sql = "do $$ begin raise exception 'provoked' using errcode = '" + state + "'; end $$";
    co_await c.simple_query(sql);
}
} // namespace atomic_test
using namespace atomic_test;

TEST_CASE(
    "orm atomic: commits when the body returns; the block's querysets run on its connection") {
    run([]() -> awaitable<void> {
        auto other = co_await connect_test();
        co_await fresh_accounts(other);
        wire::pool pool(co_await asio::this_coro::executor, test_url(), {.max_size = 2});
        auto v = co_await atomic(pool, [&](atomic_block& blk) -> awaitable<int> {
            CHECK(blk.depth() == 0);
            CHECK(pool.stats().in_use == 1);
            CHECK(blk.connection().transaction_status() == 'T');
            co_await add_to(blk.db(), "ann", 5);
            CHECK(co_await balance(blk.db(), "ann") == 105);
            CHECK(co_await balance(other, "ann") == 100); // not committed yet
            co_return 42;
        });
        CHECK(v == 42);
        CHECK(co_await balance(other, "ann") == 105);
        CHECK(pool.stats().in_use == 0);
        co_await pool.close();
    });
}

TEST_CASE("orm atomic: an exception rolls the block back and comes out") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_accounts(c);
        CHECK_THROWS_WITH_AS(co_await atomic(c,
                                             [&](atomic_block& blk) -> awaitable<void> {
                                                 co_await add_to(blk.db(), "ann", 5);
                                                 throw std::runtime_error("rule broken");
                                             }),
                             "rule broken", std::runtime_error);
        CHECK(c.transaction_status() == 'I');
        CHECK(co_await balance(c, "ann") == 100);
    });
}

TEST_CASE("orm atomic: a savepoint's rollback keeps the outer work") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_accounts(c);
        co_await atomic(c, [&](atomic_block& outer) -> awaitable<void> {
            co_await add_to(outer.db(), "ann", 1);
            try {
                co_await atomic(outer, [&](atomic_block& inner) -> awaitable<void> {
                    CHECK(inner.depth() == 1);
                    co_await add_to(inner.db(), "bob", 1000);
                    throw std::runtime_error("inner failed");
                });
                FAIL("the savepoint's exception must come out");
            } catch (const std::runtime_error&) {
            }
            CHECK(co_await balance(outer.db(), "bob") == 50);
            // atomic() on a block's database nests too; this savepoint is released.
            co_await atomic(outer.db(), [&](atomic_block& inner) -> awaitable<void> {
                CHECK(inner.depth() == 1);
                co_await add_to(inner.db(), "bob", 7);
            });
            co_await add_to(outer.db(), "ann", 1);
        });
        CHECK(co_await balance(c, "ann") == 102);
        CHECK(co_await balance(c, "bob") == 57);
    });
}

TEST_CASE("orm atomic: on_commit runs after the outermost commit, in order, and is dropped "
          "with what rolls back") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_accounts(c);
        std::string log;
        co_await atomic(c, [&](atomic_block& outer) -> awaitable<void> {
            outer.on_commit([&] { log += "a"; });
            co_await atomic(outer, [&](atomic_block& inner) -> awaitable<void> {
                inner.on_commit([&] { log += "b"; });
                co_await atomic(inner, [&](atomic_block& innermost) -> awaitable<void> {
                    innermost.on_commit([&] { log += "c"; });
                    co_return;
                });
            });
            try {
                co_await atomic(outer, [&](atomic_block& inner) -> awaitable<void> {
                    inner.on_commit([&] { log += "x"; });
                    co_await atomic(inner, [&](atomic_block& innermost) -> awaitable<void> {
                        innermost.on_commit([&] { log += "y"; });
                        co_return;
                    });
                    throw std::runtime_error("undo x and y");
                });
            } catch (const std::runtime_error&) {
            }
            outer.on_commit([&] { log += "d"; });
            CHECK(log.empty()); // nothing before the commit
            co_return;
        });
        CHECK(log == "abcd");

        log.clear();
        CHECK_THROWS_AS(co_await atomic(c,
                                        [&](atomic_block& blk) -> awaitable<void> {
                                            blk.on_commit([&] { log += "z"; });
                                            co_await atomic(
                                                blk, [&](atomic_block& inner) -> awaitable<void> {
                                                    inner.on_commit([&] { log += "w"; });
                                                    co_return;
                                                });
                                            throw std::runtime_error("roll back");
                                        }),
                        std::runtime_error);
        CHECK(log.empty());
    });
}

TEST_CASE("orm atomic: a body that rolls its own block back drops that block's on_commit") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_accounts(c);
        std::string log;
        co_await atomic(c, [&](atomic_block& outer) -> awaitable<void> {
            outer.on_commit([&] { log += "a"; });
            co_await atomic(outer, [&](atomic_block& inner) -> awaitable<void> {
                inner.on_commit([&] { log += "x"; });
                co_await add_to(inner.db(), "ann", 1);
                co_await inner.transaction().rollback(); // and returns normally
            });
            outer.on_commit([&] { log += "b"; });
        });
        CHECK(log == "ab");
        CHECK(co_await balance(c, "ann") == 100);

        log.clear();
        co_await atomic(c, [&](atomic_block& blk) -> awaitable<void> {
            blk.on_commit([&] { log += "z"; });
            co_await add_to(blk.db(), "bob", 1);
            co_await blk.transaction().rollback();
        });
        CHECK(log.empty());
        CHECK(co_await balance(c, "bob") == 50);
    });
}

TEST_CASE("orm atomic: a body that swallowed a statement's error fails at COMMIT; no on_commit") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_accounts(c);
        bool ran = false;
        auto body = [&](atomic_block& blk) -> awaitable<void> {
            blk.on_commit([&] { ran = true; });
            co_await add_to(blk.db(), "ann", 5);
            try {
                co_await provoke(blk.connection(), "22012");
            } catch (const wire::error&) {
            }
        };
        try {
            co_await atomic(c, body);
            FAIL("COMMIT of a failed transaction must throw");
        } catch (const wire::error& e) {
            CHECK(e.code() == wire::errc::transaction_rolled_back);
        }
        CHECK_FALSE(ran);
        CHECK(c.transaction_status() == 'I');
        CHECK(co_await balance(c, "ann") == 100);
    });
}

TEST_CASE("orm atomic: isolation level and read only; their misuse") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_accounts(c);
        atomic_options serializable_ro{.isolation = isolation_level::serializable,
                                       .read_only = true};
        co_await atomic(c, serializable_ro, [&](atomic_block& blk) -> awaitable<void> {
            CHECK(co_await blk.connection().query_value<std::string>(
                      "select current_setting('transaction_isolation')") == "serializable");
            // Options belong to the outermost block.
            CHECK_THROWS_AS(co_await atomic(blk.db(), serializable_ro,
                                            [](atomic_block&) -> awaitable<void> { co_return; }),
                            orm::error);
            // A write fails; inside a savepoint, the outer block goes on.
            std::string state;
            try {
                co_await atomic(blk, [&](atomic_block& inner) -> awaitable<void> {
                    co_await add_to(inner.db(), "ann", 1);
                });
            } catch (const wire::error& e) {
                state = e.sqlstate();
            }
            CHECK(state == "25006"); // read_only_sql_transaction
            CHECK(co_await balance(blk.db(), "ann") == 100);
        });
        co_await c.execute("begin");
        try {
            co_await atomic(c, [](atomic_block&) -> awaitable<void> { co_return; });
            FAIL("atomic() on a connection in a transaction must throw");
        } catch (const wire::error& e) {
            CHECK(e.code() == wire::errc::transaction_state);
        }
        co_await c.execute("rollback");
    });
}

TEST_CASE("orm select_for_update: nowait fails with 55P03 on a locked row, skip_locked skips it") {
    run([]() -> awaitable<void> {
        auto a = co_await connect_test();
        auto b = co_await connect_test();
        co_await fresh_accounts(a);
        co_await atomic(a, [&](atomic_block& blk_a) -> awaitable<void> {
            auto locked = co_await accounts(blk_a.db())
                              .filter(F(&TxAccount::owner) == "ann")
                              .select_for_update()
                              .fetch();
            CHECK(locked.size() == 1);

            std::string state;
            try {
                co_await atomic(b, [&](atomic_block& blk_b) -> awaitable<void> {
                    co_await accounts(blk_b.db())
                        .filter(F(&TxAccount::owner) == "ann")
                        .select_for_update({.nowait = true})
                        .fetch();
                });
            } catch (const wire::error& e) {
                state = e.sqlstate();
            }
            CHECK(state == "55P03"); // lock_not_available
            CHECK(b.transaction_status() == 'I');

            CHECK(co_await lockable_owners(b) == "bob;");
        });
    });
}

TEST_CASE("orm select_for_update in a subquery: an UPDATE outside a transaction claims the rows "
          "no one has locked") {
    // The job-queue pattern, UPDATE ... WHERE id IN (SELECT id ... FOR UPDATE SKIP LOCKED): the
    // subquery's locks last as long as the statement that needs them, so it runs in autocommit
    // too (only a queryset evaluated with select_for_update needs a transaction block).
    run([]() -> awaitable<void> {
        auto a = co_await connect_test();
        auto b = co_await connect_test();
        co_await fresh_accounts(a);
        const lock_options skip_locked{.skip_locked = true};
        co_await atomic(a, [&](atomic_block& blk_a) -> awaitable<void> {
            auto locked = co_await accounts(blk_a.db())
                              .filter(F(&TxAccount::owner) == "ann")
                              .select_for_update()
                              .fetch();
            CHECK(locked.size() == 1);
            auto claimable =
                accounts(b).select_for_update(skip_locked).values_list(F(&TxAccount::id));
            auto claimed = co_await accounts(b)
                               .filter(F(&TxAccount::id).in(Subquery(claimable.flat())))
                               .update(set(&TxAccount::balance, F(&TxAccount::balance) + 1));
            CHECK(claimed == 1);
            CHECK(b.transaction_status() == 'I');
        });
        CHECK(co_await balance(database(a), "ann") == 100);
        CHECK(co_await balance(database(a), "bob") == 51);
    });
}

TEST_CASE(
    "orm select_for_update: of \"self\" locks the model's rows; a table not in FROM is 42P01") {
    run([]() -> awaitable<void> {
        auto a = co_await connect_test();
        auto b = co_await connect_test();
        co_await fresh_accounts(a);
        // Not braced inside the co_await expressions (g++ 12).
        const std::vector<std::string> own_table{"self"};
        const lock_options own_rows{.of = own_table};
        const lock_options other_table{.of = {"elsewhere"}};
        co_await atomic(a, [&](atomic_block& blk_a) -> awaitable<void> {
            auto locked = co_await accounts(blk_a.db())
                              .filter(F(&TxAccount::owner) == "bob")
                              .select_for_update(own_rows)
                              .fetch();
            CHECK(locked.size() == 1);
            CHECK(co_await lockable_owners(b, own_table) == "ann;");
        });
        std::string state;
        try {
            co_await atomic(b, [&](atomic_block& blk) -> awaitable<void> {
                co_await accounts(blk.db()).select_for_update(other_table).fetch();
            });
        } catch (const wire::error& e) {
            state = e.sqlstate();
        }
        CHECK(state == "42P01");
    });
}

TEST_CASE("orm retry_transaction: runs the block again after a serialization failure (40001)") {
    run([]() -> awaitable<void> {
        auto a = co_await connect_test();
        auto b = co_await connect_test();
        co_await fresh_accounts(a);
        int runs = 0;
        retry_options o{.attempts = 3,
                        .backoff = std::chrono::milliseconds(1),
                        .transaction = {.isolation = isolation_level::serializable}};
        auto body = [&](atomic_block& blk) -> awaitable<std::int64_t> {
            ++runs;
            auto seen = co_await balance(blk.db(), "ann"); // the snapshot is taken here
            // The first time, another transaction changes the row meanwhile and commits.
            if (runs == 1) co_await add_to(a, "ann", 1);
            co_await accounts(blk.db())
                .filter(F(&TxAccount::owner) == "ann")
                .update(set(&TxAccount::balance, seen + 10));
            co_return seen;
        };
        auto seen = co_await retry_transaction(b, body, o);
        CHECK(runs == 2);
        CHECK(seen == 101);
        CHECK(co_await balance(a, "ann") == 111);
    });
}

TEST_CASE("orm retry_transaction: deadlocks are retried; other errors and the last retryable one "
          "propagate") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_accounts(c);
        retry_options fast{.attempts = 3, .backoff = std::chrono::milliseconds(1)};
        int runs = 0;

        auto deadlock_once = [&](atomic_block& blk) -> awaitable<int> {
            if (++runs == 1) co_await provoke(blk.connection(), "40P01");
            co_return runs;
        };
        CHECK(co_await retry_transaction(c, deadlock_once, fast) == 2);

        runs = 0;
        std::string state;
        try {
            co_await retry_transaction(
                c,
                [&](atomic_block& blk) -> awaitable<void> {
                    ++runs;
                    co_await provoke(blk.connection(), "40001");
                },
                fast);
        } catch (const wire::error& e) {
            state = e.sqlstate();
        }
        CHECK(runs == 3);
        CHECK(state == "40001");

        runs = 0;
        state.clear();
        try {
            co_await retry_transaction(
                c,
                [&](atomic_block& blk) -> awaitable<void> {
                    ++runs;
                    co_await provoke(blk.connection(), "23505");
                },
                fast);
        } catch (const wire::error& e) {
            state = e.sqlstate();
        }
        CHECK(runs == 1);
        CHECK(state == "23505");

        runs = 0;
        CHECK_THROWS_AS(co_await retry_transaction(
                            c,
                            [&](atomic_block&) -> awaitable<void> {
                                ++runs;
                                throw std::runtime_error("not a database error");
                            },
                            fast),
                        std::runtime_error);
        CHECK(runs == 1);

        // Only the outermost transaction can be retried; attempts must be positive.
        co_await atomic(c, [&](atomic_block& blk) -> awaitable<void> {
            CHECK_THROWS_AS(co_await retry_transaction(
                                blk.db(), [](atomic_block&) -> awaitable<void> { co_return; }),
                            orm::error);
        });
        CHECK_THROWS_AS(
            co_await retry_transaction(c, [](atomic_block&) -> awaitable<void> { co_return; },
                                       {.attempts = 0}),
            orm::error);
        CHECK(c.transaction_status() == 'I');
    });
}

namespace atomic_test {
struct TxRouted {
    primary_key<> id;
    std::int32_t n = 0;
    static constexpr model_meta meta{.table = "tx_routed"};
};

// Removes the databases a test registered, whatever happens.
struct registered {
    std::vector<std::string> names;
    ~registered() {
        for (const auto& n : names)
            database::remove(n);
    }
};
} // namespace atomic_test

TEST_CASE("orm using_: querysets run on the named database") {
    run([]() -> awaitable<void> {
        auto primary = co_await connect_test();
        auto replica = co_await connect_test();
        // A temporary table of the same name in each session, with different rows, tells the
        // two apart.
        co_await primary.simple_query(
            "create temp table tx_routed (id bigint primary key, n int4 not null);"
            "insert into tx_routed values (1, 10)");
        co_await replica.simple_query(
            "create temp table tx_routed (id bigint primary key, n int4 not null);"
            "insert into tx_routed values (1, 20), (2, 21), (3, 22)");
        registered cleanup{{"default", "replica"}};
        database::add("default", primary);
        database::add("replica", replica);
        CHECK(co_await objects<TxRouted>().count() == 1);
        CHECK(co_await objects<TxRouted>().using_("replica").count() == 3);
        auto first = co_await objects<TxRouted>().using_("replica").order_by("id").first();
        REQUIRE(first.has_value());
        CHECK(first->n == 20);
        // The same queryset moved to the other database.
        auto big = objects<TxRouted>().filter(F(&TxRouted::n) >= 10);
        CHECK(co_await big.count() == 1);
        CHECK(co_await big.using_("replica").count() == 3);
        // An atomic block on a named database.
        co_await atomic(database::named("replica"), [&](atomic_block& blk) -> awaitable<void> {
            co_await objects<TxRouted>().using_(blk.db()).filter(F(&TxRouted::n) > 20).delete_();
        });
        CHECK(co_await objects<TxRouted>().using_("replica").count() == 1);
        CHECK_THROWS_AS(objects<TxRouted>().using_("nope"), orm::error);
    });
}
