// Connections coming back: inspected on their own strand, rolled back when left inside a
// transaction block, closed when broken, doomed or too old, and otherwise handed to the oldest
// waiter or kept idle.
#include "pool/pool_core.hpp"

#include "io/connection_impl.hpp"

#include "common/log.hpp"

#include <asio/dispatch.hpp>

namespace turbopg::wire::detail {

void pool_core::give_back(connection conn, pool_clock::time_point created,
                          pool_clock::time_point checked_out) noexcept {
    {
        lock l(mutex_);
        check_in_locked(checked_out);
        ++returning_;
    }
    try {
        auto ex = conn.get_executor();
        // Runs at once when the caller is on the connection's strand, else is posted there.
        asio::dispatch(ex, [self = shared_from_this(),
                            e = pool_entry{std::move(conn), created, {}}]() mutable {
            self->inspect_returned(std::move(e), false);
        });
    } catch (const std::exception&) {
        // Out of memory: the connection is dropped with the handler.
        unlocked_work work(*this);
        lock l(mutex_);
        --returning_;
        ++counters_.discarded;
        grow_locked(work);
        finish_close_locked(work);
    }
}

// On the connection's strand.
void pool_core::inspect_returned(pool_entry e, bool rolled_back) {
    unlocked_work work(*this);
    lock l(mutex_);
    returned_connection seen;
    seen.open = e.conn.is_open();
    if (seen.open) {
        e.conn.impl()->reset_client_settings();
        seen.discard_reason = e.conn.impl()->discard_reason();
        seen.transaction_status = e.conn.transaction_status();
    }
    seen.past_max_lifetime = limit_reached(e.created, opts_.max_lifetime, pool_clock::now());
    seen.pool_closed = closed_;
    auto verdict = judge_returned(seen);
    if (verdict.action == return_action::roll_back && !rolled_back) {
        log(log_level::debug, [&] {
            return "pool: rolling back the connection to backend pid " +
                   std::to_string(e.conn.backend_pid()) + ": " + verdict.reason;
        });
        ++counters_.rollbacks;
        work.roll_back.push_back(std::move(e));
        return;
    }
    --returning_;
    if (verdict.action == return_action::reuse) {
        deliver_locked(std::move(e), work);
        return;
    }
    dispose_locked(std::move(e),
                   rolled_back && verdict.action == return_action::roll_back
                       ? "still in a transaction after ROLLBACK"
                       : verdict.reason,
                   work);
    grow_locked(work);
    finish_close_locked(work);
}

asio::awaitable<void> pool_core::roll_back(std::shared_ptr<pool_core> self, pool_entry e) {
    try {
        co_await e.conn.simple_query("ROLLBACK");
    } catch (const error&) {
        // judged again below: a broken connection is closed
    }
    self->inspect_returned(std::move(e), true);
}

} // namespace turbopg::wire::detail
