// Queries on one connection: typed results, pipelining from many coroutines, errors that fail
// only their own request, statement cache recovery, timeouts, cancellation, a killed backend.
#include "support/cluster_control.hpp"
#include "support/server.hpp"

#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <optional>
#include <stdexcept>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;
using namespace std::chrono_literals;

namespace {
struct book {
    std::int64_t id;
    std::string title;
    std::optional<double> price;
};
} // namespace

TEST_CASE("typed results: values, tuples, structs, NULLs, rows affected") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("drop table if exists q_book");
        co_await c.execute(
            "create table q_book (id int8 primary key, title text not null, price float8)");
        CHECK(co_await c.execute("insert into q_book values ($1, $2, $3), ($4, $5, $6)",
                                 std::int64_t{1}, "Dune", 9.5, std::int64_t{2}, std::string("Emma"),
                                 std::optional<double>{}) == 2);
        auto books = co_await c.query_as<book>("select id, title, price from q_book order by id");
        REQUIRE(books.size() == 2);
        CHECK(books[0].title == "Dune");
        CHECK(books[0].price == 9.5);
        CHECK_FALSE(books[1].price);

        auto r = co_await c.query("select id, title from q_book where id = $1", std::int64_t{2});
        REQUIRE(r.size() == 1);
        CHECK(r[0].get<std::string>("title") == "Emma");
        CHECK(r.command_tag() == "SELECT 1");
        CHECK(r.columns()[1].name == "title");

        auto t = co_await c.query_one<std::tuple<std::int64_t, std::string>>(
            "select count(*), max(title) from q_book");
        CHECK(std::get<0>(t) == 2);
        CHECK(std::get<1>(t) == "Emma");

        // Decoding errors name the column, its type and the C++ type; the connection goes on.
        try {
            co_await c.query_value<std::int32_t>("select title from q_book where id = 1");
            FAIL("expected a type mismatch");
        } catch (const error& e) {
            CHECK(e.code() == errc::type_mismatch);
            CHECK(std::string(e.what()).find("\"title\"") != std::string::npos);
        }
        try {
            co_await c.query_value<double>("select price from q_book where id = 2");
            FAIL("expected unexpected_null");
        } catch (const error& e) {
            CHECK(e.code() == errc::unexpected_null);
        }
        try {
            co_await c.query_value<std::int64_t>("select id from q_book where id = 99");
            FAIL("expected no rows");
        } catch (const error& e) {
            CHECK(e.code() == errc::no_rows);
        }
        try {
            co_await c.query_as<std::tuple<std::int64_t>>("select id, title from q_book");
            FAIL("expected an arity mismatch");
        } catch (const error& e) {
            CHECK(e.code() == errc::type_mismatch);
        }
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from q_book") == 2);
        co_await c.execute("drop table q_book");
        co_await c.close();
    });
}

TEST_CASE("server errors carry every field and leave the connection usable") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("drop table if exists q_err");
        co_await c.execute("create table q_err (id int primary key)");
        co_await c.execute("insert into q_err values (1)");
        try {
            co_await c.execute("insert into q_err values ($1)", std::int32_t{1});
            FAIL("expected a unique violation");
        } catch (const error& e) {
            REQUIRE(e.diagnostics());
            auto& d = *e.diagnostics();
            CHECK(d.sqlstate == "23505");
            CHECK(d.severity == "ERROR");
            CHECK(d.table_name == "q_err");
            CHECK(d.constraint_name == "q_err_pkey");
            CHECK(d.detail == "Key (id)=(1) already exists.");
        }
        try {
            co_await c.query("select * from nope");
            FAIL("expected undefined table");
        } catch (const error& e) {
            CHECK(e.sqlstate() == "42P01");
            CHECK(e.diagnostics()->position == 15);
        }
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from q_err") == 1);
        co_await c.execute("drop table q_err");
        co_await c.close();
    });
}

TEST_CASE("simple query: several statements, one result each") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        auto results = co_await c.simple_query(
            "create temp table q_s (a int); insert into q_s values (1), (2); select a from q_s "
            "order by a;");
        REQUIRE(results.size() == 3);
        CHECK(results[0].command_tag() == "CREATE TABLE");
        CHECK(results[1].rows_affected() == 2);
        REQUIRE(results[2].size() == 2);
        CHECK(results[2][1].get<std::string>(0) == "2"); // text format
        CHECK(results[2][1].get<std::int32_t>(0) == 2);  // int4 read from its text form
        auto empty = co_await c.simple_query("");
        REQUIRE(empty.size() == 1); // EmptyQueryResponse
        CHECK(empty[0].command_tag().empty());
        try {
            co_await c.simple_query("select 1; select nope; select 3");
            FAIL("expected an error");
        } catch (const error& e) {
            CHECK(e.sqlstate() == "42703");
        }
        co_await c.close();
    });
}

TEST_CASE("10,000 pipelined queries from 64 coroutines, some failing on purpose") {
    struct tally {
        int ok = 0, failed_as_expected = 0, wrong = 0;
    } t;
    run([&]() -> awaitable<void> {
        auto c = co_await connect_test();
        auto ex = co_await asio::this_coro::executor;
        int remaining = 64;
        asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
        for (int w = 0; w < 64; ++w) {
            asio::co_spawn(
                ex,
                [&, w]() -> awaitable<void> {
                    for (int i = 0; i < 10000 / 64 + (w < 10000 % 64 ? 1 : 0); ++i) {
                        std::int32_t v = w * 1000 + i;
                        try {
                            if (i % 10 == 7) { // division by zero: fails only this request
                                co_await c.query_value<std::int32_t>("select $1::int4 / 0", v);
                                ++t.wrong;
                            } else {
                                auto got =
                                    co_await c.query_value<std::int32_t>("select $1::int4", v);
                                (got == v ? t.ok : t.wrong)++;
                            }
                        } catch (const error& e) {
                            (e.sqlstate() == "22012" ? t.failed_as_expected : t.wrong)++;
                        }
                    }
                    if (--remaining == 0) all_done.cancel();
                },
                asio::detached);
        }
        co_await all_done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        CHECK(c.is_open());
        CHECK(c.transaction_status() == 'I');
        co_await c.close();
    });
    CHECK(t.wrong == 0);
    CHECK(t.ok + t.failed_as_expected == 10000);
    CHECK(t.failed_as_expected > 900);
}

TEST_CASE("a cached statement invalidated by ALTER TABLE is re-prepared once (0A000)") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("drop table if exists q_alter");
        co_await c.execute("create table q_alter (a int)");
        co_await c.execute("insert into q_alter values (1)");
        auto r1 = co_await c.query("select * from q_alter");
        CHECK(r1.columns().size() == 1);
        co_await c.execute("alter table q_alter add column b text default 'x'");
        auto r2 = co_await c.query("select * from q_alter");
        REQUIRE(r2.columns().size() == 2);
        CHECK(r2[0].get<std::string>("b") == "x");
        // Inside a transaction the server aborted it: the error is reported, not hidden.
        co_await c.execute("begin");
        co_await c.query("select * from q_alter");
        co_await c.execute("alter table q_alter add column c int");
        try {
            co_await c.query("select * from q_alter");
            FAIL("expected the invalidated plan error inside the transaction");
        } catch (const error& e) {
            CHECK(e.sqlstate() == "0A000");
        }
        co_await c.execute("rollback");
        CHECK((co_await c.query("select * from q_alter")).columns().size() == 2);
        // Each invalidated statement was closed on the server, not left behind.
        CHECK(co_await c.query_value<std::int64_t>(
                  "select count(*) from pg_prepared_statements where statement = $1",
                  std::string("select * from q_alter")) == 1);
        co_await c.execute("drop table q_alter");
        co_await c.close();
    });
}

TEST_CASE("a cached statement over a table dropped and created again, alike or not") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("drop table if exists q_recreate");
        co_await c.execute("create table q_recreate (a int4)");
        co_await c.execute("insert into q_recreate values (1)");
        const char* sql = "select * from q_recreate";
        CHECK((co_await c.query(sql))[0].get<std::int32_t>(0) == 1);
        // The same shape again: the server re-plans the cached statement by itself.
        co_await c.execute("drop table q_recreate");
        co_await c.execute("create table q_recreate (a int4)");
        co_await c.execute("insert into q_recreate values (2)");
        CHECK((co_await c.query(sql))[0].get<std::int32_t>(0) == 2);
        // Gone: the server's error, and the statement stays cached for when it comes back.
        co_await c.execute("drop table q_recreate");
        try {
            co_await c.query(sql);
            FAIL("expected undefined table");
        } catch (const error& e) {
            CHECK(e.sqlstate() == "42P01");
        }
        // Back with other column types: 0A000, re-prepared, the new columns read.
        co_await c.execute("create table q_recreate (a text, b int8)");
        co_await c.execute("insert into q_recreate values ('three', 3)");
        auto r = co_await c.query(sql);
        REQUIRE(r.columns().size() == 2);
        CHECK(r[0].get<std::string>("a") == "three");
        CHECK(r[0].get<std::int64_t>("b") == 3);
        co_await c.execute("drop table q_recreate");
        co_await c.close();
    });
}

TEST_CASE("a column's type changed under cached statements: results and parameters") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("create temp table q_retype (k int4, v int4)");
        co_await c.execute("insert into q_retype values (1, 10)");
        const char* by_key = "select v from q_retype where k = $1";
        CHECK(co_await c.query_value<std::int32_t>(by_key, std::int32_t{1}) == 10);
        co_await c.execute("alter table q_retype alter column v type int8");
        CHECK(co_await c.query_value<std::int64_t>(by_key, std::int32_t{1}) == 10);
        // The parameter's type is declared by the argument (int4): the server casts it.
        co_await c.execute("alter table q_retype alter column k type int8");
        CHECK(co_await c.query_value<std::int64_t>(by_key, std::int32_t{1}) == 10);
        co_await c.close();
    });
}

TEST_CASE("a parameter type the server inferred goes stale with its cached statement") {
    // A string argument is bound untyped (OID 0): the server inferred text when the statement
    // was prepared, and after the column is retyped the cached statement fails at its Bind
    // (42883 "operator does not exist: integer = text"). Prepared again, it works.
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("create temp table q_infer (k text)");
        co_await c.execute("insert into q_infer values ('5')");
        const char* sql = "select count(*) from q_infer where k = $1";
        CHECK(co_await c.query_value<std::int64_t>(sql, "5") == 1);
        co_await c.execute("alter table q_infer alter column k type int4 using k::int4");
        CHECK(co_await c.query_value<std::int64_t>(sql, "5") == 1);

        // In a batch, the same.
        batch b;
        b.add(sql, "5");
        b.add("select count(*) from q_infer where k::text = $1", "5");
        CHECK((co_await c.run(b))[1][0].get<std::int64_t>(0) == 1);
        co_await c.execute("alter table q_infer alter column k type text");
        auto counts = co_await c.run(b);
        CHECK(counts[0][0].get<std::int64_t>(0) == 1);
        CHECK(counts[1][0].get<std::int64_t>(0) == 1);

        // Inside a transaction the failure stands: the transaction is aborted, nothing retried.

        co_await c.execute("begin");
        co_await c.execute("alter table q_infer alter column k type int4 using k::int4");
        std::string state;
        try {
            co_await c.query_value<std::int64_t>(sql, "5");
        } catch (const error& e) {
            state = e.sqlstate();
        }
        CHECK(state == "42883");
        co_await c.execute("rollback");
        co_await c.execute("alter table q_infer alter column k type int4 using k::int4");
        CHECK(co_await c.query_value<std::int64_t>(sql, "5") == 1);

        // An error of the parameter's own, met again after preparing, is raised.
        state.clear();
        try {
            co_await c.query_value<std::int64_t>(sql, "12345678901");
        } catch (const error& e) {
            state = e.sqlstate();
        }
        CHECK(state.starts_with("22"));
        CHECK(co_await c.query_value<std::int64_t>(sql, "5") == 1);
        co_await c.close();
    });
}

TEST_CASE("a statement an aborted transaction block refuses (25P02) stays cached") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        const char* plus_one = "select $1::int4 + 1";
        CHECK(co_await c.query_value<std::int32_t>(plus_one, 1) == 2);
        auto name_of = [&]() -> awaitable<std::string> {
            co_return co_await c.query_value<std::string>(
                "select name from pg_prepared_statements where statement = $1",
                std::string(plus_one));
        };
        auto name = co_await name_of();
        co_await c.execute("begin");
        std::string states;
        for (const char* sql : {"select 1 / $1", plus_one}) {
            try {
                co_await c.query_value<std::int32_t>(sql, 0);
            } catch (const error& e) {
                states += e.sqlstate() + " ";
            }
        }
        CHECK(states == "22012 25P02 ");
        co_await c.execute("rollback");
        CHECK(co_await c.query_value<std::int32_t>(plus_one, 1) == 2);
        CHECK(co_await name_of() == name); // not prepared again
        co_await c.close();
    });
}

TEST_CASE("DISCARD ALL and DEALLOCATE ALL drop the cached statements: queries prepare again") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        const char* sql = "select $1::int4 * 3";
        CHECK(co_await c.query_value<std::int32_t>(sql, 1) == 3);
        co_await c.execute("deallocate all");
        CHECK(co_await c.query_value<std::int32_t>(sql, 2) == 6);
        co_await c.simple_query("discard all");
        CHECK(co_await c.query_value<std::int32_t>(sql, 3) == 9);
        CHECK(co_await c.query_value<std::int64_t>(
                  "select count(*) from pg_prepared_statements where statement = $1",
                  std::string(sql)) == 1);
        co_await c.close();
    });
}

TEST_CASE("32 pipelined queries of one invalidated statement all succeed") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        auto ex = co_await asio::this_coro::executor;
        co_await c.execute("create temp table q_pipe_alter (a int4)");
        co_await c.execute("insert into q_pipe_alter values (7)");
        const char* sql = "select * from q_pipe_alter where a = $1";
        CHECK((co_await c.query(sql, std::int32_t{7})).columns().size() == 1);
        co_await c.execute("alter table q_pipe_alter add column b int4 default 8");
        int ok = 0, done = 0;
        std::string failure;
        for (int i = 0; i < 32; ++i) {
            asio::co_spawn(
                ex,
                [&]() -> awaitable<void> {
                    try {
                        auto r = co_await c.query(sql, std::int32_t{7});
                        if (r.size() == 1 && r.columns().size() == 2 &&
                            r[0].get<std::int32_t>("b") == 8)
                            ++ok;
                    } catch (const error& e) {
                        failure = e.what();
                    }
                    ++done;
                },
                asio::detached);
        }
        asio::steady_timer t(ex);
        while (done < 32) {
            t.expires_after(5ms);
            co_await t.async_wait(asio::use_awaitable);
        }
        INFO(failure);
        CHECK(ok == 32);
        CHECK(co_await c.query_value<std::int64_t>(
                  "select count(*) from pg_prepared_statements where statement = $1",
                  std::string(sql)) == 1);
        co_await c.close();
    });
}

TEST_CASE("server errors: column, data type, schema, internal query, hint, routine") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("create temp table q_fields (a int4 not null)");
        try {
            co_await c.execute("insert into q_fields values (null)");
            FAIL("expected a not-null violation");
        } catch (const error& e) {
            REQUIRE(e.diagnostics());
            auto& d = *e.diagnostics();
            CHECK(d.sqlstate == "23502");
            CHECK(d.column_name == "a");
            CHECK(d.table_name == "q_fields");
            CHECK(d.schema_name.rfind("pg_temp", 0) == 0);
            CHECK(d.severity_nonlocalized == "ERROR");
            CHECK_FALSE(d.file.empty());
            CHECK_FALSE(d.line.empty());
            CHECK_FALSE(d.routine.empty());
            CHECK(std::string(e.what()).find("(SQLSTATE 23502)") != std::string::npos);
        }
        try {
            co_await c.query("select no_such_function($1)", std::int32_t{1});
            FAIL("expected undefined function");
        } catch (const error& e) {
            auto& d = *e.diagnostics();
            CHECK(d.sqlstate == "42883");
            CHECK(d.position == 8);
            CHECK(d.hint.find("No function matches") != std::string::npos);
        }
        try {
            co_await c.execute("do $$ begin execute 'selec 1'; end $$");
            FAIL("expected a syntax error");
        } catch (const error& e) {
            auto& d = *e.diagnostics();
            CHECK(d.sqlstate == "42601");
            CHECK(d.internal_query == "selec 1");
            CHECK(d.internal_position == 1);
            CHECK(d.where.find("EXECUTE") != std::string::npos);
            CHECK(d.position == 0);
        }
        co_await c.close();
    });
}

TEST_CASE("an empty statement through the extended protocol, and SQL holding a NUL") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        for (const char* sql : {"", ";", "-- only a comment"}) {
            CAPTURE(sql);
            auto r = co_await c.query(sql); // EmptyQueryResponse
            CHECK(r.size() == 0);
            CHECK(r.command_tag().empty());
            CHECK(co_await c.execute(sql) == 0);
        }
        // The protocol's strings end at a NUL: SQL that holds one cannot be sent as it is.
        try {
            co_await c.query(std::string_view("select 1\0select 2", 17));
            FAIL("expected SQL with a NUL to be refused");
        } catch (const error& e) {
            INFO(std::string(e.what()));
            CHECK(e.code() ==
                  errc::invalid_value); // refused by the client, not garbled on the wire
        }
        CHECK(co_await c.query_value<std::int32_t>("select 13") == 13);
        co_await c.close();
    });
}

TEST_CASE("query timeout sends a cancel and the connection is reused") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        c.set_query_timeout(300ms);
        auto started = std::chrono::steady_clock::now();
        try {
            co_await c.execute("select pg_sleep(30)");
            FAIL("expected a timeout");
        } catch (const error& e) {
            CHECK(e.code() == errc::timeout);
        }
        CHECK(std::chrono::steady_clock::now() - started < 10s);
        c.set_query_timeout(0ms);
        CHECK(co_await c.query_value<std::int32_t>("select 5") == 5);
        co_await c.close();
    });
}

TEST_CASE("Asio per-operation cancellation cancels the query on the server") {
    using namespace asio::experimental::awaitable_operators;
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        asio::steady_timer t(co_await asio::this_coro::executor, 300ms);
        auto started = std::chrono::steady_clock::now();
        try {
            auto r =
                co_await (c.execute("select pg_sleep(30)") || t.async_wait(asio::use_awaitable));
            CHECK(r.index() == 1); // the timer won
        } catch (const error& e) {
            CHECK(e.code() == errc::cancelled);
        }
        CHECK(std::chrono::steady_clock::now() - started < 10s);
        CHECK(co_await c.query_value<std::int32_t>("select 6") == 6);
        co_await c.close();
    });
}

TEST_CASE("a cancellation too late to stop a query stops the coroutine's next request") {
    // Asio's rule: a coroutine cancelled stays cancelled. Here the cancellation (emitted by the
    // query's notice) reaches a query that cannot be stopped: it catches the cancel the server
    // gets while it sleeps, so that it finishes whenever the CancelRequest arrives. The query
    // returns its result, and the coroutine's next step is never sent.
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("create temporary table too_late (n int)");
        asio::cancellation_signal cancel;
        c.set_notice_handler(
            [&](const server_diagnostics&) { cancel.emit(asio::cancellation_type::terminal); });
        bool first_returned = false;
        auto steps = [&]() -> awaitable<void> {
            co_await c.execute("do $$ begin raise notice 'cancel me'; perform pg_sleep(0.3); "
                               "exception when query_canceled then null; end $$");
            first_returned = true;
            co_await c.execute("insert into too_late values (1)");
        };
        auto failed = co_await cancellable(cancel, steps());
        CHECK(first_returned);
        CHECK(failed == asio::error::operation_aborted);
        c.set_notice_handler(nullptr);
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from too_late") == 0);
        co_await c.close();
    });
}

TEST_CASE("explicit cancel() of a running query") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        auto ex = co_await asio::this_coro::executor;
        std::optional<std::string> sqlstate;
        bool finished = false;
        asio::co_spawn(
            ex,
            [&]() -> awaitable<void> {
                try {
                    co_await c.execute("select pg_sleep(30)");
                } catch (const error& e) {
                    sqlstate = e.sqlstate();
                }
                finished = true;
            },
            asio::detached);
        asio::steady_timer t(ex, 300ms);
        co_await t.async_wait(asio::use_awaitable);
        co_await c.cancel();
        while (!finished) {
            t.expires_after(10ms);
            co_await t.async_wait(asio::use_awaitable);
        }
        CHECK(sqlstate == "57014");
        CHECK(co_await c.query_value<std::int32_t>("select 7") == 7);
        co_await c.close();
    });
}

TEST_CASE("a backend killed with pg_terminate_backend fails 100 requests in flight promptly") {
    run([]() -> awaitable<void> {
        auto victim = co_await connect_test();
        auto admin = co_await connect_test();
        auto ex = co_await asio::this_coro::executor;
        int failed = 0, succeeded = 0, finished = 0;
        std::string message;
        for (int i = 0; i < 100; ++i) {
            asio::co_spawn(
                ex,
                [&, i]() -> awaitable<void> {
                    try {
                        co_await victim.query_value<std::int32_t>(
                            "select $1::int4 from pg_sleep(0.05)", i);
                        ++succeeded;
                    } catch (const error& e) {
                        if (e.code() == errc::connection_closed) ++failed;
                        message = e.what();
                    }
                    ++finished;
                },
                asio::detached);
        }
        asio::steady_timer t(ex, 200ms);
        co_await t.async_wait(asio::use_awaitable);
        auto started = std::chrono::steady_clock::now();
        CHECK(co_await admin.query_value<bool>("select pg_terminate_backend($1)",
                                               victim.backend_pid()));
        while (finished < 100) {
            t.expires_after(10ms);
            co_await t.async_wait(asio::use_awaitable);
            REQUIRE(std::chrono::steady_clock::now() - started < 5s);
        }
        CHECK(failed + succeeded == 100);
        CHECK(failed > 0);
        CHECK(message.find("terminating connection due to administrator command") !=
              std::string::npos);
        CHECK_FALSE(victim.is_open());
        try {
            co_await victim.query_value<std::int32_t>("select 1");
            FAIL("a broken connection must fail at once");
        } catch (const error& e) {
            CHECK(e.code() == errc::connection_closed);
        }
        co_await admin.close();
    });
}

TEST_CASE("statement_cache_size=0: unnamed statements, one Sync per query, pipelined") {
    auto url = test_url();
    url += (url.find('?') == std::string::npos ? "?" : "&");
    url += "statement_cache_size=0";
    run([&]() -> awaitable<void> {
        auto c = co_await connection::connect(co_await asio::this_coro::executor, url);
        auto ex = co_await asio::this_coro::executor;
        int ok = 0, done = 0;
        for (int w = 0; w < 32; ++w) {
            asio::co_spawn(
                ex,
                [&, w]() -> awaitable<void> {
                    for (int i = 0; i < 20; ++i) {
                        // Different statements interleave: each must bind its own unnamed
                        // statement.
                        auto v = co_await c.query_one<std::tuple<std::int32_t, std::string>>(
                            w % 2 ? "select $1::int4, 'odd'::text" : "select $1::int4 + 0, 'even'",
                            std::int32_t{w * 100 + i});
                        if (std::get<0>(v) == w * 100 + i &&
                            std::get<1>(v) == (w % 2 ? "odd" : "even"))
                            ++ok;
                    }
                    ++done;
                },
                asio::detached);
        }
        asio::steady_timer t(ex);
        while (done < 32) {
            t.expires_after(5ms);
            co_await t.async_wait(asio::use_awaitable);
        }
        CHECK(ok == 32 * 20);
        auto r = co_await c.query("select 1::int8 as a, 'x'::text as b");
        CHECK(r[0].get<std::int64_t>("a") == 1);
        CHECK(r[0].get<std::string>("b") == "x");
        co_await c.close();
    });
}

TEST_CASE("cancelled again while a timed-out query waits for its answer: it waits on, in step") {
    using namespace asio::experimental::awaitable_operators;
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        // The function catches the timeout's cancel and sleeps on for s / 5 seconds, so the
        // caller's own cancellation arrives while the request still waits for the server's
        // answer. It swallows every cancel after the first too: the postmaster signals a backend
        // twice per cancel request (its pid and its process group), and the second SIGINT can
        // come after the first was handled. It is called once ahead, so the timed call's
        // statement is prepared and the function compiled: on a loaded machine the cancel could
        // otherwise land before the block that catches it.
        co_await c.execute(
            "create function pg_temp.stubborn(s float8) returns void language plpgsql as $$ "
            "declare until timestamptz; begin "
            "begin perform pg_sleep(s); exception when query_canceled then null; end; "
            "until := clock_timestamp() + make_interval(secs => s / 5); "
            "while clock_timestamp() < until loop begin "
            "perform pg_sleep(extract(epoch from until - clock_timestamp())); "
            "exception when query_canceled then null; end; end loop; end $$");
        const char* stubborn = "select pg_temp.stubborn($1)";
        co_await c.execute(stubborn, 0.0);
        c.set_query_timeout(300ms);
        asio::steady_timer t(co_await asio::this_coro::executor, 700ms);
        auto started = std::chrono::steady_clock::now();
        auto r = co_await (c.execute(stubborn, 5.0) || t.async_wait(asio::use_awaitable));
        CHECK(r.index() == 1);
        // The query was not left behind at 700 ms: its answer came, 1 s after the first cancel
        // was caught (and well before the 5 s sleep would have ended).
        auto took = std::chrono::steady_clock::now() - started;
        CHECK(took >= 1300ms);
        CHECK(took < 4s);
        c.set_query_timeout(0ms);
        CHECK(co_await c.query_value<std::int32_t>("select 8") == 8);
        co_await c.close();
    });
}

TEST_CASE("a query cancelled while its statement is prepared is not run") {
    // The statement is new to the session, so the query is a Parse/Describe round trip, then the
    // execution. The backend is stopped during the first, which the cancellation at 50 ms
    // reaches; the server answers it when it resumes at 300 ms (a cancel that comes while a
    // session reads its next message is ignored), and the execution must not follow.
    using namespace asio::experimental::awaitable_operators;
    if (!have_cluster()) return;
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        auto pid = c.backend_pid();
        REQUIRE(signal_backend(pid, "STOP") == 0);
        auto ex = co_await asio::this_coro::executor;
        asio::steady_timer resume(ex, 300ms);
        resume.async_wait([pid](std::error_code) { signal_backend(pid, "CONT"); });
        asio::steady_timer cancel_at(ex, 50ms);
        auto started = std::chrono::steady_clock::now();
        try {
            auto r = co_await (c.execute("select pg_sleep(10), 'prepare me'") ||
                               cancel_at.async_wait(asio::use_awaitable));
            CHECK(r.index() == 1); // the timer won
        } catch (const error& e) {
            CHECK(e.code() == errc::cancelled);
        }
        CHECK(std::chrono::steady_clock::now() - started < 5s);
        CHECK(co_await c.query_value<std::int32_t>("select 9") == 9);
        co_await c.close();
    });
}

TEST_CASE("a request held back behind a deep pipeline and then cancelled is sent and answered") {
    using namespace asio::experimental::awaitable_operators;
    asio::io_context ctx;
    bool finished = false;
    std::exception_ptr failure;
    asio::co_spawn(
        ctx,
        [&]() -> awaitable<void> {
            auto c = co_await connect_test();
            auto ex = co_await asio::this_coro::executor;
            // 33 statements awaiting answers in two requests: new requests are held back.
            batch b;
            for (int i = 0; i < 31; ++i)
                b.add("select $1::int4", i);
            b.add("select pg_sleep(0.5)");
            co_await c.query_value<std::int32_t>("select 1"); // prepared ahead, as b's are:
            co_await c.run(b);                                // both go out at once below
            int finished_before = 0;
            asio::co_spawn(
                ex,
                [&]() -> awaitable<void> {
                    co_await c.run(b);
                    ++finished_before;
                },
                asio::detached);
            asio::co_spawn(
                ex,
                [&]() -> awaitable<void> {
                    co_await c.query_value<std::int32_t>("select 1");
                    ++finished_before;
                },
                asio::detached);
            asio::steady_timer t(ex, 50ms);
            co_await t.async_wait(asio::use_awaitable);
            t.expires_after(100ms);
            auto r = co_await (c.query_value<std::int32_t>("select 9") ||
                               t.async_wait(asio::use_awaitable));
            CHECK(r.index() == 1);
            CHECK(finished_before == 2);
            CHECK(co_await c.query_value<std::int32_t>("select 10") == 10);
            co_await c.close();
            finished = true;
        },
        [&](std::exception_ptr e) { failure = e; });
    ctx.run_for(20s);
    if (failure) std::rethrow_exception(failure);
    CHECK(finished); // not stuck waiting for an answer to a request never written
}

TEST_CASE("a notice or notification handler that throws does not stop the connection") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        int notices = 0, notifications = 0;
        c.set_notice_handler([&](const server_diagnostics&) {
            ++notices;
            throw std::runtime_error("the application's notice handler failed");
        });
        c.set_notification_handler([&](notification&&) {
            ++notifications;
            throw 42; // not even a std::exception
        });
        co_await c.execute("do $$ begin raise notice 'one'; raise notice 'two'; end $$");
        co_await c.execute("listen handler_throws");
        co_await c.execute("notify handler_throws, 'x'");
        CHECK(co_await c.query_value<std::int32_t>("select 11") == 11);
        CHECK(notices == 2);
        CHECK(notifications == 1);
        co_await c.close();
    });
}

TEST_CASE("a for_each callback that throws its own exception fails only its own query") {
    // Not a turbopg error (a std::runtime_error of the application's, as a decode error of a
    // user codec could be too): it must come out of for_each once the rows are drained, not out
    // of the connection's reader, which would stop every request pipelined with it.
    run([]() -> awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        auto c = co_await connect_test();
        int seen = 0;
        std::string thrown;
        auto failing = [&]() -> awaitable<void> {
            try {
                co_await c.for_each<std::tuple<std::int32_t>>(
                    "select generate_series(1, 1000)", [&](std::tuple<std::int32_t> r) {
                        ++seen;
                        if (std::get<0>(r) == 2) throw std::logic_error("the callback failed");
                    });
            } catch (const std::logic_error& e) {
                thrown = e.what();
            }
        };
        auto other = [&]() -> awaitable<std::int32_t> {
            co_return co_await c.query_value<std::int32_t>("select 7");
        };
        auto seven = co_await (failing() && other());
        CHECK(thrown == "the callback failed");
        CHECK(seen == 2); // no row after the one that failed
        CHECK(seven == 7);
        CHECK(c.is_open());
        CHECK(co_await c.query_value<std::int32_t>("select 1") == 1);
        co_await c.close();
    });
}
