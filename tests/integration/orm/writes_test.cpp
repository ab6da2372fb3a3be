// A queryset's writes against the real server: create, bulk_create (INSERT batches and COPY),
// bulk_update, get_or_create and update_or_create (with a real race), in_bulk and contains.
#include "support/server.hpp"

#include <turbopg/orm/atomic.hpp>
#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/schema.hpp>

#include <asio/cancellation_signal.hpp>
#include <asio/steady_timer.hpp>

#include <set>

using namespace turbopg;
using namespace turbopg::orm;
using namespace turbopg::test;
using asio::awaitable;

// Outside the anonymous namespace: clang 14 wants reflected models to have linkage.
namespace orm_writes_test {
struct WritesBook {
    primary_key<> id;
    varchar<100> title;
    std::int32_t pages = 0;
    std::optional<double> rating;
    bool in_print = true;
    auto_now_add<> created;
    auto_now<> updated;
    static constexpr model_meta meta{.table = "writes_book", .unique = {{.fields = {"title"}}}};
};
} // namespace orm_writes_test
using orm_writes_test::WritesBook;

namespace {

WritesBook book(std::string title, std::int32_t pages, std::optional<double> rating = {}) {
    WritesBook b;
    b.title = std::move(title);
    b.pages = pages;
    b.rating = rating;
    return b;
}

awaitable<void> fresh_table(wire::connection& c) {
    co_await drop_table<WritesBook>(c);
    co_await create_table<WritesBook>(c);
}

// Runs the PL/pgSQL `statement` before each row inserted into writes_book (a trigger `name`).
awaitable<void> before_each_insert(wire::connection& c, const std::string& name,
                                   const std::string& statement) {
    auto function = "writes_book_" + name;
    co_await c.simple_query("create or replace function " + function +
                            "() returns trigger language plpgsql as $$ begin " + statement +
                            " return new; end $$; create trigger " + name +
                            " before insert on writes_book for each row execute function " +
                            function + "()");
}

// A connection that is closed: any query on it throws, so a call that completes on it sent none.
awaitable<wire::connection> closed_connection() {
    auto c = co_await connect_test();
    co_await c.close();
    co_return c;
}

bool has_sqlstate(const std::exception_ptr& e, std::string_view state) {
    try {
        std::rethrow_exception(e);
    } catch (const wire::error& w) {
        return w.sqlstate() == state;
    } catch (...) {
        return false;
    }
}
} // namespace

TEST_CASE("orm: create returns the row as inserted; a unique violation is 23505") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto books = objects<WritesBook>().using_(c);
        auto dune = co_await books.create(book("Dune ✓ Émile", 412));
        CHECK(dune.id.has_value());
        CHECK(dune.title == "Dune ✓ Émile");
        CHECK_FALSE(dune.rating.has_value());
        CHECK(dune.created.value.time_since_epoch().count() != 0);
        CHECK(dune.updated.value == dune.created.value);
        auto emma = co_await books.create(book("Emma", 300, 4.5));
        CHECK(*emma.id > *dune.id);
        CHECK(emma.rating == 4.5);

        auto given = book("Given", 1);
        given.id = 1000;
        CHECK(*(co_await books.create(given)).id == 1000);

        std::exception_ptr duplicate;
        try {
            co_await books.create(book("Emma", 1));
        } catch (...) {
            duplicate = std::current_exception();
        }
        CHECK(has_sqlstate(duplicate, "23505"));
        CHECK(co_await books.count() == 3);
    });
}

TEST_CASE("orm: bulk_create inserts in batches and returns ids in order") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto books = objects<WritesBook>().using_(c);
        std::vector<WritesBook> three{book("A", 1), book("B", 2, 2.5), book("C ✓", 3)};
        three[1].id = 900000; // far above the ids the identity hands out below
        auto made = co_await books.bulk_create(three, {.batch_size = 2});
        REQUIRE(made.size() == 3);
        CHECK(made[0].title == "A");
        CHECK(*made[1].id == 900000);
        CHECK(made[1].rating == 2.5);
        CHECK(made[2].title == "C ✓");
        CHECK(made[2].id.has_value());
        CHECK(made[0].created.value.time_since_epoch().count() != 0);

        // 20,000 rows of 4 parameters: past the 65,535 a statement takes, so two batches.
        std::vector<WritesBook> many;
        for (int i = 0; i < 20000; ++i)
            many.push_back(
                book("many " + std::to_string(i), i, i % 2 ? std::optional(0.5) : std::nullopt));
        auto inserted = co_await books.bulk_create(many);
        REQUIRE(inserted.size() == 20000);
        std::set<std::int64_t> ids;
        for (const auto& b : inserted)
            ids.insert(*b.id);
        CHECK(ids.size() == 20000);
        CHECK(inserted[19999].title == "many 19999");
        CHECK(co_await books.count() == 20003);

        auto empty = co_await closed_connection();
        CHECK((co_await objects<WritesBook>().using_(empty).bulk_create({})).empty());
    });
}

TEST_CASE("orm: bulk_create with ignore_conflicts skips duplicates; a batch fails as a whole") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto books = objects<WritesBook>().using_(c);
        co_await books.create(book("Dup", 1));
        std::vector<WritesBook> some{book("New", 1), book("Dup", 2), book("Newer", 3)};
        auto made = co_await books.bulk_create(some, {.ignore_conflicts = true});
        REQUIRE(made.size() == 2);
        CHECK(made[1].title == "Newer");
        CHECK(co_await books.count() == 3);

        // Batches run in one transaction: the second's violation undoes the first.
        std::vector<WritesBook> failing{book("X1", 1), book("X2", 1), book("Dup", 1)};
        std::exception_ptr duplicate;
        try {
            co_await books.bulk_create(failing, {.batch_size = 2});
        } catch (...) {
            duplicate = std::current_exception();
        }
        CHECK(has_sqlstate(duplicate, "23505"));
        CHECK(co_await books.count() == 3);
        CHECK(c.transaction_status() == 'I');
    });
}

TEST_CASE("orm: bulk_create with copy writes the rows by binary COPY, without ids") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto books = objects<WritesBook>().using_(c);
        std::vector<WritesBook> many;
        for (int i = 0; i < 1500; ++i)
            many.push_back(book("copied ✓ " + std::to_string(i), i,
                                i == 7 ? std::optional(7.5) : std::nullopt));
        auto copied = co_await books.bulk_create(many, {.copy = true});
        REQUIRE(copied.size() == 1500);
        CHECK_FALSE(copied[0].id.has_value());
        CHECK(co_await books.count() == 1500);
        auto seven = co_await books.get(F(&WritesBook::title) == "copied ✓ 7");
        CHECK(seven.rating == 7.5);
        CHECK(seven.id.has_value());
        CHECK(seven.created.value.time_since_epoch().count() != 0);
        CHECK(co_await books.filter(F(&WritesBook::rating).isnull()).count() == 1499);

        // A duplicate fails the COPY with the server's error; the connection stays usable.
        std::vector<WritesBook> again{book("copied ✓ 1", 1)};
        std::exception_ptr duplicate;
        try {
            co_await books.bulk_create(again, {.copy = true});
        } catch (...) {
            duplicate = std::current_exception();
        }
        CHECK(has_sqlstate(duplicate, "23505"));
        CHECK(co_await books.count() == 1500);
    });
}

TEST_CASE("orm: bulk_update sets fields by primary key in one statement per batch") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto books = objects<WritesBook>().using_(c);
        std::vector<WritesBook> some{book("A", 1, 1.0), book("B", 2), book("C", 3)};
        auto made = co_await books.bulk_create(some);
        made[0].rating.reset();
        made[1].title = "Bé ✓";
        made[1].rating = 9.5;
        made[2].pages = 30;
        made[2].in_print = false;
        // g++ 12 takes no braced list inside a co_await expression: the lists are locals.
        std::vector<std::string> fields{"title", "rating", name_of(&WritesBook::pages), "in_print"};
        auto n = co_await books.bulk_update(made, fields, {.batch_size = 2});
        CHECK(n == 3);
        auto now = co_await books.order_by("id").fetch();
        CHECK_FALSE(now[0].rating.has_value());
        CHECK(now[1].title == "Bé ✓");
        CHECK(now[1].rating == 9.5);
        CHECK(now[2].pages == 30);
        CHECK_FALSE(now[2].in_print);
        CHECK(now[2].updated.value > made[2].updated.value);

        std::vector<std::string> unknown{"colour"}, key{"id"}, none, pages{"pages"};
        CHECK_THROWS_WITH_AS(co_await books.bulk_update(made, unknown),
                             doctest::Contains("cannot resolve field \"colour\""), field_error);
        CHECK_THROWS_WITH_AS(co_await books.bulk_update(made, key),
                             doctest::Contains("primary key"), error);
        CHECK_THROWS_AS(co_await books.bulk_update(made, none), error);
        std::vector<WritesBook> unsaved{book("U", 1)};
        CHECK_THROWS_WITH_AS(co_await books.bulk_update(unsaved, pages),
                             doctest::Contains("unsaved"), error);

        auto empty = co_await closed_connection();
        CHECK(co_await objects<WritesBook>().using_(empty).bulk_update({}, pages) == 0);
    });
}

TEST_CASE("orm: bulk_update of a filtered queryset updates only the objects it matches") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto books = objects<WritesBook>().using_(c);
        std::vector<WritesBook> some{book("A", 10), book("B", 200), book("C", 300), book("D", 5)};
        auto made = co_await books.bulk_create(some);
        for (auto& b : made)
            b.pages += 1;
        std::vector<std::string> pages{"pages"};
        // Django's bulk_update runs queryset.filter(pk__in=...).update(...): A and D are not
        // among the rows of the queryset and keep their pages.
        auto big = books.filter(F(&WritesBook::pages) > 100);
        CHECK(co_await big.bulk_update(made, pages, {.batch_size = 3}) == 2);
        auto now = co_await books.order_by("id").values_list(F(&WritesBook::pages)).flat().fetch();
        CHECK(now == std::vector<std::int32_t>{10, 201, 301, 5});
        // A slice names its rows by key: only the first by title of those with pages > 100.
        for (auto& b : made)
            b.pages += 1;
        auto first_big = big.order_by("title").slice(0, 1);
        CHECK(co_await first_big.bulk_update(made, pages) == 1);
        now = co_await books.order_by("id").values_list(F(&WritesBook::pages)).flat().fetch();
        CHECK(now == std::vector<std::int32_t>{10, 202, 301, 5});
        // none() sends nothing.
        auto empty = co_await closed_connection();
        CHECK(co_await objects<WritesBook>().using_(empty).none().bulk_update(made, pages) == 0);
    });
}

TEST_CASE("orm: update and delete of a queryset filtered on an aggregate") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto books = objects<WritesBook>().using_(c);
        std::vector<WritesBook> some{book("A", 10), book("B", 200)};
        co_await books.bulk_create(some);
        // Each book counts itself: COUNT(*) per primary key is 1, so "n >= 1" matches both and
        // "n >= 2" none.
        auto counted = books.annotate("n", Count());
        auto all = counted.filter("n__gte", 1);
        auto none = counted.filter("n__gte", 2);
        CHECK(co_await all.update(set(&WritesBook::pages, F(&WritesBook::pages) + 1)) == 2);
        CHECK(co_await none.delete_() == 0);
        CHECK(co_await all.delete_() == 2);
        CHECK(co_await books.count() == 0);
    });
}

TEST_CASE("orm: in_bulk maps primary keys to objects; contains looks for one") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto books = objects<WritesBook>().using_(c);
        std::vector<WritesBook> some{book("A", 1), book("B", 2), book("C", 3)};
        auto made = co_await books.bulk_create(some);
        std::vector<std::int64_t> keys{*made[0].id, *made[2].id, 99999};
        auto found = co_await books.in_bulk(keys);
        REQUIRE(found.size() == 2);
        CHECK(found.at(*made[2].id).title == "C");
        auto filtered = co_await books.filter(F(&WritesBook::pages) > 1).in_bulk(keys);
        CHECK(filtered.size() == 1);

        CHECK(co_await books.contains(made[1]));
        CHECK_FALSE(co_await books.filter(F(&WritesBook::pages) > 2).contains(made[1]));
        CHECK_THROWS_WITH_AS(co_await books.contains(book("U", 1)), doctest::Contains("unsaved"),
                             error);

        auto empty = co_await closed_connection();
        CHECK((co_await objects<WritesBook>().using_(empty).in_bulk({})).empty());
    });
}

TEST_CASE("orm: get_or_create gets or creates; inside a transaction a conflict keeps it going") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto books = objects<WritesBook>().using_(c);
        auto [dune, created] =
            co_await books.get_or_create(F(&WritesBook::title) == "Dune", book("Dune", 412));
        CHECK(created);
        CHECK(dune.id.has_value());
        auto [again, created_again] =
            co_await books.get_or_create(F(&WritesBook::title) == "Dune", book("Dune", 1));
        CHECK_FALSE(created_again);
        CHECK(again.id == dune.id);
        CHECK(again.pages == 412);

        // Nothing matches the lookup, but the INSERT conflicts with a row the lookup does not
        // find: the 23505 error comes back, and the open transaction is still usable (the INSERT
        // ran in a savepoint).
        co_await c.execute("BEGIN");
        std::exception_ptr duplicate;
        try {
            co_await books.get_or_create(F(&WritesBook::pages) == 7, book("Dune", 7));
        } catch (...) {
            duplicate = std::current_exception();
        }
        CHECK(has_sqlstate(duplicate, "23505"));
        CHECK(c.transaction_status() == 'T');
        auto [made, made_created] =
            co_await books.get_or_create(F(&WritesBook::title) == "Emma", book("Emma", 7));
        CHECK(made_created);
        co_await c.execute("COMMIT");
        CHECK(co_await books.count() == 2);
    });
}

TEST_CASE("orm: get_or_create cancelled too late to stop its INSERT goes no further") {
    // A trigger's notice cancels the caller while the server runs the INSERT, which finishes:
    // the trigger catches the cancel the server gets while it sleeps, whenever it arrives.
    // Inside an atomic block the INSERT's savepoint is then not released, and the block rolls
    // back: the caller's cancellation stops the operation at its next step.
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        co_await before_each_insert(c, "notice",
                                    "begin raise notice 'inserting'; perform pg_sleep(0.3); "
                                    "exception when query_canceled then null; end;");
        asio::cancellation_signal cancel;
        c.set_notice_handler([&](const wire::server_diagnostics&) {
            cancel.emit(asio::cancellation_type::terminal);
        });
        bool returned = false;
        auto block = [&](atomic_block& blk) -> awaitable<void> {
            co_await objects<WritesBook>().using_(blk.db()).get_or_create(
                F(&WritesBook::title) == "Dune", book("Dune", 412));
            returned = true;
        };
        auto failed = co_await cancellable(cancel, atomic(c, block));
        CHECK_FALSE(returned);
        CHECK(failed == asio::error::operation_aborted);
        c.set_notice_handler(nullptr);
        CHECK(c.transaction_status() == 'I');
        CHECK(co_await objects<WritesBook>().using_(c).count() == 0);
    });
}

TEST_CASE("orm: get_or_create whose INSERT is cancelled keeps the caller's transaction usable") {
    // In the caller's own transaction block the INSERT runs in a savepoint. Cancelled while the
    // server runs it (a trigger sleeps), it fails with errc::cancelled, and the savepoint is
    // rolled back even though the caller's coroutine stays cancelled: the block goes on.
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        co_await before_each_insert(c, "sleep", "perform pg_sleep(30);");
        auto ex = co_await asio::this_coro::executor;
        co_await c.execute("BEGIN");
        co_await c.execute("create temporary table before_insert (n int)");
        asio::cancellation_signal cancel;
        asio::steady_timer at(ex, std::chrono::milliseconds(200));
        at.async_wait([&](std::error_code) { cancel.emit(asio::cancellation_type::terminal); });
        auto failed =
            co_await cancellable(cancel, objects<WritesBook>().using_(c).get_or_create(
                                             F(&WritesBook::title) == "Dune", book("Dune", 412)));
        CHECK(failed == wire::errc::cancelled);
        CHECK(c.transaction_status() == 'T');
        co_await c.execute("insert into before_insert values (1)");
        co_await c.execute("COMMIT");
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from before_insert") == 1);
        CHECK(co_await objects<WritesBook>().using_(c).count() == 0);
    });
}

TEST_CASE("orm: get_or_create losing a race to another session reads the winner's row") {
    run([]() -> awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        auto winner = co_await connect_test();
        auto loser = co_await connect_test();
        auto observer = co_await connect_test();
        co_await fresh_table(winner);
        // The winner inserts "Race" in an open transaction: the loser's get sees nothing, and
        // its INSERT waits on the unique index until the winner commits, then fails with 23505.
        co_await winner.execute("BEGIN");
        auto won = co_await objects<WritesBook>().using_(winner).create(book("Race", 1));

        std::optional<std::pair<WritesBook, bool>> result;
        std::exception_ptr failure;
        asio::co_spawn(
            ex,
            [&]() -> awaitable<void> {
                result = co_await objects<WritesBook>().using_(loser).get_or_create(
                    F(&WritesBook::title) == "Race", book("Race", 2));
            },
            [&](std::exception_ptr e) { failure = e; });
        asio::steady_timer timer(ex);
        // Until the loser waits on the winner's lock (at most ~30 s, so a regression fails rather
        // than hangs; the loser is always let finish before the checks).
        bool waiting = false;
        for (int i = 0; i < 3000 && !waiting && !result && !failure; ++i) {
            timer.expires_after(std::chrono::milliseconds(10));
            co_await timer.async_wait(asio::use_awaitable);
            waiting = co_await observer.query_value<bool>(
                "select exists(select 1 from pg_stat_activity where wait_event_type = 'Lock' "
                "and query like 'INSERT INTO \"writes_book\"%')");
        }
        co_await winner.execute("COMMIT");
        while (!result && !failure) {
            timer.expires_after(std::chrono::milliseconds(10));
            co_await timer.async_wait(asio::use_awaitable);
        }
        CHECK(waiting);
        REQUIRE_FALSE(failure);
        CHECK_FALSE(result->second);
        CHECK(result->first.id == won.id);
        CHECK(result->first.pages == 1);
    });
}

TEST_CASE("orm: update_or_create updates the locked row or creates it") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto books = objects<WritesBook>().using_(c);
        auto [made, created] =
            co_await books.update_or_create(F(&WritesBook::title) == "Dune", book("Dune", 412));
        CHECK(created);
        CHECK(made.pages == 412);
        auto [updated, created_again] = co_await books.update_or_create(
            F(&WritesBook::title) == "Dune", book("Dune ✓", 500, 4.0));
        CHECK_FALSE(created_again);
        CHECK(updated.id == made.id);
        CHECK(updated.title == "Dune ✓");
        CHECK(updated.rating == 4.0);
        CHECK(updated.created.value == made.created.value);
        CHECK(updated.updated.value > made.updated.value);
        CHECK(co_await books.count() == 1);
        CHECK(c.transaction_status() == 'I');
    });
}

TEST_CASE("orm: update_or_create with assignments updates by expression or creates") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto books = objects<WritesBook>().using_(c);
        auto is_dune = F(&WritesBook::title) == "Dune";
        std::vector<assignment> more{set(&WritesBook::pages, F(&WritesBook::pages) + 1),
                                     set(&WritesBook::rating, std::nullopt)};
        auto [made, created] =
            co_await books.update_or_create(is_dune, more, book("Dune", 412, 1.5));
        CHECK(created);
        CHECK(made.rating == 1.5);
        auto [updated, created_again] =
            co_await books.update_or_create(is_dune, more, book("Dune", 1));
        CHECK_FALSE(created_again);
        CHECK(updated.id == made.id);
        CHECK(updated.pages == 413);
        CHECK_FALSE(updated.rating.has_value());
        CHECK(updated.updated.value > made.updated.value);
    });
}
