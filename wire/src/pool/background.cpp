// The pool's background tasks: opening connections (retried with backoff while the server is
// unreachable) and housekeeping (idle_timeout, max_lifetime, min_idle). Each runs on a strand
// and sleeps on a timer that close() cancels.
#include "pool/backoff.hpp"
#include "pool/pool_core.hpp"

#include "common/log.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace turbopg::wire::detail {

// On the new connection's strand; one pending slot (opening_) is ours until we finish.
asio::awaitable<void> pool_core::open_one([[maybe_unused]] std::shared_ptr<pool_core> keep_alive) {
    auto ex = co_await asio::this_coro::executor;
    for (;;) {
        std::string failure;
        try {
            auto conn = co_await connection::connect(ex, cfg_);
            auto now = pool_clock::now();
            unlocked_work work(*this);
            lock l(mutex_);
            --opening_;
            ++counters_.created;
            failures_in_a_row_ = 0;
            last_connect_error_.clear();
            deliver_locked(pool_entry{std::move(conn), now, now}, work);
            grow_locked(work); // the server is back: open what the waiters need
            co_return;
        } catch (const std::exception& e) {
            failure = e.what();
        }
        std::chrono::milliseconds delay{0};
        {
            unlocked_work work(*this);
            lock l(mutex_);
            ++counters_.connect_failures;
            ++failures_in_a_row_;
            last_connect_error_ = failure;
            // Retry only while someone needs the connection (our own slot counts as opening).
            bool needed = !waiters_.empty() || idle_.size() + opening_ <= opts_.min_idle;
            if (closed_ || !needed) {
                --opening_;
                finish_close_locked(work);
                co_return;
            }
            delay = reconnect_delay(opts_.reconnect_backoff_initial, opts_.reconnect_backoff_max,
                                    failures_in_a_row_);
        }
        log(log_level::warn, [&] {
            return "pool: could not open a connection (retrying in " + describe_duration(delay) +
                   "): " + failure;
        });
        if (!co_await sleep(delay)) {
            unlocked_work work(*this);
            lock l(mutex_);
            --opening_;
            finish_close_locked(work);
            co_return;
        }
    }
}

asio::awaitable<void>
pool_core::housekeeping([[maybe_unused]] std::shared_ptr<pool_core> keep_alive) {
    while (co_await sleep(opts_.housekeeping_interval)) {
        unlocked_work work(*this);
        lock l(mutex_);
        evict_idle_locked(pool_clock::now(), work);
        grow_locked(work);
    }
}

void pool_core::evict_idle_locked(pool_clock::time_point now, unlocked_work& work) {
    // Least recently returned first, so idle_timeout closes the ones the load no longer needs.
    for (auto it = idle_.begin(); it != idle_.end();) {
        const char* why = nullptr;
        if (limit_reached(it->created, opts_.max_lifetime, now))
            why = "max_lifetime reached";
        else if (idle_.size() > opts_.min_idle &&
                 limit_reached(it->returned, opts_.idle_timeout, now))
            why = "idle_timeout reached";
        if (!why) {
            ++it;
            continue;
        }
        dispose_locked(std::move(*it), why, work);
        it = idle_.erase(it);
    }
}

asio::awaitable<bool> pool_core::sleep(std::chrono::milliseconds d) {
    auto strand = co_await asio::this_coro::executor;
    auto timer = std::make_shared<asio::steady_timer>(strand, d);
    std::list<sleeper>::iterator me;
    {
        lock l(mutex_);
        if (closed_) co_return false;
        me = sleepers_.insert(sleepers_.end(), sleeper{strand, timer});
    }
    // close() posts the cancel to this strand, so it cannot run while we start the wait.
    co_await timer->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    lock l(mutex_);
    sleepers_.erase(me);
    co_return !closed_;
}

} // namespace turbopg::wire::detail
