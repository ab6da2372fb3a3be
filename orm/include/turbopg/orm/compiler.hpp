// The SQL compiler: a pure function from a query AST to PostgreSQL text with $n placeholders and
// the typed parameters to bind. Values never enter the SQL text; identifiers are always quoted.
#pragma once

#include <turbopg/orm/ast.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace turbopg::orm {

struct sql_query {
    std::string sql;
    std::vector<param_value> params;
};

namespace detail {
// A compiled statement as a queryset's own terminal calls run it: the SQL shared with the
// compile cache (a query of a cached shape copies no text) and the parameters, the usual few
// held inline (it allocates nothing for them).
struct statement {
    std::shared_ptr<const std::string> sql;
    small_vector<param_value, 2> params;
};
} // namespace detail

// A statement to run, borrowed from a sql_query or a detail::statement (which outlives the run).
struct statement_view {
    std::string_view sql;
    std::span<const param_value> params;

    statement_view(const sql_query& q) noexcept
        : sql(q.sql)
        , params(q.params) {}
    statement_view(const detail::statement& s) noexcept
        : sql(*s.sql)
        , params(s.params.data(), s.params.size()) {}
};

struct assignment {
    std::string column;
    ast::expr value;
};

// SELECT of the model's fields (or values/annotations), with every clause of the query.
TURBOPG_ORM_API sql_query compile_select(const ast::select& q);
namespace detail {
// compile_select as a detail::statement (what the queryset runs itself).
TURBOPG_ORM_API statement select_statement(const ast::select& q);
} // namespace detail
// SELECT COUNT(*) of the rows the query would return.
TURBOPG_ORM_API sql_query compile_count(const ast::select& q);
// SELECT whether the query returns at least one row.
TURBOPG_ORM_API sql_query compile_exists(const ast::select& q);
namespace detail {
// compile_count and compile_exists as a detail::statement.
TURBOPG_ORM_API statement count_statement(const ast::select& q);
TURBOPG_ORM_API statement exists_statement(const ast::select& q);
} // namespace detail
// SELECT of aggregates over the rows the query would return (one row).
TURBOPG_ORM_API sql_query compile_aggregate(const ast::select& q,
                                            const std::vector<ast::named_expr>& aggregates);
// UPDATE of the rows the query matches; `returning` lists columns to return (may be empty).
TURBOPG_ORM_API sql_query compile_update(const ast::select& q, const std::vector<assignment>& set);
// DELETE of the rows the query matches.
TURBOPG_ORM_API sql_query compile_delete(const ast::select& q);

// The SQL with its parameters spelled out after it, for logs and a queryset's representation:
// `SELECT ... WHERE "book"."pages" > $1 [$1 = 100]`.
TURBOPG_ORM_API std::string describe(const sql_query& q);
// One parameter as text: 100, 'Dune', NULL, true, or <int4[]> for types not spelled out.
TURBOPG_ORM_API std::string describe(const param_value& p);

namespace detail {
// The compile_* functions reuse the SQL of a query of the same shape (compile_cache.cpp). For
// tests: with checking on, every statement taken from that cache is compiled afresh as well and
// compared (a difference throws std::logic_error); hits counts them on the calling thread.
TURBOPG_ORM_API void check_compile_cache(bool on) noexcept;
TURBOPG_ORM_API std::uint64_t compile_cache_hits() noexcept;
} // namespace detail

} // namespace turbopg::orm
