// The pool's shared state and the tasks around it. The public `pool` owns one; checked-out
// handles and background tasks share it, so it outlives the `pool` object until the last of them
// is done.
//
// Threads: the bookkeeping below is guarded by `mutex_` and may be touched from any thread; a
// connection itself is only ever touched on its own strand (inspection on return, health checks,
// rollback and close all run there), never under the caller's thread. Waiters are woken through a
// concurrent_channel (thread-safe), after the mutex is released.
#pragma once

#include "pool/messages.hpp"
#include "pool/policy.hpp"

#include <turbopg/wire/config.hpp>
#include <turbopg/wire/connection.hpp>
#include <turbopg/wire/error.hpp>
#include <turbopg/wire/pool.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/experimental/concurrent_channel.hpp>
#include <asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace turbopg::wire::detail {

// An open connection and its ages.
struct pool_entry {
    connection conn;
    pool_clock::time_point created;
    pool_clock::time_point returned; // when it last became idle
};

// A coroutine waiting for the pool: an acquire (for a connection) or a close (for the end).
// Everything but `wake` is guarded by the pool's mutex; `wake` is sent once it is decided.
struct pool_waiter {
    explicit pool_waiter(const asio::any_io_executor& ex)
        : wake(ex, 1) {}
    // (A second argument: Asio 1.22 cannot instantiate a channel of void(error_code) alone.)
    asio::experimental::concurrent_channel<void(std::error_code, bool)> wake;
    pool_clock::time_point since;
    bool queued = false;
    std::list<std::shared_ptr<pool_waiter>>::iterator position;
    std::optional<pool_entry> granted; // handed a connection...
    pool_clock::time_point checked_out;
    std::optional<error> failure; // ...or given up (timeout, pool closed)
};

class pool_core : public std::enable_shared_from_this<pool_core> {
public:
    pool_core(asio::any_io_executor ex, config cfg, pool_options options);

    // Starts the housekeeping task and the min_idle connections.
    void start();
    asio::awaitable<pooled_connection> acquire();
    // From pooled_connection::release(), on any thread.
    void give_back(connection conn, pool_clock::time_point created,
                   pool_clock::time_point checked_out) noexcept;
    asio::awaitable<void> close();
    // close() without waiting.
    void shut_down();
    pool_stats stats() const;

private:
    using lock = std::lock_guard<std::mutex>;

    // Work decided under the mutex and done once it is released (declare it before the lock):
    // waking waiters and starting tasks. co_spawn runs a coroutine inline when the caller already
    // runs on its strand (a strand's implementation may even be shared with another strand), and
    // that coroutine may take the mutex.
    struct unlocked_work {
        explicit unlocked_work(pool_core& pool)
            : pool(pool.shared_from_this()) {}
        unlocked_work(const unlocked_work&) = delete;
        unlocked_work& operator=(const unlocked_work&) = delete;
        ~unlocked_work();
        std::shared_ptr<pool_core> pool;
        std::vector<std::shared_ptr<pool_waiter>> wake;
        std::vector<pool_entry> close;
        std::vector<pool_entry> roll_back;
        std::size_t open = 0;
    };

    // ---- bookkeeping (mutex held) ---------------------------------------------------------
    std::size_t size_locked() const noexcept;
    pool_load load_locked(pool_clock::time_point now) const;
    pool_clock::time_point check_out_locked(pool_clock::time_point now);
    void check_in_locked(pool_clock::time_point checked_out);
    // Hands `e` to the oldest waiter, or keeps it idle.
    void deliver_locked(pool_entry e, unlocked_work& work);
    // Closes `e` on its strand.
    void dispose_locked(pool_entry e, const std::string& why, unlocked_work& work);
    // Starts opening connections for the waiters and min_idle, within max_size; while opening
    // fails, only one attempt runs at a time.
    void grow_locked(unlocked_work& work);
    void shut_down_locked(unlocked_work& work);
    void finish_close_locked(unlocked_work& work);
    // Closes `conn` on its strand (after the mutex is released).
    void spawn_close(connection conn);

    // ---- acquire (acquire.cpp) -------------------------------------------------------------
    asio::awaitable<pool_entry> wait_for(std::shared_ptr<pool_waiter> w,
                                         pool_clock::time_point& checked_out);
    void expire(const std::shared_ptr<pool_waiter>& w);
    // Checks an idle connection on its strand before it is handed out; disposes it when bad.
    // When the caller cancelled the acquire meanwhile, the connection goes back (or is disposed)
    // and errc::cancelled is thrown.
    asio::awaitable<bool> vet(pool_entry& e, pool_clock::time_point checked_out);
    // What an idle connection needs before it is handed out, judged on its strand without I/O.
    enum class idle_health { good, bad, needs_query };
    idle_health judge_idle(const pool_entry& e) const;
    asio::awaitable<bool> healthy(pool_entry& e);

    // ---- return (give_back.cpp) ------------------------------------------------------------
    void inspect_returned(pool_entry e, bool rolled_back);
    asio::awaitable<void> roll_back(std::shared_ptr<pool_core> self, pool_entry e);

    // ---- background tasks (background.cpp) -------------------------------------------------
    // `keep_alive` holds the pool for the task's lifetime.
    asio::awaitable<void> open_one(std::shared_ptr<pool_core> keep_alive);
    asio::awaitable<void> housekeeping(std::shared_ptr<pool_core> keep_alive);
    void evict_idle_locked(pool_clock::time_point now, unlocked_work& work);
    // Sleeps on the calling task's strand; close() cuts it short. False once the pool is closed.
    asio::awaitable<bool> sleep(std::chrono::milliseconds d);

    // Where a connection or background task runs: a strand of its own of the pool's executor,
    // or that executor itself when only one thread runs it (then there is nothing to serialise,
    // and the pool's operations run on their connection without hopping executors).
    asio::any_io_executor task_executor() const;

    const asio::any_io_executor ex_;
    const bool one_thread_;
    const config cfg_;
    const pool_options opts_;

    mutable std::mutex mutex_;
    bool closed_ = false;
    std::deque<pool_entry> idle_; // most recently returned at the back (handed out first)
    // When each in-use connection went out, unordered: at most max_size of them, and a vector
    // allocates nothing per checkout.
    std::vector<pool_clock::time_point> checked_out_;
    std::size_t opening_ = 0;   // connections being opened (one task each)
    std::size_t returning_ = 0; // returned, being inspected or rolled back
    std::size_t closing_ = 0;   // being closed
    std::list<std::shared_ptr<pool_waiter>> waiters_;
    std::vector<std::shared_ptr<pool_waiter>> close_waiters_;
    struct sleeper {
        asio::any_io_executor strand;
        std::shared_ptr<asio::steady_timer> timer;
    };
    std::list<sleeper> sleepers_;
    // Connection attempts that failed since the last success, and the last one's error.
    std::uint64_t failures_in_a_row_ = 0;
    std::string last_connect_error_;
    pool_stats counters_; // the cumulative fields
};

} // namespace turbopg::wire::detail
