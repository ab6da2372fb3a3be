// Database functions and aggregates as typed expressions, for filter(), annotate(), values(),
// order_by() and aggregate():
//
//   Lower(F(&Book::title)), Length(F(&Book::title)), Concat(F(&Book::title), " (", ...),
//   Now(), Cast<double>(F(&Book::pages)), Coalesce(F(&Book::rating), 0.0),
//   Case(When(F(&Book::pages) > 300, "long"), When(F(&Book::pages) > 100, "medium"), "short"),
//   Count(), Count(F(&Book::rating), {.distinct = true}), Sum(F(&Book::pages), {.filter = q}),
//   Avg(...), Min(...), Max(...), StdDev(...), Variance(...),
//   Subquery(objects<Book>().filter(...OuterRef<std::int64_t>("id")...).values_list(...)),
//   Exists(objects<Book>().filter(...)).
//
// Each result type is what the value decodes into: Count gives std::int64_t; the other
// aggregates give std::optional (NULL over no rows): Sum of int2/int4 int8 (PostgreSQL's own
// type), Sum of int8 is cast to int8 (PostgreSQL sums it as numeric; a sum past int8's range is
// the server's error 22003), Avg/StdDev/Variance are cast to float8 (double), Min/Max keep the
// argument's type.
#pragma once

#include <turbopg/orm/expressions.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>

namespace turbopg::orm {

namespace detail {

// R, made optional when T is (a function of a NULL is NULL).
template <class T, class R>
using null_like = std::conditional_t<wire::detail::is_optional<T>, std::optional<R>, R>;

// The value type an argument contributes: an expression's own, a string literal's std::string.
template <class X>
struct argument_value {
    using type = std::conditional_t<string_like<X>, std::string, X>;
};
template <class T>
struct argument_value<expression<T>> {
    using type = T;
};
template <class X>
using argument_value_t = typename argument_value<std::remove_cvref_t<X>>::type;

// The node of an argument: an expression's own, or the value as a parameter of type T (strings
// cast to text so that functions taking "any" argument can type them).
template <class T, class X>
ast::expr argument_node(const X& x) {
    if constexpr (any_expression<X>) {
        return x.node();
    } else if constexpr (string_like<X>) {
        return ast::make(ast::kind::cast, "text",
                         {ast::make_param_node(make_param(std::string_view(x)))});
    } else {
        return expression<T>::value_node(x);
    }
}

inline ast::expr function(std::string name, std::vector<ast::expr> args) {
    return ast::make(ast::kind::func, std::move(name), std::move(args));
}

template <class T>
concept text_value = std::is_same_v<value_of_t<T>, std::string>;

template <class T>
std::string sql_type_of() {
    return sql_type_name(wire::codec<value_of_t<T>>::type_oid, 0);
}

} // namespace detail

// ---- Text ---------------------------------------------------------------------------------------

template <class T>
requires detail::text_value<T> expression<T> Lower(const expression<T>& e) {
    return expression<T>(detail::function("LOWER", {e.node()}));
}
template <class T>
requires detail::text_value<T> expression<T> Upper(const expression<T>& e) {
    return expression<T>(detail::function("UPPER", {e.node()}));
}
// The number of characters (LENGTH, int4).
template <class T>
requires detail::text_value<T> expression<detail::null_like<T, std::int32_t>>
Length(const expression<T>& e) {
    return expression<detail::null_like<T, std::int32_t>>(detail::function("LENGTH", {e.node()}));
}
// CONCAT of expressions and values as text; NULL arguments are skipped, so the result is never
// NULL.
template <class... A>
requires(sizeof...(A) >= 2) expression<std::string> Concat(const A&... parts) {
    return expression<std::string>(
        detail::function("CONCAT", {detail::argument_node<detail::argument_value_t<A>>(parts)...}));
}

// ---- Dates --------------------------------------------------------------------------------------

// The transaction's start time (NOW(), timestamptz).
inline expression<std::chrono::system_clock::time_point> Now() {
    return expression<std::chrono::system_clock::time_point>(detail::function("NOW", {}));
}

// ---- Conversions and conditions -----------------------------------------------------------------

// `(e)::type` where type is T's PostgreSQL type (Cast<double> -> float8, Cast<std::string> ->
// text); Cast<std::optional<U>> keeps NULLs readable.
template <class T, class U>
expression<T> Cast(const expression<U>& e) {
    return expression<T>(ast::make(ast::kind::cast, detail::sql_type_of<T>(), {e.node()}));
}

// The first argument that is not NULL. The result may be NULL only when every argument may.
template <class A, class... B>
requires(sizeof...(B) >= 1) auto Coalesce(const A& first, const B&... rest) {
    using base = value_of_t<detail::argument_value_t<A>>;
    constexpr bool nullable = (wire::detail::is_optional<detail::argument_value_t<A>> && ... &&
                               wire::detail::is_optional<detail::argument_value_t<B>>);
    static_assert((comparable_with<base, value_of_t<detail::argument_value_t<B>>> && ...),
                  "Coalesce: every argument must have the first one's type");
    using result = std::conditional_t<nullable, std::optional<base>, base>;
    return expression<result>(detail::function(
        "COALESCE", {detail::argument_node<base>(first), detail::argument_node<base>(rest)...}));
}

// One branch of Case: WHEN condition THEN value.
template <class T>
struct when_clause {
    ast::expr condition;
    ast::expr value;
};

template <class V>
auto When(const q& condition, const V& value) {
    using t = detail::argument_value_t<V>;
    return when_clause<t>{condition.node(), detail::argument_node<t>(value)};
}

namespace detail {
template <class X>
struct is_when : std::false_type {};
template <class T>
struct is_when<when_clause<T>> : std::true_type {};

// A When's condition and value, or the default's value.
template <class T, class X>
void add_case_part(ast::expr_list& args, const X& part) {
    if constexpr (is_when<X>::value) {
        args.push_back(part.condition);
        args.push_back(part.value);
    } else {
        args.push_back(argument_node<T>(part));
    }
}
} // namespace detail

// CASE WHEN ... THEN ... [ELSE default] END: Case(When(q1, v1), When(q2, v2), default). Without a
// default the result is NULL when no branch matches, so its type is optional.
template <class T, class... R>
auto Case(const when_clause<T>& first, const R&... rest) {
    constexpr bool has_default =
        sizeof...(R) > 0 &&
        !detail::is_when<std::tuple_element_t<sizeof...(R), std::tuple<void, R...>>>::value;
    static_assert((std::size_t(detail::is_when<R>::value) + ... + 0) + has_default == sizeof...(R),
                  "Case(When(...)..., default): only the last argument may be a default");
    using base = value_of_t<T>;
    using result = std::conditional_t<has_default, T, std::optional<base>>;
    auto n = std::make_shared<ast::node>();
    n->k = ast::kind::case_;
    n->args = {first.condition, first.value};
    (detail::add_case_part<base>(n->args, rest), ...);
    n->flag = has_default;
    return expression<result>(std::move(n));
}

// ---- Aggregates ---------------------------------------------------------------------------------

// DISTINCT inside the aggregate, and FILTER (WHERE condition).
struct aggregate_options {
    bool distinct = false;
    std::optional<q> filter = std::nullopt;
};

// StdDev and Variance: population (STDDEV_POP, VAR_POP) unless `sample`, as in Django.
struct statistic_options {
    bool distinct = false;
    std::optional<q> filter = std::nullopt;
    bool sample = false;
};

namespace detail {
inline ast::expr aggregate(std::string name, ast::expr arg, bool distinct,
                           const std::optional<q>& filter) {
    auto n = std::make_shared<ast::node>();
    n->k = ast::kind::aggregate;
    n->text = std::move(name);
    n->args = {std::move(arg), filter ? filter->node() : nullptr};
    n->distinct = distinct;
    return n;
}
inline ast::expr cast_to(std::string type, ast::expr e) {
    return ast::make(ast::kind::cast, std::move(type), {std::move(e)});
}
template <class T>
concept numeric_value = std::is_arithmetic_v<value_of_t<T>> && !std::is_same_v<value_of_t<T>, bool>;
} // namespace detail

// COUNT(*).
inline expression<std::int64_t> Count(const aggregate_options& o = {}) {
    return expression<std::int64_t>(
        detail::aggregate("COUNT", ast::make(ast::kind::star), o.distinct, o.filter));
}
// COUNT(e): the rows where e is not NULL.
template <class T>
expression<std::int64_t> Count(const expression<T>& e, const aggregate_options& o = {}) {
    return expression<std::int64_t>(detail::aggregate("COUNT", e.node(), o.distinct, o.filter));
}

template <class T>
requires detail::numeric_value<T>
auto Sum(const expression<T>& e, const aggregate_options& o = {}) {
    using v = value_of_t<T>;
    auto sum = detail::aggregate("SUM", e.node(), o.distinct, o.filter);
    if constexpr (std::is_integral_v<v>) {
        // int2/int4 sum to int8 already; int8 sums to numeric, read back as int8.
        if constexpr (sizeof(v) == 8) sum = detail::cast_to("int8", std::move(sum));
        return expression<std::optional<std::int64_t>>(std::move(sum));
    } else {
        return expression<std::optional<v>>(std::move(sum));
    }
}

template <class T>
requires detail::numeric_value<T> expression<std::optional<double>>
Avg(const expression<T>& e, const aggregate_options& o = {}) {
    return expression<std::optional<double>>(
        detail::cast_to("float8", detail::aggregate("AVG", e.node(), o.distinct, o.filter)));
}

template <class T>
expression<std::optional<value_of_t<T>>> Min(const expression<T>& e,
                                             const aggregate_options& o = {}) {
    return expression<std::optional<value_of_t<T>>>(
        detail::aggregate("MIN", e.node(), o.distinct, o.filter));
}
template <class T>
expression<std::optional<value_of_t<T>>> Max(const expression<T>& e,
                                             const aggregate_options& o = {}) {
    return expression<std::optional<value_of_t<T>>>(
        detail::aggregate("MAX", e.node(), o.distinct, o.filter));
}

template <class T>
requires detail::numeric_value<T> expression<std::optional<double>>
StdDev(const expression<T>& e, const statistic_options& o = {}) {
    return expression<std::optional<double>>(
        detail::cast_to("float8", detail::aggregate(o.sample ? "STDDEV_SAMP" : "STDDEV_POP",
                                                    e.node(), o.distinct, o.filter)));
}
template <class T>
requires detail::numeric_value<T> expression<std::optional<double>>
Variance(const expression<T>& e, const statistic_options& o = {}) {
    return expression<std::optional<double>>(
        detail::cast_to("float8", detail::aggregate(o.sample ? "VAR_SAMP" : "VAR_POP", e.node(),
                                                    o.distinct, o.filter)));
}

// ---- Subqueries ---------------------------------------------------------------------------------

// A scalar subquery: a values_list/flat queryset of one column, e.g. the newest book's title of
// each author: Subquery(objects<Book>().filter(F(&Book::author) == OuterRef<std::int64_t>("id"))
// .order_by("-published").values_list(F(&Book::title)).flat().slice(0, 1)). With no row it is
// NULL: give the column an optional type (values_list<std::optional<T>>) where that can happen.
template <class QS>
requires requires(const QS& s) {
    s.query();
    typename QS::column_type;
}
expression<typename QS::column_type> Subquery(const QS& qs) {
    auto n = std::make_shared<ast::node>();
    n->k = ast::kind::subquery;
    n->query = std::make_shared<const ast::select>(qs.query());
    return expression<typename QS::column_type>(std::move(n));
}

// EXISTS (the queryset): true when it has a row; use OuterRef to correlate it.
template <class QS>
requires requires(const QS& s) {
    s.query();
}
q Exists(const QS& qs) {
    auto n = std::make_shared<ast::node>();
    n->k = ast::kind::exists;
    n->query = std::make_shared<const ast::select>(qs.query());
    return q(std::move(n));
}

} // namespace turbopg::orm
