// Expressions and aggregates against the real server, the cases the other files leave out:
// aggregates over NULLs with distinct, filter and sample, aggregates over annotations, values()
// with annotations, F arithmetic (NULL operands, self-reference, division by zero), Q trees,
// combinations through terminal calls, explain's formats, and select_for_update's options.
#include "support/server.hpp"

#include <turbopg/orm/atomic.hpp>
#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/schema.hpp>

#include <algorithm>
#include <cmath>

using namespace turbopg;
using namespace turbopg::orm;
using namespace turbopg::test;
using asio::awaitable;

// A named namespace: clang cannot reflect members of types with internal linkage.
namespace coverage_expressions_test {
struct CovItem {
    primary_key<> id;
    varchar<100> title;
    std::int64_t author = 0;
    std::int32_t pages = 0;
    std::optional<double> rating;
    static constexpr model_meta meta{.table = "cov_item"};
};

// Alpha (author 1, 100 pages, 4.0), Beta (1, 300, -), Gamma (2, 200, 3.0), Delta (2, 500, 5.0),
// Épsilon ✓ (2, 50, -).
awaitable<void> fresh_items(wire::connection& c) {
    co_await drop_table<CovItem>(c);
    co_await create_table<CovItem>(c);
    co_await c.execute("insert into cov_item (id, title, author, pages, rating) values "
                       "(1, 'Alpha', 1, 100, 4.0), (2, 'Beta', 1, 300, null), "
                       "(3, 'Gamma', 2, 200, 3.0), (4, 'Delta', 2, 500, 5.0), "
                       "(5, 'Épsilon ✓', 2, 50, null)");
}

template <class T>
bool is_null(const T& v) {
    if constexpr (wire::detail::is_optional<T>)
        return !v.has_value();
    else
        return false;
}

bool near(std::optional<double> v, double expected) {
    return v && std::abs(*v - expected) < 1e-9;
}
} // namespace coverage_expressions_test

using namespace coverage_expressions_test;

TEST_CASE("orm coverage: aggregates skip NULLs; distinct, filter and sample options") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_items(c);
        auto items = objects<CovItem>().using_(c);
        auto rating = F(&CovItem::rating);
        // Ratings 4.0, -, 3.0, 5.0, -.
        auto [n, rated, sum, avg, low, high, sd, var] =
            co_await items.aggregate(Count(), Count(rating), Sum(rating), Avg(rating), Min(rating),
                                     Max(rating), StdDev(rating), Variance(rating));
        CHECK(n == 5);
        CHECK(rated == 3);
        CHECK(sum == 12.0);
        CHECK(avg == 4.0);
        CHECK(low == 3.0);
        CHECK(high == 5.0);
        CHECK(near(sd, std::sqrt(2.0 / 3.0)));
        CHECK(near(var, 2.0 / 3.0));
        // g++ 12: the options are locals, not braced lists inside the co_await expression.
        statistic_options sample{.sample = true};
        auto short_ones = F(&CovItem::pages) <= 200;
        aggregate_options short_filter{.filter = short_ones};
        statistic_options short_stats{.filter = short_ones};
        aggregate_options distinct{.distinct = true};
        statistic_options distinct_stats{.distinct = true};
        auto author = F(&CovItem::author);
        auto [sample_sd, sample_var, short_avg, short_count, short_var, authors, author_sum,
              author_avg, author_var] =
            co_await items.aggregate(
                StdDev(rating, sample), Variance(rating, sample), Avg(rating, short_filter),
                Count(rating, short_filter), Variance(rating, short_stats), Count(author, distinct),
                Sum(author, distinct), Avg(author, distinct), Variance(author, distinct_stats));
        CHECK(near(sample_sd, 1.0));
        CHECK(near(sample_var, 1.0));
        CHECK(short_avg == 3.5); // Alpha 4.0, Gamma 3.0 (Épsilon has none)
        CHECK(short_count == 2);
        CHECK(near(short_var, 0.25));
        CHECK(authors == 2);
        CHECK(author_sum == 3);
        CHECK(author_avg == 1.5);
        CHECK(near(author_var, 0.25));
        // Only NULLs: every aggregate but COUNT is NULL; a sample of one row has no deviation.
        auto unrated = items.filter(rating.isnull());
        auto [count_unrated, sum_unrated, avg_unrated, max_unrated, sd_unrated] =
            co_await unrated.aggregate(Count(rating), Sum(rating), Avg(rating), Max(rating),
                                       StdDev(rating));
        CHECK(count_unrated == 0);
        CHECK_FALSE(sum_unrated.has_value());
        CHECK_FALSE(avg_unrated.has_value());
        CHECK_FALSE(max_unrated.has_value());
        CHECK_FALSE(sd_unrated.has_value());
        auto [one_sample] = co_await items.filter(F(&CovItem::title) == "Alpha")
                                .aggregate(StdDev(F(&CovItem::pages), sample));
        CHECK_FALSE(one_sample.has_value());
        // Text: MIN and MAX by the column's collation (C.UTF-8 here: by code point).
        auto [first_title, last_title] =
            co_await items.aggregate(Min(F(&CovItem::title)), Max(F(&CovItem::title)));
        CHECK(first_title == "Alpha");
        CHECK(last_title == "Épsilon ✓");
        // Coalesce around an aggregate: Django's Sum(default=0).
        auto [zero] = co_await unrated.aggregate(Coalesce(Sum(rating), 0.0));
        CHECK(zero == 0.0);
    });
}

TEST_CASE("orm coverage: aggregate() over annotations, and values() with annotations") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_items(c);
        auto items = objects<CovItem>().using_(c);
        auto doubled = items.annotate("doubled", F(&CovItem::pages) * 2);
        auto [sum_doubled, max_doubled] = co_await doubled.aggregate(
            Sum(F<std::int32_t>("doubled")), Max(F<std::int32_t>("doubled")));
        CHECK(sum_doubled == 2300);
        CHECK(max_doubled == 1000);
        // Django's Author.objects.annotate(n=Count(...)).aggregate(Sum("n")): over a subquery.
        auto counted = items.annotate("n", Count());
        auto [sum_n, max_n] =
            co_await counted.aggregate(Sum(F<std::int64_t>("n")), Max(F<std::int64_t>("n")));
        CHECK(sum_n == 5);
        CHECK(max_n == 1);
        // Per author through a correlated subquery, then averaged: (2 + 3) / 2.
        auto same_author =
            Subquery(objects<CovItem>()
                         .filter(F(&CovItem::author) == OuterRef<std::int64_t>("author"))
                         .values_list(Count()));
        auto [avg_books] = co_await items.filter(F(&CovItem::pages) >= 300)
                               .annotate("books", same_author)
                               .aggregate(Avg(F<std::int64_t>("books")));
        CHECK(avg_books == 2.5); // Beta (author 1: 2 books), Delta (author 2: 3 books)
        // values() with no names: every field, then the annotations.
        auto all = co_await doubled.order_by("id").values().fetch();
        REQUIRE(all.size() == 5);
        CHECK(all.columns().size() == 6);
        CHECK(all[0].get<std::int32_t>("doubled") == 200);
        CHECK(all[4].get<std::string>("title") == "Épsilon ✓");
        CHECK_FALSE(all[1].get<std::optional<double>>("rating").has_value());
        auto some = co_await doubled.filter("doubled__gt", 500)
                        .order_by("-doubled")
                        .values("title", "doubled")
                        .fetch();
        REQUIRE(some.size() == 2);
        CHECK(some[0].get<std::string>("title") == "Delta");
        CHECK(some[1].get<std::int32_t>("doubled") == 600);
        // An aggregate annotation read through values_list, grouped by author.
        auto per_author =
            co_await items.values_list(F(&CovItem::author), Count(), Avg(F(&CovItem::rating)))
                .order_by("author")
                .fetch();
        REQUIRE(per_author.size() == 2);
        CHECK(std::get<1>(per_author[0]) == 2);
        CHECK(std::get<2>(per_author[0]) == 4.0);
        CHECK(std::get<2>(per_author[1]) == 4.0);
    });
}

TEST_CASE("orm coverage: F arithmetic reads and writes, self-referencing updates") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_items(c);
        auto items = objects<CovItem>().using_(c).order_by("id");
        auto pages = F(&CovItem::pages);
        auto rows = co_await items
                        .values_list(pages * 2, pages / 3, pages % 7, pages - F(&CovItem::author),
                                     pages + 0.5, -1 * pages)
                        .fetch();
        REQUIRE(rows.size() == 5);
        CHECK(rows[0] == std::tuple(200, 33, 2, std::int64_t(99), 100.5, -100));
        // Filters compare expressions with each other.
        CHECK(co_await items.filter(pages * 2 > F(&CovItem::author) * 250).count() == 2);
        // Each assignment reads the row as it was (SQL's rule, and Django's): a swap.
        auto gamma = items.filter(F(&CovItem::title) == "Gamma");
        CHECK(co_await gamma.update(set(&CovItem::pages, F(&CovItem::author)),
                                    set(&CovItem::author, pages)) == 1);
        auto swapped = co_await gamma.get();
        CHECK(swapped.pages == 2);
        CHECK(swapped.author == 200);
        CHECK(co_await items.filter(F(&CovItem::author) == 1)
                  .update(set(&CovItem::pages, pages * 2 - F(&CovItem::author))) == 2);
        auto now = co_await items.values_list(pages).flat().fetch();
        CHECK(now == std::vector<std::int32_t>{199, 599, 2, 500, 50});
        // NULL stays NULL through arithmetic in an UPDATE.
        CHECK(co_await items.all().update(set(&CovItem::rating, F(&CovItem::rating) * 2.0)) == 5);
        auto ratings = co_await items.values_list(F(&CovItem::rating)).flat().fetch();
        CHECK(ratings ==
              std::vector<std::optional<double>>{8.0, std::nullopt, 6.0, 10.0, std::nullopt});
        // Division by zero is the server's error (22012); no row changes.
        std::string state;
        try {
            co_await items.all().update(set(&CovItem::pages, pages / 0));
        } catch (const wire::error& e) {
            state = e.sqlstate();
        }
        CHECK(state == "22012");
        CHECK(co_await items.filter(pages == 599).count() == 1);
    });
}

TEST_CASE("orm coverage: arithmetic on a NULLable column reads NULL as Django's None") {
    // F(&CovItem::rating) + 1.0 is an expression<std::optional<double>>: NULL + 1 is NULL.
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_items(c);
        auto items = objects<CovItem>().using_(c).order_by("id");
        auto plus_one = co_await items.values_list(F(&CovItem::rating) + 1.0).flat().fetch();
        REQUIRE(plus_one.size() == 5);
        CHECK(plus_one[0] == 5.0);
        CHECK(is_null(plus_one[1]));
    });
}

TEST_CASE("orm coverage: Q trees of &, | and ~, typed and by name") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_items(c);
        auto items = objects<CovItem>().using_(c).order_by("id");
        // As text ("1 2 4"): a braced expected list within a co_await expression trips g++ 12.
        auto ids = [&](const auto& qs) -> awaitable<std::string> {
            std::string out;
            for (auto id : co_await qs.values_list(F(&CovItem::id)).flat().fetch())
                out += (out.empty() ? "" : " ") + std::to_string(id);
            co_return out;
        };
        auto ann = Q("author", std::int64_t(1));
        auto long_ones = F(&CovItem::pages) >= 300;
        auto good = F(&CovItem::rating) > 3.5;
        CHECK(co_await ids(items.filter(ann | long_ones)) == "1 2 4");
        CHECK(co_await ids(items.filter(ann & long_ones)) == "2");
        CHECK(co_await ids(items.filter((ann | long_ones) & ~good)) == "2");
        CHECK(co_await ids(items.filter(ann | (long_ones & good))) == "1 2 4");
        CHECK(co_await ids(items.filter(~(ann | long_ones))) == "3 5");
        // exclude(a & b) is NOT (a AND b): rows without a rating are kept (Django).
        CHECK(co_await ids(items.exclude(long_ones & good)) == "1 2 3 5");
        CHECK(co_await ids(items.exclude(ann).exclude(good)) == "3 5");
        // Chained filters are ANDed.
        CHECK(co_await ids(items.filter(ann).filter(long_ones)) == "2");
        CHECK(co_await ids(items.filter(Q("pages__lt", 150) | Q("title__startswith", "É"))) ==
              "1 5");
    });
}

TEST_CASE("orm coverage: a combination through count, exists, first, at, aggregate and values") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_items(c);
        auto items = objects<CovItem>().using_(c);
        auto anns = items.filter(F(&CovItem::author) == 1);
        auto long_ones = items.filter(F(&CovItem::pages) >= 300);
        auto both = anns.union_(long_ones); // Alpha, Beta, Delta
        CHECK(co_await both.count() == 3);
        CHECK(co_await both.exists());
        CHECK_FALSE(co_await anns.intersection(items.filter(F(&CovItem::pages) > 1000)).exists());
        CHECK((co_await both.order_by("-pages").first())->title == "Delta");
        CHECK((co_await both.order_by("pages").at(1)).title == "Beta");
        CHECK_THROWS_AS(co_await both.order_by("pages").at(3), index_error);
        CHECK(co_await both.order_by("pages").slice(1, 3).count() == 2);
        CHECK(co_await both.order_by("pages").slice(5).count() == 0);
        auto [n, pages] = co_await both.aggregate(Count(), Sum(F(&CovItem::pages)));
        CHECK(n == 3);
        CHECK(pages == 900);
        CHECK((co_await both.last())->title == "Delta"); // by primary key
        auto it = both.order_by("id").iterator(2);
        std::string seen;
        for (auto chunk = co_await it.next(); !chunk.empty(); chunk = co_await it.next())
            for (auto& b : chunk)
                seen += b.title.value + ";";
        CHECK(seen == "Alpha;Beta;Delta;");
        // A values_list union, then an empty slice of it.
        auto titles = items.values_list(F(&CovItem::title)).flat();
        auto t = co_await titles.filter(F(&CovItem::author) == 1)
                     .union_(titles.filter(F(&CovItem::pages) >= 300))
                     .order_by("-title")
                     .fetch();
        CHECK(t == std::vector<std::string>{"Delta", "Beta", "Alpha"});
        CHECK((co_await titles.union_(titles).order_by("title").slice(2, 2).fetch()).empty());
    });
}

TEST_CASE("orm coverage: explain in every format, verbose, analyze, of none()") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_items(c);
        auto items = objects<CovItem>().using_(c).filter(F(&CovItem::pages) > 100);
        auto verbose = co_await items.explain({.verbose = true});
        CHECK(verbose.find("Output: id, title, author, pages, rating") != std::string::npos);
        auto yaml = co_await items.explain({.format = explain_format::yaml});
        CHECK(yaml.find("- Plan:") != std::string::npos);
        CHECK(yaml.find("Node Type: \"Seq Scan\"") != std::string::npos);
        auto xml = co_await items.explain({.format = explain_format::xml});
        CHECK(xml.starts_with("<explain"));
        CHECK(xml.find("<Relation-Name>cov_item</Relation-Name>") != std::string::npos);
        auto json = co_await items.explain({.analyze = true, .format = explain_format::json});
        CHECK(json.find("\"Actual Rows\": 3") != std::string::npos);
        // ANALYZE runs the statement: a multi-line text plan with its timing.
        auto analyzed = co_await items.explain({.analyze = true, .verbose = true, .buffers = true});
        CHECK(analyzed.find("rows=3 loops=1") != std::string::npos);
        CHECK(analyzed.find("Execution Time") != std::string::npos);
        CHECK(analyzed.find('\n') != std::string::npos);
        auto sliced = co_await items.order_by("pages").slice(0, 1).explain();
        CHECK(sliced.find("Limit") != std::string::npos);
        auto none = co_await items.none().explain();
        CHECK(none.find("One-Time Filter: false") != std::string::npos);
    });
}

TEST_CASE("orm coverage: select_for_update no_key lets FOR KEY SHARE through; FOR UPDATE not") {
    run([]() -> awaitable<void> {
        auto a = co_await connect_test();
        auto b = co_await connect_test();
        co_await fresh_items(a);
        const lock_options no_key{.no_key = true};
        // What `b` meets locking Alpha FOR KEY SHARE NOWAIT while `a` holds a lock on it.
        auto key_share = [&]() -> awaitable<std::string> {
            std::string state = "ok";
            try {
                co_await b.execute("begin");
                co_await b.execute("select id from cov_item where id = 1 for key share nowait");
            } catch (const wire::error& e) {
                state = e.sqlstate();
            }
            co_await b.execute("rollback");
            co_return state;
        };
        auto alpha = [](database db) {
            return objects<CovItem>().using_(db).filter(F(&CovItem::id) == 1);
        };
        co_await atomic(a, [&](atomic_block& blk) -> awaitable<void> {
            auto rows = co_await alpha(blk.db()).select_for_update(no_key).fetch();
            CHECK(rows.size() == 1);
            CHECK(co_await key_share() == "ok");
        });
        co_await atomic(a, [&](atomic_block& blk) -> awaitable<void> {
            auto rows = co_await alpha(blk.db()).select_for_update().fetch();
            CHECK(rows.size() == 1);
            CHECK(co_await key_share() == "55P03");
        });
        auto sql = alpha(database(a)).select_for_update(no_key).sql().sql;
        CHECK(sql.ends_with("FOR NO KEY UPDATE"));
    });
}

// Django raises ValueError("The nowait option cannot be used with skip_locked.") before any
// query; sent, "FOR UPDATE NOWAIT SKIP LOCKED" is the server's syntax error (42601).
TEST_CASE("orm coverage: select_for_update with both nowait and skip_locked is refused") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_items(c);
        const lock_options both{.nowait = true, .skip_locked = true};
        CHECK_THROWS_WITH_AS(objects<CovItem>().using_(c).select_for_update(both),
                             doctest::Contains("nowait option cannot be used with skip_locked"),
                             orm::error);
        co_return;
    });
}

// Django's TransactionManagementError ("select_for_update cannot be used outside of a
// transaction."): on its own, SELECT ... FOR UPDATE would release its locks as it ends.
TEST_CASE("orm coverage: select_for_update outside a transaction is refused, as in Django") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_items(c);
        REQUIRE(c.transaction_status() == 'I');
        auto refused = [](const auto& locked) -> awaitable<int> {
            int n = 0;
            // Each call a coroutine of its own, so that values()'s temporary outlives its await.
            auto count = [&](auto&& call) -> awaitable<void> {
                try {
                    co_await call();
                } catch (const orm::error& e) {
                    CHECK(std::string_view(e.what()).starts_with(
                        "select_for_update cannot be used outside of a transaction"));
                    ++n;
                }
            };
            co_await count([&]() -> awaitable<void> { co_await locked.fetch(); });
            co_await count([&]() -> awaitable<void> { co_await locked.get(F(&CovItem::id) == 1); });
            co_await count([&]() -> awaitable<void> { co_await locked.count(); });
            co_await count([&]() -> awaitable<void> { co_await locked.exists(); });
            co_await count([&]() -> awaitable<void> { co_await locked.first(); });
            co_await count([&]() -> awaitable<void> {
                co_await locked.values_list(F(&CovItem::id)).flat().fetch();
            });
            co_await count([&]() -> awaitable<void> { co_await locked.values("id").fetch(); });
            co_await count(
                [&]() -> awaitable<void> { co_await locked.aggregate(Max(F(&CovItem::id))); });
            CHECK_THROWS_AS(locked.iterator(), orm::error);
            co_return n;
        };
        auto items = objects<CovItem>().using_(c);
        CHECK(co_await refused(items.select_for_update()) == 8);
        CHECK(co_await items.count() == 5); // nothing was sent: the connection is as it was

        // A pool's connection runs each statement on its own.
        wire::pool pool(co_await asio::this_coro::executor, test_url(), {.max_size = 1});
        CHECK(co_await refused(objects<CovItem>().using_(pool).select_for_update()) == 8);
        co_await pool.close();

        // In a transaction block, atomic's or one begun by hand, the rows are read and locked.
        co_await atomic(c, [&](atomic_block& blk) -> awaitable<void> {
            auto locked = objects<CovItem>().using_(blk.db()).select_for_update();
            CHECK((co_await locked.fetch()).size() == 5);
            CHECK(co_await locked.count() == 5);
        });
        co_await c.execute("begin");
        CHECK((co_await items.select_for_update().get(F(&CovItem::id) == 1)).id == 1);
        co_await c.execute("rollback");
    });
}
