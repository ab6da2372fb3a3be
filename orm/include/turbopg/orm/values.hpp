// Querysets of plain rows instead of model objects (Django's values() and values_list()):
//
//   co_await objects<Book>().values("title", named("n", Length(F(&Book::title)))).fetch()
//       -> wire::result (rows by column name: row.get<std::int32_t>("n"))
//   co_await objects<Book>().values_list(F(&Book::title), F(&Book::pages)).fetch()
//       -> std::vector<std::tuple<std::string, std::int32_t>>
//   co_await objects<Book>().values_list(F(&Book::title)).flat().fetch()
//       -> std::vector<std::string>
//   co_await objects<Book>().values_as<TitlePages>().fetch()
//       -> std::vector<TitlePages> (columns named after TitlePages' members)
//
// An aggregate among the columns groups the rows by the other columns:
// values_list(F(&Book::in_print), Count()) is `... GROUP BY "book"."in_print"`.
#pragma once

#include <turbopg/orm/compiler.hpp>
#include <turbopg/orm/database.hpp>
#include <turbopg/orm/error.hpp>
#include <turbopg/orm/explain.hpp>
#include <turbopg/orm/expressions.hpp>
#include <turbopg/orm/lookup.hpp>
#include <turbopg/wire/result.hpp>

#include <asio/awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace turbopg::orm {

template <class M, bool Scoped>
class queryset;

// A values() column named by the caller: named("title_length", Length(F(&Book::title))).
template <class T>
ast::named_expr named(std::string name, const expression<T>& e) {
    return {std::move(name), e.node()};
}

// union_(other, {.all = true}): UNION ALL keeps duplicate rows.
struct combine_options {
    bool all = false;
};

namespace detail {

// A field's or annotation's name as a column (field_error lists the valid ones).
inline ast::named_expr value_column(const ast::select& q, std::string_view name) {
    return {std::string(name), resolve_name(q, name)};
}
inline ast::named_expr value_column(const ast::select&, const ast::named_expr& n) {
    return n;
}
// An expression: a field's (or an annotation's, F<T>("name")) is named after it; any other
// is named `fallback`, or needs named(...) when there is none.
template <class T>
ast::named_expr value_column(const ast::select&, const expression<T>& e,
                             std::string fallback = {}) {
    const auto& n = *e.node();
    if (n.k == ast::kind::column || n.k == ast::kind::field) return {n.text, e.node()};
    if (fallback.empty())
        throw error("values(): name the expression's column with named(\"name\", expression)");
    return {std::move(fallback), e.node()};
}
template <class X>
ast::named_expr value_column(const ast::select& q, const X& item, const std::string&) {
    return value_column(q, item);
}

// Hands `to` the first `n` columns of the rows (and of their description): those of the query.
// A DISTINCT query ordered by what it does not select selects that too, after them
// (compiler.cpp); as in Django, its rows leave it out.
class own_columns final : public wire::detail::result_sink {
public:
    static constexpr std::size_t all = static_cast<std::size_t>(-1);

    own_columns(wire::detail::result_sink& to, std::size_t n) noexcept
        : to_(to)
        , n_(n) {}
    void on_parameter_types(std::span<const std::uint32_t> types) override {
        to_.on_parameter_types(types);
    }
    void on_columns(const wire::detail::column_list& c) override {
        if (!c || c->size() <= n_) {
            to_.on_columns(c);
        } else {
            auto end = c->begin() + static_cast<std::ptrdiff_t>(n_);
            to_.on_columns(
                std::make_shared<const std::vector<wire::column_description>>(c->begin(), end));
        }
    }
    void on_no_data() override { to_.on_no_data(); }
    std::error_code on_data_row(std::span<const wire::detail::raw_field> row) override {
        return to_.on_data_row(row.first(std::min(row.size(), n_)));
    }
    void on_command_complete(std::string_view tag) override { to_.on_command_complete(tag); }
    void on_empty_query() override { to_.on_empty_query(); }
    void on_portal_suspended() override { to_.on_portal_suspended(); }

private:
    wire::detail::result_sink& to_;
    std::size_t n_;
};

// Runs `sql` on `db` and calls `f(Row&&)` per row of its first `columns` columns; completes
// with the row count. A value that does not fit Row throws the decode error.
template <class Row, class F>
asio::awaitable<std::uint64_t> stream_rows(database db, const sql_query& sql, F& f,
                                           std::size_t columns = own_columns::all) {
    wire::detail::streaming_sink<Row, F> sink(f);
    own_columns own(sink, columns);
    co_await run_on(db, sql, own, &sink.failure());
    co_return wire::detail::rows_in_tag(sink.tag());
}

// Runs `sql` on `db` and collects its rows, of their first `columns` columns.
inline asio::awaitable<wire::result> collect_rows(database db, const sql_query& sql,
                                                  std::size_t columns = own_columns::all) {
    wire::result_builder b;
    own_columns own(b, columns);
    co_await run_on(db, sql, own);
    co_return b.take();
}

// An empty vector for the rows `q` returns, with room for all of them when a slice bounds them
// (up to 256): a page is collected without growing the vector by doubling, and a large LIMIT
// reserves no memory it may not use.
template <class Row>
std::vector<Row> vector_for_rows(const ast::select& q) {
    std::vector<Row> out;
    if (q.limit) out.reserve(static_cast<std::size_t>(std::clamp<std::int64_t>(*q.limit, 0, 256)));
    return out;
}

// EXPLAIN's output: its rows joined by newlines.
inline asio::awaitable<std::string> explain_text(database db, sql_query sql) {
    auto rows = co_await collect_rows(db, sql);
    std::string out;
    for (auto r : rows) {
        if (!out.empty()) out += '\n';
        out += r.get<std::string>(0);
    }
    co_return out;
}

// values_queryset's Subquery() type: its one column's.
template <class Row, bool Flat>
struct single_column {};
template <class Row>
struct single_column<Row, true> {
    using column_type = Row;
};
template <class T>
struct single_column<std::tuple<T>, false> {
    using column_type = T;
};

} // namespace detail

// A queryset whose rows are Row values: std::tuple (values_list), a plain struct (values_as), one
// column's value (flat), or wire::row (values(): fetch() gives a wire::result). Chainable calls
// (filter, exclude, order_by, distinct, slice, reverse, none, using_) are the model queryset's.
template <class M, class Row, bool Flat = false>
class values_queryset : public detail::single_column<Row, Flat> {
public:
    using model_type = M;
    using row_type = Row;
    static constexpr bool named_rows = std::is_same_v<Row, wire::row>;

    explicit values_queryset(queryset<M, true> base)
        : base_(std::move(base)) {}

    // ---- Chainable ----
    template <class... A>
    values_queryset filter(const A&... a) const {
        return values_queryset(base_.filter(a...));
    }
    template <class... A>
    values_queryset exclude(const A&... a) const {
        return values_queryset(base_.exclude(a...));
    }
    template <class... A>
    values_queryset order_by(const A&... a) const {
        return values_queryset(base_.order_by(a...));
    }
    values_queryset distinct() const { return values_queryset(base_.distinct()); }
    values_queryset reverse() const { return values_queryset(base_.reverse()); }
    values_queryset none() const { return values_queryset(base_.none()); }
    values_queryset slice(std::int64_t start,
                          std::optional<std::int64_t> stop = std::nullopt) const {
        return values_queryset(base_.slice(start, stop));
    }
    template <class D>
    values_queryset using_(const D& db) const {
        return values_queryset(base_.using_(db));
    }
    // The one column's values themselves instead of 1-tuples: values_list(F(&Book::title)).flat().
    auto flat() const requires(!Flat && std::tuple_size_v<Row> == 1) {
        return values_queryset<M, std::tuple_element_t<0, Row>, true>(base_);
    }

    // UNION / INTERSECT / EXCEPT with a queryset of the same rows; each part keeps its own
    // order_by() and slice(), and those after it apply to the combined rows (queryset::union_).
    values_queryset union_(const values_queryset& other, combine_options o = {}) const {
        return values_queryset(base_.combine(ast::set_op::union_, other.query(), o.all));
    }
    values_queryset intersection(const values_queryset& other, combine_options o = {}) const {
        return values_queryset(base_.combine(ast::set_op::intersect, other.query(), o.all));
    }
    values_queryset difference(const values_queryset& other, combine_options o = {}) const {
        return values_queryset(base_.combine(ast::set_op::except, other.query(), o.all));
    }

    // ---- Terminal (awaitable) ----

    // Every row: std::vector<Row>, or for values() a wire::result.
    auto fetch() const {
        if constexpr (named_rows) {
            return fetch_named();
        } else {
            return fetch_typed();
        }
    }
    // Calls `f(Row&&)` for each row as it arrives; completes with the row count.
    template <class F>
    asio::awaitable<std::uint64_t> for_each(F&& f) const requires(!named_rows) {
        if (query().empty) co_return 0;
        auto sql = compile_select(query());
        if constexpr (Flat) {
            auto column = [&](std::tuple<Row>&& r) { f(std::get<0>(std::move(r))); };
            co_return co_await detail::stream_rows<std::tuple<Row>>(base_.select_db(), sql, column,
                                                                    query().values.size());
        } else {
            co_return co_await detail::stream_rows<Row>(base_.select_db(), sql, f,
                                                        query().values.size());
        }
    }
    asio::awaitable<std::int64_t> count() const { return base_.count(); }
    asio::awaitable<bool> exists() const { return base_.exists(); }
    asio::awaitable<std::string> explain(explain_options o = {}) const { return base_.explain(o); }

    // ---- Introspection ----
    const ast::select& query() const noexcept { return base_.query(); }
    sql_query sql() const { return base_.sql(); }
    std::string to_string() const { return base_.to_string(); }

private:
    asio::awaitable<std::vector<Row>> fetch_typed() const {
        auto out = detail::vector_for_rows<Row>(query());
        co_await for_each([&](Row&& r) { out.push_back(std::move(r)); });
        co_return out;
    }
    asio::awaitable<wire::result> fetch_named() const {
        if (query().empty) co_return wire::result{};
        co_return co_await detail::collect_rows(base_.select_db(), compile_select(query()),
                                                query().values.size());
    }

    queryset<M, true> base_;
};

} // namespace turbopg::orm
