// Every lookup and date transform against the real server, typed and by name, on rows with
// unicode, LIKE wildcards, a backslash and NULLs; nulls_first/last, Value, RawSQL and RawQ.
#include "support/server.hpp"

#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/schema.hpp>

#include <chrono>

using namespace turbopg;
using namespace turbopg::orm;
using namespace turbopg::test;
using namespace std::chrono;
using namespace std::literals;
using asio::awaitable;

// A named namespace: clang cannot reflect members of types with internal linkage.
namespace lookups_test {
struct Entry {
    primary_key<> id;
    varchar<100> name;
    std::optional<std::string> note;
    std::int32_t n = 0;
    std::optional<double> score;
    system_clock::time_point at{};
    static constexpr model_meta meta{.table = "lookup_entry"};
};

// Weekdays (Django's week_day, Sunday = 1): 2024-01-15 Monday (2), 2024-02-29 Thursday (5),
// 2023-12-31 Sunday (1), 2024-07-04 Thursday (5), 2024-01-01 Monday (2). In UTC: the session's
// time zone decides the date parts of a timestamptz.
awaitable<void> fresh_entries(wire::connection& c) {
    co_await c.execute("set time zone 'UTC'");
    co_await drop_table<Entry>(c);
    co_await create_table<Entry>(c);
    co_await c.execute(
        R"(insert into lookup_entry (id, name, note, n, score, at) values
           (1, 'Alpha', 'first', 10, 1.5, '2024-01-15 08:30:00+00'),
           (2, 'alpha_beta', null, 20, null, '2024-02-29 23:59:00+00'),
           (3, 'Ünïcode äö', '100% sure', 30, 3.0, '2023-12-31 00:00:00+00'),
           (4, 'back\slash', 'a_b', 40, 4.5, '2024-07-04 12:05:07.6+00'),
           (5, 'straße', '', 50, null, '2024-01-01 18:45:00+00'))");
}

// The ids of the rows `qs` selects, in its order, as text ("1 2 5"): an expected list in braces
// within a co_await expression would trip g++ 12 (initializer_list arrays in coroutines).
template <class QS>
awaitable<std::string> ids_in_order(QS qs) {
    std::string out;
    for (auto id : co_await qs.values_list(F(&Entry::id)).flat().fetch())
        out += (out.empty() ? "" : " ") + std::to_string(id);
    co_return out;
}

// The same in id order.
template <class QS>
awaitable<std::string> ids_of(QS qs) {
    co_return co_await ids_in_order(qs.order_by("id"));
}
} // namespace lookups_test

using namespace lookups_test;

TEST_CASE("orm: comparison, membership, range and NULL lookups, typed and by name") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_entries(c);
        auto all = objects<Entry>().using_(c);
        const auto n = F(&Entry::n);
        const std::vector<std::int32_t> some{10, 50, 99}, bounds{20, 40}, none;

        CHECK(co_await ids_of(all.filter(F(&Entry::name) == "Alpha"sv)) == "1");
        CHECK(co_await ids_of(all.filter(F(&Entry::name).exact("Alpha"sv))) == "1");
        CHECK(co_await ids_of(all.filter("name", "Alpha"sv)) == "1");
        CHECK(co_await ids_of(all.filter("name__exact", "alpha"sv)) == "");
        CHECK(co_await ids_of(all.filter(n != 30)) == "1 2 4 5");

        CHECK(co_await ids_of(all.filter(n > 30)) == "4 5");
        CHECK(co_await ids_of(all.filter(n.gt(30))) == "4 5");
        CHECK(co_await ids_of(all.filter("n__gt", 30)) == "4 5");
        CHECK(co_await ids_of(all.filter(n >= 30)) == "3 4 5");
        CHECK(co_await ids_of(all.filter(n.gte(30))) == "3 4 5");
        CHECK(co_await ids_of(all.filter("n__gte", 30)) == "3 4 5");
        CHECK(co_await ids_of(all.filter(n < 20)) == "1");
        CHECK(co_await ids_of(all.filter(n.lt(20))) == "1");
        CHECK(co_await ids_of(all.filter("n__lt", 20)) == "1");
        CHECK(co_await ids_of(all.filter(n <= 20)) == "1 2");
        CHECK(co_await ids_of(all.filter(n.lte(20))) == "1 2");
        CHECK(co_await ids_of(all.filter("n__lte", 20)) == "1 2");

        CHECK(co_await ids_of(all.filter(n.in(some))) == "1 5");
        CHECK(co_await ids_of(all.filter("n__in", some)) == "1 5");
        CHECK(co_await ids_of(all.filter(n.in(none))) == "");
        auto big = all.filter(n >= 40).values_list(F(&Entry::n)).flat();
        CHECK(co_await ids_of(all.filter(n.in(Subquery(big)))) == "4 5");
        CHECK(co_await ids_of(all.exclude(n.in(Subquery(big)))) == "1 2 3");

        CHECK(co_await ids_of(all.filter(n.range(20, 40))) == "2 3 4");
        CHECK(co_await ids_of(all.filter("n__range", bounds)) == "2 3 4");
        CHECK(co_await ids_of(all.exclude("n__range", bounds)) == "1 5");

        CHECK(co_await ids_of(all.filter(F(&Entry::note).isnull())) == "2");
        CHECK(co_await ids_of(all.filter(F(&Entry::note).isnull(false))) == "1 3 4 5");
        CHECK(co_await ids_of(all.filter("score__isnull", true)) == "2 5");
        CHECK(co_await ids_of(all.filter("score__isnull", false)) == "1 3 4");
        CHECK(co_await ids_of(all.filter(F(&Entry::note) == std::nullopt)) == "2");
        // A comparison is unknown on NULL: neither side of it selects the row; exclude(),
        // as Django's, keeps it.
        CHECK(co_await ids_of(all.filter(F(&Entry::score) > 2.0)) == "3 4");
        CHECK(co_await ids_of(all.filter(F(&Entry::score) <= 2.0)) == "1");
        CHECK(co_await ids_of(all.exclude(F(&Entry::score) > 2.0)) == "1 2 5");
    });
}

TEST_CASE("orm: text lookups escape wildcards, fold case through unicode, and match regexes") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_entries(c);
        auto all = objects<Entry>().using_(c);
        const auto name = F(&Entry::name);
        const auto note = F(&Entry::note);

        CHECK(co_await ids_of(all.filter(name.iexact("ALPHA"))) == "1");
        CHECK(co_await ids_of(all.filter("name__iexact", "ünïcode ÄÖ"sv)) == "3");
        CHECK(co_await ids_of(all.filter("note__iexact", std::nullopt)) == "2");

        CHECK(co_await ids_of(all.filter(name.contains("lph"))) == "1 2");
        CHECK(co_await ids_of(all.filter("name__contains", "LPH"sv)) == "");
        CHECK(co_await ids_of(all.filter(name.icontains("LPH"))) == "1 2");
        CHECK(co_await ids_of(all.filter("name__icontains", "NÏC"sv)) == "3");
        // '%', '_' and '\' are themselves, not wildcards or an escape.
        CHECK(co_await ids_of(all.filter(note.contains("%"))) == "3");
        CHECK(co_await ids_of(all.filter(name.contains("_"))) == "2");
        CHECK(co_await ids_of(all.filter("note__contains", "_"sv)) == "4");
        CHECK(co_await ids_of(all.filter(name.contains("\\"))) == "4");
        CHECK(co_await ids_of(all.filter(note.contains(""))) == "1 3 4 5");

        CHECK(co_await ids_of(all.filter(name.startswith("al"))) == "2");
        CHECK(co_await ids_of(all.filter("name__startswith", "Al"sv)) == "1");
        CHECK(co_await ids_of(all.filter(name.istartswith("AL"))) == "1 2");
        CHECK(co_await ids_of(all.filter("name__istartswith", "ü"sv)) == "3");
        CHECK(co_await ids_of(all.filter(name.endswith("beta"))) == "2");
        CHECK(co_await ids_of(all.filter("name__endswith", "ße"sv)) == "5");
        CHECK(co_await ids_of(all.filter(name.iendswith("ÄÖ"))) == "3");
        CHECK(co_await ids_of(all.filter("name__iendswith", "SLASH"sv)) == "4");

        CHECK(co_await ids_of(all.filter(name.regex("^[A-Z]"))) == "1");
        CHECK(co_await ids_of(all.filter("name__regex", "a$|ße$"sv)) == "1 2 5");
        CHECK(co_await ids_of(all.filter(name.iregex("^a"))) == "1 2");
        CHECK(co_await ids_of(all.filter("name__iregex", "^Ü"sv)) == "3");

        // On a number column, its text form; on NULL, no match, and exclude() keeps the row.
        CHECK(co_await ids_of(all.filter(F(&Entry::n).startswith("1"))) == "1");
        CHECK(co_await ids_of(all.filter("n__endswith", "0"sv)) == "1 2 3 4 5");
        CHECK(co_await ids_of(all.exclude(note.icontains("S"))) == "2 4 5");

        // An invalid regex is the server's error, with its SQLSTATE.
        try {
            co_await ids_of(all.filter(name.regex("(")));
            FAIL("an invalid regular expression was accepted");
        } catch (const wire::error& e) {
            CHECK(e.sqlstate() == "2201B");
        }
    });
}

TEST_CASE("orm: date transforms of a timestamptz, typed and by name, chained with lookups") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_entries(c);
        auto all = objects<Entry>().using_(c);
        const auto at = F(&Entry::at);
        const std::vector<std::int32_t> sunday_monday{1, 2};

        CHECK(co_await ids_of(all.filter(at.year() == 2024)) == "1 2 4 5");
        CHECK(co_await ids_of(all.filter("at__year", 2023)) == "3");
        CHECK(co_await ids_of(all.filter(at.month() == 1)) == "1 5");
        CHECK(co_await ids_of(all.filter("at__month__gte", 7)) == "3 4");
        CHECK(co_await ids_of(all.filter(at.day() == 31)) == "3");
        CHECK(co_await ids_of(all.filter("at__day__gte", 15)) == "1 2 3");
        CHECK(co_await ids_of(all.filter(at.week_day() == 5)) == "2 4");
        CHECK(co_await ids_of(all.filter("at__week_day", 1)) == "3");
        CHECK(co_await ids_of(all.filter("at__week_day__in", sunday_monday)) == "1 3 5");
        CHECK(co_await ids_of(all.filter(at.hour() == 23)) == "2");
        CHECK(co_await ids_of(all.filter("at__hour__lt", 9)) == "1 3");
        CHECK(co_await ids_of(all.filter(at.minute() == 5)) == "4");
        CHECK(co_await ids_of(all.filter("at__minute", 45)) == "5");
        CHECK(co_await ids_of(all.filter(at.second() == 7)) == "4");
        CHECK(co_await ids_of(all.filter("at__second__gt", 0)) == "4");
        CHECK(co_await ids_of(all.filter(at.date() == sys_days{2024y / January / 1})) == "5");
        CHECK(co_await ids_of(all.filter("at__date__gte", sys_days{2024y / February / 29})) ==
              "2 4");
        CHECK(co_await ids_of(all.filter(at.date().range(
                  sys_days{2024y / January / 1}, sys_days{2024y / January / 31}))) == "1 5");

        // A part as a value: decoded as the integer it is.
        auto months = co_await all.order_by("id").values_list(at.month(), at.date()).fetch();
        REQUIRE(months.size() == 5);
        CHECK(std::get<0>(months[1]) == 2);
        CHECK(std::get<1>(months[1]) == sys_days{2024y / February / 29});

        // In another time zone, the same instants fall on other hours and dates.
        co_await c.execute("set time zone 'Asia/Tokyo'");
        CHECK(co_await ids_of(all.filter(at.hour() == 8)) == "2");
        CHECK(co_await ids_of(all.filter(at.date() == sys_days{2024y / March / 1})) == "2");

        CHECK_THROWS_WITH_AS(all.filter("at__hours", 1),
                             doctest::Contains("unsupported lookup \"hours\""), field_error);
    });
}

TEST_CASE("orm: nulls first or last, in either direction and reversed") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_entries(c);
        auto all = objects<Entry>().using_(c);
        const auto score = F(&Entry::score);
        auto order = [&](auto o) { return ids_in_order(all.order_by(o, F(&Entry::id).asc())); };
        CHECK(co_await order(score.asc().nulls_first()) == "2 5 1 3 4");
        CHECK(co_await order(score.asc().nulls_last()) == "1 3 4 2 5");
        CHECK(co_await order(score.desc().nulls_first()) == "2 5 4 3 1");
        CHECK(co_await order(score.desc().nulls_last()) == "4 3 1 2 5");
        // PostgreSQL's own default: NULL is larger than every value.
        CHECK(co_await order(score.asc()) == "1 3 4 2 5");
        // reverse() flips the direction and where the NULLs go.
        CHECK(co_await ids_in_order(
                  all.order_by(score.asc().nulls_first(), F(&Entry::id).asc()).reverse()) ==
              "4 3 1 5 2");
    });
}

TEST_CASE("orm: Value, RawSQL and RawQ bind their parameters, also where a grouping repeats them") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_entries(c);
        auto all = objects<Entry>().using_(c);
        const auto n = F(&Entry::n);

        CHECK(co_await ids_of(all.filter(n > Value(35))) == "4 5");
        auto labelled = co_await all.filter(n == 10)
                            .values_list(Value(7), Value("x"), Concat(F(&Entry::name), Value("!")))
                            .fetch();
        CHECK(labelled ==
              std::vector<std::tuple<std::int32_t, std::string, std::string>>{{7, "x", "Alpha!"}});

        auto doubled = RawSQL<std::int32_t>(R"("lookup_entry"."n" * %s)", {make_param(2)});
        auto values = co_await all.order_by("id").values_list(doubled).flat().fetch();
        CHECK(values == std::vector<std::int32_t>{20, 40, 60, 80, 100});
        CHECK(co_await ids_of(all.annotate("d", doubled).filter(F<std::int32_t>("d") >= 80)) ==
              "4 5");
        // %% is a percent sign.
        auto every_20 = RawQ("n %% %s = 0", {make_param(20)});
        auto between = RawQ("n > %s and n < %s", {make_param(10), make_param(40)});
        CHECK(co_await ids_of(all.filter(every_20)) == "2 4");
        CHECK(co_await ids_of(all.exclude(every_20)) == "1 3 5");
        CHECK(co_await ids_of(all.filter(between)) == "2 3");

        // A RawSQL with a parameter in the ordering of grouped values: grouped by it too, the
        // same $n in GROUP BY and ORDER BY, or PostgreSQL sees two expressions (42803).
        auto bucket = RawSQL<std::int32_t>("n %% %s", {make_param(20)});
        auto score = Coalesce(F(&Entry::score), 0.0);
        auto grouped =
            co_await all.values_list(score, Count()).order_by(bucket.asc(), score.desc()).fetch();
        CHECK(grouped == std::vector<std::tuple<double, std::int64_t>>{
                             {4.5, 1}, {0.0, 1}, {3.0, 1}, {1.5, 1}, {0.0, 1}});
        // The same expression selected and ordered by: one value, one $n.
        auto remainder = co_await all.values_list(bucket, Count()).order_by(bucket.asc()).fetch();
        CHECK(remainder == std::vector<std::tuple<std::int32_t, std::int64_t>>{{0, 2}, {10, 3}});

        // Placeholders and parameters must agree.
        auto one_short = RawQ("n > %s and n < %s", {make_param(10)});
        auto one_over = RawQ("n > 1", {make_param(10)});
        auto no_column = RawQ("no_such_column = %s", {make_param(1)});
        CHECK_THROWS_WITH_AS(co_await ids_of(all.filter(one_short)),
                             "RawSQL has more %s placeholders than parameters: n > %s and n < %s",
                             orm::error);
        CHECK_THROWS_WITH_AS(co_await ids_of(all.filter(one_over)),
                             "RawSQL has fewer %s placeholders than parameters: n > 1", orm::error);
        // Bad SQL is the server's error.
        try {
            co_await ids_of(all.filter(no_column));
            FAIL("a query on a missing column ran");
        } catch (const wire::error& e) {
            CHECK(e.sqlstate() == "42703");
        }
    });
}
