// queryset::iterator() against the real server: a million rows in bounded chunks and memory,
// inside an atomic block, ended early, and its errors.
#include "support/server.hpp"

#include <turbopg/orm/atomic.hpp>
#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/schema.hpp>

#include <asio/this_coro.hpp>

#include <unistd.h>

#include <algorithm>
#include <fstream>

using namespace turbopg;
using namespace turbopg::orm;
using namespace turbopg::test;
using asio::awaitable;

// Models live in a named namespace: clang 14 cannot reflect a struct without linkage.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool address_sanitizer = true;
#elif defined(__has_feature)
constexpr bool address_sanitizer = __has_feature(address_sanitizer);
#else
constexpr bool address_sanitizer = false;
#endif

namespace iterator_test {
struct IterRow {
    primary_key<> id;
    std::int32_t n = 0;
    std::string label;
};

// A fresh "iter_row" table with rows 1..count; labels are too long for the small-string buffer,
// so every row kept in memory would cost a heap block.
awaitable<void> fresh_rows(wire::connection& c, int count) {
    co_await drop_table<IterRow>(c);
    co_await create_table<IterRow>(c);
    co_await c.execute("insert into iter_row (id, n, label) select g, g, 'row ' || g || ' ' || "
                       "repeat('x', 40) from generate_series(1, $1) g",
                       count);
}

// Resident set size of this process in bytes (/proc/self/statm, second field, in pages).
std::size_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::size_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}
} // namespace iterator_test
using namespace iterator_test;

TEST_CASE("orm iterator: a million rows in chunks of at most chunk_size, in bounded memory") {
    run([]() -> awaitable<void> {
        constexpr int total = 1'000'000;
        constexpr std::size_t chunk_size = 5'000;
        auto c = co_await connect_test();
        co_await fresh_rows(c, total);
        wire::pool pool(co_await asio::this_coro::executor, test_url(), {.max_size = 2});
        auto it = objects<IterRow>().using_(pool).order_by("id").iterator(chunk_size);

        std::int64_t rows = 0, expected_id = 1;
        std::size_t largest = 0, chunks = 0;
        bool in_order = true;
        std::size_t baseline = 0, peak = 0;
        for (auto chunk = co_await it.next(); !chunk.empty(); chunk = co_await it.next()) {
            ++chunks;
            CHECK(pool.stats().in_use == 1); // one connection, held across the chunks
            largest = std::max(largest, chunk.size());
            for (auto& r : chunk) {
                in_order = in_order && r.id == expected_id && r.n == expected_id &&
                           r.label.size() == ("row " + std::to_string(expected_id)).size() + 41;
                ++expected_id;
                ++rows;
            }
            if (chunks == 1) baseline = resident_bytes();
            peak = std::max(peak, resident_bytes());
        }
        CHECK(rows == total);
        CHECK(in_order);
        CHECK(largest == chunk_size);
        CHECK(chunks == total / chunk_size);
        // Keeping every row would take well over 100 MB (a 64-byte string block plus the struct
        // per row); the chunks need about 0.5 MB. The bound is generous for allocator slack.
        const std::size_t growth_kib = (peak - baseline) / 1024;
        if (!address_sanitizer) // its quarantine keeps up to 256 MiB of freed memory resident
            CHECK(growth_kib < 48u * 1024);
        CHECK((co_await it.next()).empty()); // still done
        CHECK(pool.stats().in_use == 0);     // the connection went back at the end
        co_await pool.close();
        co_await drop_table<IterRow>(c);
    });
}

TEST_CASE("orm iterator: inside an atomic block it reads in the block's transaction") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_rows(c, 20);
        auto sizes = co_await atomic(c, [&](atomic_block& blk) -> awaitable<std::string> {
            // Uncommitted work of the block is visible to its cursor.
            co_await objects<IterRow>().using_(blk.db()).filter(F(&IterRow::n) > 10).delete_();
            auto it = objects<IterRow>().using_(blk.db()).order_by("-n").iterator(3);
            std::string out;
            for (auto chunk = co_await it.next(); !chunk.empty(); chunk = co_await it.next())
                out += std::to_string(chunk.size()) + "@" + std::to_string(chunk.front().n) + " ";
            CHECK(blk.connection().transaction_status() == 'T'); // the block's, still open
            CHECK(co_await blk.connection().query_value<std::int64_t>(
                      "select count(*) from pg_cursors where name like 'turbopg%'") == 0);
            co_return out;
        });
        CHECK(sizes == "3@10 3@7 3@4 1@1 ");
    });
}

TEST_CASE("orm iterator: close() ends it early; an abandoned one is rolled back; the connection "
          "stays usable") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_rows(c, 100);
        auto rows = objects<IterRow>().using_(c).filter(F(&IterRow::n) <= 50).order_by("id");
        {
            auto it = rows.only("n").iterator(10);
            auto chunk = co_await it.next();
            REQUIRE(chunk.size() == 10);
            CHECK(chunk[9].n == 10);
            CHECK(chunk[9].label.empty());        // only() loaded n (and the key)
            CHECK(c.transaction_status() == 'T'); // the iterator's own transaction
            co_await it.close();
            CHECK(c.transaction_status() == 'I');
            CHECK((co_await it.next()).empty());
        }
        {
            auto it = rows.iterator(10);
            CHECK((co_await it.next()).size() == 10);
        } // destroyed unfinished: its ROLLBACK is queued ahead of the next query
        CHECK(co_await c.query_value<std::int64_t>(
                  "select count(*) from pg_cursors where name like 'turbopg%'") == 0);
        CHECK(c.transaction_status() == 'I');
        // Exactly chunk_size rows: the empty FETCH after them ends the iteration.
        auto it = rows.iterator(50);
        CHECK((co_await it.next()).size() == 50);
        CHECK((co_await it.next()).empty());
        CHECK(c.transaction_status() == 'I');
    });
}

TEST_CASE("orm iterator: each chunk is decoded into the previous chunk's objects") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_rows(c, 35);
        const std::string long_label(200, 'y');
        co_await c.execute("update iter_row set label = $1 where id <= 20", long_label);
        auto label_of = [&](std::int64_t id) {
            return id <= 20 ? long_label : "row " + std::to_string(id) + " " + std::string(40, 'x');
        };
        // Whether chunk holds ids from..from+size-1 in order, with their labels.
        auto holds = [&](std::span<IterRow> chunk, std::int64_t from) {
            bool right = true;
            for (std::size_t i = 0; i < chunk.size(); ++i) {
                const auto id = from + static_cast<std::int64_t>(i);
                right = right && chunk[i].id == id && chunk[i].n == id &&
                        chunk[i].label == label_of(id);
            }
            return right;
        };
        auto it = objects<IterRow>().using_(c).order_by("id").iterator(10);
        auto chunk = co_await it.next();
        CHECK((chunk.size() == 10 && holds(chunk, 1)));
        chunk = co_await it.next();
        CHECK((chunk.size() == 10 && holds(chunk, 11)));
        chunk = co_await it.next();
        CHECK((chunk.size() == 10 && holds(chunk, 21)));
        // The short labels went into the strings of the chunks before, whose 200-character
        // buffers they kept: the chunk allocated nothing.
        CHECK(std::all_of(chunk.begin(), chunk.end(),
                          [&](const IterRow& r) { return r.label.capacity() >= 200; }));
        IterRow kept = std::move(chunk[3]); // taken away: the next chunk must not mind
        chunk = co_await it.next();
        CHECK((chunk.size() == 5 && holds(chunk, 31)));
        CHECK(kept.label == label_of(24));
        CHECK((co_await it.next()).empty());
        co_await drop_table<IterRow>(c);
    });
}

TEST_CASE("orm iterator: errors") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_rows(c, 5);
        CHECK_THROWS_AS(objects<IterRow>().using_(c).iterator(0), orm::error);

        auto none = objects<IterRow>().using_(c).none().iterator();
        CHECK((co_await none.next()).empty());

        co_await c.execute("alter table iter_row rename to iter_row_gone");
        auto it = objects<IterRow>().using_(c).iterator();
        std::string state;
        try {
            co_await it.next();
        } catch (const wire::error& e) {
            state = e.sqlstate();
        }
        CHECK(state == "42P01");             // undefined_table
        CHECK((co_await it.next()).empty()); // the iteration is over
        CHECK(co_await c.query_value<std::int32_t>("select 1") == 1);
        CHECK(c.transaction_status() == 'I');
        co_await c.execute("drop table iter_row_gone");

        // A value that does not fit its member fails the chunk with the decoding error.
        co_await fresh_rows(c, 5);
        co_await c.simple_query("alter table iter_row alter column label drop not null;"
                                "update iter_row set label = null where id = 3");
        auto bad = objects<IterRow>().using_(c).order_by("id").iterator();
        CHECK_THROWS_AS(co_await bad.next(), wire::error);
        CHECK(co_await c.query_value<std::int32_t>("select 1") == 1);
        CHECK(c.transaction_status() == 'I');
    });
}
