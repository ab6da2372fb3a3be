// Operations on one model object (Django's Model.save, Model.delete, Model.refresh_from_db), by
// its primary key, on a database (a pool, a connection, or database::named("default")):
//
//   Book b{.title = "Dune", .pages = 412};
//   co_await orm::save(db, b);                           // INSERT: b.id is set now
//   b.pages = 500;
//   orm::save_options pages{.update_fields = {"pages"}};  // (g++ 12: no braced list in co_await)
//   co_await orm::save(db, b, pages);
//   co_await orm::refresh_from_db(db, b);
//   co_await orm::remove(db, b);                         // DELETE: b.id is unset again
//
// Errors: orm::error for an unsaved object where a saved one is needed, field_error naming an
// unknown field, does_not_exist when the row is gone, turbopg::wire::error from the server.
#pragma once

#include <turbopg/orm/detail/write_support.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace turbopg::orm {

struct save_options {
    // Only these fields (and auto_now ones, which every update refreshes) are written. Empty:
    // every field.
    std::vector<std::string> update_fields;
};

namespace detail {
inline std::vector<std::size_t> field_indexes(const model_info& m,
                                              const std::vector<std::string>& names) {
    std::vector<std::size_t> out;
    for (const auto& n : names)
        out.push_back(m.index_of(n));
    return out;
}
} // namespace detail

// Writes `obj` and reads it back (ids, defaults, auto timestamps): INSERT when its primary key is
// unset, else UPDATE by primary key (auto_now fields set to NOW(); auto_now_add fields kept),
// and when no row has that key, INSERT with it (as Django). With update_fields, only those
// fields, and an UPDATE that matches no row throws orm::error (it does not insert); field_error
// for an unknown name, orm::error for the primary key among them or an unsaved object.
template <class M>
requires detail::has_primary_key<M> asio::awaitable<void> save(database db, M& obj,
                                                               save_options o = {}) {
    const auto& m = model_of<M>();
    std::vector<std::size_t> columns;
    bool some_fields = !o.update_fields.empty();
    if (some_fields) {
        columns = detail::field_indexes(m, o.update_fields);
        for (auto i : columns)
            if (i == m.pk)
                throw error("save() cannot update the primary key " + m.cpp_name + "." +
                            m.columns[i].name + " with update_fields");
        detail::require_saved(obj, "save() with update_fields");
    } else {
        for (std::size_t i = 0; i < m.columns.size(); ++i)
            if (i != m.pk && !m.columns[i].auto_now_add) columns.push_back(i);
    }
    auto row = detail::values_of(obj);
    if (detail::pk_is_set(obj)) {
        auto update = compile_update_by_pk(m, row, columns);
        auto rows = co_await db.run(
            [&](wire::connection& c) { return detail::fetch_objects<M>(c, update); });
        if (!rows.empty()) {
            obj = std::move(rows.front());
            co_return;
        }
        if (some_fields)
            throw error("save() of " + m.cpp_name +
                        " with update_fields did not affect any rows "
                        "(no row has its primary key)");
    }
    auto insert = compile_insert(m, std::span<const row_values>(&row, 1));
    auto rows =
        co_await db.run([&](wire::connection& c) { return detail::fetch_objects<M>(c, insert); });
    obj = std::move(rows.front());
}

// DELETE of `obj`'s row by primary key; unsets obj's primary key (as Django) and completes with
// the rows deleted (0 when it was already gone). orm::error for an unsaved object.
template <class M>
requires detail::has_primary_key<M> asio::awaitable<std::uint64_t> remove(database db, M& obj) {
    detail::require_saved(obj, "delete");
    auto sql = compile_delete(select_by_pk(model_of<M>(), make_param(detail::pk_member(obj))));
    auto n = co_await db.run([&](wire::connection& c) { return detail::execute_counting(c, sql); });
    detail::pk_member(obj).reset();
    co_return n;
}

// Reloads `obj` from its row: every field, or only `fields`. orm::error for an unsaved object,
// field_error for an unknown field, does_not_exist when the row is gone.
template <class M>
requires detail::has_primary_key<M> asio::awaitable<void>
refresh_from_db(database db, M& obj, std::vector<std::string> fields = {}) {
    const auto& m = model_of<M>();
    auto columns = detail::field_indexes(m, fields);
    detail::require_saved(obj, "refresh");
    auto q = select_by_pk(m, make_param(detail::pk_member(obj)));
    q.fields = columns;
    auto sql = compile_select(q);
    auto rows = co_await db.run(
        [&](wire::connection& c) { return detail::fetch_objects<M>(c, sql, columns); });
    if (rows.empty())
        throw does_not_exist(m.cpp_name + " matching query does not exist (refresh_from_db)");
    if (columns.empty()) {
        obj = std::move(rows.front());
        co_return;
    }
    static constexpr auto movers = detail::member_movers<M>();
    for (auto i : columns)
        movers[i](obj, rows.front());
}

} // namespace turbopg::orm
