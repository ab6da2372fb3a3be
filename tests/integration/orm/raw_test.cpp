// raw<M>() against the real server: rows of raw SQL read into models by column name.
#include "support/server.hpp"

#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/raw.hpp>
#include <turbopg/orm/schema.hpp>

using namespace turbopg;
using namespace turbopg::orm;
using namespace turbopg::test;
using asio::awaitable;

// A named namespace: clang cannot reflect members of types with internal linkage.
namespace raw_test {
struct RawBook {
    primary_key<> id;
    varchar<100> title;
    std::int32_t pages = 0;
    std::optional<double> rating;
};

awaitable<void> fresh_books(wire::connection& c) {
    co_await drop_table<RawBook>(c);
    co_await create_table<RawBook>(c);
    co_await c.execute("insert into raw_book (id, title, pages, rating) values "
                       "(1, 'Alpha', 100, 4.0), (2, 'Beta', 300, null), (3, 'Gamma', 500, 5.0)");
}
} // namespace raw_test

using namespace raw_test;

TEST_CASE("orm: raw SQL maps columns onto the model by name; mismatches are field_error") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_books(c);
        auto rows = co_await raw<RawBook>("select rating, pages, title, id from raw_book where "
                                          "pages > $1 order by id",
                                          250)
                        .using_(c)
                        .fetch();
        REQUIRE(rows.size() == 2);
        CHECK(rows[0].title == "Beta");
        CHECK(rows[0].pages == 300);
        CHECK_FALSE(rows[0].rating.has_value());
        CHECK(rows[1].rating == 5.0);
        CHECK(*rows[1].id == 3);
        std::int32_t pages = 0;
        auto n =
            co_await raw<RawBook>("select * from raw_book").using_(c).for_each([&](RawBook&& b) {
                pages += b.pages;
            });
        CHECK(n == 3);
        CHECK(pages == 900);
        CHECK_THROWS_WITH_AS(
            co_await raw<RawBook>("select *, 1 as extra from raw_book").using_(c).fetch(),
            doctest::Contains("raw query column \"extra\" is not a field of raw_test::RawBook"),
            field_error);
        CHECK_THROWS_WITH_AS(
            co_await raw<RawBook>("select id, title from raw_book where false").using_(c).fetch(),
            "raw query gives no column for raw_test::RawBook's pages, rating (every field needs a "
            "column of its name)",
            field_error);
        CHECK_THROWS_WITH_AS(
            co_await raw<RawBook>("select id, title, pages, 'x' as rating from raw_book")
                .using_(c)
                .fetch(),
            doctest::Contains("column \"rating\""), wire::error);
        bool server_error = false;
        try {
            co_await raw<RawBook>("select * from no_such_table").using_(c).fetch();
        } catch (const wire::error& e) {
            server_error = e.diagnostics() && e.diagnostics()->sqlstate == "42P01";
        }
        CHECK(server_error);
        // The connection is still usable after the mapping errors.
        CHECK(co_await objects<RawBook>().using_(c).count() == 3);
    });
}
