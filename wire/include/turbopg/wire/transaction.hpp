// Transactions on a connection: BEGIN with options, COMMIT, ROLLBACK and nested savepoints, and
// a scoped helper that commits when its coroutine body returns and rolls back when it throws.
//
//   co_await turbopg::wire::with_transaction(conn, [&](turbopg::wire::transaction& tx)
//                                                      -> asio::awaitable<void> {
//       co_await tx.conn().execute("update account set balance = balance - $1 where id = $2",
//                                  amount, from);
//       co_await tx.conn().execute("update account set balance = balance + $1 where id = $2",
//                                  amount, to);
//   });
//
// A transaction belongs to the whole session: queries that other coroutines pipeline on the same
// connection meanwhile run inside it. Every operation throws turbopg::wire::error (the server's
// diagnostics for a refused statement; errc::transaction_state for a call the transaction's state
// does not allow) and is cancelled with the statement it runs (see connection).
#pragma once

#include <turbopg/wire/connection.hpp>
#include <turbopg/wire/export.hpp>

#include <asio/awaitable.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/this_coro.hpp>

#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace turbopg::wire {

enum class isolation_level { read_uncommitted, read_committed, repeatable_read, serializable };

struct transaction_options {
    std::optional<isolation_level> isolation; // the session's default when empty
    bool read_only = false;
    bool deferrable = false; // only has an effect with serializable + read_only
};

// The BEGIN statement for `o`, e.g. "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE".
TURBOPG_WIRE_API std::string begin_statement(const transaction_options& o);

class TURBOPG_WIRE_API transaction {
public:
    // Sends BEGIN. Fails with errc::transaction_state when the connection already is in a
    // transaction block (use savepoint() to nest), or with the server's error.
    static asio::awaitable<transaction> begin(connection& c, transaction_options o = {});

    transaction(transaction&& other) noexcept;
    transaction& operator=(transaction&&) = delete;
    // A transaction still active here (neither committed nor rolled back, e.g. the coroutine
    // holding it was cancelled) is rolled back: the ROLLBACK (or ROLLBACK TO SAVEPOINT) is queued
    // on the connection at once, ahead of any later query, so nothing later runs inside it.
    ~transaction();

    // COMMIT (RELEASE SAVEPOINT for a savepoint). Throws errc::transaction_rolled_back when the
    // transaction had failed (an error inside it was caught): PostgreSQL then answers COMMIT by
    // rolling back, and this makes that loud. The transaction is finished afterwards either way.
    asio::awaitable<void> commit();
    // ROLLBACK (ROLLBACK TO SAVEPOINT + RELEASE for a savepoint, keeping the outer work).
    asio::awaitable<void> rollback();
    // A nested transaction: SAVEPOINT now; its commit() releases it, its rollback() undoes only
    // what ran since. Finish it before its parent.
    asio::awaitable<transaction> savepoint();

    bool active() const noexcept { return active_; }
    // Whether rollback() ended it (by the caller, or by commit() of a failed savepoint).
    bool rolled_back() const noexcept { return rolled_back_; }
    // 0 for the outermost transaction, 1 for a savepoint in it, ...
    std::size_t depth() const noexcept { return depth_; }
    connection& conn() const noexcept { return *conn_; }

private:
    transaction(connection& c, std::size_t depth, std::string savepoint) noexcept;
    // The statements that end this transaction.
    std::string rollback_sql() const;

    connection* conn_;
    std::size_t depth_;
    std::string savepoint_; // empty for the outermost transaction
    bool active_ = true;
    bool rolled_back_ = false;
};

namespace detail {
// Runs `body(tx)`: commits when it returns (unless the body finished the transaction itself,
// e.g. with tx.rollback()), rolls back and rethrows when it throws.
template <class F>
auto run_in(transaction& tx, F& body) -> std::invoke_result_t<F&, transaction&> {
    std::exception_ptr failure;
    try {
        if constexpr (std::is_void_v<typename std::invoke_result_t<F&, transaction&>::value_type>) {
            co_await body(tx);
            if (tx.active()) co_await tx.commit();
            co_return;
        } else {
            auto value = co_await body(tx);
            if (tx.active()) co_await tx.commit();
            co_return value;
        }
    } catch (...) {
        failure = std::current_exception();
    }
    // The body failed (or COMMIT did): roll back unless the transaction is already finished.
    // A failing ROLLBACK (e.g. the connection is gone) does not hide the body's error.
    if (tx.active()) {
        // When the failure is the caller's cancellation, the coroutine's cancellation state stays
        // set and would stop the ROLLBACK too: cleared for it (the failure, rethrown, still ends
        // the caller's work).
        auto state = co_await asio::this_coro::cancellation_state;
        if (state.cancelled() != asio::cancellation_type::none)
            co_await asio::this_coro::reset_cancellation_state();
        try {
            co_await tx.rollback();
        } catch (const error&) {
        }
    }
    std::rethrow_exception(failure);
}
} // namespace detail

// Runs `body(transaction&)` (a coroutine returning asio::awaitable<T>) in a new transaction on
// `c`: COMMIT when it returns (its value is returned; a body may also end the transaction itself
// with tx.rollback() or tx.commit()), ROLLBACK when it throws (the exception is rethrown). Nest
// with with_savepoint(tx, ...).
template <class F>
auto with_transaction(connection& c, transaction_options o, F body)
    -> std::invoke_result_t<F&, transaction&> {
    auto tx = co_await transaction::begin(c, o);
    co_return co_await detail::run_in(tx, body);
}
template <class F>
auto with_transaction(connection& c, F body) -> std::invoke_result_t<F&, transaction&> {
    return with_transaction(c, transaction_options{}, std::move(body));
}

// The same for a savepoint inside `outer`: on an exception only the savepoint's work is undone
// (and the exception rethrown; catch it to keep the outer transaction going).
template <class F>
auto with_savepoint(transaction& outer, F body) -> std::invoke_result_t<F&, transaction&> {
    auto tx = co_await outer.savepoint();
    co_return co_await detail::run_in(tx, body);
}

} // namespace turbopg::wire
