// What the ORM's writes share (writes.hpp, instance.hpp): a model object's members as encoded
// parameters, columns as arrays, its primary key, running a statement whose rows are model
// objects, and the atomic blocks create-or-get needs.
#pragma once

#include <turbopg/orm/database.hpp>
#include <turbopg/orm/error.hpp>
#include <turbopg/orm/model_sink.hpp>
#include <turbopg/orm/write_compiler.hpp>
#include <turbopg/wire/connection.hpp>
#include <turbopg/wire/sqlstate.hpp>
#include <turbopg/wire/transaction.hpp>

#include <asio/awaitable.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/this_coro.hpp>

#include <array>
#include <cstddef>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace turbopg::orm::detail {

// ---- The primary key ------------------------------------------------------------------------

// (Plain function templates here, no generic lambdas: g++ 12 mixes up the instantiations of a
// generic lambda inside function templates instantiated for two models in one file.)
template <class M, std::size_t... I>
constexpr std::size_t pk_index(std::index_sequence<I...>) noexcept {
    std::size_t found = field_count<M>();
    ((field_traits<field_type<M, I>>::primary_key ? void(found = I) : void()), ...);
    return found;
}
template <class M>
constexpr std::size_t pk_index() noexcept {
    return pk_index<M>(std::make_index_sequence<field_count<M>()>{});
}

template <class M>
concept has_primary_key = pk_index<M>()
< field_count<M>();

// The C++ type of M's primary key values (std::int64_t for primary_key<>), void without one.
template <class M, bool = has_primary_key<M>>
struct pk_key {
    using type = void;
};
template <class M>
struct pk_key<M, true> {
    using type = value_of_t<field_type<M, pk_index<M>()>>;
};
template <class M>
using pk_key_t = typename pk_key<M>::type;

template <class M>
requires has_primary_key<M>
auto& pk_member(M& obj) noexcept {
    return std::get<pk_index<M>()>(tie_members(obj));
}
template <class M>
requires has_primary_key<M>
const auto& pk_member(const M& obj) noexcept {
    return std::get<pk_index<M>()>(tie_members(obj));
}

template <class F>
bool is_set(const F&) noexcept {
    return true;
}
template <class T>
bool is_set(const primary_key<T>& k) noexcept {
    return k.has_value();
}

template <class M>
requires has_primary_key<M>
bool pk_is_set(const M& obj) noexcept {
    return is_set(pk_member(obj));
}

// orm::error for an object that is not saved: "cannot delete the unsaved shop::Book (its
// primary key id is not set)".
template <class M>
void require_saved(const M& obj, std::string_view operation) {
    if (!pk_is_set(obj))
        throw error("cannot " + std::string(operation) + " the unsaved " + model_of<M>().cpp_name +
                    " (its primary key " + model_of<M>().pk_column().name + " is not set)");
}

// ---- Values -----------------------------------------------------------------------------------

// The object's values for INSERT/UPDATE: one per column; an unset primary key (and, unused,
// the auto timestamps, which are written as NOW()) are nullopt.
template <class M, std::size_t I>
void put_value(row_values& out, const M& obj) {
    using traits = field_traits<field_type<M, I>>;
    if constexpr (!traits::auto_now && !traits::auto_now_add) {
        const auto& f = std::get<I>(tie_members(obj));
        if (is_set(f)) out[I] = make_param(f);
    }
}
template <class M, std::size_t... I>
row_values values_of(const M& obj, std::index_sequence<I...>) {
    row_values out(sizeof...(I));
    (put_value<M, I>(out, obj), ...);
    return out;
}
template <class M>
row_values values_of(const M& obj) {
    return values_of(obj, std::make_index_sequence<field_count<M>()>{});
}

// A member's value as its column's C++ type: wrappers removed, optional kept (a set primary
// key is required of the caller).
template <class F>
auto column_value(const F& f) {
    if constexpr (wire::detail::is_optional<F>) {
        using V = std::optional<std::remove_cvref_t<decltype(column_value(*f))>>;
        return f ? V(column_value(*f)) : V();
    } else if constexpr (std::is_same_v<F, value_of_t<F>>) {
        return f;
    } else {
        return value_of_t<F>(*f.get());
    }
}

// Member I of every object as one array parameter (for unnest). orm::error for a member whose
// type has no array type (it cannot be bulk-updated).
template <class M, std::size_t I>
param_value column_array(std::span<const M> objs) {
    using F = field_type<M, I>;
    using V = std::remove_cvref_t<decltype(column_value(std::declval<const F&>()))>;
    // std::vector<bool> packs its bits and is no array the codecs take.
    using E = std::conditional_t<std::is_same_v<V, bool>, std::optional<bool>, V>;
    if constexpr (wire::encodable<std::vector<E>>) {
        std::vector<E> values;
        values.reserve(objs.size());
        for (const auto& o : objs)
            values.push_back(column_value(std::get<I>(tie_members(o))));
        return make_param(values);
    } else {
        throw error("cannot bulk-update " + model_of<M>().cpp_name + "." +
                    std::string(field_names<M>[I]) + ": its type has no array type");
    }
}

template <class M>
using column_array_maker = param_value (*)(std::span<const M>);

template <class M, std::size_t... I>
constexpr auto column_array_makers(std::index_sequence<I...>) {
    return std::array<column_array_maker<M>, sizeof...(I)>{&column_array<M, I>...};
}
template <class M>
constexpr auto column_array_makers() {
    return column_array_makers<M>(std::make_index_sequence<field_count<M>()>{});
}

// Moves member I of `from` into `to` (refresh_from_db of some fields).
template <class M, std::size_t I>
void move_member(M& to, M& from) {
    std::get<I>(tie_members(to)) = std::move(std::get<I>(tie_members(from)));
}

template <class M, std::size_t... I>
constexpr auto member_movers(std::index_sequence<I...>) {
    return std::array<void (*)(M&, M&), sizeof...(I)>{&move_member<M, I>...};
}
template <class M>
constexpr auto member_movers() {
    return member_movers<M>(std::make_index_sequence<field_count<M>()>{});
}

// ---- COPY -------------------------------------------------------------------------------------

// The members a binary COPY writes: all but identity keys and auto timestamps (those take the
// columns' defaults, which create_table declares: the identity and now()).
template <class F>
constexpr bool copied =
    !field_traits<F>::identity && !field_traits<F>::auto_now && !field_traits<F>::auto_now_add;

template <class M, std::size_t... I>
constexpr auto copy_members(std::index_sequence<I...>) {
    std::array<std::size_t, sizeof...(I)> index{};
    std::size_t count = 0;
    ((copied<field_type<M, I>> ? void(index[count++] = I) : void()), ...);
    return std::pair{index, count};
}
template <class M>
constexpr auto copy_members() {
    return copy_members<M>(std::make_index_sequence<field_count<M>()>{});
}

template <class M, std::size_t... J>
asio::awaitable<std::uint64_t> copy_rows(wire::connection& c, const std::string& sql,
                                         std::span<const M> objs, std::index_sequence<J...>) {
    static constexpr auto members = copy_members<M>();
    auto w = co_await c.copy_in_rows<field_type<M, members.first[J]>...>(sql);
    co_await w.write_rows(objs, [](const M& o) {
        auto m = tie_members(o);
        return std::tie(std::get<members.first[J]>(m)...);
    });
    co_return co_await w.finish();
}

// COPY of the objects' members (copy_members); completes with the rows copied.
template <class M>
asio::awaitable<std::uint64_t> copy_objects(wire::connection& c, std::span<const M> objs) {
    static constexpr auto members = copy_members<M>();
    std::vector<std::size_t> columns(members.first.begin(), members.first.begin() + members.second);
    auto sql = compile_copy_in(model_of<M>(), columns);
    co_return co_await copy_rows<M>(c, sql, objs, std::make_index_sequence<members.second>{});
}

// ---- Running ------------------------------------------------------------------------------

// Runs `sql` and decodes its rows into model objects: all members, or `fields` in order.
template <class M>
asio::awaitable<std::vector<M>> fetch_objects(wire::connection& c, const sql_query& sql,
                                              std::span<const std::size_t> fields = {}) {
    std::vector<M> out;
    auto take = [&](M&& m) { out.push_back(std::move(m)); };
    model_sink<M, decltype(take)> sink(fields, take);
    co_await run_decoding(c, sql, sink);
    co_return out;
}

// Runs `sql` and completes with the rows it affected.
inline asio::awaitable<std::uint64_t> execute_counting(wire::connection& c, const sql_query& sql) {
    wire::result_builder b;
    co_await run_query(c, sql, b);
    co_return b.take().rows_affected();
}

inline bool is_unique_violation(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const wire::error& w) {
        return w.sqlstate() == wire::sqlstate::unique_violation;
    } catch (...) {
        return false;
    }
}

// What an INSERT that may hit a unique constraint gave: its rows, or the 23505 error.
template <class M>
struct insert_outcome {
    std::vector<M> rows;
    std::exception_ptr duplicate;
};

// Runs the INSERT `sql`. Inside a transaction block it runs in a savepoint rolled back on any
// error, so the failure does not abort the caller's transaction (PostgreSQL would); outside one
// it is its own transaction already. A unique violation (23505) is returned, others rethrown.
template <class M>
asio::awaitable<insert_outcome<M>> insert_unless_duplicate(wire::connection& c,
                                                           const sql_query& sql) {
    static constexpr std::string_view savepoint = "turbopg_orm_create";
    bool in_block = c.transaction_status() != 'I';
    if (in_block) co_await c.execute("SAVEPOINT turbopg_orm_create");
    insert_outcome<M> out;
    std::exception_ptr failure;
    try {
        out.rows = co_await fetch_objects<M>(c, sql);
    } catch (...) {
        failure = std::current_exception();
    }
    if (in_block) {
        // As in wire::detail::run_in: a cancellation of the caller's must not stop the clean-up.
        auto state = co_await asio::this_coro::cancellation_state;
        if (failure && state.cancelled() != asio::cancellation_type::none)
            co_await asio::this_coro::reset_cancellation_state();
        std::string end = failure ? "ROLLBACK TO SAVEPOINT " + std::string(savepoint) + "; " : "";
        end += "RELEASE SAVEPOINT " + std::string(savepoint);
        co_await c.simple_query(end);
    }
    if (failure && !is_unique_violation(failure)) std::rethrow_exception(failure);
    out.duplicate = failure;
    co_return out;
}

// Runs `body()` (an awaitable) atomically on `c`: in a new transaction when none is open, else
// as part of the open one (whose own atomicity the caller manages).
template <class F>
auto atomically(wire::connection& c, F body) -> std::invoke_result_t<F&> {
    if (c.transaction_status() != 'I') co_return co_await body();
    co_return co_await wire::with_transaction(c, [&](wire::transaction&) { return body(); });
}

} // namespace turbopg::orm::detail
