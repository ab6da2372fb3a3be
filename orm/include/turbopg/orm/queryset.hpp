// Querysets: Django's QuerySet API over a model struct. Chainable calls return a new queryset
// and touch no database; terminal calls are awaitable and run one statement each.
//
//   auto books = orm::objects<Book>().filter(F(&Book::pages) > 100).order_by("title");
//   for (auto& b : co_await books.fetch())
//       use(b);
//   auto n = co_await books.count();
//   auto dune = co_await orm::objects<Book>().get(F(&Book::title) == "Dune");
//
// A terminal call's awaitable refers to its queryset: await it in the same expression (as
// above), or keep the queryset in a variable until it completes (e.g. when awaiting a count and
// a page together with `&&`).
//
// Where it runs: the database registered as "default" (database::add), or the one given to
// using_(). Errors: does_not_exist / multiple_objects_returned from get(), field_error for an
// unknown field or lookup, turbopg::wire::error for everything the server or the connection says.
#pragma once

#include <turbopg/orm/compiler.hpp>
#include <turbopg/orm/database.hpp>
#include <turbopg/orm/error.hpp>
#include <turbopg/orm/explain.hpp>
#include <turbopg/orm/expressions.hpp>
#include <turbopg/orm/functions.hpp>
#include <turbopg/orm/instance.hpp>
#include <turbopg/orm/iterator.hpp>
#include <turbopg/orm/model_sink.hpp>
#include <turbopg/orm/values.hpp>
#include <turbopg/orm/writes.hpp>

#include <asio/awaitable.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace turbopg::orm {

// select_for_update options (Django's nowait, skip_locked, of, no_key).
struct lock_options {
    bool nowait = false;
    bool skip_locked = false;
    bool no_key = false;
    std::vector<std::string> of{}; // tables to lock ("self": the model's); default: all in FROM
};

// `Scoped` is true once filter(), exclude(), get-style conditions or all() have been applied:
// update() and delete_() exist only then, so a table-wide write has to say all() explicitly.
template <class M, bool Scoped = false>
class queryset : public queryset_writes<queryset<M, Scoped>, M> {
public:
    using model_type = M;

    queryset() { q_.model = &model_of<M>(); }

    // ---- Chainable (return a new queryset) ----
    queryset<M, true> all() const { return rescope(); }
    queryset<M, true> filter(const q& condition) const {
        not_sliced("filter");
        not_combined("filter");
        auto r = rescope();
        r.q_.where.push_back(condition.node());
        return r;
    }
    template <class V>
    queryset<M, true> filter(std::string_view path, const V& value) const {
        return filter(q(resolve_lookup(q_, path, ast::make_param_node(make_param(value)))));
    }
    queryset<M, true> exclude(const q& condition) const { return filter(~condition); }
    template <class V>
    queryset<M, true> exclude(std::string_view path, const V& value) const {
        return exclude(q(resolve_lookup(q_, path, ast::make_param_node(make_param(value)))));
    }
    // order_by(F(&Book::pages).desc(), F(&Book::title).asc()) or order_by("-pages", "title");
    // order_by() with nothing clears any ordering, the model's default too.
    template <class... O>
    queryset order_by(const O&... items) const {
        not_sliced("reorder");
        queryset r = *this;
        r.q_.order.clear();
        r.q_.order_set = true;
        r.q_.random_order = false;
        (r.add_order(items), ...);
        return r;
    }
    queryset order_by_random() const {
        queryset r = order_by();
        r.q_.random_order = true;
        return r;
    }
    queryset reverse() const {
        not_sliced("reverse");
        queryset r = *this;
        r.q_.reversed = !r.q_.reversed;
        return r;
    }
    queryset distinct() const {
        not_sliced("make distinct");
        not_combined("make distinct");
        queryset r = *this;
        r.q_.distinct = true;
        return r;
    }
    // DISTINCT ON (fields): the first row of each group, in the queryset's order.
    template <class... E>
    queryset distinct_on(const E&... fields) const {
        queryset r = distinct();
        (r.q_.distinct_on.push_back(r.field_node(fields)), ...);
        return r;
    }
    // No rows: terminal calls answer without a query (but aggregate() of an expression around
    // an aggregate, which the server computes over no rows).
    queryset none() const {
        queryset r = *this;
        r.q_.empty = true;
        return r;
    }
    // Python's qs[start:stop]: OFFSET start LIMIT stop - start (stop = nullopt: no limit).
    queryset slice(std::int64_t start, std::optional<std::int64_t> stop = std::nullopt) const {
        if (start < 0 || (stop && *stop < start))
            throw error("negative indexing and reversed slices are not supported");
        queryset r = *this;
        auto offset = r.q_.offset.value_or(0) + start;
        if (offset > 0) r.q_.offset = offset;
        if (stop) {
            auto count = *stop - start;
            r.q_.limit = r.q_.limit ? std::min(*r.q_.limit - start, count) : count;
            if (*r.q_.limit < 0) r.q_.limit = 0;
        } else if (r.q_.limit) {
            r.q_.limit = std::max<std::int64_t>(*r.q_.limit - start, 0);
        }
        return r;
    }
    queryset select_for_update(lock_options opts = {}) const {
        // As Django's ValueError: FOR UPDATE takes one of NOWAIT and SKIP LOCKED (42601).
        if (opts.nowait && opts.skip_locked)
            throw error("select_for_update(): the nowait option cannot be used with skip_locked");
        queryset r = *this;
        r.q_.lock = {true, false, opts.nowait, opts.skip_locked, opts.no_key, std::move(opts.of)};
        return r;
    }
    // only("title", "pages") loads just those fields (and the primary key); defer(...) all but.
    template <class... N>
    queryset only(const N&... names) const {
        not_combined("defer fields of");
        queryset r = *this;
        std::vector<std::size_t> keep;
        if (q_.model->pk) keep.push_back(*q_.model->pk);
        (keep.push_back(index_of(names)), ...);
        r.q_.fields.clear();
        for (std::size_t i = 0; i < q_.model->columns.size(); ++i)
            if (std::find(keep.begin(), keep.end(), i) != keep.end()) r.q_.fields.push_back(i);
        return r;
    }
    template <class... N>
    queryset defer(const N&... names) const {
        not_combined("defer fields of");
        queryset r = *this;
        std::vector<std::size_t> drop{index_of(names)...};
        auto current = selected();
        r.q_.fields.clear();
        for (auto i : current)
            if (std::find(drop.begin(), drop.end(), i) == drop.end() || i == q_.model->pk)
                r.q_.fields.push_back(i);
        return r;
    }
    queryset using_(database db) const {
        queryset r = *this;
        r.db_ = db;
        return r;
    }
    queryset using_(std::string_view name) const { return using_(database::named(name)); }

    // ---- Terminal (awaitable) ----

    // Every row as a model object.
    asio::awaitable<std::vector<M>> fetch() const {
        auto out = detail::vector_for_rows<M>(q_);
        co_await for_each([&](M&& m) { out.push_back(std::move(m)); });
        co_return out;
    }

    // Calls `f(M&&)` for each row as it arrives (constant memory); completes with the row count.
    // The rows are decoded into one object, reused: move from it to keep a row, and a row that
    // is not kept costs no allocation once the strings have grown. The counterpart of Python's
    // `async for` over a queryset: rows are streamed from one statement on one connection (held
    // until the last row), never collected. `f` is a plain function and cannot co_await; to await
    // between rows use iterator().
    template <class F>
    asio::awaitable<std::uint64_t> for_each(F&& f) const {
        if (q_.empty) co_return 0;
        auto sql = detail::select_statement(q_);
        detail::model_sink<M, std::remove_reference_t<F>> sink(q_.fields, f);
        co_await run_decoding(select_db(), sql, sink);
        co_return wire::detail::rows_in_tag(sink.tag());
    }

    // The rows in chunks of at most chunk_size through a server-side cursor (iterator.hpp):
    // `for (auto c = co_await it.next(); !c.empty(); c = co_await it.next())`. Constant memory,
    // and the caller may co_await between chunks.
    model_iterator<M> iterator(std::size_t chunk_size = 2000) const {
        return model_iterator<M>(select_db(), q_.empty ? sql_query{} : sql(), q_.fields,
                                 chunk_size);
    }

    // The one row matching the filters (and `condition`); does_not_exist when none,
    // multiple_objects_returned when more (reads at most 21 rows to tell, as Django does).
    asio::awaitable<M> get() const { return get_one(select_db(), q_); }
    asio::awaitable<M> get(const q& condition) const {
        return get_one(select_db(), with_condition(condition.node()));
    }
    template <class V>
    asio::awaitable<M> get(std::string_view path, const V& value) const {
        return get_one(select_db(), with_condition(resolve_lookup(
                                        q_, path, ast::make_param_node(make_param(value)))));
    }

    asio::awaitable<std::int64_t> count() const {
        if (q_.empty) co_return 0;
        co_return co_await value_of<std::int64_t>(detail::count_statement(q_));
    }
    asio::awaitable<bool> exists() const {
        if (q_.empty) co_return false;
        co_return co_await value_of<bool>(detail::exists_statement(q_));
    }

    // The first/last row in the queryset's order (by primary key when unordered), or nullopt.
    asio::awaitable<std::optional<M>> first() const {
        co_return co_await ordered_or_pk().slice(0, 1).optional_row();
    }
    asio::awaitable<std::optional<M>> last() const {
        co_return co_await ordered_or_pk().reverse().slice(0, 1).optional_row();
    }
    // Python's qs[index]: the row at `index` in the queryset's order (OFFSET index LIMIT 1);
    // index_error when there is none.
    asio::awaitable<M> at(std::int64_t index) const {
        if (index < 0) throw index_error("negative indexing is not supported");
        auto row = co_await slice(index, index + 1).optional_row();
        if (!row)
            throw index_error(q_.model->cpp_name + " queryset index " + std::to_string(index) +
                              " out of range");
        co_return std::move(*row);
    }

    // The row with the smallest/largest value of `field` (default: meta's get_latest_by);
    // does_not_exist when empty.
    asio::awaitable<M> earliest(std::string_view field = {}) const {
        return by_latest(field, false).slice(0, 1).get();
    }
    asio::awaitable<M> latest(std::string_view field = {}) const {
        return by_latest(field, true).slice(0, 1).get();
    }

    // Whether the queryset's order is defined (order_by() or the model's default ordering).
    bool ordered() const noexcept {
        return (q_.order_set && (!q_.order.empty() || q_.random_order)) ||
               (!q_.order_set && !q_.model->ordering.empty());
    }

    // UPDATE the matched rows: update(set(&Book::pages, F(&Book::pages) + 1), set(&Book::title,
    // "x")); auto_now fields are set to now(). Completes with the number of rows updated.
    template <class... A>
    requires(std::same_as<A, assignment>&&...) asio::awaitable<std::uint64_t> update(
        const A&... assignments)
    const requires Scoped {
        std::vector<assignment> all{assignments...}; // g++ 12: no braced list in co_await
        co_return co_await update(std::move(all));
    }
    asio::awaitable<std::uint64_t> update(std::vector<assignment> set) const requires Scoped {
        if (q_.empty) co_return 0;
        for (const auto& c : q_.model->columns) {
            bool given = std::any_of(set.begin(), set.end(),
                                     [&](const assignment& a) { return a.column == c.name; });
            if (c.auto_now && !given) set.push_back({c.name, ast::make(ast::kind::func, "NOW")});
        }
        co_return co_await execute(compile_update(q_, set));
    }

    // DELETE the matched rows; completes with the number deleted.
    asio::awaitable<std::uint64_t> delete_() const requires Scoped {
        if (q_.empty) co_return 0;
        co_return co_await execute(compile_delete(q_));
    }

    // ---- Annotations, values, aggregates, set operations, EXPLAIN ----

    // A computed column, `expression AS name`, usable by name in filter(), exclude(), order_by(),
    // values() and F<T>("name"). An aggregate groups the model's rows by primary key, and
    // conditions on it become HAVING:
    //   objects<Author>().annotate("books", Count(F(&Author::id))).filter("books__gte", 2)
    template <class T>
    queryset annotate(std::string name, const expression<T>& e) const {
        if (q_.model->find(name) || name == "pk" || has_annotation(name))
            throw field_error("annotate(): \"" + name + "\" is already a field or annotation of " +
                              q_.model->cpp_name);
        not_combined("annotate");
        queryset r = *this;
        r.q_.annotations.push_back({std::move(name), e.node()});
        return r;
    }

    // Rows of the named columns (fields, annotations, F(...) or named(name, e)), read by name
    // from the wire::result that fetch() gives; with no names, every field and annotation.
    template <class... A>
    values_queryset<M, wire::row> values(const A&... items) const {
        auto r = values_base();
        auto& v = r.q_.values;
        if constexpr (sizeof...(A) == 0) {
            for (const auto& c : q_.model->columns)
                v.push_back(detail::value_column(q_, c.name));
            for (const auto& a : q_.annotations)
                v.push_back(detail::value_column(q_, a.name));
        } else {
            (v.push_back(detail::value_column(q_, items)), ...);
        }
        r.q_.values_mode = true;
        return values_queryset<M, wire::row>(std::move(r));
    }

    // Rows as std::tuple<T...>: the types come from the expressions
    // (values_list(F(&Book::title), Count())) or are given (values_list<std::string>("title")).
    template <class... Ts, class... A>
    requires(sizeof...(A) > 0) auto values_list(const A&... items) const {
        if constexpr (sizeof...(Ts) == 0) {
            static_assert((any_expression<A> && ...),
                          "values_list(names...) needs the column types: "
                          "values_list<std::string, std::int32_t>(\"title\", \"pages\")");
            return values_rows<std::tuple<typename A::value_type...>, false>(items...);
        } else {
            static_assert(sizeof...(Ts) == sizeof...(A), "values_list<T...>: one type per column");
            return values_rows<std::tuple<Ts...>, false>(items...);
        }
    }

    // Rows as the plain struct Row, column i into member i. Without arguments the columns are
    // the fields and annotations named like Row's members.
    template <class Row, class... A>
    values_queryset<M, Row> values_as(const A&... items) const {
        if constexpr (sizeof...(A) == 0) {
            return values_as_named<Row>(std::make_index_sequence<field_count<Row>()>{});
        } else {
            static_assert(sizeof...(A) == field_count<Row>(),
                          "values_as<Row>(columns...): one column per member of Row");
            return values_rows<Row, true>(items...);
        }
    }

    // The aggregates over the queryset's rows, in one row:
    //   auto [n, avg] = co_await books.aggregate(Count(), Avg(F(&Book::pages)));
    template <class... T>
    requires(sizeof...(T) >
             0) asio::awaitable<std::tuple<T...>> aggregate(const expression<T>&... aggregates)
    const {
        // none(): bare aggregates are answered without a query (COUNT 0, the others NULL); an
        // expression around one (Coalesce(Sum(...), 0), Count() + 1) is the server's to compute
        // over no rows (the query says WHERE FALSE), as Django does.
        if (q_.empty && (bare_aggregate(aggregates.node()) && ...)) co_return std::tuple<T...>{};
        std::vector<ast::named_expr> columns;
        std::size_t i = 0;
        ((columns.push_back({"aggregate_" + std::to_string(++i), aggregates.node()})), ...);
        auto sql = compile_aggregate(q_, columns);
        std::optional<std::tuple<T...>> row;
        auto take = [&](std::tuple<T...>&& r) { row = std::move(r); };
        co_await detail::stream_rows<std::tuple<T...>>(select_db(), sql, take);
        co_return std::move(*row);
    }

    // UNION / INTERSECT / EXCEPT (ALL with {.all = true}) with another queryset of M. Each part
    // keeps its own order_by() and slice() (as in Django: `(SELECT ... LIMIT 5) UNION (...)`);
    // order_by() and slice() after it apply to the combined rows, which have no order until then
    // (not even the model's).
    template <bool S>
    queryset union_(const queryset<M, S>& other, combine_options o = {}) const {
        return combine(ast::set_op::union_, other.query(), o.all);
    }
    template <bool S>
    queryset intersection(const queryset<M, S>& other, combine_options o = {}) const {
        return combine(ast::set_op::intersect, other.query(), o.all);
    }
    template <bool S>
    queryset difference(const queryset<M, S>& other, combine_options o = {}) const {
        return combine(ast::set_op::except, other.query(), o.all);
    }

    // The server's plan for the queryset's SELECT (EXPLAIN; analyze runs it), one line per row
    // of EXPLAIN's output.
    asio::awaitable<std::string> explain(explain_options o = {}) const {
        co_return co_await detail::explain_text(db(), compile_explain(q_, o));
    }

private:
    template <class, class, bool>
    friend class values_queryset;

    // Whether `e` over no rows is its type's value-initialised value: an aggregate (COUNT: 0,
    // the others NULL), possibly cast to its result type (Avg, Sum of int8).
    static bool bare_aggregate(const ast::expr& e) {
        if (e->k == ast::kind::cast && !e->args.empty()) return bare_aggregate(e->args[0]);
        return e->k == ast::kind::aggregate;
    }
    bool has_annotation(std::string_view name) const {
        for (const auto& a : q_.annotations)
            if (a.name == name) return true;
        return false;
    }
    queryset combine(ast::set_op op, const ast::select& other, bool all) const {
        queryset r = *this;
        const auto& q = q_;
        // A combination with no order or slice of its own takes one more part of the same
        // operation; anything else becomes the first part of a new combination (INTERSECT binds
        // tighter than UNION and EXCEPT: `(a) UNION (b) INTERSECT (c)` is not a.union_(b)
        // .intersection(c)).
        bool same_op = !q.combinations.empty() && q.combinations.back().op == op;
        if (!same_op || !q.order.empty() || q.random_order || q.limit || q.offset) {
            r.q_ = {};
            r.q_.model = q.model;
            r.q_.fields = q.fields;
            r.q_.annotations = q.annotations; // for order_by() by their names
            r.q_.values = q.values;
            r.q_.empty = q.empty;
            r.q_.order_set = true; // Meta.ordering is not the combination's
            r.q_.first = std::make_shared<const ast::select>(q);
        }
        r.q_.combinations.push_back({op, all, std::make_shared<const ast::select>(other)});
        // Whether no row can come, so that none is asked for: a none() part adds no row to a
        // union and takes none from a difference (it is written WHERE FALSE).
        if (op == ast::set_op::union_)
            r.q_.empty = r.q_.empty && other.empty;
        else if (op == ast::set_op::intersect)
            r.q_.empty = r.q_.empty || other.empty;
        return r;
    }
    // A combination's rows and columns are its parts': what would change them is refused, as in
    // Django (the parts are written as they were).
    void not_combined(const char* change) const {
        if (q_.first)
            throw error(std::string("cannot ") + change +
                        " a combined queryset (union_, intersection, difference)");
    }
    queryset<M, true> values_base() const {
        not_combined("take values of");
        return rescope();
    }
    // Column i is named after Row's member i (MemberNames), or else after its field, or
    // "column_<i + 1>" for an unnamed expression.
    template <class Row, bool MemberNames, class... A>
    values_queryset<M, Row> values_rows(const A&... items) const {
        auto r = values_base();
        std::size_t i = 0;
        auto add = [&](const auto& item) {
            auto column = detail::value_column(q_, item, "column_" + std::to_string(i + 1));
            if constexpr (MemberNames) column.name = field_names<Row>[i];
            r.q_.values.push_back(std::move(column));
            ++i;
        };
        (add(items), ...);
        r.q_.values_mode = true;
        return values_queryset<M, Row>(std::move(r));
    }
    template <class Row, std::size_t... I>
    values_queryset<M, Row> values_as_named(std::index_sequence<I...>) const {
        auto r = values_base();
        (r.q_.values.push_back(detail::value_column(q_, field_names<Row>[I])), ...);
        r.q_.values_mode = true;
        return values_queryset<M, Row>(std::move(r));
    }

public:
    // ---- Introspection ----
    const ast::select& query() const noexcept { return q_; }
    sql_query sql() const { return compile_select(q_); }
    // `<queryset Book: SELECT ... [$1 = 100]>`
    std::string to_string() const {
        return "<queryset " + q_.model->cpp_name + ": " +
               (q_.empty ? std::string("EmptyResultSet") : describe(sql())) + ">";
    }
    database db() const { return db_ ? *db_ : database::named("default"); }
    // The database a SELECT of this queryset runs on. A select_for_update one must run inside a
    // transaction block, where its locks last until the commit; outside one they would end with
    // the statement, so it is refused (Django's TransactionManagementError).
    database select_db() const {
        auto d = db();
        if (q_.lock.enabled && !d.in_transaction())
            throw error("select_for_update cannot be used outside of a transaction (run it in "
                        "an atomic block)");
        return d;
    }

private:
    template <class, bool>
    friend class queryset;

    queryset<M, true> rescope() const {
        queryset<M, true> r;
        r.q_ = q_;
        r.db_ = db_;
        return r;
    }
    std::size_t index_of(std::string_view name) const { return q_.model->index_of(name); }
    template <class Fld>
    std::size_t index_of(Fld M::*member) const {
        return field_index(member);
    }
    std::vector<std::size_t> selected() const {
        if (!q_.fields.empty()) return q_.fields;
        std::vector<std::size_t> all(q_.model->columns.size());
        for (std::size_t i = 0; i < all.size(); ++i)
            all[i] = i;
        return all;
    }

    ast::expr field_node(std::string_view name) const { return resolve_field(*q_.model, name); }
    template <class T>
    ast::expr field_node(const expression<T>& e) const {
        return e.node();
    }

    void add_order(const ordering& o) { q_.order.push_back({o.e, o.descending, o.null_order}); }
    template <class T>
    void add_order(const expression<T>& e) {
        q_.order.push_back({e.node(), false});
    }
    void add_order(std::string_view name) {
        if (name == "?") {
            q_.random_order = true;
            return;
        }
        bool desc = !name.empty() && name.front() == '-';
        if (desc) name.remove_prefix(1);
        q_.order.push_back({resolve_name(q_, name), desc});
    }
    void add_order(const char* name) { add_order(std::string_view(name)); }

    // As in Django: once sliced (LIMIT/OFFSET), a queryset is not filtered, reordered, reversed
    // or made distinct, which would silently apply before the slice (e.g. slice(0, 10).last()
    // would read the last row of the table, not of the ten).
    void not_sliced(const char* change) const {
        if (q_.limit || q_.offset)
            throw error(std::string("cannot ") + change +
                        " a queryset once a slice has been taken");
    }
    queryset ordered_or_pk() const {
        if (ordered() || !q_.model->pk) return *this;
        return order_by(q_.model->columns[*q_.model->pk].name);
    }
    queryset by_latest(std::string_view field, bool latest) const {
        std::string_view f = field.empty() ? std::string_view(q_.model->get_latest_by) : field;
        if (f.empty())
            throw error("earliest() and latest() need a field or meta.get_latest_by of " +
                        q_.model->cpp_name);
        bool desc = f.front() == '-';
        if (desc) f.remove_prefix(1);
        auto r = order_by();
        r.q_.order.push_back({resolve_field(*q_.model, f), desc != latest});
        return r;
    }
    asio::awaitable<std::optional<M>> optional_row() const {
        std::optional<M> row;
        co_await for_each([&](M&& m) {
            if (!row) row.emplace(std::move(m));
        });
        co_return row;
    }
    template <class T>
    asio::awaitable<T> value_of(detail::statement sql) const {
        std::optional<std::tuple<T>> row;
        auto take = [&](std::tuple<T>&& r) { row = std::move(r); };
        wire::detail::streaming_sink<std::tuple<T>, decltype(take)> sink(take);
        co_await run_decoding(select_db(), sql, sink);
        co_return std::get<0>(std::move(*row));
    }
    // The query with one more condition (what filter() would make), for the get() overloads.
    ast::select with_condition(ast::expr condition) const {
        not_sliced("filter");
        not_combined("filter");
        ast::select s = q_;
        s.where.push_back(std::move(condition));
        return s;
    }
    // The one row of `s` (get()): a coroutine of its own that owns the query, so the call needs
    // no queryset kept alive while it runs. Reads at most 21 rows to tell how many there are.
    static asio::awaitable<M> get_one(database db, ast::select s) {
        if (!s.limit) s.limit = 21;
        std::optional<M> row;
        std::uint64_t n = 0;
        if (!s.empty) {
            auto sql = detail::select_statement(s);
            auto keep_first = [&](M&& m) {
                if (n++ == 0) row.emplace(std::move(m));
            };
            detail::model_sink<M, decltype(keep_first)> sink(s.fields, keep_first);
            co_await run_decoding(db, sql, sink);
        }
        if (n == 0) throw does_not_exist(s.model->cpp_name + " matching query does not exist");
        if (n > 1)
            throw multiple_objects_returned(
                "get() returned more than one " + s.model->cpp_name + " -- it returned " +
                (n > 20 ? std::string("more than 20") : std::to_string(n)) + "!");
        co_return std::move(*row);
    }
    asio::awaitable<std::uint64_t> execute(sql_query sql) const {
        wire::result_builder b;
        co_await run_on(db(), sql, b);
        co_return b.take().rows_affected();
    }

    ast::select q_;
    std::optional<database> db_;
};

// `member = value` for update(): the value is a C++ value of the member's type or an expression
// of a compatible type (F(&Book::pages) + 1); anything else does not compile.
template <class M, class Field, class V>
requires comparable_with<column_value_t<Field>, detail::operand_value_t<V>>
    assignment set(Field M::*member, const V& value) {
    const auto& model = model_of<M>();
    const auto& column = model.columns[field_index(member)];
    if constexpr (any_expression<V>)
        return {column.name, value.node()};
    else
        return {column.name, expression<column_value_t<Field>>::value_node(value)};
}

// The queryset of every row of M (Django's Model.objects).
template <class M>
queryset<M> objects() {
    return {};
}

} // namespace turbopg::orm
