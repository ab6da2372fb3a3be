// Operations on one model object against the real server: save (insert, update, update_fields),
// remove and refresh_from_db, and their errors.
#include "support/server.hpp"

#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/schema.hpp>

using namespace turbopg;
using namespace turbopg::orm;
using namespace turbopg::test;
using asio::awaitable;

// Outside the anonymous namespace: clang 14 wants reflected models to have linkage.
namespace orm_instance_test {
struct InstanceNote {
    primary_key<std::int32_t> id;
    std::string text;
    std::optional<std::int32_t> stars;
    auto_now_add<> created;
    auto_now<> updated;
};
} // namespace orm_instance_test
using orm_instance_test::InstanceNote;

namespace {
InstanceNote note(std::string text, std::optional<std::int32_t> stars = {}) {
    InstanceNote n;
    n.text = std::move(text);
    n.stars = stars;
    return n;
}

awaitable<void> fresh_table(wire::connection& c) {
    co_await drop_table<InstanceNote>(c);
    co_await create_table<InstanceNote>(c);
}
} // namespace

TEST_CASE("orm: save inserts an unsaved object and updates a saved one") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto n = note("première ✓", 3);
        co_await save(c, n);
        REQUIRE(n.id.has_value());
        CHECK(n.created.value.time_since_epoch().count() != 0);
        auto inserted_at = n.created.value;

        n.text = "seconde";
        n.stars.reset();
        co_await save(c, n);
        auto row = co_await objects<InstanceNote>().using_(c).get(F(&InstanceNote::id) == *n.id);
        CHECK(row.text == "seconde");
        CHECK_FALSE(row.stars.has_value());
        CHECK(row.created.value == inserted_at);
        CHECK(n.updated.value > inserted_at);
        CHECK(row.updated.value == n.updated.value);

        // A key with no row: save inserts it with that key (as Django).
        auto given = note("given");
        given.id = 77;
        co_await save(c, given);
        CHECK(*given.id == 77);
        CHECK(co_await objects<InstanceNote>().using_(c).count() == 2);
    });
}

TEST_CASE("orm: save with update_fields writes only those fields") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto n = note("kept", 1);
        co_await save(c, n);
        n.text = "not written";
        n.stars = 5;
        // g++ 12 takes no braced list inside a co_await expression: the options are locals.
        save_options stars{.update_fields = {"stars"}}, unknown{.update_fields = {"colour"}},
            key{.update_fields = {"id"}}, text{.update_fields = {"text"}};
        co_await save(c, n, stars);
        CHECK(n.text == "kept"); // read back from the row
        CHECK(n.stars == 5);

        CHECK_THROWS_WITH_AS(co_await save(c, n, unknown),
                             doctest::Contains("cannot resolve field \"colour\""), field_error);
        CHECK_THROWS_WITH_AS(co_await save(c, n, key), doctest::Contains("primary key"), error);
        auto unsaved = note("u");
        CHECK_THROWS_WITH_AS(co_await save(c, unsaved, text), doctest::Contains("unsaved"), error);
        auto gone = n;
        gone.id = 4242;
        CHECK_THROWS_WITH_AS(co_await save(c, gone, text),
                             doctest::Contains("did not affect any rows"), error);
        CHECK(co_await objects<InstanceNote>().using_(c).count() == 1);
    });
}

TEST_CASE("orm: remove deletes the row and unsets the key; refresh_from_db reloads") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await fresh_table(c);
        auto n = note("text", 2);
        co_await save(c, n);
        auto key = *n.id;
        co_await c.execute(
            "update instance_note set text = 'changed ✓', stars = null where id = $1", key);
        auto partial = n;
        std::vector<std::string> stars{"stars"}, unknown{"colour"};
        co_await refresh_from_db(c, partial, stars);
        CHECK(partial.text == "text");
        CHECK_FALSE(partial.stars.has_value());
        co_await refresh_from_db(c, n);
        CHECK(n.text == "changed ✓");
        CHECK_THROWS_WITH_AS(co_await refresh_from_db(c, n, unknown),
                             doctest::Contains("cannot resolve field \"colour\""), field_error);

        auto copy = n, stale = n;
        CHECK(co_await remove(c, n) == 1);
        CHECK_FALSE(n.id.has_value());
        CHECK(co_await remove(c, copy) == 0);
        CHECK_THROWS_AS(co_await refresh_from_db(c, stale), does_not_exist);
        CHECK_THROWS_WITH_AS(co_await remove(c, n), doctest::Contains("cannot delete the unsaved"),
                             error);
        CHECK_THROWS_WITH_AS(co_await refresh_from_db(c, n),
                             doctest::Contains("cannot refresh the unsaved"), error);
    });
}
