// Where querysets run: a pool (each terminal call takes a connection for its round trip) or one
// connection (borrowed; e.g. a transaction's). Named databases serve `using("replica")`.
#pragma once

#include <turbopg/orm/compiler.hpp>
#include <turbopg/orm/identifier.hpp>
#include <turbopg/wire/connection.hpp>
#include <turbopg/wire/pool.hpp>

#include <asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace turbopg::orm {

class atomic_block;

class database {
public:
    database(wire::pool& pool) noexcept
        : pool_(&pool) {}
    database(wire::connection& conn) noexcept
        : conn_(&conn) {}
    // The connection of an atomic block (atomic.hpp: atomic_block::db()); atomic() on it nests
    // as a savepoint. Valid while the block runs.
    database(wire::connection& conn, atomic_block& block) noexcept
        : conn_(&conn)
        , block_(&block) {}

    // Runs `f(wire::connection&)` (returning an asio::awaitable) on a connection of this
    // database and completes with its result.
    template <class F>
    auto run(F f) -> asio::awaitable<
        typename wire::detail::awaitable_value<std::invoke_result_t<F&, wire::connection&>>::type> {
        if (pool_) co_return co_await pool_->run(std::move(f));
        co_return co_await f(*conn_);
    }

    // Runs `f(database)` with a database bound to one connection of this one, so the querysets
    // it awaits together are pipelined on that connection:
    //   auto [n, page] = co_await db.pinned(
    //       [&](orm::database one) -> asio::awaitable<std::tuple<std::int64_t, std::vector<Book>>>
    //       {
    //           auto counted = qs.using_(one), paged = qs.using_(one).slice(0, 20);
    //           co_return co_await (counted.count() && paged.fetch());
    //       });
    template <class F>
    auto pinned(F f) {
        return run([f = std::move(f)](wire::connection& c) mutable { return f(database(c)); });
    }

    wire::pool* pool() const noexcept { return pool_; }
    wire::connection* connection() const noexcept { return conn_; }
    // The atomic block this database runs in, if any.
    atomic_block* block() const noexcept { return block_; }
    // Whether its statements run inside a transaction block: a connection in one (BEGIN done,
    // as in an atomic block); a pool's connections run each statement on its own.
    bool in_transaction() const noexcept { return conn_ && conn_->transaction_status() != 'I'; }

    // ---- Named databases (Django's DATABASES) ----
    // Registers `db` under `name` ("default" is what querysets use without using()); the pool or
    // connection must outlive its registration.
    static TURBOPG_ORM_API void add(std::string name, database db);
    static TURBOPG_ORM_API void remove(std::string_view name) noexcept;
    // The database registered as `name`; throws orm::error naming it and listing those known.
    static TURBOPG_ORM_API database named(std::string_view name);

private:
    wire::pool* pool_ = nullptr;
    wire::connection* conn_ = nullptr;
    atomic_block* block_ = nullptr;
};

// Runs a compiled statement on `conn`, its parameters bound in binary, results to `sink`.
TURBOPG_ORM_API asio::awaitable<void> run_query(wire::connection& conn, statement_view q,
                                                wire::detail::result_sink& sink);

// Runs a compiled statement on `db` (on a connection of a pool for its round trip), results to
// `sink`. When the query failed because the sink stopped the rows (on a value it could not
// decode, or with its callable's exception), `*failure` is rethrown (a decode error names the
// column and types) rather than the bare code the query ended with.
TURBOPG_ORM_API asio::awaitable<void> run_on(database db, statement_view q,
                                             wire::detail::result_sink& sink,
                                             const wire::detail::row_failure* failure = nullptr);

// run_query into a decoding sink (one with failure()), with run_on's error rule.
template <class Sink>
asio::awaitable<void> run_decoding(wire::connection& conn, statement_view q, Sink& sink) {
    return run_on(database(conn), q, sink, &sink.failure());
}
template <class Sink>
asio::awaitable<void> run_decoding(database db, statement_view q, Sink& sink) {
    return run_on(db, q, sink, &sink.failure());
}

} // namespace turbopg::orm
