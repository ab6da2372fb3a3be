// A queryset's writes of model objects (Django's create, bulk_create, bulk_update,
// get_or_create, update_or_create) and the reads by primary key that go with them (in_bulk,
// contains). Every queryset has them (queryset_writes is its base):
//
//   auto books = orm::objects<Book>();
//   Book dune{.title = "Dune", .pages = 412};
//   dune = co_await books.create(dune);                 // dune.id is set now
//   auto [book, created] = co_await books.get_or_create(F(&Book::title) == "Dune", dune);
//   std::vector<std::string> fields{"pages"};           // (g++ 12: no braced list in co_await)
//   co_await books.bulk_update(all_books, fields);
//
// Each writes what it is given and completes with what the database wrote (RETURNING): ids,
// defaults, auto timestamps. Errors: orm::error for misuse (an unsaved object where a saved one
// is needed), field_error for an unknown field name, turbopg::wire::error for what the server
// refuses (a unique violation is SQLSTATE 23505). Empty inputs send no query.
#pragma once

#include <turbopg/orm/detail/write_support.hpp>
#include <turbopg/orm/expressions.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace turbopg::orm {

struct bulk_create_options {
    // Objects per INSERT; 0: as many as PostgreSQL's 65535 parameters allow.
    std::size_t batch_size = 0;
    // ON CONFLICT DO NOTHING: rows that would violate a constraint are skipped, and missing from
    // the result (it lists the rows inserted).
    bool ignore_conflicts = false;
    // Binary COPY instead of INSERTs: the fastest way in, but COPY returns no rows, so the result
    // is the objects as given, without their new ids or defaults (as Django's bulk_create on
    // databases without RETURNING). It writes every member but an identity primary key and the
    // auto timestamps, which take their columns' defaults (create_table declares now()).
    // Ignored (INSERT is used) with ignore_conflicts or when an object has its primary key set.
    bool copy = false;
};

struct bulk_update_options {
    std::size_t batch_size = 0; // objects per UPDATE; 0: all in one
};

// The column name of a member, for bulk_update's and save's field lists: name_of(&Book::pages).
template <class M, class F>
std::string name_of(F M::*member) {
    return model_of<M>().columns[field_index(member)].name;
}

template <class Derived, class M>
class queryset_writes {
public:
    // INSERT of `obj`: every member but an unset identity primary key (the database assigns
    // it); auto timestamps take NOW(). Completes with the row as inserted.
    asio::awaitable<M> create(M obj) const {
        auto row = detail::values_of(obj);
        auto sql = compile_insert(model_of<M>(), std::span<const row_values>(&row, 1));
        auto rows = co_await db().run(
            [&](wire::connection& c) { return detail::fetch_objects<M>(c, sql); });
        co_return std::move(rows.front());
    }

    // INSERT of many objects, one multi-row statement per batch (objects with and without a
    // primary key may be mixed: the latter get DEFAULT), all batches in one transaction unless
    // one is open. Completes with the rows inserted, in order, ids and defaults set; see
    // bulk_create_options for ignore_conflicts and copy.
    asio::awaitable<std::vector<M>> bulk_create(std::vector<M> objs,
                                                bulk_create_options o = {}) const {
        if (objs.empty()) co_return objs;
        if (use_copy(objs, o)) {
            co_await db().run([&](wire::connection& c) {
                return detail::copy_objects<M>(c, std::span<const M>(objs));
            });
            co_return objs;
        }
        const auto& m = model_of<M>();
        std::size_t per_row = 0;
        for (const auto& c : m.columns)
            per_row += !(c.auto_now || c.auto_now_add);
        std::size_t batch = max_rows_per_insert(per_row);
        if (o.batch_size) batch = std::min(batch, o.batch_size);
        insert_options io{o.ignore_conflicts};
        co_return co_await db().run([&](wire::connection& c) {
            return detail::atomically(c, [&]() -> asio::awaitable<std::vector<M>> {
                std::vector<M> out;
                out.reserve(objs.size());
                std::vector<row_values> rows;
                for (std::size_t at = 0; at < objs.size(); at += batch) {
                    rows.clear();
                    for (std::size_t i = at; i < std::min(at + batch, objs.size()); ++i)
                        rows.push_back(detail::values_of(objs[i]));
                    auto inserted =
                        co_await detail::fetch_objects<M>(c, compile_insert(m, rows, io));
                    for (auto& r : inserted)
                        out.push_back(std::move(r));
                }
                co_return out;
            });
        });
    }

    // UPDATE of `fields` (column names; name_of(&Book::pages)) of each object, by primary key:
    // one statement per batch whatever the number of objects (unnest of one array per field).
    // auto_now fields are set to NOW(). Only objects whose rows match the queryset are updated
    // (as Django's bulk_update, which filters the queryset by their keys); an object given twice
    // in a batch is written from its first copy, as in Django. Completes with the number of rows
    // updated. Throws field_error for an unknown field, orm::error for no fields, the primary key
    // among them, or an unsaved object.
    asio::awaitable<std::uint64_t> bulk_update(const std::vector<M>& objs,
                                               std::vector<std::string> fields,
                                               bulk_update_options o = {}) const {
        const auto& m = model_of<M>();
        if (fields.empty()) throw error("bulk_update() of " + m.cpp_name + " needs field names");
        std::vector<std::size_t> columns;
        for (const auto& f : fields) {
            auto i = m.index_of(f);
            if (i == m.pk)
                throw error("bulk_update() cannot be used with primary key fields (" + m.cpp_name +
                            "." + m.columns[i].name + ")");
            columns.push_back(i);
        }
        for (const auto& obj : objs)
            detail::require_saved(obj, "bulk_update()");
        const ast::select& rows = self().query();
        if (objs.empty() || rows.empty) co_return 0;
        static constexpr auto arrays_of = detail::column_array_makers<M>();
        std::size_t batch = o.batch_size ? o.batch_size : objs.size();
        co_return co_await db().run([&](wire::connection& c) {
            return detail::atomically(c, [&]() -> asio::awaitable<std::uint64_t> {
                std::uint64_t updated = 0;
                for (std::size_t at = 0; at < objs.size(); at += batch) {
                    std::span<const M> part(objs.data() + at, std::min(batch, objs.size() - at));
                    std::vector<param_value> arrays{arrays_of[*m.pk](part)};
                    for (auto i : columns)
                        if (!m.columns[i].auto_now) arrays.push_back(arrays_of[i](part));
                    auto sql = compile_bulk_update(rows, columns, std::move(arrays));
                    updated += co_await detail::execute_counting(c, sql);
                }
                co_return updated;
            });
        });
    }

    // The one object matching the queryset and `lookup`, or `defaults` created when there is
    // none: {object, created}. `defaults` is the whole object to insert and should match
    // `lookup` (Django merges the lookup's values into it; a q is any condition, so here the
    // caller does). Race-safe as Django's: when the INSERT hits a unique violation (23505;
    // another session created the row meanwhile), the row is read again; if that finds nothing
    // the 23505 error is rethrown. The INSERT runs in a savepoint inside an open transaction, so
    // the transaction survives the violation. ON CONFLICT was not chosen: it needs a unique
    // constraint that matches the lookup, which the ORM cannot know for an arbitrary condition.
    asio::awaitable<std::pair<M, bool>> get_or_create(const q& lookup, M defaults) const {
        auto row = detail::values_of(defaults);
        auto insert = compile_insert(model_of<M>(), std::span<const row_values>(&row, 1));
        co_return co_await db().run(
            [&](wire::connection& c) -> asio::awaitable<std::pair<M, bool>> {
                auto matching = self().filter(lookup).using_(database(c));
                if (auto found = co_await find_one(matching))
                    co_return std::pair<M, bool>(std::move(*found), false);
                auto outcome = co_await detail::insert_unless_duplicate<M>(c, insert);
                if (!outcome.duplicate)
                    co_return std::pair<M, bool>(std::move(outcome.rows.front()), true);
                if (auto found = co_await find_one(matching))
                    co_return std::pair<M, bool>(std::move(*found), false);
                std::rethrow_exception(outcome.duplicate);
            });
    }

    // Updates the one object matching the queryset and `lookup` with the values of `defaults`
    // (every field but the primary key; auto_now set to NOW()), or creates `defaults` when there
    // is none: {object as written, created}. The row is locked (SELECT ... FOR UPDATE) in a
    // transaction (a new one unless one is open) from the read to the write; creating is
    // race-safe as in get_or_create.
    asio::awaitable<std::pair<M, bool>> update_or_create(const q& lookup, M defaults) const {
        const auto& m = model_of<M>();
        std::vector<std::size_t> columns;
        for (std::size_t i = 0; i < m.columns.size(); ++i)
            if (i != m.pk && !m.columns[i].auto_now_add) columns.push_back(i);
        auto row = detail::values_of(defaults);
        co_return co_await upsert(lookup, row, [&](const M& found) {
            auto update = row;
            update[*m.pk] = make_param(detail::pk_member(found));
            return compile_update_by_pk(m, update, columns);
        });
    }

    // The same with `updates` applied to the row found (set(&Book::pages, F(&Book::pages) + 1),
    // ...; auto_now fields set to NOW()), and `create` inserted when there is none.
    asio::awaitable<std::pair<M, bool>>
    update_or_create(const q& lookup, std::vector<assignment> updates, M create) const {
        const auto& m = model_of<M>();
        for (const auto& c : m.columns)
            if (c.auto_now) updates.push_back({c.name, ast::make(ast::kind::func, "NOW")});
        auto row = detail::values_of(create);
        co_return co_await upsert(lookup, row, [&](const M& found) {
            auto sql =
                compile_update(select_by_pk(m, make_param(detail::pk_member(found))), updates);
            append_returning(sql, m);
            return sql;
        });
    }

    // The objects of the queryset whose primary keys are in `keys`, by key (keys not found are
    // absent). No query for no keys.
    template <class Key = detail::pk_key_t<M>>
    requires(!std::is_void_v<Key>) asio::awaitable<std::map<Key, M>> in_bulk(std::vector<Key> keys)
    const {
        std::map<Key, M> out;
        if (keys.empty()) co_return out;
        const auto& m = model_of<M>();
        auto in = make_lookup("in", resolve_field(m, m.pk_column().name),
                              ast::make_param_node(make_param(keys)));
        co_await self().filter(q(in)).for_each([&](M&& obj) {
            Key key = detail::pk_member(obj).value();
            out.insert_or_assign(std::move(key), std::move(obj));
        });
        co_return out;
    }

    // Whether the queryset holds `obj` (by its primary key); orm::error for an unsaved object.
    asio::awaitable<bool> contains(const M& obj) const {
        detail::require_saved(obj, "look for");
        const auto& m = model_of<M>();
        auto is_obj = make_lookup("exact", resolve_field(m, m.pk_column().name),
                                  ast::make_param_node(make_param(detail::pk_member(obj))));
        co_return co_await self().filter(q(is_obj)).exists();
    }

private:
    const Derived& self() const noexcept { return static_cast<const Derived&>(*this); }
    database db() const { return self().db(); }

    // update_or_create: the row matching `lookup`, locked, updated by `update_of(row)`'s
    // statement, or `row` inserted.
    template <class U>
    asio::awaitable<std::pair<M, bool>> upsert(const q& lookup, const row_values& row,
                                               U update_of) const {
        auto insert = compile_insert(model_of<M>(), std::span<const row_values>(&row, 1));
        co_return co_await db().run([&](wire::connection& c) {
            return detail::atomically(c, [&]() -> asio::awaitable<std::pair<M, bool>> {
                auto locked = self().filter(lookup).select_for_update().using_(database(c));
                auto found = co_await find_one(locked);
                if (!found) {
                    auto outcome = co_await detail::insert_unless_duplicate<M>(c, insert);
                    if (!outcome.duplicate)
                        co_return std::pair<M, bool>(std::move(outcome.rows.front()), true);
                    found = co_await find_one(locked);
                    if (!found) std::rethrow_exception(outcome.duplicate);
                }
                auto written = co_await detail::fetch_objects<M>(c, update_of(*found));
                co_return std::pair<M, bool>(std::move(written.front()), false);
            });
        });
    }

    // get()'s object, or nullopt for none (more than one still throws).
    template <class QS>
    static asio::awaitable<std::optional<M>> find_one(const QS& qs) {
        std::optional<M> found;
        try {
            found = co_await qs.get();
        } catch (const does_not_exist&) {
        }
        co_return found;
    }

    static bool use_copy(const std::vector<M>& objs, const bulk_create_options& o) {
        if (!o.copy || o.ignore_conflicts) return false;
        if constexpr (detail::has_primary_key<M>)
            return std::none_of(objs.begin(), objs.end(),
                                [](const M& obj) { return detail::pk_is_set(obj); });
        return true;
    }
};

} // namespace turbopg::orm
