// Querysets against the real server: reading rows into structs, get's errors, counting,
// ordering, slicing, updates and deletes.
#include "support/server.hpp"

#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/schema.hpp>

#include <asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

using namespace turbopg;
using namespace turbopg::orm;
using namespace turbopg::test;
using asio::awaitable;
using namespace asio::experimental::awaitable_operators;

namespace {
struct Shelf {
    primary_key<> id;
    varchar<100> title;
    std::int32_t pages = 0;
    std::optional<double> rating;
};

// A fresh "shelf" table with five rows: A(100), B(200), C(300, rated 4.5), D(400), É(500).
awaitable<void> fresh_shelf(wire::connection& c) {
    co_await drop_table<Shelf>(c);
    co_await create_table<Shelf>(c);
    co_await c.execute("insert into shelf (title, pages, rating) values ('A', 100, null), "
                       "('B', 200, null), ('C', 300, 4.5), ('D', 400, null), ('É', 500, 1.0)");
}

// A diary whose entries may have no note and no date: A (no note, no date), B ("x", 2020-01-05),
// C ("y", 2021-03-01), D (no note, 2020-07-01).
struct Diary {
    primary_key<> id;
    varchar<20> title;
    std::optional<std::string> note;
    std::optional<std::chrono::sys_days> written;
};

awaitable<void> fresh_diary(wire::connection& c) {
    co_await drop_table<Diary>(c);
    co_await create_table<Diary>(c);
    co_await c.execute("insert into diary (title, note, written) values ('A', null, null), "
                       "('B', 'x', '2020-01-05'), ('C', 'y', '2021-03-01'), "
                       "('D', null, '2020-07-01')");
}

std::string titles(const std::vector<Diary>& rows) {
    std::string out;
    for (const auto& r : rows)
        out += r.title.value;
    return out;
}

std::string titles(const std::vector<Shelf>& rows) {
    std::string out;
    for (const auto& r : rows)
        out += r.title.value;
    return out;
}
} // namespace

TEST_CASE("orm: fetch, filter, order_by and slicing decode rows into the struct") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_shelf(c);
        auto shelf = objects<Shelf>().using_(c);
        auto all = co_await shelf.order_by("id").fetch();
        REQUIRE(all.size() == 5);
        CHECK(all[0].id.has_value());
        CHECK(all[2].rating == 4.5);
        CHECK_FALSE(all[0].rating.has_value());
        CHECK(titles(all) == "ABCDÉ");
        CHECK(titles(co_await shelf.filter(F(&Shelf::pages) > 250).order_by("-pages").fetch()) ==
              "ÉDC");
        CHECK(titles(co_await shelf.order_by("pages").slice(1, 3).fetch()) == "BC");
        CHECK(titles(co_await shelf.order_by("pages").slice(4).fetch()) == "É");
        CHECK(titles(co_await shelf.order_by("pages").slice(10, 20).fetch()).empty());
        // A slice's rows land in a vector sized for the slice once, not grown row by row.
        auto page = co_await shelf.order_by("pages").slice(0, 3).fetch();
        CHECK(page.size() == 3);
        CHECK(page.capacity() == 3);
        CHECK(titles(co_await shelf.filter("title__iexact", "é").fetch()) == "É");
        CHECK(titles(co_await shelf.filter(F(&Shelf::title).contains("%")).fetch()).empty());
        CHECK(titles(co_await shelf.filter(F(&Shelf::rating).isnull()).order_by("id").fetch()) ==
              "ABD");
        CHECK(titles(co_await shelf.filter("rating__isnull", true).order_by("id").fetch()) ==
              "ABD");
        CHECK(titles(co_await shelf.filter(Q("rating__isnull", false)).order_by("id").fetch()) ==
              "CÉ");
        std::vector<std::int32_t> bounds = {200, 400}; // g++ 12: no braced list in a co_await
        CHECK(titles(co_await shelf.filter("pages__range", bounds).order_by("id").fetch()) ==
              "BCD");
        auto in_list = F(&Shelf::pages).in({100, 500});
        CHECK(titles(co_await shelf.filter(in_list).order_by("id").fetch()) == "AÉ");
        CHECK(titles(co_await shelf.none().fetch()).empty());
        CHECK((co_await shelf.order_by("pages").at(0)).title == "A");
        CHECK((co_await shelf.order_by("pages").at(3)).title == "D");
        CHECK_THROWS_AS(co_await shelf.order_by("pages").at(5), index_error);
        CHECK_THROWS_AS(co_await shelf.at(-1), index_error);
    });
}

TEST_CASE("orm: distinct_on keeps each value's first row; order_by(\"?\") shuffles every row") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_shelf(c);
        auto shelf = objects<Shelf>().using_(c);
        // Per rating (NULL last, as one value), the row with the most pages.
        auto per_rating = shelf.distinct_on("rating").order_by("rating", "-pages");
        CHECK(per_rating.ordered());
        CHECK(titles(co_await per_rating.fetch()) == "ÉCD");
        CHECK(co_await per_rating.count() == 3);
        auto first_pages = co_await shelf.distinct_on("rating")
                               .order_by("rating", "pages")
                               .values_list(F(&Shelf::pages))
                               .flat()
                               .fetch();
        CHECK(first_pages == std::vector<std::int32_t>{500, 300, 100});
        // An ordering that does not start with the DISTINCT ON expressions is the server's
        // error (42P10).
        try {
            co_await shelf.distinct_on("rating").order_by("pages").fetch();
            FAIL("DISTINCT ON with another leading ORDER BY ran");
        } catch (const wire::error& e) {
            CHECK(e.sqlstate() == "42P10");
        }

        // Every row each time, not always in one order.
        std::set<std::string> orders;
        for (int i = 0; i < 10; ++i) {
            auto rows = co_await shelf.order_by("?").fetch();
            auto got = titles(rows);
            std::sort(rows.begin(), rows.end(),
                      [](const Shelf& a, const Shelf& b) { return *a.id < *b.id; });
            CHECK(titles(rows) == "ABCDÉ");
            orders.insert(got);
        }
        CHECK(orders.size() > 1);
    });
}

TEST_CASE("orm: exclude and ~Q keep the rows where a NULLable column is NULL, as Django does") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_shelf(c);
        auto shelf = objects<Shelf>().using_(c).order_by("id");
        // Rated C 4.5 and É 1.0; A, B and D have no rating.
        CHECK(titles(co_await shelf.filter(F(&Shelf::rating) > 2.0).fetch()) == "C");
        CHECK(titles(co_await shelf.exclude(F(&Shelf::rating) > 2.0).fetch()) == "ABDÉ");
        CHECK(titles(co_await shelf.exclude("rating__gt", 2.0).fetch()) == "ABDÉ");
        CHECK(titles(co_await shelf.filter(~(F(&Shelf::rating) > 2.0)).fetch()) == "ABDÉ");
        // Twice negated: the plain filter again.
        CHECK(titles(co_await shelf.exclude(~(F(&Shelf::rating) > 2.0)).fetch()) == "C");
    });
}

TEST_CASE("orm: exclude of in with a NULL among the values keeps the rows not matched") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_shelf(c);
        auto shelf = objects<Shelf>().using_(c).order_by("id");
        // Django drops None from an in list: rated 4.5 or None is rated 4.5 (C), and exclude()
        // keeps every other row, É (1.0) among them.
        std::vector<std::optional<double>> ratings;
        ratings.push_back(4.5);
        ratings.push_back(std::nullopt);
        CHECK(titles(co_await shelf.filter("rating__in", ratings).fetch()) == "C");
        CHECK(titles(co_await shelf.exclude("rating__in", ratings).fetch()) == "ABDÉ");
        CHECK(titles(co_await shelf.filter(~Q("rating__in", ratings)).fetch()) == "ABDÉ");
        CHECK(titles(co_await shelf.exclude(~Q("rating__in", ratings)).fetch()) == "C");
    });
}

TEST_CASE("orm: exclude on a date part of a NULLable column keeps the rows where it is NULL") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_diary(c);
        auto diary = objects<Diary>().using_(c).order_by("id");
        // Django requires the column itself NOT NULL under the NOT, transform or not: A (no
        // date) is not written in 2020, so exclude() keeps it.
        CHECK(titles(co_await diary.filter("written__year", 2020).fetch()) == "BD");
        CHECK(titles(co_await diary.exclude("written__year", 2020).fetch()) == "AC");
        CHECK(titles(co_await diary.exclude(F(&Diary::written).year() == 2020).fetch()) == "AC");
        CHECK(titles(co_await diary.exclude("written__year__gte", 2021).fetch()) == "ABD");
        CHECK(titles(co_await diary.exclude(Q("written__month", 1) | Q("written__month", 3))
                         .fetch()) == "AD");
    });
}

TEST_CASE("orm: iexact with no value is IS NULL, as exact's is (Django's iexact=None)") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_diary(c);
        auto diary = objects<Diary>().using_(c).order_by("id");
        std::optional<std::string> no_note;
        CHECK(titles(co_await diary.filter("note", no_note).fetch()) == "AD");
        CHECK(titles(co_await diary.filter("note__iexact", no_note).fetch()) == "AD");
        CHECK(titles(co_await diary.filter(Q("note__iexact", no_note)).fetch()) == "AD");
        CHECK(titles(co_await diary.exclude("note__iexact", no_note).fetch()) == "BC");
        CHECK(titles(co_await diary.filter("note__iexact", std::string("X")).fetch()) == "B");
    });
}

TEST_CASE("orm: get, count, exists, first, last and their errors") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_shelf(c);
        auto shelf = objects<Shelf>().using_(c);
        auto b = co_await shelf.get(F(&Shelf::title) == "B");
        CHECK(b.pages == 200);
        CHECK_THROWS_AS(co_await shelf.get(F(&Shelf::title) == "Z"), does_not_exist);
        bool multiple = false;
        try {
            co_await shelf.get(F(&Shelf::pages) > 100);
        } catch (const multiple_objects_returned& e) {
            multiple = std::string(e.what()).find("it returned 4!") != std::string::npos;
        }
        CHECK(multiple);
        CHECK(co_await shelf.count() == 5);
        CHECK(co_await shelf.filter(F(&Shelf::pages) >= 300).count() == 3);
        CHECK(co_await shelf.slice(1, 3).count() == 2);
        CHECK(co_await shelf.none().count() == 0);
        CHECK(co_await shelf.filter(F(&Shelf::title) == "C").exists());
        CHECK_FALSE(co_await shelf.filter(F(&Shelf::title) == "Q").exists());
        CHECK((co_await shelf.first())->title == "A");
        CHECK((co_await shelf.last())->title == "É");
        CHECK((co_await shelf.order_by("-pages").first())->title == "É");
        CHECK_FALSE((co_await shelf.filter(F(&Shelf::pages) > 1000).first()).has_value());
        CHECK((co_await shelf.latest("pages")).title == "É");
        CHECK((co_await shelf.earliest("pages")).title == "A");
        CHECK_THROWS_AS(co_await shelf.earliest(), error);
        // The last of the first two would be the table's last: refused, as Django does.
        CHECK((co_await shelf.order_by("pages").slice(0, 2).first())->title == "A");
        CHECK_THROWS_AS(co_await shelf.order_by("pages").slice(0, 2).last(), error);
        CHECK_THROWS_AS(co_await shelf.slice(0, 2).latest("pages"), error);
    });
}

TEST_CASE("orm: an exception of a for_each callback fails only its own query") {
    // Not a turbopg error: it must come out of the call once the rows are drained, not out of
    // the connection's reader, which would stop every request pipelined with it.
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_shelf(c);
        auto shelf = objects<Shelf>().using_(c).order_by("pages");
        int seen = 0;
        std::string thrown;
        auto failing = [&]() -> awaitable<void> {
            try {
                co_await shelf.for_each([&](Shelf&& s) {
                    ++seen;
                    if (s.title == "B") throw std::logic_error("the callback failed");
                });
            } catch (const std::logic_error& e) {
                thrown = e.what();
            }
        };
        auto count = co_await (failing() && shelf.count());
        CHECK(thrown == "the callback failed");
        CHECK(seen == 2); // no row after the one that failed
        CHECK(count == 5);
        CHECK(c.is_open());
        auto titles_read = std::string();
        co_await shelf.for_each([&](Shelf&& s) { titles_read += s.title.value; });
        CHECK(titles_read == "ABCDÉ");
    });
}

TEST_CASE("orm: update and delete return counts; a server error carries its SQLSTATE") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_shelf(c);
        auto shelf = objects<Shelf>().using_(c);
        auto n = co_await shelf.filter(F(&Shelf::pages) < 300)
                     .update(set(&Shelf::pages, F(&Shelf::pages) + 1));
        CHECK(n == 2);
        CHECK((co_await shelf.get(F(&Shelf::title) == "A")).pages == 101);
        CHECK(co_await shelf.filter(F(&Shelf::title) == "D").delete_() == 1);
        CHECK(co_await shelf.all().delete_() == 4);
        CHECK(co_await shelf.count() == 0);
        bool sqlstate = false;
        co_await fresh_shelf(c);
        try {
            co_await shelf.all().update(set(&Shelf::title, std::string(101, 'x')));
        } catch (const wire::error& e) {
            sqlstate = e.diagnostics() && e.diagnostics()->sqlstate == "22001";
        }
        CHECK(sqlstate);
    });
}

TEST_CASE("orm: an unregistered database and an unknown field are clear errors") {
    run([]() -> awaitable<void> {
        CHECK_THROWS_WITH_AS(co_await objects<Shelf>().count(),
                             doctest::Contains("no database named \"default\""), error);
        co_return;
    });
    CHECK_THROWS_AS(objects<Shelf>().filter("colour", 1), field_error);
}

TEST_CASE("orm: a count and a page awaited together are pipelined on one pooled connection") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_shelf(c);
        wire::pool pool(co_await asio::this_coro::executor, test_url(), {.max_size = 2});
        database db(pool);
        auto big = objects<Shelf>().filter(F(&Shelf::pages) >= 200).order_by("pages");
        auto [n, page, pid] = co_await db.pinned(
            [&](database one) -> awaitable<std::tuple<std::int64_t, std::vector<Shelf>, int>> {
                auto counted = big.using_(one);
                auto paged = big.using_(one).slice(0, 2);
                auto [count, rows] = co_await (counted.count() && paged.fetch());
                co_return std::tuple{count, std::move(rows), one.connection()->backend_pid()};
            });
        CHECK(n == 4);
        CHECK(titles(page) == "BC");
        CHECK(pid != 0);
        CHECK(pool.stats().created == 1); // both ran on the one connection
        co_await pool.close();
    });
}
