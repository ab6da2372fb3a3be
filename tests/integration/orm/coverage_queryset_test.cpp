// Queryset edge cases against the real server that the other files leave out: none() through
// every terminal call, slices that are empty or past the end, meta.ordering and get_latest_by,
// reverse(), aggregates over NULLs, distinct and filter, aggregates over annotations, F
// arithmetic (NULLs, self-reference, division by zero), Q combinations, combinations then
// terminal calls, and explain's formats.
#include "support/server.hpp"

#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/schema.hpp>

#include <chrono>
#include <cmath>
#include <type_traits>

using namespace turbopg;
using namespace turbopg::orm;
using namespace turbopg::test;
using asio::awaitable;

// A named namespace: clang cannot reflect members of types with internal linkage.
namespace coverage_queryset_test {
struct CovBook {
    primary_key<> id;
    varchar<100> title;
    std::int64_t author = 0;
    std::int32_t pages = 0;
    std::optional<double> rating;
    std::optional<std::chrono::sys_days> published;
    static constexpr model_meta meta{
        .table = "cov_book", .ordering = {"-pages"}, .get_latest_by = "published"};
};

// By id: Alpha (author 1, 100 pages, 4.0, 2001-01-01), Beta (1, 300, -, 2003-03-03),
// Gamma (2, 200, 3.0, no date), Delta (2, 500, 5.0, 2002-02-02), Épsilon ✓ (2, 50, -,
// 2004-04-04). In meta.ordering (-pages): Delta Beta Gamma Alpha Épsilon.
awaitable<void> fresh_books(wire::connection& c) {
    co_await drop_table<CovBook>(c);
    co_await create_table<CovBook>(c);
    co_await c.execute("insert into cov_book (id, title, author, pages, rating, published) values "
                       "(1, 'Alpha', 1, 100, 4.0, '2001-01-01'), "
                       "(2, 'Beta', 1, 300, null, '2003-03-03'), "
                       "(3, 'Gamma', 2, 200, 3.0, null), "
                       "(4, 'Delta', 2, 500, 5.0, '2002-02-02'), "
                       "(5, 'Épsilon ✓', 2, 50, null, '2004-04-04')");
}

std::string titles(const std::vector<CovBook>& rows) {
    std::string out;
    for (const auto& r : rows)
        out += (out.empty() ? "" : " ") + r.title.value;
    return out;
}

// A connection that is closed: any query on it throws, so a call that completes on it sent none.
awaitable<wire::connection> closed_connection() {
    auto c = co_await connect_test();
    co_await c.close();
    co_return c;
}

template <class T>
bool is_null(const T& v) {
    if constexpr (wire::detail::is_optional<T>)
        return !v.has_value();
    else
        return false;
}
} // namespace coverage_queryset_test

using namespace coverage_queryset_test;

TEST_CASE("orm coverage: none() answers every terminal call without a query") {
    run([]() -> awaitable<void> {
        auto closed = co_await closed_connection();
        auto none = objects<CovBook>().using_(closed).all().none();
        CHECK((co_await none.fetch()).empty());
        int called = 0;
        CHECK(co_await none.for_each([&](CovBook&&) { ++called; }) == 0);
        CHECK(called == 0);
        CHECK(co_await none.count() == 0);
        CHECK_FALSE(co_await none.exists());
        CHECK_FALSE((co_await none.first()).has_value());
        CHECK_FALSE((co_await none.last()).has_value());
        CHECK_THROWS_AS(co_await none.at(0), index_error);
        CHECK_THROWS_AS(co_await none.get(), does_not_exist);
        CHECK_THROWS_AS(co_await none.get(F(&CovBook::pages) > 1), does_not_exist);
        CHECK_THROWS_AS(co_await none.earliest("pages"), does_not_exist);
        CHECK_THROWS_AS(co_await none.latest(), does_not_exist);
        auto [n, pages, avg, most] = co_await none.aggregate(
            Count(), Sum(F(&CovBook::pages)), Avg(F(&CovBook::pages)), Max(F(&CovBook::title)));
        CHECK(n == 0);
        CHECK_FALSE(pages.has_value());
        CHECK_FALSE(avg.has_value());
        CHECK_FALSE(most.has_value());
        std::vector<std::int64_t> keys{1, 2};
        CHECK((co_await none.in_bulk(keys)).empty());
        CovBook saved;
        saved.id = 1;
        CHECK_FALSE(co_await none.contains(saved));
        CHECK(co_await none.update(set(&CovBook::pages, 1)) == 0);
        CHECK(co_await none.delete_() == 0);
        std::vector<CovBook> objs{saved};
        std::vector<std::string> fields{"pages"};
        CHECK(co_await none.bulk_update(objs, fields) == 0);
        CHECK((co_await none.values().fetch()).empty());
        CHECK((co_await none.values_list(F(&CovBook::title)).flat().fetch()).empty());
        CHECK(co_await none.values_list(F(&CovBook::title)).count() == 0);
        CHECK_FALSE(co_await none.values_list(F(&CovBook::title)).exists());
        auto it = none.iterator(2);
        CHECK((co_await it.next()).empty());
        CHECK((co_await none.union_(none).fetch()).empty());
        CHECK(co_await none.union_(none).count() == 0);
        CHECK(none.to_string() == "<queryset coverage_queryset_test::CovBook: EmptyResultSet>");
    });
}

TEST_CASE("orm coverage: a filter matching nothing gives what none() gives") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_books(c);
        auto nothing = objects<CovBook>().using_(c).filter(F(&CovBook::pages) > 10000);
        CHECK((co_await nothing.fetch()).empty());
        CHECK(co_await nothing.count() == 0);
        CHECK_FALSE(co_await nothing.exists());
        CHECK_FALSE((co_await nothing.first()).has_value());
        CHECK_FALSE((co_await nothing.last()).has_value());
        CHECK_THROWS_AS(co_await nothing.at(0), index_error);
        CHECK_THROWS_AS(co_await nothing.get(), does_not_exist);
        CHECK_THROWS_AS(co_await nothing.latest(), does_not_exist);
        CHECK_THROWS_AS(co_await nothing.earliest("pages"), does_not_exist);
        std::vector<std::int64_t> keys{1, 2};
        CHECK((co_await nothing.in_bulk(keys)).empty());
        CHECK(co_await nothing.update(set(&CovBook::pages, 1)) == 0);
        CHECK(co_await nothing.delete_() == 0);
        auto it = nothing.iterator(2);
        CHECK((co_await it.next()).empty());
        auto [n, pages, avg] =
            co_await nothing.aggregate(Count(), Sum(F(&CovBook::pages)), Avg(F(&CovBook::rating)));
        CHECK(n == 0);
        CHECK_FALSE(pages.has_value());
        CHECK_FALSE(avg.has_value());
        CHECK(co_await objects<CovBook>().using_(c).count() == 5);
    });
}

// Django: an aggregate over no rows is the SQL's value over no rows, so COALESCE(SUM(x), 7) is
// 7 and COUNT(*) + 1 is 1, whether the queryset is none() or filters every row out. (none()
// answered such an expression with a value-initialised tuple, 0, before.)
TEST_CASE("orm coverage: none().aggregate() of an expression over aggregates is its value over "
          "no rows") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_books(c);
        auto books = objects<CovBook>().using_(c);
        auto seven = std::int64_t(7);
        auto nothing = books.filter(F(&CovBook::pages) > 10000);
        auto [filtered_sum, filtered_count] =
            co_await nothing.aggregate(Coalesce(Sum(F(&CovBook::pages)), seven), Count() + 1);
        CHECK(filtered_sum == 7);
        CHECK(filtered_count == 1);
        auto [none_sum, none_count] =
            co_await books.none().aggregate(Coalesce(Sum(F(&CovBook::pages)), seven), Count() + 1);
        CHECK(none_sum == 7);
        CHECK(none_count == 1);
    });
}

TEST_CASE("orm coverage: empty slices, slices past the end and slices of slices") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_books(c);
        auto books = objects<CovBook>().using_(c); // meta.ordering: Delta Beta Gamma Alpha Épsilon
        CHECK(titles(co_await books.fetch()) == "Delta Beta Gamma Alpha Épsilon ✓");
        // g++ 12: no braced list in a coroutine's co_await expressions; the slices are a local.
        std::vector<std::pair<std::int64_t, std::int64_t>> empty_slices{{5, 5}, {0, 0}, {2, 2}};
        for (auto [start, stop] : empty_slices) {
            auto empty = books.slice(start, stop);
            CHECK((co_await empty.fetch()).empty());
            CHECK(co_await empty.count() == 0);
            CHECK_FALSE(co_await empty.exists());
            CHECK_FALSE((co_await empty.first()).has_value());
            CHECK_THROWS_AS(co_await empty.get(), does_not_exist);
            auto [n, pages] = co_await empty.aggregate(Count(), Sum(F(&CovBook::pages)));
            CHECK(n == 0);
            CHECK_FALSE(pages.has_value());
        }
        auto beyond = books.slice(10);
        CHECK((co_await beyond.fetch()).empty());
        CHECK(co_await beyond.count() == 0);
        CHECK_FALSE(co_await books.slice(10, 20).exists());
        CHECK(titles(co_await books.slice(4).fetch()) == "Épsilon ✓");
        CHECK(titles(co_await books.slice(3, 100).fetch()) == "Alpha Épsilon ✓");
        CHECK(co_await books.slice(3, 100).count() == 2);
        // Python's qs[1:4][1:2], qs[1:3][5:], qs[2:][1:3].
        CHECK(titles(co_await books.slice(1, 4).slice(1, 2).fetch()) == "Gamma");
        CHECK((co_await books.slice(1, 3).slice(5).fetch()).empty());
        CHECK(titles(co_await books.slice(2).slice(1, 3).fetch()) == "Alpha Épsilon ✓");
        CHECK(co_await books.slice(2).slice(1, 3).count() == 2);
        CHECK((co_await books.slice(1, 3).at(1)).title == "Gamma");
        CHECK_THROWS_AS(co_await books.slice(1, 3).at(2), index_error);
        CHECK((co_await books.at(4)).title == "Épsilon ✓");
        CHECK_THROWS_AS(co_await books.at(5), index_error);
        CHECK((co_await books.slice(1, 3).first())->title == "Beta");
        CHECK((co_await books.slice(3, 4).get()).title == "Alpha");
        // Negative and reversed slices are refused before anything is sent.
        CHECK_THROWS_AS(books.slice(-1), orm::error);
        CHECK_THROWS_AS(books.slice(3, 1), orm::error);
        CHECK_THROWS_AS(books.slice(0, -1), orm::error);
        auto pages = co_await books.values_list(F(&CovBook::pages)).flat().slice(2, 4).fetch();
        CHECK(pages == std::vector<std::int32_t>{200, 100});
        auto [sum] = co_await books.slice(1, 3).aggregate(Sum(F(&CovBook::pages)));
        CHECK(sum == 500);
        // update() of a slice writes the rows of the slice only (by primary key).
        CHECK(co_await books.all().slice(0, 2).update(
                  set(&CovBook::pages, F(&CovBook::pages) + 1)) == 2);
        auto now = co_await books.order_by("id").values_list(F(&CovBook::pages)).flat().fetch();
        CHECK(now == std::vector<std::int32_t>{100, 301, 200, 501, 50});
    });
}

TEST_CASE("orm coverage: get() of more than 20 rows says so") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_books(c);
        co_await c.execute("insert into cov_book (id, title, author, pages) "
                           "select n, 'many ' || n, 9, n from generate_series(1000, 1029) n");
        auto many = objects<CovBook>().using_(c).filter(F(&CovBook::author) == 9);
        CHECK_THROWS_WITH_AS(co_await many.get(),
                             "get() returned more than one coverage_queryset_test::CovBook -- it "
                             "returned more than 20!",
                             multiple_objects_returned);
        CHECK_THROWS_WITH_AS(co_await many.get(F(&CovBook::pages) < 1002),
                             doctest::Contains("it returned 2!"), multiple_objects_returned);
        CHECK((co_await many.get(F(&CovBook::pages) == 1029)).title == "many 1029");
    });
}

TEST_CASE("orm coverage: meta.ordering, reverse() and get_latest_by on the server") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_books(c);
        auto books = objects<CovBook>().using_(c);
        CHECK(books.ordered());
        CHECK_FALSE(books.order_by().ordered());
        CHECK(books.order_by("?").ordered());
        CHECK(titles(co_await books.reverse().fetch()) == "Épsilon ✓ Alpha Gamma Beta Delta");
        CHECK(titles(co_await books.reverse().reverse().fetch()) ==
              "Delta Beta Gamma Alpha Épsilon ✓");
        CHECK(titles(co_await books.order_by("title").reverse().fetch()) ==
              "Épsilon ✓ Gamma Delta Beta Alpha");
        CHECK((co_await books.first())->title == "Delta");
        CHECK((co_await books.last())->title == "Épsilon ✓");
        CHECK((co_await books.reverse().first())->title == "Épsilon ✓");
        // order_by() without fields drops meta.ordering: first() and last() go by primary key.
        CHECK((co_await books.order_by().first())->title == "Alpha");
        CHECK((co_await books.order_by().last())->title == "Épsilon ✓");
        auto unordered = co_await books.order_by().fetch();
        CHECK(unordered.size() == 5);
        // get_latest_by = "published". As Django on PostgreSQL (which documents it): latest()
        // orders DESC, NULLs first, so the undated Gamma is the latest.
        CHECK((co_await books.latest()).title == "Gamma");
        CHECK((co_await books.filter("published__isnull", false).latest()).title == "Épsilon ✓");
        CHECK((co_await books.earliest()).title == "Alpha");
        CHECK((co_await books.latest("-pages")).title == "Épsilon ✓");
        CHECK((co_await books.earliest("-pages")).title == "Delta");
        CHECK_THROWS_AS(co_await books.latest("colour"), field_error);
        // Grouped values leave meta.ordering out (as Django since 3.1): one row per author.
        auto per_author =
            co_await books.values_list(F(&CovBook::author), Count()).order_by("author").fetch();
        CHECK(per_author == std::vector<std::tuple<std::int64_t, std::int64_t>>{{1, 2}, {2, 3}});
        CHECK(co_await books.values_list(F(&CovBook::author), Count()).count() == 2);
        // distinct() values with meta.ordering select the ordering's column too (Django's
        // caveat): the five pages keep five rows; without the ordering, two.
        CHECK(co_await books.values("author").distinct().count() == 2);
        CHECK((co_await books.values("author").distinct().fetch()).size() == 5);
        CHECK((co_await books.values("author").distinct().order_by().fetch()).size() == 2);
        auto flat_titles = co_await books.values_list(F(&CovBook::title)).flat().fetch();
        CHECK(flat_titles ==
              std::vector<std::string>{"Delta", "Beta", "Gamma", "Alpha", "Épsilon ✓"});
    });
}

TEST_CASE("orm coverage: defer() and only() load the fields asked for, the key always") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_books(c);
        auto books = objects<CovBook>().using_(c).order_by("id");
        // Deferred fields keep their C++ default (Django would load them on access).
        auto no_rating = co_await books.defer("rating", "published").fetch();
        REQUIRE(no_rating.size() == 5);
        CHECK(no_rating[0].id == 1);
        CHECK(no_rating[0].title.value == "Alpha");
        CHECK(no_rating[0].pages == 100);
        CHECK_FALSE(no_rating[0].rating.has_value()); // 4.0 in the table
        CHECK_FALSE(no_rating[0].published.has_value());
        // The key is never deferred, and defer() after only() narrows it further.
        auto gamma = co_await books.only("title", "pages")
                         .defer("pages", "id")
                         .get(F(&CovBook::title) == "Gamma");
        CHECK(gamma.id == 3);
        CHECK(gamma.title.value == "Gamma");
        CHECK(gamma.pages == 0);
        CHECK(gamma.author == 0);
        CHECK(books.only("title").sql().sql.starts_with(
            R"(SELECT "cov_book"."id", "cov_book"."title" FROM)"));
        // What is filtered or ordered on needs no loading.
        auto by_rating = co_await books.only("title")
                             .filter(F(&CovBook::rating) > 3.5)
                             .order_by(F(&CovBook::rating).desc())
                             .fetch();
        CHECK(titles(by_rating) == "Delta Alpha");
        CHECK_FALSE(by_rating[0].rating.has_value());
        CHECK_THROWS_AS(books.defer("no_such_field"), field_error);
        CHECK_THROWS_AS(books.only("no_such_field"), field_error);
    });
}
