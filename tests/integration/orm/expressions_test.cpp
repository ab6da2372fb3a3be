// Functions, aggregates, annotations, values, set operations and explain against the
// real server: every value decodes into the type its expression promises.
#include "support/server.hpp"

#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/schema.hpp>

#include <algorithm>
#include <stdexcept>

using namespace turbopg;
using namespace turbopg::orm;
using namespace turbopg::test;
using asio::awaitable;

// A named namespace: clang cannot reflect members of types with internal linkage.
namespace expr_test {
struct ExprAuthor {
    primary_key<> id;
    varchar<100> name;
    static constexpr model_meta meta{.table = "expr_author"};
};

struct ExprBook {
    primary_key<> id;
    varchar<100> title;
    std::int64_t author = 0;
    std::int32_t pages = 0;
    std::optional<double> rating;
    static constexpr model_meta meta{.table = "expr_book"};
};

struct AuthorBooks {
    std::string name;
    std::int64_t books = 0;
};

struct TitleRating {
    std::string title;
    std::optional<double> rating;
};

// Authors Ann (1), Bob (2), Cid (3, no books); books Alpha (Ann, 100, 4.0), Beta (Ann, 300),
// Gamma (Bob, 200, 3.0), Delta (Bob, 500, 5.0), Epsilon (Bob, 50).
awaitable<void> fresh_library(wire::connection& c) {
    co_await drop_table<ExprBook>(c);
    co_await drop_table<ExprAuthor>(c);
    co_await create_table<ExprAuthor>(c);
    co_await create_table<ExprBook>(c);
    co_await c.execute("insert into expr_author (id, name) values (1, 'Ann'), (2, 'Bob'), "
                       "(3, 'Cid')");
    co_await c.execute("insert into expr_book (id, title, author, pages, rating) values "
                       "(1, 'Alpha', 1, 100, 4.0), (2, 'Beta', 1, 300, null), "
                       "(3, 'Gamma', 2, 200, 3.0), (4, 'Delta', 2, 500, 5.0), "
                       "(5, 'Epsilon', 2, 50, null)");
}

// The books' titles, each followed by a space.
std::string titles(const std::vector<ExprBook>& rows) {
    std::string out;
    for (const auto& r : rows)
        out += r.title.value + " ";
    return out;
}
} // namespace expr_test

using namespace expr_test;

TEST_CASE("orm: database functions decode into their declared types") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_library(c);
        auto books = objects<ExprBook>().using_(c).order_by("id");
        auto rows =
            co_await books
                .values_list(Lower(F(&ExprBook::title)), Upper(F(&ExprBook::title)),
                             Length(F(&ExprBook::title)),
                             Concat(F(&ExprBook::title), "/", F(&ExprBook::pages)),
                             Cast<double>(F(&ExprBook::pages)), Coalesce(F(&ExprBook::rating), 0.0),
                             Case(When(F(&ExprBook::pages) >= 300, "long"),
                                  When(F(&ExprBook::pages) >= 100, "medium"), "short"),
                             Case(When(F(&ExprBook::rating) > 3.5, F(&ExprBook::pages))))
                .fetch();
        REQUIRE(rows.size() == 5);
        CHECK(rows[0] == std::tuple(std::string("alpha"), std::string("ALPHA"), 5,
                                    std::string("Alpha/100"), 100.0, 4.0, std::string("medium"),
                                    std::optional<std::int32_t>(100)));
        CHECK(std::get<5>(rows[1]) == 0.0);
        CHECK(std::get<6>(rows[1]) == "long");
        CHECK(std::get<6>(rows[4]) == "short");
        CHECK_FALSE(std::get<7>(rows[2]).has_value());
        auto now = co_await books.values_list(Now()).flat().slice(0, 1).fetch();
        REQUIRE(now.size() == 1);
        CHECK(now[0] > std::chrono::sys_days(std::chrono::year(2020) / 1 / 1));
    });
}

TEST_CASE("orm: aggregate() gives one typed tuple; empty input gives 0 and nullopt") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_library(c);
        auto books = objects<ExprBook>().using_(c);
        // g++ 12: designated initialisers inside a co_await expression are destroyed twice, so
        // the options are built first.
        auto long_count = Count({.filter = F(&ExprBook::pages) > 100});
        auto author_count = Count(F(&ExprBook::author), {.distinct = true});
        auto [n, rated, pages, ids, avg, first_title, most, sd, var, long_books, authors] =
            co_await books.aggregate(Count(), Count(F(&ExprBook::rating)), Sum(F(&ExprBook::pages)),
                                     Sum(F(&ExprBook::id)), Avg(F(&ExprBook::pages)),
                                     Min(F(&ExprBook::title)), Max(F(&ExprBook::pages)),
                                     StdDev(F(&ExprBook::pages)), Variance(F(&ExprBook::pages)),
                                     long_count, author_count);
        CHECK(n == 5);
        CHECK(rated == 3);
        CHECK(pages == 1150);
        CHECK(ids == 15);
        CHECK(avg == 230.0);
        CHECK(first_title == "Alpha");
        CHECK(most == 500);
        CHECK(sd == 160.0);
        CHECK(var == 25600.0);
        CHECK(long_books == 3);
        CHECK(authors == 2);
        auto none = books.filter(F(&ExprBook::pages) > 1000);
        auto [zero, nothing] = co_await none.aggregate(Count(), Sum(F(&ExprBook::pages)));
        CHECK(zero == 0);
        CHECK_FALSE(nothing.has_value());
        auto [empty] = co_await books.none().aggregate(Max(F(&ExprBook::pages)));
        CHECK_FALSE(empty.has_value());
        auto [sliced] =
            co_await books.order_by("pages").slice(0, 2).aggregate(Sum(F(&ExprBook::pages)));
        CHECK(sliced == 150);
    });
}

TEST_CASE(
    "orm: aggregate() over a sliced or distinct only() queryset reads the fields it left out") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_library(c);
        auto books = objects<ExprBook>().using_(c);
        // As Django's: the subquery of a sliced or distinct queryset selects what the
        // aggregates read, whatever only() or defer() load into the objects.
        auto [sliced] = co_await books.only("title").order_by("pages").slice(0, 2).aggregate(
            Sum(F(&ExprBook::pages)));
        CHECK(sliced == 150);
        auto [rated] =
            co_await books.defer("rating").distinct().aggregate(Avg(F(&ExprBook::rating)));
        CHECK(rated == 4.0);
    });
}

TEST_CASE("orm: annotations group, filter in HAVING, and correlate through subqueries") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_library(c);
        auto books = objects<ExprBook>().using_(c);
        auto authors = objects<ExprAuthor>().using_(c);

        auto per_author =
            co_await books.values_list(F(&ExprBook::author), Count(), Sum(F(&ExprBook::pages)))
                .order_by("author")
                .fetch();
        CHECK(per_author ==
              std::vector<std::tuple<std::int64_t, std::int64_t, std::optional<std::int64_t>>>{
                  {1, 2, 400}, {2, 3, 750}});
        // A grouped value with a parameter: grouped by its position, which PostgreSQL accepts.
        auto shifted = co_await books.values_list(F(&ExprBook::author) + 10, Count()).fetch();
        std::sort(shifted.begin(), shifted.end());
        CHECK(shifted == std::vector<std::tuple<std::int64_t, std::int64_t>>{{11, 2}, {12, 3}});
        // Ordered by a column not among the values: grouped by it too, as in Django.
        auto by_pages =
            co_await books.values_list(F(&ExprBook::author), Count()).order_by("-pages").fetch();
        CHECK(by_pages == std::vector<std::tuple<std::int64_t, std::int64_t>>{
                              {2, 1}, {1, 1}, {2, 1}, {1, 1}, {2, 1}});
        CHECK(
            co_await books.values_list(F(&ExprBook::author), Count()).order_by("-pages").count() ==
            5);
        CHECK(co_await books.values_list(F(&ExprBook::author), Count()).count() == 2);
        auto by_rating =
            co_await books.values_list(F(&ExprBook::author), Count())
                .order_by(Coalesce(F(&ExprBook::rating), 0.0).desc(), F(&ExprBook::author).asc())
                .fetch();
        CHECK(by_rating == std::vector<std::tuple<std::int64_t, std::int64_t>>{
                               {2, 1}, {1, 1}, {2, 1}, {1, 1}, {2, 1}});
        auto busy =
            co_await books.annotate("n", Count()).values("author", "n").filter("n__gte", 3).fetch();
        REQUIRE(busy.size() == 1);
        CHECK(busy[0].get<std::int64_t>("author") == 2);
        CHECK(busy[0].get<std::int64_t>("n") == 3);
        CHECK(co_await books.annotate("n", Count()).filter(F<std::int64_t>("n") == 1).count() == 5);

        auto book_count = Subquery(objects<ExprBook>()
                                       .filter(F(&ExprBook::author) == OuterRef<std::int64_t>("id"))
                                       .values_list(Count()));
        auto counted = co_await authors.annotate("books", book_count)
                           .order_by("-books", "name")
                           .values_as<AuthorBooks>()
                           .fetch();
        REQUIRE(counted.size() == 3);
        CHECK(counted[0].name == "Bob");
        CHECK(counted[0].books == 3);
        CHECK(counted[2].name == "Cid");
        CHECK(counted[2].books == 0);

        auto wrote = Exists(
            objects<ExprBook>().filter(F(&ExprBook::author) == OuterRef<std::int64_t>("id")));
        auto with_books = co_await authors.filter(wrote)
                              .order_by("name")
                              .values_list(F(&ExprAuthor::name))
                              .flat()
                              .fetch();
        CHECK(with_books == std::vector<std::string>{"Ann", "Bob"});
        auto without =
            co_await authors.exclude(wrote).values_list(F(&ExprAuthor::name)).flat().fetch();
        CHECK(without == std::vector<std::string>{"Cid"});
        auto long_titles = objects<ExprBook>()
                               .filter(F(&ExprBook::pages) >= 300)
                               .values_list(F(&ExprBook::author))
                               .flat();
        CHECK(co_await authors.filter(F(&ExprAuthor::id).in(Subquery(long_titles))).count() == 2);
    });
}

TEST_CASE("orm: values() rows by name, values_as structs, and decode errors") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_library(c);
        auto books = objects<ExprBook>().using_(c).order_by("id");
        auto rows = co_await books.values("title", named("chars", Length(F(&ExprBook::title))))
                        .filter(F(&ExprBook::pages) > 250)
                        .fetch();
        REQUIRE(rows.size() == 2);
        CHECK(rows[0].get<std::string>("title") == "Beta");
        CHECK(rows[1].get<std::int32_t>("chars") == 5);
        // A name given in values() orders and filters (an aggregate's in HAVING), also after a
        // union.
        auto lengths = objects<ExprBook>().using_(c).values(
            "title", named("chars", Length(F(&ExprBook::title))));
        auto longest = co_await lengths.order_by("-chars", "title").filter("chars__gt", 4).fetch();
        REQUIRE(longest.size() == 4);
        CHECK(longest[0].get<std::string>("title") == "Epsilon");
        CHECK(longest[3].get<std::string>("title") == "Gamma");
        auto shortest = co_await lengths.filter(F(&ExprBook::author) == 1)
                            .union_(lengths.filter(F(&ExprBook::author) == 2))
                            .order_by("chars", "title")
                            .slice(0, 1)
                            .fetch();
        REQUIRE(shortest.size() == 1);
        CHECK(shortest[0].get<std::string>("title") == "Beta");
        auto prolific = co_await objects<ExprBook>()
                            .using_(c)
                            .values("author", named("n", Count()))
                            .filter("n__gt", 2)
                            .fetch();
        REQUIRE(prolific.size() == 1);
        CHECK(prolific[0].get<std::int64_t>("author") == 2);
        auto all = co_await books.values().slice(0, 1).fetch();
        CHECK(all.columns().size() == 5);
        auto tr =
            co_await books.values_as<TitleRating>(Upper(F(&ExprBook::title)), F(&ExprBook::rating))
                .fetch();
        CHECK(tr[0].title == "ALPHA");
        CHECK(tr[1].rating == std::nullopt);
        CHECK(co_await books.values_list(F(&ExprBook::title)).count() == 5);
        CHECK((co_await books.values_list(F(&ExprBook::title)).none().fetch()).empty());
        // A column read into a type that cannot hold it: the codec's error names it.
        CHECK_THROWS_WITH_AS(co_await books.values_list<std::int32_t>("title").fetch(),
                             doctest::Contains("cannot read column \"title\""), wire::error);
        // A NULL into a non-optional member.
        CHECK_THROWS_WITH_AS(co_await books.values_list<double>("rating").fetch(),
                             doctest::Contains("holds a NULL"), wire::error);
    });
}

TEST_CASE("orm: distinct values ordered by what they do not select, as in Django") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_library(c);
        auto books = objects<ExprBook>().using_(c);
        // The ordering's column is selected too, so rows that differ in it stay apart (Django's
        // caveat): by pages Epsilon (Bob), Alpha (Ann), Gamma (Bob), Beta (Ann), Delta (Bob).
        auto authors = books.values("author").distinct();
        auto rows = co_await authors.order_by("pages").fetch();
        REQUIRE(rows.size() == 5);
        CHECK(rows.columns().size() == 1);
        CHECK(rows[0].size() == 1);
        CHECK_THROWS_AS(rows[0]["pages"], std::out_of_range);
        std::vector<std::int64_t> ids;
        for (auto r : rows)
            ids.push_back(r.get<std::int64_t>("author"));
        CHECK(ids == std::vector<std::int64_t>{2, 1, 2, 1, 2});
        // Rows equal in it are merged: pages / 250 is 0 for Alpha, Gamma and Epsilon, 1 for
        // Beta, 2 for Delta. (Its parameter is bound once, in the SELECT and the ORDER BY.)
        auto buckets = co_await authors.order_by(F(&ExprBook::pages) / 250, "author").fetch();
        ids.clear();
        for (auto r : buckets)
            ids.push_back(r.get<std::int64_t>("author"));
        CHECK(ids == std::vector<std::int64_t>{1, 2, 1, 2});
        // Ordered by a selected expression with a parameter, by its name.
        auto named_buckets = co_await books.values(named("bucket", F(&ExprBook::pages) / 250))
                                 .distinct()
                                 .order_by("-bucket")
                                 .fetch();
        REQUIRE(named_buckets.size() == 3);
        CHECK(named_buckets[0].get<std::int32_t>("bucket") == 2);
        CHECK(named_buckets[2].get<std::int32_t>("bucket") == 0);

        auto flat = books.values_list(F(&ExprBook::author)).flat().distinct().order_by("-pages");
        auto flat_ids = co_await flat.fetch(); // g++ 12: no braced list in a co_await
        CHECK(flat_ids == std::vector<std::int64_t>{2, 1, 2, 1, 2});
        std::int64_t sum = 0;
        CHECK(co_await flat.for_each([&](std::int64_t a) { sum += a; }) == 5);
        CHECK(sum == 8);
        auto by_title = co_await books.values_list(F(&ExprBook::author))
                            .distinct()
                            .order_by(Lower(F(&ExprBook::title)))
                            .fetch();
        CHECK(by_title == std::vector<std::tuple<std::int64_t>>{{1}, {1}, {2}, {2}, {2}});
        auto tr = co_await books.values_as<TitleRating>().distinct().order_by("-pages").fetch();
        REQUIRE(tr.size() == 5);
        CHECK(tr[0].title == "Delta");
        CHECK(tr[0].rating == 5.0);
        CHECK(tr[4].title == "Epsilon");
        CHECK_FALSE(tr[4].rating.has_value());

        // count() leaves the ordering out, as Django's: the two authors.
        CHECK(co_await authors.order_by("pages").count() == 2);
        CHECK(co_await authors.order_by("pages").exists());
        // As a subquery (IN) and as a part of a union: its own columns only.
        auto most_pages =
            books.values_list(F(&ExprBook::author)).flat().distinct().order_by("-pages");
        auto top_author = co_await objects<ExprAuthor>()
                              .using_(c)
                              .filter(F(&ExprAuthor::id).in(Subquery(most_pages.slice(0, 1))))
                              .values_list(F(&ExprAuthor::name))
                              .flat()
                              .fetch();
        CHECK(top_author == std::vector<std::string>{"Bob"});
        // Ann's title with the most pages (Beta) and Bob's with the fewest (Epsilon).
        auto first_title = [&](std::int64_t author, const char* order) {
            return books.filter(F(&ExprBook::author) == author)
                .values_list(F(&ExprBook::title))
                .flat()
                .distinct()
                .order_by(order)
                .slice(0, 1);
        };
        auto anns_longest = first_title(1, "-pages");
        auto bobs_shortest = first_title(2, "pages");
        auto ends = co_await anns_longest.union_(bobs_shortest).order_by("title").fetch();
        CHECK(ends == std::vector<std::string>{"Beta", "Epsilon"});
    });
}

TEST_CASE("orm: a distinct queryset ordered by an expression reads its objects") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_library(c);
        auto books = objects<ExprBook>().using_(c);
        // By title length, then title: Beta (4), Alpha, Delta, Gamma (5), Epsilon (7).
        auto by_length = books.distinct().order_by(Length(F(&ExprBook::title)), "title");
        CHECK(titles(co_await by_length.fetch()) == "Beta Alpha Delta Gamma Epsilon ");
        std::string seen;
        CHECK(co_await by_length.for_each([&](ExprBook&& b) { seen += b.title.value; }) == 5);
        CHECK(seen == "BetaAlphaDeltaGammaEpsilon");
        CHECK((co_await by_length.first())->title == "Beta");
        CHECK((co_await by_length.at(2)).title == "Delta");
        CHECK((co_await by_length.get(F(&ExprBook::pages) == 500)).title == "Delta");
        std::string chunked;
        auto it = by_length.iterator(2);
        for (auto chunk = co_await it.next(); !chunk.empty(); chunk = co_await it.next())
            for (auto& b : chunk)
                chunked += b.title.value + " ";
        CHECK(chunked == "Beta Alpha Delta Gamma Epsilon ");
        CHECK(
            titles(co_await books.distinct().order_by(Lower(F(&ExprBook::title)).desc()).fetch()) ==
            "Gamma Epsilon Delta Beta Alpha ");
        auto short_ones = co_await books.only("title").distinct().order_by("-pages").fetch();
        CHECK(titles(short_ones) == "Delta Beta Gamma Alpha Epsilon ");
        CHECK(short_ones[0].pages == 0); // not loaded
        auto [n, pages] = co_await by_length.aggregate(Count(), Sum(F(&ExprBook::pages)));
        CHECK(n == 5);
        CHECK(pages == 1150);
        CHECK(co_await by_length.count() == 5);
        // delete_() of the first two (Beta, Alpha) takes them by primary key.
        auto first_two = books.filter(F(&ExprBook::pages) > 0)
                             .distinct()
                             .order_by(Length(F(&ExprBook::title)), "title")
                             .slice(0, 2);
        CHECK(co_await first_two.delete_() == 2);
        CHECK(titles(co_await books.order_by("id").fetch()) == "Gamma Delta Epsilon ");
    });
}

TEST_CASE("orm: union, intersection, difference with ordering and slicing of the result") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_library(c);
        auto books = objects<ExprBook>().using_(c);
        auto small = books.filter(F(&ExprBook::pages) <= 100).values_list(F(&ExprBook::title));
        auto ann = books.filter(F(&ExprBook::author) == 1).values_list(F(&ExprBook::title));
        auto flat_titles = [](const auto& rows) {
            std::string out;
            for (const auto& r : rows)
                out += std::get<0>(r) + " ";
            return out;
        };
        CHECK(flat_titles(co_await small.union_(ann).order_by("title").fetch()) ==
              "Alpha Beta Epsilon ");
        CHECK(flat_titles(co_await small.union_(ann, {.all = true}).order_by("-title").fetch()) ==
              "Epsilon Beta Alpha Alpha ");
        CHECK(flat_titles(co_await small.union_(ann).order_by("title").slice(1, 2).fetch()) ==
              "Beta ");
        CHECK(flat_titles(co_await small.intersection(ann).fetch()) == "Alpha ");
        CHECK(flat_titles(co_await ann.difference(small).fetch()) == "Beta ");
        CHECK(co_await small.union_(ann).count() == 3);
        auto models = co_await books.filter(F(&ExprBook::pages) > 400)
                          .union_(books.filter(F(&ExprBook::pages) < 100))
                          .order_by("pages")
                          .fetch();
        REQUIRE(models.size() == 2);
        CHECK(models[0].title == "Epsilon");
        CHECK(models[1].title == "Delta");
        // Rows of different shapes: the server refuses the combination (42601).
        bool refused = false;
        try {
            co_await books.filter(F(&ExprBook::pages) > 400).union_(books.only("title")).fetch();
        } catch (const wire::error& e) {
            refused = e.diagnostics() && e.diagnostics()->sqlstate == "42601";
        }
        CHECK(refused);
    });
}

TEST_CASE("orm: a part's own order and slice apply to that part, the combination's to the whole") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_library(c);
        auto books = objects<ExprBook>().using_(c);
        // The last two by id (Delta, Epsilon) and Ann's two (Alpha, Beta): 2 + 2 rows.
        auto last_two = books.order_by("-id").slice(0, 2);
        auto anns = books.filter(F(&ExprBook::author) == 1);
        CHECK(titles(co_await last_two.union_(anns).order_by("id").fetch()) ==
              "Alpha Beta Delta Epsilon ");
        CHECK(co_await last_two.union_(anns).count() == 4);
        CHECK(titles(co_await anns.union_(last_two).order_by("-id").fetch()) ==
              "Epsilon Delta Beta Alpha ");
        // Then ordered and sliced as a whole: Beta, Delta (over 250 pages) with Bob's Gamma,
        // Delta, Epsilon, by id, the first three.
        auto long_ones = books.filter(F(&ExprBook::pages) > 250);
        auto bobs = books.filter(F(&ExprBook::author) == 2);
        CHECK(titles(co_await long_ones.union_(bobs).order_by("id").slice(0, 3).fetch()) ==
              "Beta Gamma Delta ");
        CHECK(titles(co_await long_ones.order_by("pages")
                         .slice(0, 1)
                         .union_(bobs.slice(0, 0))
                         .fetch()) == "Beta ");
        // A sliced combination combined again: the two with the most pages of (long ones or
        // Bob's), without Delta.
        auto delta = books.filter(F(&ExprBook::title) == "Delta");
        CHECK(titles(co_await long_ones.union_(bobs)
                         .order_by("-pages")
                         .slice(0, 2)
                         .difference(delta)
                         .fetch()) == "Beta ");
        // first() of a combination reads it by primary key, not by a part's order.
        CHECK((co_await last_two.union_(anns).first())->title == "Alpha");
    });
}

TEST_CASE("orm: none() in a combination or a subquery gives no rows; intersection binds as "
          "called") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_library(c);
        auto books = objects<ExprBook>().using_(c);
        auto anns = books.filter(F(&ExprBook::author) == 1);
        auto bobs = books.filter(F(&ExprBook::author) == 2);
        auto long_ones = books.filter(F(&ExprBook::pages) > 250);
        // As Django: a none() part adds nothing to a union and takes nothing from a difference;
        // an intersection with one, or a difference from one, is empty.
        CHECK(titles(co_await books.none().union_(anns).order_by("id").fetch()) == "Alpha Beta ");
        CHECK(titles(co_await anns.union_(books.none()).order_by("id").fetch()) == "Alpha Beta ");
        CHECK(co_await anns.union_(books.none()).count() == 2);
        CHECK(titles(co_await anns.difference(books.none()).order_by("id").fetch()) ==
              "Alpha Beta ");
        CHECK((co_await anns.intersection(books.none()).fetch()).empty());
        CHECK((co_await books.none().difference(anns).fetch()).empty());
        CHECK(co_await books.filter(Exists(objects<ExprBook>().none())).count() == 0);
        CHECK(co_await books.exclude(Exists(objects<ExprBook>().none())).count() == 5);
        // (Ann's or Bob's) and over 250 pages, not Ann's or (Bob's over 250 pages).
        CHECK(titles(co_await anns.union_(bobs).intersection(long_ones).order_by("id").fetch()) ==
              "Beta Delta ");
        CHECK(titles(co_await anns.union_(bobs.intersection(long_ones)).order_by("id").fetch()) ==
              "Alpha Beta Delta ");
        // update() and delete() of a combination are refused before anything is sent.
        auto both = anns.union_(bobs);
        CHECK_THROWS_WITH_AS(co_await both.update(set(&ExprBook::pages, 1)),
                             "cannot update or delete the rows of a combined queryset (union_, "
                             "intersection, difference)",
                             orm::error);
        CHECK_THROWS_AS(co_await both.delete_(), orm::error);
        CHECK(co_await books.filter(F(&ExprBook::pages) == 1).count() == 0);
        CHECK(co_await books.count() == 5);
    });
}

TEST_CASE("orm: Exists and Subquery on the outer query's own table compare with the outer row") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_library(c);
        auto books = objects<ExprBook>().using_(c);
        // Books with another book by the same author with more pages: Ann's Alpha (100 < Beta's
        // 300), Bob's Gamma and Epsilon (< Delta's 500).
        auto longer =
            objects<ExprBook>().filter((F(&ExprBook::author) == OuterRef<std::int64_t>("author")) &
                                       (F(&ExprBook::pages) > OuterRef<std::int32_t>("pages")));
        auto has_longer = books.filter(Exists(longer));
        auto titles =
            co_await has_longer.order_by("id").values_list(F(&ExprBook::title)).flat().fetch();
        CHECK(titles == std::vector<std::string>{"Alpha", "Gamma", "Epsilon"});
        // A slice of values lands in a vector sized for the slice once, as fetch() of models.
        auto first_three = co_await books.order_by("id")
                               .values_list(F(&ExprBook::title))
                               .flat()
                               .slice(0, 3)
                               .fetch();
        CHECK(first_three.size() == 3);
        CHECK(first_three.capacity() == 3);
        CHECK(co_await books.exclude(Exists(longer)).count() == 2);
        // Each book's next longer title by the same author (none for the longest).
        auto next_longer =
            longer.order_by("pages").values_list<std::optional<std::string>>("title").flat().slice(
                0, 1);
        auto pairs = co_await books.order_by("id")
                         .values_list(F(&ExprBook::title), Subquery(next_longer))
                         .fetch();
        REQUIRE(pairs.size() == 5);
        CHECK(std::get<1>(pairs[0]) == "Beta");
        CHECK_FALSE(std::get<1>(pairs[1]).has_value());
        CHECK(std::get<1>(pairs[2]) == "Delta");
        CHECK_FALSE(std::get<1>(pairs[3]).has_value());
        CHECK(std::get<1>(pairs[4]) == "Gamma");
        // UPDATE and DELETE refer to the row written.
        auto longest = objects<ExprBook>()
                           .filter(F(&ExprBook::author) == OuterRef<std::int64_t>("author"))
                           .values_list(Max(F(&ExprBook::pages)))
                           .flat();
        CHECK(co_await has_longer.update(set(&ExprBook::pages, Subquery(longest))) == 3);
        CHECK(co_await books.filter(F(&ExprBook::pages) == 500).count() == 3);
        co_await fresh_library(c);
        CHECK(co_await has_longer.delete_() == 3);
        auto left = co_await books.order_by("id").values_list(F(&ExprBook::title)).flat().fetch();
        CHECK(left == std::vector<std::string>{"Beta", "Delta"});
    });
}

TEST_CASE("orm: explain returns the server's plan") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_library(c);
        auto books = objects<ExprBook>().using_(c).filter(F(&ExprBook::pages) > 100);
        auto plan = co_await books.explain();
        CHECK(plan.find("Seq Scan on expr_book") != std::string::npos);
        CHECK(plan.find("Filter: (pages > 100)") != std::string::npos);
        auto analyzed = co_await books.explain({.analyze = true, .buffers = true});
        CHECK(analyzed.find("actual time=") != std::string::npos);
        auto json = co_await books.values_list(F(&ExprBook::title))
                        .explain({.verbose = true, .format = explain_format::json});
        CHECK(json.starts_with("["));
        CHECK(json.find("\"Output\"") != std::string::npos);
    });
}
