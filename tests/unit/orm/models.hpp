// Models shared by the ORM's unit tests.
#pragma once

#include <turbopg/orm/fields.hpp>
#include <turbopg/orm/model.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace orm_test {

namespace orm = turbopg::orm;

struct Book {
    orm::primary_key<> id;
    orm::varchar<200> title;
    std::int32_t pages = 0;
    std::optional<double> rating;
    std::chrono::system_clock::time_point published{};
    bool in_print = true;
};

struct BookAuthor {
    orm::primary_key<std::int32_t> id;
    std::string name;
    orm::auto_now_add<> created;
    orm::auto_now<> updated;
    static constexpr orm::model_meta meta{
        .table = "authors",
        .ordering = {"-created", "name"},
        .indexes = {{.fields = {"name"}}},
        .unique = {{.fields = {"name", "created"}}},
        .checks = {{.name = "name_not_empty", .sql = "name <> ''"}},
        .get_latest_by = "created",
    };
};

// A table name that needs its quote doubled.
struct OddName {
    orm::primary_key<> id;
    std::string label;
    static constexpr orm::model_meta meta{.table = "odd\"name"};
};

} // namespace orm_test
