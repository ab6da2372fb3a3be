#include <turbopg/wire/pool.hpp>

#include "pool/pool_core.hpp"

namespace turbopg::wire {

// ---- pooled_connection --------------------------------------------------------------------------

pooled_connection::pooled_connection() noexcept = default;

pooled_connection::pooled_connection(std::shared_ptr<detail::pool_core> core, connection conn,
                                     std::chrono::steady_clock::time_point created,
                                     std::chrono::steady_clock::time_point checked_out) noexcept
    : core_(std::move(core))
    , conn_(std::move(conn))
    , created_(created)
    , checked_out_(checked_out) {}

pooled_connection::pooled_connection(pooled_connection&& other) noexcept
    : core_(std::move(other.core_))
    , conn_(std::move(other.conn_))
    , created_(other.created_)
    , checked_out_(other.checked_out_) {}

pooled_connection& pooled_connection::operator=(pooled_connection&& other) noexcept {
    if (this != &other) {
        release();
        core_ = std::move(other.core_);
        conn_ = std::move(other.conn_);
        created_ = other.created_;
        checked_out_ = other.checked_out_;
    }
    return *this;
}

pooled_connection::~pooled_connection() {
    release();
}

void pooled_connection::release() noexcept {
    if (!core_) return;
    auto core = std::move(core_);
    core_.reset();
    core->give_back(std::move(conn_), created_, checked_out_);
}

// ---- pool ---------------------------------------------------------------------------------------

pool::pool(executor_type ex, config cfg, pool_options options)
    : ex_(std::move(ex))
    , options_(options)
    , core_(std::make_shared<detail::pool_core>(ex_, std::move(cfg), options_)) {
    core_->start();
}

pool::pool(executor_type ex, std::string_view conninfo, pool_options options)
    : pool(std::move(ex), parse_config(conninfo), options) {}

pool::~pool() {
    core_->shut_down();
}

pool_stats pool::stats() const {
    return core_->stats();
}

asio::awaitable<pooled_connection> pool::acquire() {
    return core_->acquire();
}

asio::awaitable<void> pool::close() {
    return core_->close();
}

} // namespace turbopg::wire
