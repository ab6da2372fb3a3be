// COPY FROM STDIN / TO STDOUT: a million rows each way in text, CSV and binary, interruptions
// (abort, a throwing producer, cancellation, bad data) that leave the connection usable,
// pipelining around a COPY, and COPY run through the wrong operation.
#include "support/server.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <charconv>
#include <optional>
#include <string>
#include <vector>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;
using namespace std::chrono_literals;

// Outside the anonymous namespace: clang 14 cannot reflect a struct without linkage.
namespace copy_rows_test {
struct named_day {
    std::int64_t id;
    std::string name;
    std::chrono::sys_days day;
};
} // namespace copy_rows_test

namespace {

constexpr std::int64_t million = 1'000'000;

awaitable<void> make_table(connection& c, const char* name) {
    co_await c.execute(std::string("drop table if exists ") + name);
    co_await c.execute(std::string("create table ") + name +
                       " (id int8 not null, name text not null, amount int4 not null, note text)");
}

// The checksums of what make_rows writes: id, "n<id>", id % 1000, NULL for every tenth id.
struct sums {
    std::int64_t count, ids, amounts, notes, name_lengths;
};
awaitable<sums> table_sums(connection& c, const char* table) {
    auto t = co_await c.query_one<
        std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t>>(
        std::string("select count(*), sum(id)::int8, sum(amount)::int8, count(note), "
                    "sum(length(name))::int8 from ") +
        table);
    co_return sums{std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t), std::get<4>(t)};
}
void check_million(const sums& s) {
    CHECK(s.count == million);
    CHECK(s.ids == million * (million + 1) / 2);
    std::int64_t amounts = 0, names = 0;
    for (std::int64_t i = 1; i <= million; ++i) {
        amounts += i % 1000;
        names += static_cast<std::int64_t>(std::to_string(i).size()) + 1;
    }
    CHECK(s.amounts == amounts);
    CHECK(s.notes == million - million / 10);
    CHECK(s.name_lengths == names);
}
bool has_note(std::int64_t i) {
    return i % 10 != 0;
}

awaitable<void> check_samples(connection& c, const char* table) {
    for (std::int64_t id : {std::int64_t{1}, std::int64_t{500'000}, std::int64_t{777'777}}) {
        auto [name, amount, note] =
            co_await c.query_one<std::tuple<std::string, std::int32_t, std::optional<std::string>>>(
                std::string("select name, amount, note from ") + table + " where id = $1", id);
        CHECK(name == "n" + std::to_string(id));
        CHECK(amount == id % 1000);
        CHECK(note.has_value() == has_note(id));
        if (note) CHECK(*note == "é " + std::to_string(id));
    }
}

const char* source_query = "select i::int8, 'n' || i, (i % 1000)::int4, "
                           "case when i % 10 = 0 then null else 'é ' || i end "
                           "from generate_series(1, 1000000) i";

awaitable<void> expect_error(awaitable<void> op, errc code, std::string_view text) {
    try {
        co_await std::move(op);
        FAIL("expected an error: " << text);
    } catch (const error& e) {
        CHECK(e.code() == code);
        CHECK_MESSAGE(std::string(e.what()).find(text) != std::string::npos, e.what());
    }
}

} // namespace

TEST_CASE("COPY FROM STDIN: a million rows in text, CSV and binary") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();

        co_await make_table(c, "copy_text");
        auto w = co_await c.copy_in("copy copy_text from stdin");
        CHECK(w.overall_format() == format::text);
        CHECK(w.column_formats().size() == 4);
        std::string line;
        for (std::int64_t i = 1; i <= million; ++i) { // row by row: small writes coalesce
            line = std::to_string(i) + "\tn" + std::to_string(i) + "\t" + std::to_string(i % 1000) +
                   "\t" + (has_note(i) ? "é " + std::to_string(i) : "\\N") + "\n";
            co_await w.write(line);
        }
        CHECK(co_await w.finish() == million);
        CHECK_FALSE(w.is_open());
        check_million(co_await table_sums(c, "copy_text"));
        co_await check_samples(c, "copy_text");

        co_await make_table(c, "copy_csv");
        auto csv = co_await c.copy_in("copy copy_csv from stdin (format csv)");
        std::string chunk;
        for (std::int64_t i = 1; i <= million; ++i) {
            chunk += std::to_string(i) + ",n" + std::to_string(i) + "," + std::to_string(i % 1000) +
                     "," + (has_note(i) ? "\"é " + std::to_string(i) + "\"" : "") + "\n";
            if (chunk.size() > 100'000 || i == million) { // pieces cut across rows
                auto half = chunk.size() / 2;
                co_await csv.write(std::string_view(chunk).substr(0, half));
                co_await csv.write(std::string_view(chunk).substr(half));
                chunk.clear();
            }
        }
        CHECK(co_await csv.finish() == million);
        check_million(co_await table_sums(c, "copy_csv"));
        co_await check_samples(c, "copy_csv");

        co_await make_table(c, "copy_bin");
        auto rows =
            co_await c
                .copy_in_rows<std::int64_t, std::string, std::int32_t, std::optional<std::string>>(
                    "copy copy_bin from stdin (format binary)");
        CHECK(rows.writer().overall_format() == format::binary);
        std::string name;
        std::optional<std::string> note;
        for (std::int64_t i = 1; i <= million; ++i) {
            name = "n" + std::to_string(i);
            note.reset();
            if (has_note(i)) note = "é " + std::to_string(i);
            co_await rows.write_row(i, name, static_cast<std::int32_t>(i % 1000), note);
        }
        CHECK(co_await rows.finish() == million);
        check_million(co_await table_sums(c, "copy_bin"));
        co_await check_samples(c, "copy_bin");
    });
}

TEST_CASE("COPY TO STDOUT: a million rows in text, CSV and binary, every row checked") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();

        std::int64_t next = 1;
        auto text_rows = co_await c.copy_out(
            std::string("copy (") + source_query + ") to stdout",
            [&](std::span<const std::byte> d) {
                std::string_view s(reinterpret_cast<const char*>(d.data()), d.size());
                auto i = next++;
                auto expected = std::to_string(i) + "\tn" + std::to_string(i) + "\t" +
                                std::to_string(i % 1000) + "\t" +
                                (has_note(i) ? "é " + std::to_string(i) : "\\N") + "\n";
                if (s != expected) FAIL_CHECK("text row " << i << ": " << s);
            });
        CHECK(text_rows == million);
        CHECK(next == million + 1);

        next = 1;
        auto csv_rows = co_await c.copy_out(
            std::string("copy (") + source_query + ") to stdout (format csv)",
            [&](std::span<const std::byte> d) {
                std::string_view s(reinterpret_cast<const char*>(d.data()), d.size());
                auto i = next++;
                auto expected = std::to_string(i) + ",n" + std::to_string(i) + "," +
                                std::to_string(i % 1000) + "," +
                                (has_note(i) ? "é " + std::to_string(i) : "") + "\n";
                if (s != expected) FAIL_CHECK("CSV row " << i << ": " << s);
            });
        CHECK(csv_rows == million);
        CHECK(next == million + 1);

        struct row {
            std::int64_t id;
            std::string name;
            std::int32_t amount;
            std::optional<std::string> note;
        };
        next = 1;
        auto bin_rows = co_await c.copy_out_rows<row>(
            std::string("copy (") + source_query + ") to stdout (format binary)", [&](row&& r) {
                auto i = next++;
                if (r.id != i || r.name != "n" + std::to_string(i) || r.amount != i % 1000 ||
                    r.note.has_value() != has_note(i) ||
                    (r.note && *r.note != "é " + std::to_string(i)))
                    FAIL_CHECK("binary row " << i);
            });
        CHECK(bin_rows == million);
        CHECK(next == million + 1);
    });
}

TEST_CASE("COPY of NULLs and unicode round-trips in every format") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("drop table if exists copy_uni");
        co_await c.execute("create table copy_uni (id int4, t text, n float8)");
        const std::string tricky = "é漢字 \t tab, \"quote\" \\ back\nslash 🎉";
        auto w = co_await c
                     .copy_in_rows<std::int32_t, std::optional<std::string>, std::optional<double>>(
                         "copy copy_uni from stdin (format binary)");
        co_await w.write_row(1, tricky, std::nullopt);
        co_await w.write_row(2, std::nullopt, 2.5);
        co_await w.write_row(3, std::string(), std::nullopt);
        CHECK(co_await w.finish() == 3);
        CHECK(co_await c.query_value<std::string>("select t from copy_uni where id = 1") == tricky);

        using row = std::tuple<std::int32_t, std::optional<std::string>, std::optional<double>>;
        std::vector<row> back;
        co_await c.copy_out_rows<row>("copy (select * from copy_uni order by id) to stdout "
                                      "(format binary)",
                                      [&](row&& r) { back.push_back(std::move(r)); });
        REQUIRE(back.size() == 3);
        CHECK(std::get<1>(back[0]) == tricky);
        CHECK_FALSE(std::get<2>(back[0]));
        CHECK_FALSE(std::get<1>(back[1]));
        CHECK(std::get<2>(back[1]) == 2.5);
        CHECK(std::get<1>(back[2]) == std::string());

        // Text and CSV out, then back in through text and CSV: the same table.
        for (const char* fmt : {"", " (format csv)"}) {
            std::string data;
            co_await c.copy_out(std::string("copy (select * from copy_uni order by id) to stdout") +
                                    fmt,
                                [&](std::span<const std::byte> d) {
                                    data.append(reinterpret_cast<const char*>(d.data()), d.size());
                                });
            co_await c.execute("create temp table copy_uni2 (like copy_uni)");
            auto in = co_await c.copy_in(std::string("copy copy_uni2 from stdin") + fmt);
            co_await in.write(data);
            CHECK(co_await in.finish() == 3);
            CHECK(co_await c.query_value<std::int64_t>(
                      "select count(*) from copy_uni a join copy_uni2 b on a.id = b.id and "
                      "a.t is not distinct from b.t and a.n is not distinct from b.n") == 3);
            co_await c.execute("drop table copy_uni2");
        }
    });
}

TEST_CASE("binary COPY of rows larger than the buffer, and of a row that cannot be encoded") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("drop table if exists copy_big");
        co_await c.execute("create table copy_big (id int4, data bytea, day date)");
        auto w =
            co_await c.copy_in_rows<std::int32_t, std::vector<std::byte>, std::chrono::sys_days>(
                "copy copy_big from stdin (format binary)");
        // Rows of up to 1 MB between small ones: a row past two buffers is cut into pieces, and
        // the rows after it join the last piece.
        std::int64_t bytes_sum = 0;
        const std::chrono::sys_days day{std::chrono::days{19'000}};
        for (std::int32_t i = 1; i <= 200; ++i) {
            std::size_t size = i % 50 == 0 ? 1'000'000 : i % 7 == 0 ? 100'000 : 10 + i;
            std::vector<std::byte> data(size, static_cast<std::byte>(i));
            bytes_sum += static_cast<std::int64_t>(size) * i;
            co_await w.write_row(i, data, day);
        }
        // A date before 4713 BC, which PostgreSQL cannot hold: the row is refused, the COPY goes
        // on.
        const std::vector<std::byte> small(3, std::byte{1});
        const std::chrono::sys_days too_early{std::chrono::days{-3'000'000}};
        co_await expect_error(w.write_row(201, small, too_early), errc::value_out_of_range,
                              "column 3");
        co_await w.write_row(202, small, day);
        CHECK(co_await w.finish() == 201);
        auto [count, sum, days] =
            co_await c.query_one<std::tuple<std::int64_t, std::int64_t, std::int64_t>>(
                "select count(*), sum(length(data)::int8 * get_byte(data, 0))::int8, "
                "count(*) filter (where day = date '2022-01-08') from copy_big");
        CHECK(count == 201);
        CHECK(sum == bytes_sum + 3);
        CHECK(days == 201);
    });
}

TEST_CASE("write_rows: tuples, aggregates and a projection, a buffer's worth and more") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("drop table if exists copy_range");
        co_await c.execute("create table copy_range (id int8, name text, day date)");
        const std::chrono::sys_days day{std::chrono::days{19'000}};
        auto w = co_await c.copy_in_rows<std::int64_t, std::string_view, std::chrono::sys_days>(
            "copy copy_range from stdin (format binary)");
        // Enough rows to fill several buffers, as tuples converted to the writer's types.
        std::vector<std::tuple<std::int64_t, std::string, std::chrono::sys_days>> tuples;
        for (std::int64_t i = 1; i <= 20'000; ++i)
            tuples.emplace_back(i, "tuple " + std::to_string(i), day);
        co_await w.write_rows(tuples);
        // Aggregates, by their members.
        const std::vector<copy_rows_test::named_day> structs{{20'001, "struct", day}};
        co_await w.write_rows(structs);
        // A projection picking and reordering what each element holds.
        const std::vector<std::pair<std::string, std::int64_t>> pairs{{"pair", 20'002}};
        co_await w.write_rows(pairs,
                              [&](const auto& p) { return std::tie(p.second, p.first, day); });
        // A value PostgreSQL cannot hold stops the range at its row; the rows before it stay.
        const std::chrono::sys_days too_early{std::chrono::days{-3'000'000}};
        const std::vector<copy_rows_test::named_day> with_bad{
            {20'003, "before", day}, {20'004, "bad", too_early}, {20'005, "after", day}};
        co_await expect_error(w.write_rows(with_bad), errc::value_out_of_range, "column 3");
        CHECK(co_await w.finish() == 20'003);
        auto [count, ids, names] =
            co_await c.query_one<std::tuple<std::int64_t, std::int64_t, std::string>>(
                "select count(*), sum(id)::int8, string_agg(name, ',' order by id) filter "
                "(where id > 20000) from copy_range where day = date '2022-01-08'");
        CHECK(count == 20'003);
        CHECK(ids == 20'000 * 20'001 / 2 + 20'001 + 20'002 + 20'003);
        CHECK(names == "struct,pair,before");
        CHECK(co_await c.query_value<std::string>("select name from copy_range where id = 777") ==
              "tuple 777");
        co_await c.execute("drop table copy_range");
    });
}

TEST_CASE("an aborted COPY leaves nothing behind and the connection is reused") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await make_table(c, "copy_abort");
        auto w = co_await c.copy_in("copy copy_abort from stdin");
        co_await w.write("1\ta\t1\t\\N\n");
        co_await w.abort("changed my mind");
        CHECK_FALSE(w.is_open());
        co_await expect_error(w.write("2\tb\t2\t\\N\n"), errc::copy_mismatch, "already finished");
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from copy_abort") == 0);
        CHECK(c.transaction_status() == 'I');
    });
}

TEST_CASE("COPYs give their in-flight slot back: a connection limited to 2 goes on after 4") {
    using namespace asio::experimental::awaitable_operators;
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await make_table(c, "copy_slots");
        c.set_max_in_flight(2);
        for (int i = 0; i < 3; ++i) {
            auto w = co_await c.copy_in("copy copy_slots from stdin");
            co_await w.write("1\ta\t1\t\\N\n");
            if (i == 1)
                co_await w.abort("not this one");
            else
                co_await w.finish();
        }
        co_await expect_error([&]() -> awaitable<void> { co_await c.copy_in("select 1"); }(),
                              errc::copy_mismatch, "COPY ... FROM STDIN");
        asio::steady_timer t(co_await asio::this_coro::executor, 10s);
        auto r = co_await (c.query_value<std::int64_t>("select count(*) from copy_slots") ||
                           t.async_wait(asio::use_awaitable));
        REQUIRE(r.index() == 0); // not waiting for a free slot
        CHECK(std::get<0>(r) == 2);
        co_await c.execute("drop table copy_slots");
    });
}

TEST_CASE("an exception in the producer sends CopyFail; later requests run normally") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await make_table(c, "copy_throw");
        auto produce = [&]() -> awaitable<void> {
            auto w = co_await c.copy_in("copy copy_throw from stdin (format csv)");
            for (int i = 1; i <= 1000; ++i)
                co_await w.write(std::to_string(i) + ",x,1,\n");
            throw std::runtime_error("producer failed");
        };
        // Queued behind the COPY before the producer fails: runs after the CopyFail.
        std::optional<std::int64_t> later;
        auto ex = co_await asio::this_coro::executor;
        asio::co_spawn(
            ex,
            [&]() -> awaitable<void> {
                later = co_await c.query_value<std::int64_t>("select count(*) from copy_throw");
            },
            asio::detached);
        CHECK_THROWS_WITH_AS(co_await produce(), "producer failed", std::runtime_error);
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from copy_throw") == 0);
        CHECK(later == 0);
    });
}

TEST_CASE("bad data at row 500,000: the next write or finish throws the server's error") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await make_table(c, "copy_bad");
        auto w = co_await c.copy_in("copy copy_bad from stdin");
        try {
            for (std::int64_t i = 1; i <= million; ++i) {
                auto amount = i == 500'000 ? std::string("abc") : std::to_string(i % 1000);
                co_await w.write(std::to_string(i) + "\tn\t" + amount + "\t\\N\n");
            }
            co_await w.finish();
            FAIL("expected the server's error");
        } catch (const error& e) {
            CHECK(e.sqlstate() == "22P02");
            CHECK(std::string(e.what()).find("abc") != std::string::npos);
        }
        CHECK_FALSE(w.is_open());
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from copy_bad") == 0);
    });
}

TEST_CASE("Asio cancellation of copy_in, write and finish fails the COPY cleanly") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        auto other = co_await connect_test();
        auto ex = co_await asio::this_coro::executor;
        co_await make_table(c, "copy_cancel");
        // Row 1 (write) or row 3 (finish) makes the server sleep: it stops reading our data.
        co_await c.execute(R"(create or replace function copy_cancel_sleep() returns trigger
            language plpgsql as $$ begin
              if new.id = 1 and new.name = 'sleep' then perform pg_sleep(2); end if;
              if new.id = 3 then perform pg_sleep(30); end if;
              return new; end $$)");
        co_await c.execute("create trigger copy_cancel_sleep before insert on copy_cancel for each "
                           "row execute function copy_cancel_sleep()");

        // Runs `op` with a cancellation signal emitted after `after`; returns its error code.
        auto cancel_after = [&](auto op,
                                std::chrono::milliseconds after) -> awaitable<std::error_code> {
            asio::cancellation_signal sig;
            asio::steady_timer t(ex, after);
            t.async_wait([&](std::error_code) { sig.emit(asio::cancellation_type::terminal); });
            auto [e] = co_await asio::co_spawn(
                ex, std::move(op),
                asio::bind_cancellation_slot(sig.slot(),
                                             asio::experimental::as_tuple(asio::use_awaitable)));
            t.cancel();
            if (!e) co_return std::error_code{};
            try {
                std::rethrow_exception(e);
            } catch (const error& err) {
                co_return err.code();
            }
        };

        // copy_in waiting for a lock: cancelled, then failed by CopyFail once the server starts.
        co_await other.execute("begin");
        co_await other.execute("lock table copy_cancel in access exclusive mode");
        auto ec = co_await cancel_after(
            [&]() -> awaitable<void> { co_await c.copy_in("copy copy_cancel from stdin"); }, 200ms);
        CHECK(ec == errc::cancelled);
        co_await other.execute("commit");
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from copy_cancel") == 0);

        // write blocked by a full socket while the server sleeps.
        auto w = co_await c.copy_in("copy copy_cancel from stdin");
        const std::string block(copy_writer::buffer_size, 'x');
        co_await w.write("1\tsleep\t1\t\\N\n");
        ec = co_await cancel_after(
            [&]() -> awaitable<void> {
                for (;;)
                    co_await w.write(block);
            },
            300ms);
        CHECK(ec == errc::cancelled);
        CHECK_FALSE(w.is_open());
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from copy_cancel") == 0);

        // finish while the server works on the last row: a CancelRequest stops it.
        auto f = co_await c.copy_in("copy copy_cancel from stdin");
        co_await f.write("2\tb\t1\t\\N\n3\tc\t1\t\\N\n");
        ec = co_await cancel_after([&]() -> awaitable<void> { co_await f.finish(); }, 300ms);
        CHECK(ec == errc::cancelled);
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from copy_cancel") == 0);
        CHECK(c.is_open());
    });
}

TEST_CASE("requests pipelined during a COPY wait for it, then run normally") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await make_table(c, "copy_pipe");
        auto ex = co_await asio::this_coro::executor;
        auto w = co_await c.copy_in("copy copy_pipe from stdin");
        std::vector<std::int64_t> results(20, -1);
        int done = 0;
        bool finished = false, done_before_finish = false;
        for (int i = 0; i < 20; ++i)
            asio::co_spawn(
                ex,
                [&, i]() -> awaitable<void> {
                    // Sees every row of the COPY: it runs after the COPY committed.
                    results[i] = co_await c.query_value<std::int64_t>(
                        "select count(*) + $1 from copy_pipe", std::int64_t{i});
                    if (!finished) done_before_finish = true;
                    ++done;
                },
                asio::detached);
        for (int i = 1; i <= 10000; ++i) {
            co_await w.write(std::to_string(i) + "\tp\t1\t\\N\n");
            if (i % 1000 == 0) { // let the queued queries try to run
                asio::steady_timer t(ex, 1ms);
                co_await t.async_wait(asio::use_awaitable);
            }
        }
        CHECK(done == 0);
        CHECK(co_await w.finish() == 10000);
        finished = true;
        while (done < 20) {
            asio::steady_timer t(ex, 1ms);
            co_await t.async_wait(asio::use_awaitable);
        }
        CHECK_FALSE(done_before_finish);
        for (int i = 0; i < 20; ++i)
            CHECK(results[i] == 10000 + i);
    });
}

TEST_CASE("COPY through simple_query, query or execute is refused, the connection stays usable") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await make_table(c, "copy_misuse");
        co_await expect_error(
            [&]() -> awaitable<void> { co_await c.simple_query("copy copy_misuse from stdin"); }(),
            errc::copy_mismatch, "COPY FROM STDIN needs connection::copy_in");
        co_await expect_error(
            [&]() -> awaitable<void> { co_await c.execute("copy copy_misuse from stdin"); }(),
            errc::copy_mismatch, "COPY FROM STDIN needs connection::copy_in");
        co_await expect_error(
            [&]() -> awaitable<void> { co_await c.query("copy copy_misuse to stdout"); }(),
            errc::copy_mismatch, "COPY TO STDOUT needs connection::copy_out");
        co_await expect_error(
            [&]() -> awaitable<void> {
                co_await c.simple_query("select 1; copy (select 1) to stdout");
            }(),
            errc::copy_mismatch, "COPY TO STDOUT needs connection::copy_out");
        CHECK(co_await c.query_value<std::int32_t>("select 42") == 42);
        CHECK(c.transaction_status() == 'I');
    });
}

TEST_CASE("copy_in / copy_out on the wrong statement give a clear error") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await make_table(c, "copy_wrong");
        co_await expect_error([&]() -> awaitable<void> { co_await c.copy_in("select 1"); }(),
                              errc::copy_mismatch, "but the server ran \"SELECT 1\"");
        co_await expect_error(
            [&]() -> awaitable<void> { co_await c.copy_in("copy copy_wrong to stdout"); }(),
            errc::copy_mismatch, "not COPY TO STDOUT");
        auto ignore = [](std::span<const std::byte>) {};
        co_await expect_error(
            [&]() -> awaitable<void> {
                co_await c.copy_out("copy copy_wrong from stdin", ignore);
            }(),
            errc::copy_mismatch, "not COPY FROM STDIN");
        co_await expect_error(
            [&]() -> awaitable<void> { co_await c.copy_out("select 1", ignore); }(),
            errc::copy_mismatch, "copy_out needs a COPY ... TO STDOUT");
        co_await expect_error(
            [&]() -> awaitable<void> {
                co_await c.copy_in_rows<std::int64_t>("copy copy_wrong from stdin");
            }(),
            errc::copy_mismatch, "FORMAT binary");
        co_await expect_error(
            [&]() -> awaitable<void> {
                co_await c.copy_in_rows<std::int64_t>("copy copy_wrong from stdin (format binary)");
            }(),
            errc::copy_mismatch, "the COPY has 4 columns, but the rows have 1 values");
        co_await expect_error(
            [&]() -> awaitable<void> {
                co_await c.copy_out_rows<std::tuple<std::int64_t>>(
                    "copy (select 1::int8) to stdout", [](auto&&) {});
            }(),
            errc::invalid_value, "signature");
        co_await expect_error(
            [&]() -> awaitable<void> {
                co_await c.copy_out_rows<std::tuple<std::int64_t>>(
                    "copy (select 1::int4) to stdout (format binary)", [](auto&&) {});
            }(),
            errc::invalid_value, "COPY field 1");
        co_await expect_error(
            [&]() -> awaitable<void> { co_await c.copy_in("copy nope from stdin"); }(),
            errc::server_error, "42P01");
        co_await expect_error(
            [&]() -> awaitable<void> {
                co_await c.copy_out("copy (select 1) to stdout", [](std::span<const std::byte>) {
                    throw error(make_error_code(errc::invalid_value), "consumer failed");
                });
            }(),
            errc::invalid_value, "consumer failed");
        // A binary value the column's type rejects: the server's diagnostics.
        auto w = co_await c.copy_in_rows<std::string, std::string, std::string, std::string>(
            "copy copy_wrong from stdin (format binary)");
        co_await w.write_row("x", "y", "z", "w");
        try {
            co_await w.finish();
            FAIL("expected the server's error");
        } catch (const error& e) {
            CHECK(e.sqlstate() == "08P01"); // int8recv: "insufficient data left in message"
        }
        CHECK(co_await c.query_value<std::int32_t>("select 7") == 7);
    });
}

TEST_CASE("COPY TO STDOUT failing half-way: the rows sent so far, then the server's error") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        std::int64_t rows_seen = 0;
        try {
            co_await c.copy_out("copy (select 1 / (100000 - i) from generate_series(1, 200000) i) "
                                "to stdout",
                                [&](std::span<const std::byte>) { ++rows_seen; });
            FAIL("expected division by zero");
        } catch (const error& e) {
            CHECK(e.sqlstate() == "22012");
        }
        CHECK(rows_seen == 99'999);
        CHECK(c.transaction_status() == 'I');
        CHECK(co_await c.query_value<std::int32_t>("select 12") == 12);
    });
}

TEST_CASE("COPY inside a transaction: an abort fails the transaction, a finish is part of it") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await make_table(c, "copy_tx");
        co_await c.execute("begin");
        auto w = co_await c.copy_in("copy copy_tx from stdin");
        co_await w.write("1\ta\t1\t\\N\n");
        co_await w.abort("not this one");
        CHECK(c.transaction_status() == 'E');
        co_await expect_error([&]() -> awaitable<void> { co_await c.execute("select 1"); }(),
                              errc::server_error, "25P02");
        co_await c.execute("rollback");
        CHECK(c.transaction_status() == 'I');

        co_await c.execute("begin");
        auto w2 = co_await c.copy_in("copy copy_tx from stdin");
        co_await w2.write("2\tb\t2\t\\N\n3\tc\t3\tx\n");
        CHECK(co_await w2.finish() == 2);
        CHECK(c.transaction_status() == 'T');
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from copy_tx") == 2);
        co_await c.execute("rollback");
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from copy_tx") == 0);
        co_await c.execute("drop table copy_tx");
    });
}

TEST_CASE("the backend terminated during COPY FROM STDIN: write or finish fails, closed") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        auto admin = co_await connect_test();
        co_await make_table(c, "copy_killed");
        auto w = co_await c.copy_in("copy copy_killed from stdin");
        co_await w.write("1\ta\t1\t\\N\n");
        CHECK(co_await admin.query_value<bool>("select pg_terminate_backend($1)", c.backend_pid()));
        std::error_code ec;
        try {
            std::string chunk;
            for (int i = 0; i < 1000; ++i)
                chunk += "1\ta\t1\t\\N\n";
            // Enough data that a write has to reach the closed socket.
            for (int i = 0; i < 10'000; ++i)
                co_await w.write(chunk);
            co_await w.finish();
            FAIL("expected the connection to be closed");
        } catch (const error& e) {
            ec = e.code();
            CHECK_MESSAGE(ec == errc::connection_closed, e.what());
        } catch (const std::system_error& e) {
            FAIL_CHECK("a transport error escaped as " << e.what());
        }
        CHECK_FALSE(c.is_open());
        CHECK(co_await admin.query_value<std::int64_t>("select count(*) from copy_killed") == 0);
        co_await admin.execute("drop table copy_killed");
        co_await admin.close();
    });
}
