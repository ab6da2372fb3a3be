// Typed expressions: F(&Book::pages) > 100, F(&Book::title).icontains("dune"), Q("pages__gte",
// 100), Lower(F(&Book::title)), Count(F(&Book::id)), Case(When(...), ...). An expression<T>
// carries the C++ type of its value, so comparing a number column with a string does not compile.
// Conditions are `q` values combined with &, | and ~.
#pragma once

#include <turbopg/orm/ast.hpp>
#include <turbopg/orm/lookup.hpp>
#include <turbopg/orm/model.hpp>
#include <turbopg/orm/reflect.hpp>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace turbopg::orm {

// ---- Conditions ---------------------------------------------------------------------------------

// A boolean condition (Django's Q): combine with & (AND), | (OR), ~ (NOT).
class q {
public:
    explicit q(ast::expr node)
        : node_(std::move(node)) {}
    // Q("pages__gte", 100): a Django-style lookup, resolved against the queryset's model when
    // the query is compiled (field_error names an unknown field or lookup).
    template <class V>
    q(std::string_view path, const V& value)
        : node_(ast::make(ast::kind::path, std::string(path),
                          {ast::make_param_node(make_param(value))})) {}

    const ast::expr& node() const noexcept { return node_; }

    friend q operator&(const q& a, const q& b) {
        return q(ast::make(ast::kind::and_, {}, {a.node_, b.node_}));
    }
    friend q operator|(const q& a, const q& b) {
        return q(ast::make(ast::kind::or_, {}, {a.node_, b.node_}));
    }
    friend q operator~(const q& a) { return q(ast::make(ast::kind::not_, {}, {a.node_})); }

private:
    ast::expr node_;
};

using Q = q;

// ---- Typed expressions --------------------------------------------------------------------------

template <class T>
class expression;

// The value type a member's column holds for expressions: wrappers removed, optional kept.
template <class F>
struct column_value {
    using type = value_of_t<F>;
};
template <class T>
struct column_value<std::optional<T>> {
    using type = std::optional<value_of_t<T>>;
};
template <class F>
using column_value_t = typename column_value<F>::type;

template <class T>
concept string_like = std::is_convertible_v<const T&, std::string_view>;

namespace detail {
template <class T>
struct is_expression : std::false_type {};
template <class T>
struct is_expression<expression<T>> : std::true_type {};
} // namespace detail

template <class T>
concept any_expression = detail::is_expression<std::remove_cvref_t<T>>::value;

// Whether a value of type V may be compared with (or assigned to) a column of value type T:
// numbers with numbers (bool only with bool), text with text, anything else with what converts
// to it exactly.
template <class T, class V>
concept comparable_with = [] {
    using t = value_of_t<std::remove_cvref_t<T>>;
    using v = std::remove_cvref_t<V>;
    if constexpr (std::is_same_v<v, std::nullopt_t>)
        return true;
    else if constexpr (std::is_arithmetic_v<t>)
        return std::is_arithmetic_v<v> && std::is_same_v<t, bool> == std::is_same_v<v, bool>;
    else if constexpr (std::is_same_v<t, std::string>)
        return string_like<v>;
    else
        return std::is_convertible_v<v, t> && !std::is_arithmetic_v<v>;
}();

enum class nulls_order { unspecified, first, last };

// An ORDER BY item: F(&Book::pages).desc(), F(&Book::title).asc().nulls_last().
struct ordering {
    ast::expr e;
    bool descending = false;
    ast::nulls null_order = ast::nulls::unspecified;
    ordering nulls_first() const { return {e, descending, ast::nulls::first}; }
    ordering nulls_last() const { return {e, descending, ast::nulls::last}; }
};

template <class T>
class expression {
public:
    using value_type = T;
    explicit expression(ast::expr node)
        : node_(std::move(node)) {}
    const ast::expr& node() const noexcept { return node_; }

    // ---- Lookups ----
    template <class V>
    requires comparable_with<T, V> q exact(const V& v)
    const { return lookup("exact", v); }
    template <class V>
    requires comparable_with<T, V> q gt(const V& v)
    const { return lookup("gt", v); }
    template <class V>
    requires comparable_with<T, V> q gte(const V& v)
    const { return lookup("gte", v); }
    template <class V>
    requires comparable_with<T, V> q lt(const V& v)
    const { return lookup("lt", v); }
    template <class V>
    requires comparable_with<T, V> q lte(const V& v)
    const { return lookup("lte", v); }
    template <class A, class B>
    requires comparable_with<T, A> && comparable_with<T, B> q range(const A& low, const B& high)
    const {
        auto n = std::const_pointer_cast<ast::node>(make_lookup("range", node_, value_node(low)));
        n->args.push_back(value_node(high));
        return q(n);
    }
    q isnull(bool is_null = true) const {
        auto n = ast::make(ast::kind::lookup, "isnull", {node_, nullptr});
        std::const_pointer_cast<ast::node>(n)->flag = is_null;
        return q(n);
    }
    // IN a list of values (sent as one array parameter: `= ANY($1)`) or a subquery's rows.
    template <class V>
    requires comparable_with<T, V> q in(const std::vector<V>& values)
    const {
        std::vector<value_of_t<T>> converted(values.begin(), values.end());
        return q(make_lookup("in", node_, ast::make_param_node(make_param(converted))));
    }
    template <class V>
    requires comparable_with<T, V> q in(std::initializer_list<V> values)
    const { return in(std::vector<V>(values)); }
    template <class U>
    requires comparable_with<T, U> q in(const expression<U>& subquery)
    const { return q(make_lookup("in", node_, subquery.node())); }

    // Text lookups (any column is compared as its text form, as in Django).
    q iexact(std::string_view s) const { return text_lookup("iexact", s); }
    q contains(std::string_view s) const { return text_lookup("contains", s); }
    q icontains(std::string_view s) const { return text_lookup("icontains", s); }
    q startswith(std::string_view s) const { return text_lookup("startswith", s); }
    q istartswith(std::string_view s) const { return text_lookup("istartswith", s); }
    q endswith(std::string_view s) const { return text_lookup("endswith", s); }
    q iendswith(std::string_view s) const { return text_lookup("iendswith", s); }
    q regex(std::string_view s) const { return text_lookup("regex", s); }
    q iregex(std::string_view s) const { return text_lookup("iregex", s); }

    // Date parts of a date or timestamp column, as integers (week_day: Sunday = 1).
    expression<std::int32_t> year() const { return part("year"); }
    expression<std::int32_t> month() const { return part("month"); }
    expression<std::int32_t> day() const { return part("day"); }
    expression<std::int32_t> week_day() const { return part("week_day"); }
    expression<std::int32_t> hour() const { return part("hour"); }
    expression<std::int32_t> minute() const { return part("minute"); }
    expression<std::int32_t> second() const { return part("second"); }
    expression<std::chrono::sys_days> date() const {
        return expression<std::chrono::sys_days>(make_transform("date", node_));
    }

    // ---- Ordering ----
    ordering asc() const { return {node_, false}; }
    ordering desc() const { return {node_, true}; }

    // ---- Comparison operators ----
    template <class V>
    requires comparable_with<T, V> &&(!any_expression<V>)friend q operator==(const expression& e,
                                                                             const V& v) {
        return e.lookup("exact", v);
    }
    template <class V>
    requires comparable_with<T, V> &&(!any_expression<V>)friend q operator!=(const expression& e,
                                                                             const V& v) {
        return e.lookup("ne", v);
    }
    template <class V>
    requires comparable_with<T, V> &&(!any_expression<V>)friend q operator<(const expression& e,
                                                                            const V& v) {
        return e.lookup("lt", v);
    }
    template <class V>
    requires comparable_with<T, V> &&(!any_expression<V>)friend q operator<=(const expression& e,
                                                                             const V& v) {
        return e.lookup("lte", v);
    }
    template <class V>
    requires comparable_with<T, V> &&(!any_expression<V>)friend q operator>(const expression& e,
                                                                            const V& v) {
        return e.lookup("gt", v);
    }
    template <class V>
    requires comparable_with<T, V> &&(!any_expression<V>)friend q operator>=(const expression& e,
                                                                             const V& v) {
        return e.lookup("gte", v);
    }

    template <class U>
    requires comparable_with<T, value_of_t<U>>
    friend q operator==(const expression& a, const expression<U>& b) { return a.cmp("exact", b); }
    template <class U>
    requires comparable_with<T, value_of_t<U>>
    friend q operator!=(const expression& a, const expression<U>& b) { return a.cmp("ne", b); }
    template <class U>
    requires comparable_with<T, value_of_t<U>>
    friend q operator<(const expression& a, const expression<U>& b) { return a.cmp("lt", b); }
    template <class U>
    requires comparable_with<T, value_of_t<U>>
    friend q operator<=(const expression& a, const expression<U>& b) { return a.cmp("lte", b); }
    template <class U>
    requires comparable_with<T, value_of_t<U>>
    friend q operator>(const expression& a, const expression<U>& b) { return a.cmp("gt", b); }
    template <class U>
    requires comparable_with<T, value_of_t<U>>
    friend q operator>=(const expression& a, const expression<U>& b) { return a.cmp("gte", b); }

    // The value node for `v` as a parameter of this column's type (so `pages > 100L` binds an
    // int4 when pages is int4).
    template <class V>
    static ast::expr value_node(const V& v) {
        using t = value_of_t<T>;
        if constexpr (std::is_same_v<V, std::nullopt_t>)
            return ast::make_param_node(make_param(std::optional<t>{}));
        else if constexpr (wire::detail::is_optional<V>)
            return v ? value_node(*v) : ast::make_param_node(make_param(std::optional<t>{}));
        else if constexpr (std::is_same_v<t, std::string>)
            return ast::make_param_node(make_param(std::string_view(v)));
        else
            return ast::make_param_node(make_param(static_cast<t>(v)));
    }

private:
    template <class V>
    q lookup(std::string_view name, const V& v) const {
        return q(make_lookup(name, node_, value_node(v)));
    }
    template <class U>
    q cmp(std::string_view name, const expression<U>& other) const {
        return q(make_lookup(name, node_, other.node()));
    }
    q text_lookup(std::string_view name, std::string_view s) const {
        return q(make_lookup(name, node_, ast::make_param_node(make_param(s))));
    }
    expression<std::int32_t> part(std::string_view name) const {
        return expression<std::int32_t>(make_transform(name, node_));
    }

    ast::expr node_;
};

// ---- Arithmetic: F(&Book::price) * 2, F(&Book::a) + F(&Book::b) ------------------------------

namespace detail {
template <class X>
struct operand_value {
    using type = std::remove_cvref_t<X>;
};
template <class T>
struct operand_value<expression<T>> {
    using type = value_of_t<T>;
};
template <class X>
using operand_value_t = typename operand_value<std::remove_cvref_t<X>>::type;

template <class X>
concept number =
    std::is_arithmetic_v<operand_value_t<X>> && !std::is_same_v<operand_value_t<X>, bool>;

template <class R, class X>
ast::expr operand(const X& x) {
    if constexpr (any_expression<X>)
        return x.node();
    else
        return expression<R>::value_node(x);
}

// Whether an operand may be NULL: an expression of an optional type (a plain value never is).
template <class X>
inline constexpr bool nullable_operand = false;
template <class T>
inline constexpr bool nullable_operand<expression<T>> = wire::detail::is_optional<T>;

// The operands' common type, optional when either may be NULL (NULL + 1 is NULL).
template <class A, class B>
auto arithmetic(std::string_view op, const A& a, const B& b) {
    using base = std::common_type_t<operand_value_t<A>, operand_value_t<B>>;
    using r =
        std::conditional_t<nullable_operand<A> || nullable_operand<B>, std::optional<base>, base>;
    return expression<r>(
        ast::make(ast::kind::op, std::string(op), {operand<base>(a), operand<base>(b)}));
}
} // namespace detail

template <class A, class B>
concept arithmetic_operands = (any_expression<A> ||
                               any_expression<B>)&&detail::number<A>&& detail::number<B>;

template <class A, class B>
requires arithmetic_operands<A, B>
auto operator+(const A& a, const B& b) {
    return detail::arithmetic("+", a, b);
}
template <class A, class B>
requires arithmetic_operands<A, B>
auto operator-(const A& a, const B& b) {
    return detail::arithmetic("-", a, b);
}
template <class A, class B>
requires arithmetic_operands<A, B>
auto operator*(const A& a, const B& b) {
    return detail::arithmetic("*", a, b);
}
template <class A, class B>
requires arithmetic_operands<A, B>
auto operator/(const A& a, const B& b) {
    return detail::arithmetic("/", a, b);
}
template <class A, class B>
requires arithmetic_operands<A, B>
auto operator%(const A& a, const B& b) {
    return detail::arithmetic("%", a, b);
}

// ---- References to columns and values ---------------------------------------------------------

// F(&Book::pages): the column of a member, typed by the member.
template <class M, class Field>
expression<column_value_t<Field>> F(Field M::*member) {
    return expression<column_value_t<Field>>(model_of<M>().column_nodes[field_index(member)]);
}

// F<std::int32_t>("pages"): a field by name, resolved against the query's model at compile time.
template <class T>
expression<T> F(std::string_view name) {
    return expression<T>(ast::make(ast::kind::field, std::string(name)));
}

// Value(42): a constant, sent as a parameter. A text value is cast to text: it is sent untyped
// (OID 0, as libpq sends strings, so that the server infers its type from where it stands), and
// standing alone, in a select list or as an argument of CONCAT or COALESCE, nothing would tell
// (42P18).
template <class T>
auto Value(const T& v) {
    using t = std::conditional_t<string_like<T>, std::string, T>;
    auto node = expression<t>::value_node(v);
    if constexpr (std::is_same_v<value_of_t<t>, std::string>)
        node = ast::make(ast::kind::cast, "text", {std::move(node)});
    return expression<t>(std::move(node));
}

// OuterRef<std::int64_t>("id"): a field of the enclosing query, inside Subquery/Exists.
template <class T>
expression<T> OuterRef(std::string_view name) {
    return expression<T>(ast::make(ast::kind::outer_ref, std::string(name)));
}

// RawSQL<T>("lower(title) || %s", {make_param(x)}): SQL the DSL lacks; %s are parameters.
template <class T>
expression<T> RawSQL(std::string sql, std::vector<param_value> params = {}) {
    auto n = std::make_shared<ast::node>();
    n->k = ast::kind::raw;
    n->text = std::move(sql);
    n->params = std::move(params);
    return expression<T>(std::move(n));
}

// A raw SQL condition: RawQ("pages %% 2 = %s", {make_param(0)}).
inline q RawQ(std::string sql, std::vector<param_value> params = {}) {
    return q(RawSQL<bool>(std::move(sql), std::move(params)).node());
}

} // namespace turbopg::orm
