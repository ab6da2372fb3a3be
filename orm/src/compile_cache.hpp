// Compiled SQL by query shape: a statement compiled once is reused for every query of the same
// shape, i.e. equal in everything but its values (DESIGN §4, "SQL for a query shape is not
// rebuilt needlessly"). A get() by primary key in a loop compiles its SQL once.
//
// The key is the query AST written out with every value left out but its type and NULL-ness
// (the SQL differs for NULL: `IS NULL`). Walking the AST for the key also collects where each
// value sits. A compile records, for every $n it writes, where that parameter came from; the
// cache keeps that list next to the SQL, so a hit binds the new query's values in the order the
// compiler would have. A parameter the compiler made up on the way (a LIKE pattern of a string
// lookup, a LIMIT of a copied query) has no place in the key walk, and a node used twice in one
// AST has two: such a shape is not cached.
#pragma once

#include <turbopg/orm/compiler.hpp>
#include <turbopg/wire/detail/function_ref.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace turbopg::orm::detail {

// The compile_* function a statement comes from (part of its key).
enum class statement_kind : std::uint8_t { select, count, exists, aggregate, update, delete_ };

// What a statement is compiled from, besides its kind.
struct statement_input {
    statement_kind kind;
    const ast::select& query;
    std::span<const ast::named_expr> aggregates = {}; // aggregate
    std::span<const assignment> set = {};             // update
};

// Where each parameter of a compiled statement came from: a param_value in the AST or a
// LIMIT/OFFSET (std::int64_t) of a query in it. A compile appends one per $n.
using parameter_sources = std::vector<const void*>;

// The statement from the cache, or from `compile` (then cached when every parameter it wrote
// came from the AST).
statement cached_statement(const statement_input& in,
                           wire::detail::function_ref<sql_query(parameter_sources&)> compile);

// A statement as a sql_query of its own (a copy of the SQL).
sql_query to_query(statement s);

// cached_statement as a sql_query.
sql_query compile_cached(const statement_input& in,
                         wire::detail::function_ref<sql_query(parameter_sources&)> compile);

} // namespace turbopg::orm::detail
