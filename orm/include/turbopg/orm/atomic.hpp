// Transactions for the ORM (Django's transaction.atomic and on_commit).
//
//   co_await orm::atomic(db, [&](orm::atomic_block& blk) -> asio::awaitable<void> {
//       auto books = orm::objects<Book>().using_(blk.db());   // runs inside the transaction
//       co_await books.filter(F(&Book::id) == id).update(set(&Book::pages, 300));
//       blk.on_commit([] { notify(); });                      // after the outermost COMMIT
//       co_await orm::atomic(blk, [&](orm::atomic_block& inner) -> asio::awaitable<void> {
//           ...                                               // a SAVEPOINT
//       });
//   });
//
// atomic(db, body) takes one connection for the whole block (from the pool, or `db`'s own
// connection), sends BEGIN, runs `body(atomic_block&)` (a coroutine returning
// asio::awaitable<T>) and sends COMMIT when it returns (atomic() completes with its value) or
// ROLLBACK when it throws (the exception is rethrown). atomic(blk, body), or atomic(blk.db(),
// body), nests: a SAVEPOINT, rolled back to when the inner body throws (the exception is
// rethrown; catch it and the outer block continues).
//
// The block's connection is explicit: querysets run inside the transaction only when given
// `using_(blk.db())`. Django tracks "the current transaction" per thread; here coroutines of one
// thread interleave at every co_await, so an implicit ambient transaction could not tell which
// coroutine a query belongs to, and another coroutine's queries would silently land in (or
// escape) the transaction. Everything else, the "default" database included, runs outside it.
//
// On a pool the body runs on the connection's executor (a strand; see pool::run) and atomic()
// completes back on the caller's. One block at a time per connection: do not run sibling
// savepoints concurrently inside one block. blk.db() and blk must not be used after the body
// returned.
//
// Errors: the server's turbopg::wire::error from BEGIN/COMMIT/the body's statements;
// errc::transaction_rolled_back when COMMIT (or RELEASE SAVEPOINT) found the transaction failed
// because the body caught a statement's error and went on; errc::transaction_state when `db` is
// a connection already inside a transaction block not opened by atomic(); orm::error for
// options on a nested block. Cancelling the body's operation rolls the block back.
#pragma once

#include <turbopg/orm/database.hpp>
#include <turbopg/orm/error.hpp>
#include <turbopg/wire/transaction.hpp>

#include <asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

namespace turbopg::orm {

using wire::isolation_level;
// BEGIN's options: isolation level, read_only, deferrable (outermost blocks only).
using atomic_options = wire::transaction_options;

class TURBOPG_ORM_API atomic_block {
public:
    // The block's connection as a database: `objects<Book>().using_(blk.db())` runs inside the
    // transaction, atomic(blk.db(), ...) opens a savepoint in it.
    database db() noexcept { return database(tx_->conn(), *this); }
    wire::connection& connection() const noexcept { return tx_->conn(); }
    // The underlying transaction (or savepoint) of the wire layer.
    wire::transaction& transaction() const noexcept { return *tx_; }
    // 0 for the outermost block, 1 for a savepoint in it, ...
    std::size_t depth() const noexcept { return tx_->depth(); }

    // Runs `f` once the outermost block has committed, after every callback registered before
    // it. Dropped when the transaction rolls back, or when the savepoint it was registered in
    // (or one around it) rolls back. An exception from `f` propagates out of the outermost
    // atomic() (the transaction is committed) and the callbacks after it do not run.
    void on_commit(std::function<void()> f) { callbacks_->push_back(std::move(f)); }

    // Internal: made by atomic().
    atomic_block(wire::transaction& tx, std::vector<std::function<void()>>& callbacks) noexcept
        : tx_(&tx)
        , callbacks_(&callbacks) {}
    std::vector<std::function<void()>>& callbacks() const noexcept { return *callbacks_; }

private:
    wire::transaction* tx_;
    std::vector<std::function<void()>>* callbacks_;
};

namespace detail {

template <class F>
using atomic_result_t = std::invoke_result_t<F&, atomic_block&>;
template <class F>
using atomic_value_t = typename wire::detail::awaitable_value<atomic_result_t<F>>::type;

// Runs `body(blk)` for the transaction or savepoint `tx`: commits when it returns, rolls back
// and rethrows when it throws. A body that rolled `tx` back itself (blk.transaction().rollback())
// and returned drops the callbacks registered in the block, as an exception would.
template <class F>
auto run_block(wire::transaction& tx, std::vector<std::function<void()>>& callbacks, F& body)
    -> atomic_result_t<F> {
    atomic_block blk(tx, callbacks);
    const auto mark = callbacks.size();
    auto call = [&](wire::transaction&) { return body(blk); };
    if constexpr (std::is_void_v<atomic_value_t<F>>) {
        co_await wire::detail::run_in(tx, call);
        if (tx.rolled_back()) callbacks.resize(mark);
    } else {
        auto value = co_await wire::detail::run_in(tx, call);
        if (tx.rolled_back()) callbacks.resize(mark);
        co_return value;
    }
}

template <class F>
auto run_savepoint(atomic_block& outer, F& body) -> atomic_result_t<F> {
    auto& callbacks = outer.callbacks();
    const auto mark = callbacks.size();
    try {
        auto tx = co_await outer.transaction().savepoint();
        co_return co_await run_block(tx, callbacks, body);
    } catch (...) {
        callbacks.resize(mark); // the savepoint's callbacks go with its work
        throw;
    }
}

template <class F>
auto run_outermost(wire::connection& c, const atomic_options& o,
                   std::vector<std::function<void()>>& callbacks, F& body) -> atomic_result_t<F> {
    auto tx = co_await wire::transaction::begin(c, o);
    co_return co_await run_block(tx, callbacks, body);
}

TURBOPG_ORM_API void check_nested_options(const atomic_options& o);
TURBOPG_ORM_API void run_on_commit(std::vector<std::function<void()>>& callbacks);

} // namespace detail

// Runs `body(atomic_block&)` in a transaction on `db` (a savepoint when `db` is a block's, from
// blk.db()); see the top of this file.
template <class F>
auto atomic(database db, atomic_options o, F body) -> detail::atomic_result_t<F> {
    if (auto* outer = db.block()) {
        detail::check_nested_options(o);
        co_return co_await detail::run_savepoint(*outer, body);
    }
    std::vector<std::function<void()>> callbacks;
    auto in_transaction = [&](wire::connection& c) {
        return detail::run_outermost(c, o, callbacks, body);
    };
    if constexpr (std::is_void_v<detail::atomic_value_t<F>>) {
        co_await db.run(in_transaction);
        detail::run_on_commit(callbacks);
    } else {
        auto value = co_await db.run(in_transaction);
        detail::run_on_commit(callbacks);
        co_return value;
    }
}
template <class F>
auto atomic(database db, F body) -> detail::atomic_result_t<F> {
    return atomic(db, atomic_options{}, std::move(body));
}
// A savepoint inside `outer`.
template <class F>
auto atomic(atomic_block& outer, F body) -> detail::atomic_result_t<F> {
    co_return co_await detail::run_savepoint(outer, body);
}

// ---- Retrying serialization failures ----

struct retry_options {
    // How many times the block runs at most (the first run included).
    int attempts = 5;
    // The pause before the second run, doubling before each later one up to max_backoff.
    std::chrono::milliseconds backoff{10};
    std::chrono::milliseconds max_backoff{1'000};
    // BEGIN's options for every run (e.g. isolation_level::serializable).
    atomic_options transaction{};
};

// Whether `e` is a failure that running the transaction again may cure: SQLSTATE 40001
// (serialization_failure) or 40P01 (deadlock_detected).
TURBOPG_ORM_API bool is_retryable(const std::exception& e) noexcept;

namespace detail {
TURBOPG_ORM_API void check_retry(const database& db, const retry_options& o);
// Completes after the pause before run `attempt` + 1.
TURBOPG_ORM_API asio::awaitable<void> retry_pause(const retry_options& o, int attempt);
} // namespace detail

// Runs atomic(db, o.transaction, body) and, when it fails with is_retryable(), runs the whole
// block again (a new transaction, after a pause), up to o.attempts runs in all. Other errors
// propagate at once; the last retryable one after the last attempt. The body must be safe to
// run more than once (on_commit callbacks of failed runs are dropped). `db` must not be a
// block's database (orm::error): only the outermost transaction can be retried.
template <class F>
auto retry_transaction(database db, F body, retry_options o = {}) -> detail::atomic_result_t<F> {
    detail::check_retry(db, o);
    auto call = [&body](atomic_block& blk) { return body(blk); };
    for (int attempt = 1;; ++attempt) {
        try {
            co_return co_await atomic(db, o.transaction, call);
        } catch (const std::exception& e) {
            if (attempt >= o.attempts || !is_retryable(e)) throw;
        }
        co_await detail::retry_pause(o, attempt);
    }
}

} // namespace turbopg::orm
