#include "pool/pool_core.hpp"

#include "common/log.hpp"

#include <algorithm>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>

namespace turbopg::wire::detail {

namespace {

// Whether a single thread runs `ex`: an io_context made with concurrency_hint 1, Asio's promise
// that only one thread calls run().
bool runs_on_one_thread(const asio::any_io_executor& ex) {
#if defined(ASIO_HAS_IOCP)
    (void)ex;
    return false;
#else
    auto* io = ex.target<asio::io_context::executor_type>();
    return io && asio::use_service<asio::detail::scheduler>(io->context()).concurrency_hint() == 1;
#endif
}

} // namespace

pool_core::pool_core(asio::any_io_executor ex, config cfg, pool_options options)
    : ex_(std::move(ex))
    , one_thread_(runs_on_one_thread(ex_))
    , cfg_(std::move(cfg))
    , opts_(options) {}

asio::any_io_executor pool_core::task_executor() const {
    if (one_thread_) return ex_;
    return asio::make_strand(ex_);
}

pool_core::unlocked_work::~unlocked_work() {
    for (auto& e : close)
        pool->spawn_close(std::move(e.conn));
    for (auto& e : roll_back) {
        auto ex = e.conn.get_executor();
        asio::co_spawn(ex, pool->roll_back(pool, std::move(e)), asio::detached);
    }
    for (std::size_t i = 0; i < open; ++i)
        asio::co_spawn(pool->task_executor(), pool->open_one(pool), asio::detached);
    for (auto& w : wake)
        w->wake.try_send(std::error_code{}, true);
}

void pool_core::start() {
    auto self = shared_from_this();
    asio::co_spawn(task_executor(), housekeeping(self), asio::detached);
    unlocked_work work(*this);
    lock l(mutex_);
    grow_locked(work);
}

pool_stats pool_core::stats() const {
    lock l(mutex_);
    auto s = counters_;
    s.idle = idle_.size();
    s.in_use = checked_out_.size();
    s.pending = opening_ + returning_;
    s.size = size_locked();
    s.waiters = waiters_.size();
    return s;
}

std::size_t pool_core::size_locked() const noexcept {
    return idle_.size() + checked_out_.size() + opening_ + returning_;
}

pool_load pool_core::load_locked(pool_clock::time_point now) const {
    pool_load load;
    load.checked_out = checked_out_.size();
    load.max_size = opts_.max_size;
    if (!checked_out_.empty())
        load.longest_out = std::chrono::duration_cast<std::chrono::milliseconds>(
            now - *std::min_element(checked_out_.begin(), checked_out_.end()));
    load.waiting = waiters_.size();
    return load;
}

pool_clock::time_point pool_core::check_out_locked(pool_clock::time_point now) {
    checked_out_.push_back(now);
    return now;
}

void pool_core::check_in_locked(pool_clock::time_point checked_out) {
    auto it = std::find(checked_out_.begin(), checked_out_.end(), checked_out);
    if (it == checked_out_.end()) return;
    *it = checked_out_.back();
    checked_out_.pop_back();
}

void pool_core::deliver_locked(pool_entry e, unlocked_work& work) {
    if (closed_) {
        dispose_locked(std::move(e), "the pool is closed", work);
        return;
    }
    if (waiters_.empty()) {
        e.returned = pool_clock::now();
        idle_.push_back(std::move(e));
        return;
    }
    auto w = std::move(waiters_.front());
    waiters_.pop_front();
    w->queued = false;
    w->checked_out = check_out_locked(pool_clock::now());
    w->granted.emplace(std::move(e));
    work.wake.push_back(std::move(w));
}

void pool_core::dispose_locked(pool_entry e, const std::string& why, unlocked_work& work) {
    ++closing_;
    ++counters_.discarded;
    log(log_level::info, [&] {
        return "pool: closing the connection to backend pid " +
               std::to_string(e.conn.backend_pid()) + ": " + why;
    });
    work.close.push_back(std::move(e));
}

void pool_core::spawn_close(connection conn) {
    auto ex = conn.get_executor();
    asio::co_spawn(
        ex,
        [self = shared_from_this(), conn = std::move(conn)]() mutable -> asio::awaitable<void> {
            try {
                co_await conn.close();
            } catch (const std::exception&) {
                // a broken connection has nothing left to say
            }
            unlocked_work work(*self);
            lock l(self->mutex_);
            --self->closing_;
            self->finish_close_locked(work);
        },
        asio::detached);
}

void pool_core::grow_locked(unlocked_work& work) {
    if (closed_) return;
    std::size_t wanted = waiters_.size();
    if (opts_.min_idle > idle_.size()) wanted += opts_.min_idle - idle_.size();
    while (opening_ < wanted && size_locked() < opts_.max_size &&
           (failures_in_a_row_ == 0 || opening_ == 0)) {
        ++opening_;
        ++work.open;
    }
}

void pool_core::shut_down_locked(unlocked_work& work) {
    if (closed_) return;
    closed_ = true;
    for (auto& w : waiters_) {
        w->queued = false;
        w->failure.emplace(make_error_code(errc::pool_closed),
                           "the pool was closed during acquire");
        work.wake.push_back(w);
    }
    waiters_.clear();
    while (!idle_.empty()) {
        dispose_locked(std::move(idle_.front()), "the pool is closed", work);
        idle_.pop_front();
    }
    // Each sleeping task owns its timer on its strand: cancel it there.
    for (auto& s : sleepers_)
        asio::post(s.strand, [timer = s.timer] { timer->cancel(); });
    finish_close_locked(work);
}

void pool_core::finish_close_locked(unlocked_work& work) {
    if (!closed_ || size_locked() > 0 || closing_ > 0) return;
    for (auto& w : close_waiters_)
        work.wake.push_back(std::move(w));
    close_waiters_.clear();
}

void pool_core::shut_down() {
    unlocked_work work(*this);
    lock l(mutex_);
    shut_down_locked(work);
}

asio::awaitable<void> pool_core::close() {
    auto w = std::make_shared<pool_waiter>(co_await asio::this_coro::executor);
    {
        unlocked_work work(*this);
        lock l(mutex_);
        shut_down_locked(work);
        if (size_locked() == 0 && closing_ == 0) co_return;
        close_waiters_.push_back(w);
    }
    co_await w->wake.async_receive(asio::experimental::as_tuple(asio::use_awaitable));
}

} // namespace turbopg::wire::detail
