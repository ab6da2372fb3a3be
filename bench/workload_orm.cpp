// The ORM workloads: the same data as the wire ones (load.sql's bench_rows) read through
// querysets, to be compared with point-seq and rows in the same run.
#include "input_rows.hpp"
#include "rows_checksum.hpp"
#include "workloads.hpp"

#include <turbopg/orm/queryset.hpp>
#include <turbopg/wire/connection.hpp>

#include <asio/experimental/awaitable_operators.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace turbopg::bench {
// Not in an anonymous namespace: clang 14 cannot reflect a struct without linkage.
namespace orm_models {
// bench_rows (load.sql) as a model.
struct BenchRow {
    orm::primary_key<> id;
    std::string name;
    double score = 0;
    std::chrono::sys_time<std::chrono::microseconds> created{};
    bool flag = false;
    static constexpr orm::model_meta meta{.table = "bench_rows"};
};
// bench_in, copy-in's target, as a model (ids given, so no identity key).
struct BenchIn {
    std::int64_t id = 0;
    std::string name;
    double score = 0;
    std::chrono::sys_time<std::chrono::microseconds> created{};
    bool flag = false;
    static constexpr orm::model_meta meta{.table = "bench_in"};
};
} // namespace orm_models

namespace {

using namespace asio::experimental::awaitable_operators;
using orm::F;
using orm_models::BenchIn;
using orm_models::BenchRow;

// A connection and the size of bench_rows (from bench_meta).
struct orm_session {
    asio::io_context io{1};
    wire::connection conn;
    std::int64_t rows;

    explicit orm_session(const workload_args& a)
        : conn(block_on(io, wire::connection::connect(io.get_executor(), a.url)))
        , rows(block_on(io, conn.query_value<std::int64_t>("SELECT rows FROM bench_meta"))) {}
    ~orm_session() {
        try {
            block_on(io, conn.close());
        } catch (...) {
            // The measurement is taken; a failing Terminate changes nothing about it.
        }
    }
    auto objects() { return orm::objects<BenchRow>().using_(conn); }
};

} // namespace

measurement orm_get(const workload_args& a) {
    orm_session s(a);
    auto rows = s.objects();
    timed_section t;
    block_on(s.io, [&]() -> asio::awaitable<void> {
        for (long i = 0; i < a.ops; ++i) {
            const std::int64_t id = 1 + param_of(i) % s.rows;
            auto r = co_await rows.get(F(&BenchRow::id) == id);
            if (!(r.id == id) || r.flag != (id % 3 == 0))
                throw check_failed("get(id == " + std::to_string(id) + ") read another row");
        }
    }());
    return t.finish(a.ops);
}

namespace {
// All of bench_rows into BenchRow objects, summed as rows does; `collect` keeps them in the
// vector fetch() returns, otherwise each row streams through for_each as in rows.
measurement fetch_rows(const workload_args& a, bool collect) {
    orm_session s(a);
    rows_checksum sum;
    std::size_t n = 0;
    auto add = [&](const BenchRow& r) {
        sum.add(r.id.value(), r.name, r.score, r.created, r.flag);
    };
    std::vector<BenchRow> kept; // freed after the timed section, as rows frees nothing in it
    timed_section t;
    block_on(s.io, [&]() -> asio::awaitable<void> {
        if (collect) {
            kept = co_await s.objects().fetch();
            n = kept.size();
            for (const auto& r : kept)
                add(r);
        } else {
            n = co_await s.objects().for_each([&](BenchRow&& r) { add(r); });
        }
    }());
    auto m = t.finish(static_cast<long>(n), sum.str());
    if (static_cast<long>(n) != a.ops)
        throw check_failed("bench_rows has " + std::to_string(n) + " rows, expected " +
                           std::to_string(a.ops));
    return m;
}
} // namespace

measurement orm_fetch(const workload_args& a) {
    return fetch_rows(a, false);
}
measurement orm_fetch_list(const workload_args& a) {
    return fetch_rows(a, true);
}

measurement orm_page(const workload_args& a) {
    constexpr std::int64_t window = 1000, page_size = 20, pages = 5;
    orm_session s(a);
    if (s.rows <= window)
        throw check_failed("orm-page needs more than " + std::to_string(window) +
                           " rows in bench_rows");
    auto rows = s.objects();
    timed_section t;
    block_on(s.io, [&]() -> asio::awaitable<void> {
        for (long i = 0; i < a.ops; ++i) {
            // The flagged rows among ids (low, low + window], newest first, page i % pages.
            const std::int64_t low = param_of(i) % (s.rows - window), high = low + window;
            const std::int64_t page = i % pages;
            auto flagged = rows.filter(F(&BenchRow::id) > low)
                               .filter(F(&BenchRow::id) <= high)
                               .filter(F(&BenchRow::flag) == true);
            auto paged = flagged.order_by("-id").slice(page * page_size, (page + 1) * page_size);
            // Awaited together: the page query is sent while the count is in flight, on one
            // connection.
            auto [total, items] = co_await (flagged.count() && paged.fetch());
            const std::int64_t first = (high / 3 - page * page_size) * 3;
            if (total != high / 3 - low / 3 || items.size() != page_size ||
                !(items.front().id == first) || !(items.back().id == first - 3 * (page_size - 1)))
                throw check_failed("page " + std::to_string(page) + " of ids (" +
                                   std::to_string(low) + ", " + std::to_string(high) +
                                   "] is wrong");
        }
    }());
    return t.finish(a.ops);
}

measurement orm_bulk_create(const workload_args& a) {
    std::vector<BenchIn> objects;
    objects.reserve(static_cast<std::size_t>(a.ops));
    for (auto& r : generate_input_rows(a.ops))
        objects.push_back({r.id, std::move(r.name), r.score, r.created, r.flag});
    orm_session s(a);
    block_on(s.io,
             [&]() -> asio::awaitable<void> { co_await s.conn.execute("TRUNCATE bench_in"); }());
    auto target = orm::objects<BenchIn>().using_(s.conn);
    const orm::bulk_create_options by_copy{.copy = true};
    timed_section t;
    block_on(s.io, [&]() -> asio::awaitable<void> {
        auto written = co_await target.bulk_create(std::move(objects), by_copy);
        if (static_cast<long>(written.size()) != a.ops)
            throw check_failed("bulk_create returned " + std::to_string(written.size()) +
                               " objects");
    }());
    auto m = t.finish(a.ops);
    auto copied = block_on(s.io, target.count());
    if (copied != a.ops)
        throw check_failed("bench_in has " + std::to_string(copied) + " rows after bulk_create");
    return m;
}

} // namespace turbopg::bench
