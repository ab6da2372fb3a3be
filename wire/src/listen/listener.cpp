#include <turbopg/wire/listener.hpp>

#include "io/connection_impl.hpp"
#include "listen/channel_sql.hpp"
#include "listen/listener_state.hpp"

namespace turbopg::wire {

namespace {
[[noreturn]] void throw_closed() {
    throw error(make_error_code(errc::connection_closed), "the listener is closed");
}

const std::shared_ptr<detail::listener_state>&
open_state(const std::shared_ptr<detail::listener_state>& s) {
    if (!s || s->stopped()) throw_closed();
    return s;
}

// Runs LISTEN or UNLISTEN. When the session broke meanwhile, that is not the caller's failure:
// the channel set already says what the next session will listen to.
asio::awaitable<void> run_on_session(std::shared_ptr<detail::listener_state> s, std::string sql) {
    auto engine = s->conn.impl(); // kept alive: a reconnect may replace the session meanwhile
    try {
        co_await s->conn.simple_query(sql);
    } catch (const error&) {
        if (s->stopped()) throw_closed();
        if (!engine->is_open()) co_return;
        throw;
    }
}
} // namespace

listener::listener() noexcept = default;
listener::listener(std::shared_ptr<detail::listener_state> state) noexcept
    : state_(std::move(state)) {}
listener::listener(listener&&) noexcept = default;
listener& listener::operator=(listener&& other) noexcept {
    if (this != &other) {
        listener old(std::move(*this));
        state_ = std::move(other.state_);
    }
    return *this;
}

listener::~listener() {
    if (!state_) return;
    state_->stop();
    if (auto& engine = state_->conn.impl()) engine->abandon();
}

asio::awaitable<listener> listener::connect(executor_type ex, const config& cfg,
                                            listener_options options) {
    auto session = co_await wire::connection::connect(ex, cfg);
    auto state = std::make_shared<detail::listener_state>(ex, cfg, options);
    state->attach(session);
    state->conn = std::move(session);
    co_return listener(std::move(state));
}

asio::awaitable<listener> listener::connect(executor_type ex, std::string_view conninfo,
                                            listener_options options) {
    co_return co_await connect(std::move(ex), parse_config(conninfo), options);
}

listener::executor_type listener::get_executor() const {
    return state_->ex;
}

asio::awaitable<void> listener::listen(std::string_view channel) {
    auto s = open_state(state_);
    listen::check_channel_name(channel);
    bool added = s->channels.emplace(channel).second;
    try {
        co_await run_on_session(s, listen::listen_sql(channel));
    } catch (const error&) {
        // Refused by the server: not listened to, so not to be listened to after a reconnect.
        if (auto it = s->channels.find(channel); added && it != s->channels.end())
            s->channels.erase(it);
        throw;
    }
}

asio::awaitable<void> listener::unlisten(std::string_view channel) {
    auto s = open_state(state_);
    listen::check_channel_name(channel);
    if (auto it = s->channels.find(channel); it != s->channels.end()) s->channels.erase(it);
    co_await run_on_session(s, listen::unlisten_sql(channel));
}

std::vector<std::string> listener::channels() const {
    if (!state_) return {};
    return {state_->channels.begin(), state_->channels.end()};
}

asio::awaitable<listener_event> listener::next() {
    auto s = open_state(state_);
    listener_event event;
    for (;;) {
        if (s->stopped()) throw_closed();
        if (s->pop(event)) co_return event;
        if (!co_await s->wait())
            throw error(make_error_code(errc::cancelled), "waiting for a notification");
    }
}

std::size_t listener::queued() const noexcept {
    return state_ ? state_->queued() : 0;
}

wire::connection& listener::connection() noexcept {
    return state_->conn;
}

asio::awaitable<void> listener::close() {
    if (!state_ || state_->stopped()) co_return;
    auto s = state_;
    s->stop();
    co_await s->conn.close();
}

} // namespace turbopg::wire
