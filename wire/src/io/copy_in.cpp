// COPY FROM STDIN (protocol docs, "COPY Operations"): the corked request, the writer's
// operations on it, and the refusal of copy-in mode for requests that do not stream data.
#include "io/copy_in.hpp"

#include "io/cancel.hpp"

#include <turbopg/wire/connection.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

namespace turbopg::wire::io {

using namespace proto;

namespace {

constexpr auto await_event = asio::experimental::as_tuple(asio::use_awaitable);

void raise_outcome(const request& r) {
    if (r.ec) throw error(r.ec, r.message);
    if (auto* e = r.response.server_error()) throw error(*e);
    if (auto ec = r.response.client_error()) throw error(ec, r.response.client_message());
}

// Throws unless the writer may still send data: the server's error if it ended the COPY.
void check_open(const copy_in_state& c) {
    if (c.state != copy_in_state::phase::copying)
        throw error(make_error_code(errc::copy_mismatch),
                    "the COPY FROM STDIN was already finished or aborted");
    if (c.req.done) raise_outcome(c.req);
}

asio::awaitable<void> keep_until_done(std::shared_ptr<copy_in_state> c) {
    while (!c->req.done)
        co_await c->req.wake.wait();
}

// Replaces what was not yet written of the COPY by CopyFail: the server then ends it with an
// error (SQLSTATE 57014) and is ready for the next request.
void queue_copy_fail(copy_in_state& c, std::string_view reason) {
    c.req.copy_data.clear();
    byte_writer w(c.req.copy_data);
    encode_copy_fail(w, reason);
    c.state = copy_in_state::phase::ended;
}

} // namespace

namespace {

// ASCII case folding by hand: this runs for every query sent as text, and std::tolower (a
// locale-aware library call per character) showed in profiles of short ORM queries.
bool is_copy_at(std::string_view sql, std::size_t i) noexcept {
    auto folded = [](char ch) { return static_cast<char>(ch | 0x20); };
    return i + 4 <= sql.size() && folded(sql[i]) == 'c' && folded(sql[i + 1]) == 'o' &&
           folded(sql[i + 2]) == 'p' && folded(sql[i + 3]) == 'y';
}

// Where the first token of `sql` starts: after whitespace, -- comments and (nested) /* */
// comments, as PostgreSQL's lexer skips them.
std::size_t first_token(std::string_view sql) noexcept {
    std::size_t i = 0;
    while (i < sql.size()) {
        char ch = sql[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v') {
            ++i;
        } else if (sql.substr(i, 2) == "--") {
            auto end = sql.find('\n', i);
            i = end == std::string_view::npos ? sql.size() : end + 1;
        } else if (sql.substr(i, 2) == "/*") {
            int depth = 0;
            do {
                if (sql.substr(i, 2) == "/*") {
                    ++depth;
                    i += 2;
                } else if (sql.substr(i, 2) == "*/") {
                    --depth;
                    i += 2;
                } else {
                    ++i;
                }
            } while (depth > 0 && i < sql.size());
        } else {
            break;
        }
    }
    return i;
}

} // namespace

request::cork_kind copy_cork(std::string_view sql, request::cork_kind kind) noexcept {
    if (kind == request::cork_kind::extended) {
        // Parse takes one statement, and only a COPY statement itself can start COPY FROM
        // STDIN (not a CTE, a function or EXPLAIN): its first keyword decides, and the rest of
        // the text need not be read.
        auto i = first_token(sql);
        return is_copy_at(sql, i) ? kind : request::cork_kind::none;
    }
    // A simple query may hold several statements: any mention of COPY corks it.
    for (std::size_t i = 0; i + 4 <= sql.size(); ++i)
        if (is_copy_at(sql, i)) return kind;
    return request::cork_kind::none;
}

const char* copy_in_state::sink::on_copy_in(std::int8_t format,
                                            std::span<const std::int16_t> column_formats) {
    if (s_.state == phase::abandoned) return "copy_in cancelled by the client";
    if (s_.state != phase::starting) return "copy_in runs a single COPY FROM STDIN";
    s_.overall = static_cast<wire::format>(format);
    s_.columns.clear();
    for (auto f : column_formats)
        s_.columns.push_back(static_cast<wire::format>(f));
    s_.state = phase::copying;
    s_.req.wake.fire();
    return nullptr;
}

// ---- the cork (connection_impl) ---------------------------------------------------------------

void connection_impl::uncork(request& r) {
    if (auto it = std::find(corks_.begin(), corks_.end(), &r); it != corks_.end()) corks_.erase(it);
    r.copy_data.clear(); // the server has ended the COPY: it would drop them anyway
    if (r.copy_room) r.copy_room->cancel();
    flush();
}

std::error_code connection_impl::refuse_copy_in(request& r) {
    // Uncorked (a COPY in a batch or an explicitly prepared statement), later requests may be on
    // the wire already and the server would take them for COPY data: the connection is lost.
    if (r.cork == request::cork_kind::none) return make_error_code(errc::protocol_violation);
    r.copy_data.clear();
    byte_writer w(r.copy_data);
    encode_copy_fail(w, r.response.copy_in_refusal());
    // The server ignores Sync in copy-in mode, so the request's own Sync did not count; after an
    // extended-protocol COPY fails the server skips to the next Sync.
    if (r.cork == request::cork_kind::extended) encode_sync(w);
    flush();
    return {};
}

// ---- the writer's operations -----------------------------------------------------------------

asio::awaitable<std::shared_ptr<copy_in_state>>
connection_impl::start_copy_in(std::string_view sql) {
    if (broken_) throw error(broken_ec_, broken_message_);
    auto c = std::make_shared<copy_in_state>(shared_from_this());
    c->req.cork = request::cork_kind::simple;
    enqueue(c->req, [&](byte_writer& w) { encode_query(w, sql); });
    while (!c->req.done && c->state == copy_in_state::phase::starting) {
        co_await c->req.wake.wait();
        auto cancellation = co_await asio::this_coro::cancellation_state;
        if (!c->req.done && c->state == copy_in_state::phase::starting && cancelled(cancellation)) {
            c->state = copy_in_state::phase::abandoned;
            copy_in_abandon(c);
            throw error(make_error_code(errc::cancelled), "copy_in");
        }
    }
    if (c->state != copy_in_state::phase::copying) {
        raise_outcome(c->req);
        throw error(make_error_code(errc::copy_mismatch),
                    "copy_in needs a COPY ... FROM STDIN statement, but the server ran \"" +
                        c->tag + "\"");
    }
    co_return c;
}

asio::awaitable<void> connection_impl::copy_in_wait_for_room(copy_in_state& c) {
    co_await c.room.async_wait(await_event);
    auto cancellation = co_await asio::this_coro::cancellation_state;
    if (!c.req.done && cancelled(cancellation)) {
        queue_copy_fail(c, "COPY cancelled by the client");
        flush();
        throw error(make_error_code(errc::cancelled), "COPY FROM STDIN write");
    }
    check_open(c);
}

asio::awaitable<void> connection_impl::copy_in_write(copy_in_state& c, byte_view data) {
    check_open(c);
    auto& buffer = c.req.copy_data;
    for (;;) {
        auto room = copy_writer::buffer_size - std::min(buffer.size(), copy_writer::buffer_size);
        auto n = std::min(room, data.size());
        if (n > 0) append_copy_data(buffer, data.first(n));
        data = data.subspan(n);
        if (buffer.size() >= copy_writer::buffer_size) flush(); // may take it at once
        if (data.empty()) co_return;
        if (buffer.size() < copy_writer::buffer_size) continue;
        co_await copy_in_wait_for_room(c);
    }
}

asio::awaitable<void> connection_impl::copy_in_write_message(copy_in_state& c, bytes& message) {
    auto data = byte_view(message).subspan(detail::copy_data_header_size);
    if (data.size() > 2 * copy_writer::buffer_size) {
        // Huge rows: cut into buffer-sized CopyData messages (the server takes at most 1 GB in
        // one message).
        co_await copy_in_write(c, data);
        message.clear();
        co_return;
    }
    check_open(c);
    auto& buffer = c.req.copy_data;
    while (buffer.size() >= copy_writer::buffer_size)
        co_await copy_in_wait_for_room(c);
    if (buffer.empty()) {
        // The message becomes the buffer, and the buffer's (empty) storage the next message's.
        message[0] = static_cast<std::byte>('d');
        store_be(message.data() + 1, static_cast<std::uint32_t>(message.size() - 1));
        std::swap(buffer, message);
    } else { // small pieces written before: this data joins their CopyData
        append_copy_data(buffer, data);
    }
    message.clear();
    if (buffer.size() >= copy_writer::buffer_size) flush();
}

asio::awaitable<std::uint64_t> connection_impl::copy_in_finish(copy_in_state& c) {
    check_open(c);
    byte_writer w(c.req.copy_data);
    encode_copy_done(w);
    c.state = copy_in_state::phase::ended;
    flush();
    bool cancel_sent = false;
    // The caller's cancellation stays set (see submit()): the waits for the answer must not throw.
    const bool throwing = co_await asio::this_coro::throw_if_cancelled();
    if (throwing) co_await asio::this_coro::throw_if_cancelled(false);
    while (!c.req.done) {
        auto reason = co_await c.req.wake.wait();
        if (reason != wake_reason::cancelled || c.req.done || cancel_sent) continue;
        cancel_sent = true;
        if (!c.req.copy_data.empty()) { // CopyDone not written yet: fail the COPY instead
            queue_copy_fail(c, "COPY cancelled by the client");
            flush();
        } else { // the server is committing the COPY
            co_await cancel_on_server();
        }
    }
    if (throwing) co_await asio::this_coro::throw_if_cancelled(true);
    if (cancel_sent && c.req.response.server_error() &&
        c.req.response.server_error()->sqlstate == "57014")
        throw error(make_error_code(errc::cancelled), "COPY FROM STDIN finish");
    raise_outcome(c.req);
    co_return rows_affected(c.tag);
}

asio::awaitable<void> connection_impl::copy_in_abort(copy_in_state& c, std::string_view reason) {
    if (!c.req.done && c.state == copy_in_state::phase::copying) {
        queue_copy_fail(c, reason);
        flush();
    }
    // Too late to stop: a cancellation of the caller's (which stays set) does not end the wait.
    const bool throwing = co_await asio::this_coro::throw_if_cancelled();
    if (throwing) co_await asio::this_coro::throw_if_cancelled(false);
    while (!c.req.done)
        co_await c.req.wake.wait();
    if (throwing) co_await asio::this_coro::throw_if_cancelled(true);
    if (c.req.ec) throw error(c.req.ec, c.req.message);
}

void connection_impl::copy_in_abandon(std::shared_ptr<copy_in_state> c) noexcept {
    if (c->req.done) return;
    if (c->state == copy_in_state::phase::copying) {
        queue_copy_fail(*c, "COPY writer destroyed before finish");
        flush();
    }
    asio::co_spawn(get_executor(), keep_until_done(std::move(c)), asio::detached);
}

} // namespace turbopg::wire::io

namespace turbopg::wire {

copy_writer::copy_writer(std::shared_ptr<io::copy_in_state> state) noexcept
    : state_(std::move(state)) {}
copy_writer::copy_writer(copy_writer&&) noexcept = default;
copy_writer& copy_writer::operator=(copy_writer&& other) noexcept {
    if (this != &other) {
        if (state_) state_->conn->copy_in_abandon(std::move(state_));
        state_ = std::move(other.state_);
    }
    return *this;
}
copy_writer::~copy_writer() {
    if (state_) state_->conn->copy_in_abandon(std::move(state_));
}

format copy_writer::overall_format() const noexcept {
    return state_ ? state_->overall : format::text;
}
std::span<const format> copy_writer::column_formats() const noexcept {
    return state_ ? std::span<const format>(state_->columns) : std::span<const format>();
}
bool copy_writer::is_open() const noexcept {
    return state_ && !state_->req.done && state_->state == io::copy_in_state::phase::copying;
}

namespace {
void check_writer(const std::shared_ptr<io::copy_in_state>& s) {
    if (!s) throw error(make_error_code(errc::copy_mismatch), "the copy writer has no COPY");
}
} // namespace

asio::awaitable<void> copy_writer::write(std::span<const std::byte> data) {
    check_writer(state_);
    auto keep = state_;
    co_await keep->conn->copy_in_write(*keep, data);
}
asio::awaitable<void> copy_writer::write_message(bytes& message) {
    check_writer(state_);
    auto keep = state_;
    co_await keep->conn->copy_in_write_message(*keep, message);
}
asio::awaitable<void> copy_writer::write(std::string_view data) {
    co_await write(proto::as_bytes(data));
}
asio::awaitable<std::uint64_t> copy_writer::finish() {
    check_writer(state_);
    auto keep = state_;
    co_return co_await keep->conn->copy_in_finish(*keep);
}
asio::awaitable<void> copy_writer::abort(std::string_view reason) {
    check_writer(state_);
    auto keep = state_;
    co_await keep->conn->copy_in_abort(*keep, reason);
}

asio::awaitable<copy_writer> connection::copy_in(std::string_view sql) {
    co_return copy_writer(co_await impl_->start_copy_in(sql));
}

namespace detail {
std::string copy_rows_problem(const copy_writer& w, std::size_t members) {
    if (w.overall_format() != format::binary)
        return "copy_in_rows needs COPY ... FROM STDIN (FORMAT binary)";
    if (w.column_formats().size() != members)
        return "the COPY has " + std::to_string(w.column_formats().size()) +
               " columns, but the rows have " + std::to_string(members) + " values";
    return {};
}
} // namespace detail

} // namespace turbopg::wire
