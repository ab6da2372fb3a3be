// Schema from models and the field wrappers against the real server: indexes, UNIQUE and CHECK
// constraints as the catalogs show them, the idempotent options, CASCADE, the one transaction
// of create_table; varchar(N), identity keys, defaults and a text primary key; and the write
// edge cases of bulk_create and bulk_update (no objects, NULL to a value and back, duplicates).
#include "support/server.hpp"

#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/schema.hpp>

using namespace turbopg;
using namespace turbopg::orm;
using namespace turbopg::test;
using asio::awaitable;

// A named namespace: clang cannot reflect members of types with internal linkage.
namespace coverage_schema_test {
struct CovIndexed {
    primary_key<> id;
    varchar<40> code;
    std::int32_t qty = 0;
    std::optional<std::string> note;
    auto_now_add<> created;
    static constexpr model_meta meta{
        .table = "cov_indexed",
        .indexes = {{.fields = {"qty"}}, {.fields = {"code", "qty"}, .name = "cov_indexed_pair"}},
        .unique = {{.fields = {"code"}}, {.fields = {"qty", "note"}}},
        .checks = {{.name = "cov_qty_nonnegative", .sql = "qty >= 0"}},
    };
};

// A primary key the application gives: text, no identity.
struct CovCode {
    primary_key<std::string> code;
    std::int32_t n = 0;
    std::optional<std::chrono::sys_days> day;
    static constexpr model_meta meta{.table = "cov_code"};
};

CovIndexed indexed(std::string code, std::int32_t qty, std::optional<std::string> note = {}) {
    CovIndexed i;
    i.code = std::move(code);
    i.qty = qty;
    i.note = std::move(note);
    return i;
}

CovCode coded(std::string code, std::int32_t n, std::optional<std::chrono::sys_days> day = {}) {
    CovCode x;
    x.code = std::move(code);
    x.n = n;
    x.day = day;
    return x;
}

// The SQLSTATE `work` fails with, or "" when it succeeds.
template <class T>
awaitable<std::string> sqlstate_of(awaitable<T> work) {
    try {
        co_await std::move(work);
    } catch (const wire::error& e) {
        co_return e.sqlstate();
    }
    co_return "";
}

// The catalog's one text value of `sql` (each row's text joined by ";").
awaitable<std::string> catalog(wire::connection& c, const std::string& sql) {
    auto rows = co_await c.query(sql);
    std::string out;
    for (auto r : rows)
        out += (out.empty() ? "" : ";") + r.get<std::string>(0);
    co_return out;
}
} // namespace coverage_schema_test

using namespace coverage_schema_test;

TEST_CASE("orm coverage: create_table makes the indexes and constraints the model declares") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await drop_table<CovIndexed>(c);
        co_await create_table<CovIndexed>(c);
        CHECK(co_await catalog(c, "select indexname || ' ' || indexdef from pg_indexes where "
                                  "tablename = 'cov_indexed' order by indexname") ==
              "cov_indexed_code_key CREATE UNIQUE INDEX cov_indexed_code_key ON "
              "public.cov_indexed USING btree (code);"
              "cov_indexed_pair CREATE INDEX cov_indexed_pair ON public.cov_indexed USING btree "
              "(code, qty);"
              "cov_indexed_pkey CREATE UNIQUE INDEX cov_indexed_pkey ON public.cov_indexed "
              "USING btree (id);"
              "cov_indexed_qty_idx CREATE INDEX cov_indexed_qty_idx ON public.cov_indexed USING "
              "btree (qty);"
              "cov_indexed_qty_note_key CREATE UNIQUE INDEX cov_indexed_qty_note_key ON "
              "public.cov_indexed USING btree (qty, note)");
        CHECK(co_await catalog(c, "select conname || ' ' || contype::text || ' ' || "
                                  "pg_get_constraintdef(oid) from pg_constraint where conrelid = "
                                  "'cov_indexed'::regclass order by conname") ==
              "cov_indexed_code_key u UNIQUE (code);"
              "cov_indexed_pkey p PRIMARY KEY (id);"
              "cov_indexed_qty_note_key u UNIQUE (qty, note);"
              "cov_qty_nonnegative c CHECK ((qty >= 0))");
        // The columns: types, NULL-ability, identity, defaults.
        CHECK(co_await catalog(c, "select column_name || ' ' || data_type || ' ' || "
                                  "coalesce(character_maximum_length::text, '-') || ' ' || "
                                  "is_nullable || ' ' || is_identity || ' ' || "
                                  "coalesce(identity_generation, '-') || ' ' || "
                                  "coalesce(column_default, '-') from information_schema.columns "
                                  "where table_name = 'cov_indexed' order by ordinal_position") ==
              "id bigint - NO YES BY DEFAULT -;"
              "code character varying 40 NO NO - -;"
              "qty integer - NO NO - -;"
              "note text - YES NO - -;"
              "created timestamp with time zone - NO NO - now()");

        // The server enforces them.
        auto rows = objects<CovIndexed>().using_(c);
        auto first = co_await rows.create(indexed("a", 1));
        CHECK(first.id.has_value());
        CHECK(first.created.value.time_since_epoch().count() != 0);
        CHECK(co_await sqlstate_of(rows.create(indexed("b", -1))) == "23514");
        CHECK(co_await sqlstate_of(rows.create(indexed("a", 2))) == "23505");
        CHECK(co_await sqlstate_of(rows.create(indexed(std::string(41, 'x'), 2))) == "22001");
        CHECK(co_await sqlstate_of(rows.create(indexed("c", 1, "n"))) == "");
        CHECK(co_await sqlstate_of(rows.create(indexed("d", 1, "n"))) == "23505");
        // NULLs are distinct in a UNIQUE constraint (PostgreSQL's default, as Django's).
        CHECK(co_await sqlstate_of(rows.create(indexed("e", 1))) == "");
        CHECK(co_await rows.count() == 3);
    });
}

TEST_CASE("orm coverage: create_table and drop_table options; create_table is one transaction") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("drop view if exists cov_indexed_view");
        co_await drop_table<CovIndexed>(c);
        co_await c.execute("drop table if exists cov_indexed_pair");
        co_await create_table<CovIndexed>(c);
        co_await c.execute("insert into cov_indexed (code, qty) values ('kept', 1)");
        // IF NOT EXISTS by default: a second create keeps the table and its rows.
        co_await create_table<CovIndexed>(c);
        CHECK(co_await objects<CovIndexed>().using_(c).count() == 1);
        const create_options strict{.if_not_exists = false};
        CHECK(co_await sqlstate_of(create_table<CovIndexed>(c, strict)) == "42P07");
        // A view on the table: DROP fails without CASCADE (2BP01), and takes the view with it.
        co_await c.execute("create view cov_indexed_view as select code from cov_indexed");
        CHECK(co_await sqlstate_of(drop_table<CovIndexed>(c)) == "2BP01");
        CHECK(co_await objects<CovIndexed>().using_(c).count() == 1);
        const drop_options cascade{.cascade = true};
        co_await drop_table<CovIndexed>(c, cascade);
        CHECK(co_await c.query_value<bool>("select to_regclass('cov_indexed') is null and "
                                           "to_regclass('cov_indexed_view') is null"));
        // IF EXISTS by default: dropping what is gone is no error; without it, 42P01.
        co_await drop_table<CovIndexed>(c);
        const drop_options strict_drop{.if_exists = false};
        CHECK(co_await sqlstate_of(drop_table<CovIndexed>(c, strict_drop)) == "42P01");
        // An index whose name is taken fails the CREATE INDEX after the CREATE TABLE: neither
        // is left.
        co_await c.execute("create table cov_indexed_pair (x int)");
        CHECK(co_await sqlstate_of(create_table<CovIndexed>(c, strict)) == "42P07");
        CHECK(co_await c.query_value<bool>("select to_regclass('cov_indexed') is null"));
        CHECK(c.transaction_status() == 'I');
        co_await c.execute("drop table cov_indexed_pair");
        co_await create_table<CovIndexed>(c, strict);
        CHECK(co_await objects<CovIndexed>().using_(c).count() == 0);
    });
}

TEST_CASE("orm coverage: a text primary key through create, save, in_bulk, bulk_update, remove") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await drop_table<CovCode>(c);
        co_await create_table<CovCode>(c);
        CHECK(co_await catalog(c, "select column_name || ' ' || data_type || ' ' || is_identity "
                                  "from information_schema.columns where table_name = "
                                  "'cov_code' and column_name = 'code'") == "code text NO");
        auto codes = objects<CovCode>().using_(c);
        using std::chrono::sys_days;
        using namespace std::chrono;
        auto made = co_await codes.create(coded("ä✓", 1, sys_days(2024y / 2 / 29)));
        CHECK(*made.code == "ä✓");
        CHECK(made.day == sys_days(2024y / 2 / 29));
        auto x = coded("x", 2);
        co_await save(c, x); // a key with no row: INSERT
        x.n = 3;
        co_await save(c, x); // UPDATE
        CHECK((co_await codes.get(F(&CovCode::code) == "x")).n == 3);
        CHECK(co_await codes.count() == 2);
        std::vector<std::string> keys{"ä✓", "x", "missing"};
        auto found = co_await codes.in_bulk(keys);
        REQUIRE(found.size() == 2);
        CHECK(found.at("ä✓").n == 1);
        std::vector<CovCode> both{found.at("ä✓"), found.at("x")};
        both[0].day.reset();
        both[1].day = sys_days(2000y / 1 / 1);
        std::vector<std::string> day{"day"};
        CHECK(co_await codes.bulk_update(both, day) == 2);
        auto days = co_await codes.order_by("code").values_list(F(&CovCode::day)).flat().fetch();
        CHECK(days == std::vector<std::optional<sys_days>>{sys_days(2000y / 1 / 1), std::nullopt});
        CHECK(co_await codes.contains(both[0]));
        CHECK(co_await remove(c, both[0]) == 1);
        CHECK_FALSE(both[0].code.has_value());
        CHECK(co_await codes.count() == 1);
        // A duplicate key is the server's 23505.
        CHECK(co_await sqlstate_of(codes.create(coded("x", 9))) == "23505");
    });
}

TEST_CASE("orm coverage: bulk_create and bulk_update edge cases") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await drop_table<CovIndexed>(c);
        co_await create_table<CovIndexed>(c);
        auto rows = objects<CovIndexed>().using_(c);
        std::vector<CovIndexed> nothing;
        CHECK((co_await rows.bulk_create(nothing)).empty());
        const bulk_create_options copy{.copy = true}, one_by_one{.batch_size = 1};
        CHECK((co_await rows.bulk_create(nothing, copy)).empty());
        std::vector<CovIndexed> three{indexed("a", 1), indexed("b ✓", 2, "note"), indexed("c", 3)};
        auto made = co_await rows.bulk_create(three, one_by_one);
        REQUIRE(made.size() == 3);
        CHECK(*made[0].id < *made[1].id);
        CHECK(*made[1].id < *made[2].id);
        CHECK(made[1].note == "note");
        std::vector<CovIndexed> copied{indexed("d", 4), indexed("e", 5, "é")};
        CHECK((co_await rows.bulk_create(copied, copy)).size() == 2);
        CHECK((co_await rows.get(F(&CovIndexed::code) == "e")).note == "é");

        // Every value of a field NULL in one batch, then values again; a value to NULL.
        std::vector<std::string> note{"note"}, note_qty{"note", "qty"};
        for (auto& m : made)
            m.note.reset();
        CHECK(co_await rows.bulk_update(made, note) == 3);
        CHECK(co_await rows.filter(F(&CovIndexed::note).isnull()).count() == 4);
        made[0].note = "now ✓";
        made[2].note = "";
        made[2].qty = 30;
        const bulk_update_options batch_of_two{.batch_size = 2};
        CHECK(co_await rows.bulk_update(made, note_qty, batch_of_two) == 3);
        auto notes = co_await rows.order_by("id")
                         .values_list(F(&CovIndexed::note))
                         .flat()
                         .slice(0, 3)
                         .fetch();
        CHECK(notes == std::vector<std::optional<std::string>>{"now ✓", std::nullopt, ""});
        CHECK((co_await rows.get(F(&CovIndexed::code) == "c")).qty == 30);
        // A failing batch undoes the batches before it: the CHECK refuses a negative qty.
        made[0].qty = 100;
        made[2].qty = -1;
        std::vector<std::string> qty{"qty"};
        CHECK(co_await sqlstate_of(rows.bulk_update(made, qty, batch_of_two)) == "23514");
        CHECK((co_await rows.get(F(&CovIndexed::code) == "a")).qty == 1);
        CHECK(c.transaction_status() == 'I');
        // An object deleted meanwhile is not counted.
        co_await rows.filter(F(&CovIndexed::code) == "a").delete_();
        made[2].qty = 31;
        CHECK(co_await rows.bulk_update(made, qty) == 2);
    });
}

// Django's bulk_update: "If objs contains duplicates, only the first one is updated."
TEST_CASE("orm coverage: bulk_update with one object twice writes the first") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await drop_table<CovIndexed>(c);
        co_await create_table<CovIndexed>(c);
        auto rows = objects<CovIndexed>().using_(c);
        auto a = co_await rows.create(indexed("a", 1));
        auto first = a, second = a;
        first.qty = 10;
        second.qty = 20;
        std::vector<CovIndexed> twice{first, second};
        std::vector<std::string> qty{"qty"};
        CHECK(co_await rows.bulk_update(twice, qty) == 1);
        CHECK((co_await rows.get()).qty == 10);
    });
}

TEST_CASE("orm coverage: save(update_fields) keeps auto_now_add and the other fields; "
          "refresh_from_db(fields)") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await drop_table<CovIndexed>(c);
        co_await create_table<CovIndexed>(c);
        auto a = indexed("a", 1, "n");
        co_await save(c, a);
        auto created = a.created.value;
        a.qty = 2;
        a.note.reset();
        a.created.value = {};
        const save_options qty_only{.update_fields = {"qty"}};
        co_await save(c, a, qty_only);
        CHECK(a.qty == 2);
        CHECK(a.note == "n"); // read back: not written
        CHECK(a.created.value == created);
        const save_options both{.update_fields = {"qty", "note"}};
        a.note.reset();
        co_await save(c, a, both);
        CHECK_FALSE(a.note.has_value());
        const save_options unknown{.update_fields = {"qty", "colour"}};
        CHECK_THROWS_WITH_AS(co_await save(c, a, unknown),
                             doctest::Contains("cannot resolve field \"colour\""), field_error);
        std::vector<std::string> fields{"note", "qty"};
        co_await c.execute("update cov_indexed set qty = 7, note = 'db' where id = $1", *a.id);
        a.qty = 0;
        co_await refresh_from_db(c, a, fields);
        CHECK(a.qty == 7);
        CHECK(a.note == "db");
    });
}
