// Transactions: commit, rollback on exception, savepoints that keep the outer work, options, a
// transaction dropped while active, and the misuse errors.
#include "support/server.hpp"

#include <turbopg/wire/transaction.hpp>

#include <asio/cancellation_signal.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include <stdexcept>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;
using namespace std::chrono_literals;

namespace {
awaitable<connection> fresh_table(const char* name) {
    auto c = co_await connect_test();
    co_await c.simple_query(std::string("drop table if exists ") + name + "; create table " + name +
                            " (id int primary key)");
    co_return c;
}

// The table's ids in order, e.g. "1,3" ("" when empty).
awaitable<std::string> ids(connection& c, const char* table) {
    co_return co_await c.query_value<std::string>(
        std::string("select coalesce(string_agg(id::text, "
                    "',' order by id), '') from ") +
        table);
}
} // namespace

TEST_CASE("with_transaction commits when the body returns, and the work is invisible before") {
    run([]() -> awaitable<void> {
        auto c = co_await fresh_table("tx_commit");
        auto other = co_await connect_test();
        auto n = co_await with_transaction(c, [&](transaction& tx) -> awaitable<std::int64_t> {
            CHECK(tx.depth() == 0);
            CHECK(tx.conn().transaction_status() == 'T');
            co_await tx.conn().execute("insert into tx_commit values (1), (2)");
            CHECK((co_await ids(other, "tx_commit")).empty());
            co_return co_await tx.conn().query_value<std::int64_t>(
                "select count(*) from tx_commit");
        });
        CHECK(n == 2);
        CHECK(c.transaction_status() == 'I');
        CHECK(co_await ids(other, "tx_commit") == "1,2");
    });
}

TEST_CASE("with_transaction rolls back and rethrows when the body throws") {
    run([]() -> awaitable<void> {
        auto c = co_await fresh_table("tx_throw");
        try {
            co_await with_transaction(c, [&](transaction& tx) -> awaitable<void> {
                co_await tx.conn().execute("insert into tx_throw values (1)");
                throw std::runtime_error("business rule failed");
            });
            FAIL("the body's exception must come out");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "business rule failed");
        }
        CHECK(c.transaction_status() == 'I');
        CHECK((co_await ids(c, "tx_throw")).empty());

        // A server error inside: the error is the server's, and the connection is idle after.
        try {
            co_await with_transaction(c, [&](transaction& tx) -> awaitable<void> {
                co_await tx.conn().execute("insert into tx_throw values (1), (1)");
            });
            FAIL("a duplicate key must fail");
        } catch (const error& e) {
            CHECK(e.sqlstate() == "23505");
        }
        CHECK(c.transaction_status() == 'I');
        CHECK((co_await ids(c, "tx_throw")).empty());

        // A query timeout inside the body: cancelled, rolled back, connection reusable.
        c.set_query_timeout(200ms);
        try {
            co_await with_transaction(c, [&](transaction& tx) -> awaitable<void> {
                co_await tx.conn().execute("insert into tx_throw values (7)");
                co_await tx.conn().execute("select pg_sleep(10)");
            });
            FAIL("the sleep must time out");
        } catch (const error& e) {
            CHECK(e.code() == errc::timeout);
        }
        c.set_query_timeout(0ms);
        CHECK(c.transaction_status() == 'I');
        CHECK((co_await ids(c, "tx_throw")).empty());
    });
}

TEST_CASE("a savepoint rolled back keeps the outer transaction's work") {
    run([]() -> awaitable<void> {
        auto c = co_await fresh_table("tx_savepoint");
        co_await with_transaction(c, [&](transaction& tx) -> awaitable<void> {
            co_await tx.conn().execute("insert into tx_savepoint values (1)");
            try {
                co_await with_savepoint(tx, [&](transaction& sp) -> awaitable<void> {
                    CHECK(sp.depth() == 1);
                    co_await sp.conn().execute("insert into tx_savepoint values (2)");
                    co_await sp.conn().execute("insert into tx_savepoint values (1)"); // 23505
                });
                FAIL("the duplicate must fail");
            } catch (const error& e) {
                CHECK(e.sqlstate() == "23505");
            }
            CHECK(tx.conn().transaction_status() == 'T'); // the outer one goes on
            co_await with_savepoint(tx, [&](transaction& sp) -> awaitable<void> {
                co_await sp.conn().execute("insert into tx_savepoint values (3)");
                // Two levels deep, rolled back by hand.
                auto inner = co_await sp.savepoint();
                CHECK(inner.depth() == 2);
                co_await c.execute("insert into tx_savepoint values (4)");
                co_await inner.rollback();
            });
        });
        CHECK(co_await ids(c, "tx_savepoint") == "1,3");
    });
}

TEST_CASE("transaction options: isolation level, read only, deferrable") {
    run([]() -> awaitable<void> {
        auto c = co_await fresh_table("tx_options");
        transaction_options o;
        o.isolation = isolation_level::serializable;
        o.read_only = true;
        o.deferrable = true;
        co_await with_transaction(c, o, [&](transaction& tx) -> awaitable<void> {
            CHECK(co_await tx.conn().query_value<std::string>("show transaction_isolation") ==
                  "serializable");
            CHECK(co_await tx.conn().query_value<std::string>("show transaction_read_only") ==
                  "on");
            CHECK(co_await tx.conn().query_value<std::string>("show transaction_deferrable") ==
                  "on");
            try {
                co_await tx.conn().execute("insert into tx_options values (1)");
                FAIL("a read-only transaction must refuse writes");
            } catch (const error& e) {
                CHECK(e.sqlstate() == "25006");
            }
            co_await tx.rollback();
        });
        transaction_options rr;
        rr.isolation = isolation_level::repeatable_read;
        auto tx = co_await transaction::begin(c, rr);
        CHECK(co_await c.query_value<std::string>("show transaction_isolation") ==
              "repeatable read");
        co_await tx.commit();
        CHECK(c.transaction_status() == 'I');
    });
}

TEST_CASE("COMMIT of a failed transaction and misuse are loud errors") {
    run([]() -> awaitable<void> {
        auto c = co_await fresh_table("tx_misuse");
        {
            auto tx = co_await transaction::begin(c);
            co_await c.execute("insert into tx_misuse values (1)");
            try {
                co_await c.execute("select 1/0");
            } catch (const error& e) {
                CHECK(e.sqlstate() == "22012"); // caught, but the transaction is failed now
            }
            try {
                co_await tx.commit();
                FAIL("COMMIT of a failed transaction must not pass silently");
            } catch (const error& e) {
                CHECK(e.code() == errc::transaction_rolled_back);
            }
            CHECK(!tx.active());
            try {
                co_await tx.commit();
                FAIL("a finished transaction cannot commit again");
            } catch (const error& e) {
                CHECK(e.code() == errc::transaction_state);
                CHECK(std::string(e.what()).find("already finished") != std::string::npos);
            }
        }
        CHECK((co_await ids(c, "tx_misuse")).empty());

        auto tx = co_await transaction::begin(c);
        try {
            co_await transaction::begin(c);
            FAIL("BEGIN inside a transaction must be refused");
        } catch (const error& e) {
            CHECK(e.code() == errc::transaction_state);
            CHECK(std::string(e.what()).find("savepoint()") != std::string::npos);
        }
        // A savepoint whose work failed: committing it undoes it, the outer one goes on.
        auto sp = co_await tx.savepoint();
        co_await c.execute("insert into tx_misuse values (5)");
        try {
            co_await c.execute("insert into tx_misuse values (5)");
        } catch (const error&) {
        }
        try {
            co_await sp.commit();
            FAIL("releasing a failed savepoint must report the rollback");
        } catch (const error& e) {
            CHECK(e.code() == errc::transaction_rolled_back);
        }
        co_await c.execute("insert into tx_misuse values (6)");
        co_await tx.commit();
        CHECK(co_await ids(c, "tx_misuse") == "6");
    });
}

TEST_CASE("a transaction dropped while active is rolled back before the next query") {
    run([]() -> awaitable<void> {
        auto c = co_await fresh_table("tx_dropped");
        {
            auto tx = co_await transaction::begin(c);
            co_await c.execute("insert into tx_dropped values (1)");
            auto sp = co_await tx.savepoint();
            co_await c.execute("insert into tx_dropped values (2)");
        } // both dropped: ROLLBACK TO the savepoint, then ROLLBACK, queued at once
        // The very next query already runs outside the transaction.
        // (Inside the dropped transaction the insert would have assigned a transaction id.)
        CHECK(co_await c.query_value<bool>("select txid_current_if_assigned() is null"));
        CHECK(c.transaction_status() == 'I');
        CHECK((co_await ids(c, "tx_dropped")).empty());
    });
}

TEST_CASE("a transaction whose query the caller cancels is rolled back and fails as cancelled") {
    // The cancellation stays set in the caller's coroutine; the ROLLBACK must still go out.
    run([]() -> awaitable<void> {
        auto c = co_await fresh_table("tx_cancelled");
        auto ex = co_await asio::this_coro::executor;
        asio::cancellation_signal cancel;
        asio::steady_timer at(ex, 200ms);
        at.async_wait([&](std::error_code) { cancel.emit(asio::cancellation_type::terminal); });
        auto body = [](transaction& tx) -> awaitable<void> {
            co_await tx.conn().execute("insert into tx_cancelled values (1)");
            co_await tx.conn().execute("select pg_sleep(30)");
        };
        auto failed = co_await cancellable(cancel, with_transaction(c, body));
        CHECK(failed == errc::cancelled);
        CHECK(c.transaction_status() == 'I');
        CHECK((co_await ids(c, "tx_cancelled")).empty());
    });
}
