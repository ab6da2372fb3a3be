#include <turbopg/orm/atomic.hpp>
#include <turbopg/wire/error.hpp>

#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <string>

namespace turbopg::orm {

namespace detail {

void check_nested_options(const atomic_options& o) {
    if (o.isolation || o.read_only || o.deferrable)
        throw error("atomic(): isolation level, read_only and deferrable apply to the outermost "
                    "block only; a nested block is a savepoint of its transaction");
}

void run_on_commit(std::vector<std::function<void()>>& callbacks) {
    for (auto& f : callbacks)
        f();
}

void check_retry(const database& db, const retry_options& o) {
    if (db.block())
        throw error("retry_transaction() needs a database outside any atomic block: only the "
                    "outermost transaction can be run again");
    if (o.attempts < 1)
        throw error("retry_transaction(): attempts must be at least 1, not " +
                    std::to_string(o.attempts));
}

asio::awaitable<void> retry_pause(const retry_options& o, int attempt) {
    auto pause = o.backoff;
    for (int i = 1; i < attempt && pause < o.max_backoff; ++i)
        pause *= 2;
    pause = std::min(pause, o.max_backoff);
    if (pause.count() <= 0) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor, pause);
    co_await timer.async_wait(asio::use_awaitable);
}

} // namespace detail

bool is_retryable(const std::exception& e) noexcept {
    const auto* server = dynamic_cast<const wire::error*>(&e);
    if (server == nullptr) return false;
    const auto& state = server->sqlstate();
    return state == "40001" || state == "40P01";
}

} // namespace turbopg::orm
