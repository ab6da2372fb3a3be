// The SQL of the ORM's writes of model objects (create, bulk_create, bulk_update, save, delete):
// pure functions from a model and its objects' encoded values to PostgreSQL text with $n
// placeholders. Like compiler.hpp, values never enter the SQL text and identifiers are quoted.
//
// Auto timestamps follow fields.hpp: auto_now_add and auto_now columns take the statement's
// NOW() on insert, auto_now columns on every update the ORM writes.
#pragma once

#include <turbopg/orm/compiler.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace turbopg::orm {

// One object's values, one per column of the model in member order; nullopt for a column the
// database fills in (DEFAULT: an unset identity primary key). Auto timestamp columns are written
// as NOW() whatever they hold.
using row_values = std::vector<std::optional<param_value>>;

struct insert_options {
    bool ignore_conflicts = false; // ON CONFLICT DO NOTHING: conflicting rows are skipped
};

// INSERT INTO t (columns) VALUES (...), (...) [ON CONFLICT DO NOTHING] RETURNING every column,
// in member order. A column that is DEFAULT in every row is left out of the column list; in a
// row where only some are DEFAULT it is written as DEFAULT. Throws orm::error for no rows.
TURBOPG_ORM_API sql_query compile_insert(const model_info& m, std::span<const row_values> rows,
                                         insert_options o = {});

// UPDATE t SET the `columns` (indexes into the model's columns) to the object's values, every
// auto_now column to NOW(), WHERE pk = the object's primary key, RETURNING every column.
// Throws orm::error when the object has no primary key value or nothing is to be set.
TURBOPG_ORM_API sql_query compile_update_by_pk(const model_info& m, const row_values& row,
                                               std::span<const std::size_t> columns);

// One UPDATE for many objects of the rows of `rows` (a queryset's query: its filters apply, as
// Django's bulk_update runs queryset.filter(pk__in=...).update(...)), its shape independent of
// their number:
//   UPDATE t SET f = u.f, ... FROM unnest($1::int8[], $2::int4[], ...) AS u(id, f, ...)
//   WHERE t.id = u.id [AND the filters of `rows` | AND t.id IN (SELECT t.id ... of `rows`)]
// `arrays` holds the primary keys, then one array per entry of `columns` (auto_now columns,
// set to NOW() anyway, take none). Throws orm::error when the arrays do not match.
TURBOPG_ORM_API sql_query compile_bulk_update(const ast::select& rows,
                                              std::span<const std::size_t> columns,
                                              std::vector<param_value> arrays);

// Appends ` RETURNING` every column of the model (in member order) to an INSERT or UPDATE.
TURBOPG_ORM_API void append_returning(sql_query& q, const model_info& m);

namespace detail {
// Appends to a statement that ends in a WHERE on the rows of `q`'s model ` AND ` what limits
// them to the rows of `q`: its filters, or its primary keys by a subquery when it is sliced,
// distinct, combined or filtered on an aggregate. Nothing for a query without filters.
TURBOPG_ORM_API void and_rows_of(sql_query& out, const ast::select& q);
} // namespace detail

// COPY t (columns) FROM STDIN (FORMAT binary) of the `columns`.
TURBOPG_ORM_API std::string compile_copy_in(const model_info& m,
                                            std::span<const std::size_t> columns);

// The query of the one row whose primary key is `pk` (for refresh_from_db, delete, contains).
TURBOPG_ORM_API ast::select select_by_pk(const model_info& m, param_value pk);

// The most rows one multi-row INSERT of `params_per_row` parameters may carry: PostgreSQL's
// Bind takes at most 65535 parameters.
TURBOPG_ORM_API std::size_t max_rows_per_insert(std::size_t params_per_row) noexcept;

} // namespace turbopg::orm
