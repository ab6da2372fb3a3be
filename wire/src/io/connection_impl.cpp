#include "io/connection_impl.hpp"

#include "common/log.hpp"
#include "io/cancel.hpp"

#include <turbopg/wire/codec.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/dispatch.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <cstring>
#include <limits>

namespace turbopg::wire::io {

using namespace proto;

namespace {
// How many unanswered statements the server must have before new requests are held back (see
// holding_back).
constexpr std::size_t pipeline_hold_depth = 32;

// Runs a handler of the application's inside the reader: an exception it throws is logged and
// dropped, since letting it out would stop the reader and leave every request hanging.
template <class F>
void call_application(const char* what, F&& f) noexcept {
    try {
        f();
    } catch (const std::exception& e) {
        detail::log(log_level::error, [&] { return std::string(what) + " threw: " + e.what(); });
    } catch (...) {
        detail::log(log_level::error, [&] { return std::string(what) + " threw"; });
    }
}
} // namespace

void request_outcome::raise() const {
    if (ec) throw error(ec, message);
    if (server_error) throw error(*server_error);
}

connection_impl::connection_impl(transport t, connection_options opts)
    : transport_(std::move(t))
    , opts_(opts)
    , poll_(opts.busy_poll)
    , statements_(opts.statement_cache_size) {
    in_.resize(initial_read_buffer);
}

connection_impl::~connection_impl() {
    transport_.close();
}

std::string connection_impl::parameter(std::string_view name) const {
    auto it = parameters_.find(name);
    return it == parameters_.end() ? std::string() : it->second;
}

// ---- reading ---------------------------------------------------------------------------------

namespace {
[[noreturn, gnu::noinline]] void throw_bad_frame(errc ec) {
    throw error(make_error_code(ec), "reading from the server");
}
} // namespace

// Inline into the reader's loop: it runs for every message.
inline std::optional<frame> connection_impl::buffered_frame() {
    auto r =
        next_frame(byte_view(in_.data() + in_begin_, in_end_ - in_begin_), opts_.max_message_size);
    if (r.status == frame_status::complete) [[likely]] {
        in_begin_ += r.msg.size;
        return r.msg;
    }
    if (r.status == frame_status::error) throw_bad_frame(r.ec);
    make_room(r.needed);
    return std::nullopt;
}

[[gnu::noinline]] void connection_impl::make_room(std::size_t needed) {
    if (in_begin_ == in_end_ && in_.size() > max_kept_buffer && needed <= initial_read_buffer) {
        proto::bytes(initial_read_buffer).swap(in_);
        in_begin_ = in_end_ = 0;
        return;
    }
    // Make room for the whole message: move the partial one to the front, grow if needed.
    if (in_begin_ > 0) {
        std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
        in_end_ -= in_begin_;
        in_begin_ = 0;
    }
    if (in_.size() < needed) in_.resize(std::max(needed, in_.size() * 2));
}

asio::awaitable<frame> connection_impl::read_frame() {
    for (;;) {
        if (auto f = buffered_frame()) co_return *f;
        auto n =
            co_await transport_.read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_));
        in_end_ += n;
    }
}

void connection_impl::read_on(std::shared_ptr<connection_impl> self, std::error_code read_error) {
    // After a FATAL error outside any request (e.g. pg_terminate_backend on an idle session), its
    // text explains the break better than "unexpected message".
    auto unexpected = [this]() -> std::string {
        return broken_message_.empty() ? "unexpected message from the server" : broken_message_;
    };
    try {
        if (read_error) throw_transport_error(read_error, "reading from the server");
        while (!broken_) {
            // Handle every complete message already buffered (DataRows in this tight loop); only
            // read from the socket when the next one is incomplete.
            if (auto f = buffered_frame()) {
                if (auto ec = dispatch(*f)) fail_all(ec, unexpected());
                continue;
            }
            // The requests completed by what was read resume now, before the reader waits for
            // more: they run here rather than in a handler posted for each.
            resume_completed();
            if (broken_) break;
            switch (poll_socket()) {
            case poll_step::data:
                continue;
            case poll_step::again:
                asio::post(get_executor(), [self = std::move(self)]() mutable {
                    auto* c = self.get();
                    c->read_on(std::move(self));
                });
                return;
            case poll_step::sleep:
                break;
            }
            // A completion handler, not a coroutine: a small operation Asio recycles, where a
            // co_await would allocate a coroutine frame for every read.
            transport_.async_read_some(
                asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                [self = std::move(self)](std::error_code ec, std::size_t n) mutable {
                    auto* c = self.get();
                    if (!ec) {
                        c->in_end_ += n;
                        c->last_answer_from_this_cpu_ =
                            c->poll_.ends_backoff() && c->transport_.sent_from_this_cpu();
                    }
                    c->read_on(std::move(self), ec);
                });
            return;
        }
    } catch (const std::system_error& e) {
        // Closed by us (abandon, close) or lost: either way every pending request fails.
        auto ec = e.code() == asio::error::operation_aborted
                      ? make_error_code(errc::connection_closed)
                      : e.code();
        fail_all(ec, broken_message_.empty() ? std::string(e.what()) : broken_message_);
    }
    resume_completed();
}

connection_impl::poll_step connection_impl::poll_socket() {
    // TLS records cannot be read without waiting through Asio's stream: no polling there.
    if (!poll_.polling() && (in_flight_ == 0 || transport_.is_tls() ||
                             !poll_.begin(busy_poll::clock::now(), last_answer_from_this_cpu_)))
        return poll_step::sleep;
    if (auto n = transport_.try_read(asio::buffer(in_.data() + in_end_, in_.size() - in_end_))) {
        in_end_ += n;
        poll_.found(poll_.needs_sender_cpu() && transport_.sent_from_this_cpu());
        return poll_step::data;
    }
    return poll_.keep_polling(busy_poll::clock::now()) ? poll_step::again : poll_step::sleep;
}

void connection_impl::resume_completed() {
    // Swapped out first: the coroutines resumed here may issue requests, never complete them.
    std::swap(completed_, resuming_);
    for (auto& h : resuming_) {
        auto ex = asio::get_associated_executor(h);
        // Inline when the coroutine runs on the reader's executor (as it should), else posted.
        asio::dispatch(ex, [h = std::move(h)]() mutable { std::move(h)(wake_reason::signalled); });
    }
    resuming_.clear();
}

[[gnu::noinline]] std::error_code connection_impl::dispatch_asynchronous(const frame& f) {
    switch (f.type) {
    case msg::notice_response: {
        server_diagnostics d;
        if (auto ec = parse_diagnostics(f.body, d)) return ec;
        if (notice_handler_) call_application("the notice handler", [&] { notice_handler_(d); });
        return {};
    }
    case msg::parameter_status: {
        parameter_status p;
        if (auto ec = parse(f.body, p)) return ec;
        parameters_.insert_or_assign(std::string(p.name), std::string(p.value));
        return {};
    }
    default: {
        proto::notification n;
        if (auto ec = parse(f.body, n)) return ec;
        if (notification_handler_)
            call_application("the notification handler", [&] {
                notification_handler_({std::string(n.channel), std::string(n.payload), n.pid});
            });
        return {};
    }
    }
}

[[gnu::noinline]] std::error_code connection_impl::note_error_response(const frame& f) {
    // A FATAL error means the server is about to close the connection (e.g. 57P01 from
    // pg_terminate_backend or a shutdown): remember why for the error every pending request
    // will see. Without a request, that is the only error the server may send.
    server_diagnostics d;
    if (auto ec = parse_diagnostics(f.body, d)) return ec;
    auto& severity = d.severity_nonlocalized.empty() ? d.severity : d.severity_nonlocalized;
    if (severity == "FATAL" || severity == "PANIC")
        broken_message_ =
            "server closed the connection: " + d.message + " (SQLSTATE " + d.sqlstate + ")";
    if (!head_) return make_error_code(errc::connection_closed);
    return {};
}

std::error_code connection_impl::dispatch(const frame& f) {
    switch (f.type) {
    case msg::notice_response:
    case msg::parameter_status:
    case msg::notification_response:
        return dispatch_asynchronous(f);
    case msg::error_response:
        if (auto ec = note_error_response(f)) return ec;
        break;
    default:
        break;
    }
    if (!head_) return make_error_code(errc::protocol_violation);
    bool done = false;
    if (auto ec = head_->response.on_message(f, done)) return ec;
    if (f.type == msg::copy_in_response && head_->response.copy_in_refusal())
        return refuse_copy_in(*head_);
    if (done) {
        auto* r = pop();
        if (r->cork != request::cork_kind::none) uncork(*r);
        tx_status_ = r->response.transaction_status();
        r->done = true;
        if (auto h = r->wake.take()) completed_.push_back(std::move(*h));
        if (head_ && head_->wants_cancel) head_->wake.fire(); // its turn to send the cancel
    }
    return {};
}

void connection_impl::fail_all(std::error_code ec, const std::string& message) {
    bool breaking = !broken_;
    if (breaking) {
        detail::log(ec == errc::connection_closed && message == "connection closed by the client"
                        ? log_level::debug
                        : log_level::warn,
                    [&] {
                        return "connection (backend pid " + std::to_string(key_.pid) +
                               ") broken: " + message + " (" + ec.message() + ")";
                    });
        broken_ = true;
        broken_ec_ = ec;
        broken_message_ = message;
    }
    corks_.clear();
    while (auto* r = pop()) {
        if (r->copy_room) r->copy_room->cancel();
        r->ec = broken_ec_;
        r->message = broken_message_;
        r->done = true;
        r->wake.fire();
    }
    transport_.close();
    if (breaking && broken_handler_) {
        auto handler = std::move(broken_handler_); // once; and it may replace itself
        handler(broken_ec_, broken_message_);
    }
}

void connection_impl::note_discard(const server_diagnostics& d) {
    static constexpr std::string_view fatal_for_session[] = {"25006", "57P01", "57P02", "57P03"};
    if (std::find(std::begin(fatal_for_session), std::end(fatal_for_session), d.sqlstate) !=
        std::end(fatal_for_session))
        discard_reason_ = d.message + " (SQLSTATE " + d.sqlstate + ")";
}

void connection_impl::abandon() noexcept {
    if (!broken_) fail_all(make_error_code(errc::connection_closed), "connection dropped");
}

void connection_impl::push(request& r) {
    r.next = nullptr;
    if (tail_)
        tail_->next = &r;
    else
        head_ = &r;
    tail_ = &r;
    if (!write_cursor_) write_cursor_ = &r;
}

request* connection_impl::pop() {
    auto* r = head_;
    if (r) {
        head_ = r->next;
        if (!head_) tail_ = nullptr;
        if (write_cursor_ == r) // never written (the connection is failing)
            write_cursor_ = r->next;
        else {
            bool held = holding_back();
            --awaiting_;
            awaiting_statements_ -= r->statements;
            if (held && !holding_back() && !broken_ && write_due())
                flush(); // the server is down to a short queue: send what was held back
        }
        release_slot(); // here, for every kind of request (query, COPY, detached)
    }
    return r;
}

// ---- writing ---------------------------------------------------------------------------------

void connection_impl::flush() {
    if (writing_ || !write_due()) return;
    writing_ = true;
    // Posted, so that every request issued before it runs is coalesced into the same write.
    asio::post(get_executor(), [self = shared_from_this()] { self->write_now(); });
}

bool connection_impl::write_due() const noexcept {
    return written_ < std::min(appended_, write_limit()) || copy_data_due();
}

std::uint64_t connection_impl::write_limit() const noexcept {
    // While requests are being cancelled, nothing queued after the last of them is sent: a
    // CancelRequest cannot hit a request written after it was asked for. (One written before it
    // can be hit: PostgreSQL cancels whatever the session runs when the CancelRequest arrives,
    // and the request that asked may have finished just before.)
    std::uint64_t limit = std::numeric_limits<std::uint64_t>::max();
    if (!cancelling_.empty()) limit = *std::max_element(cancelling_.begin(), cancelling_.end());
    if (!corks_.empty()) limit = std::min(limit, corks_.front()->end);
    if (holding_back()) limit = std::min(limit, written_);
    return limit;
}

bool connection_impl::holding_back() const noexcept {
    // A deep pipeline: while the server still has pipeline_hold_depth statements to answer, in
    // more than one request, new requests are held back and go out together once it is down to
    // fewer (or to its last request, e.g. one batch). They would wait behind those on the server
    // anyway, so this costs them nothing, and one write then carries many requests instead of
    // one or two per completion (each write wakes the server). Not while a COPY or a cancel is
    // in flight, whose bytes must go out as they come.
    return awaiting_statements_ >= pipeline_hold_depth && awaiting_ >= 2 && corks_.empty() &&
           cancelling_.empty();
}

void connection_impl::advance_write_cursor() noexcept {
    while (write_cursor_ && write_cursor_->end <= written_) {
        ++awaiting_;
        awaiting_statements_ += write_cursor_->statements;
        write_cursor_ = write_cursor_->next;
    }
}

bool connection_impl::next_chunk() {
    sending_.clear();
    if (sending_.capacity() > max_kept_buffer) proto::bytes().swap(sending_);
    sent_ = 0;
    if (broken_) return false;
    auto allowed = std::min(appended_, write_limit()) - written_;
    if (allowed == 0) {
        if (!copy_data_due()) return false;
        // At a corked request: its copy-in messages go out now, while the next batch fills
        // behind them (the writer of copy_data waits for copy_room).
        auto& r = *corks_.front();
        std::swap(r.copy_data, sending_);
        if (r.copy_room) r.copy_room->cancel();
        return true;
    }
    if (allowed >= out_.size()) {
        std::swap(out_, sending_);
    } else { // corked: send only up to the limit
        sending_.assign(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(allowed));
        out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(allowed));
    }
    written_ += sending_.size();
    advance_write_cursor();
    return true;
}

void connection_impl::write_now() {
    try {
        // Everything queued by now goes out in one write; whatever the socket does not take at
        // once is left to writer_loop.
        while (next_chunk()) {
            while (sent_ < sending_.size()) {
                auto n = transport_.try_write(
                    asio::buffer(sending_.data() + sent_, sending_.size() - sent_));
                if (n == 0) {
                    asio::co_spawn(get_executor(), writer_loop(shared_from_this()), asio::detached);
                    return;
                }
                sent_ += n;
            }
        }
    } catch (const std::system_error& e) {
        fail_all(e.code(), e.what());
    }
    writing_ = false;
}

asio::awaitable<void>
connection_impl::writer_loop(std::shared_ptr<connection_impl> /*keep_alive*/) {
    try {
        // Finishes the chunk write_now() started; everything queued while a write was in flight
        // goes out in the next single write.
        do {
            if (sent_ < sending_.size())
                co_await transport_.write(
                    asio::buffer(sending_.data() + sent_, sending_.size() - sent_));
        } while (next_chunk());
    } catch (const std::system_error& e) {
        fail_all(e.code(), e.what());
    }
    writing_ = false;
}

// ---- requests --------------------------------------------------------------------------------

std::byte* bind_execute::write_bind(byte_writer& w, std::size_t then) const {
    auto at = begin_bind(w, "", statement, param_formats, param_count);
    write_params(w.buffer());
    return end_bind(w, at, result_formats, then);
}

void bind_execute::operator()(byte_writer& w) const {
    put_sync(put_execute(write_bind(w, execute_size("") + sync_size), "", 0));
}

template <class Result>
asio::awaitable<Result> connection_impl::submit(ops::result_sink& sink, request_writer write,
                                                request::cork_kind cork, std::uint32_t statements) {
    // The caller's cancellation is never cleared here: as everywhere in Asio, a cancelled
    // coroutine stays cancelled (its next co_await throws operation_aborted) until it resets its
    // cancellation state, so an operation of several requests stops at the next one.
    auto state = co_await asio::this_coro::cancellation_state;
    // Backpressure: beyond max_in_flight requests, wait for one to complete.
    while (!cancelled(state) && max_in_flight_ > 0 && in_flight_ >= max_in_flight_ && !broken_) {
        if (!slot_free_)
            slot_free_ = std::make_unique<asio::steady_timer>(
                get_executor(), asio::steady_timer::time_point::max());
        co_await slot_free_->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    request_outcome out;
    // A cancellation that came before the request is sent (while it waited above, or during an
    // earlier step of the same operation) cancels it here: nothing goes out.
    if (cancelled(state)) {
        out.ec = make_error_code(errc::cancelled);
        out.message = "query cancelled before it was sent";
    } else if (broken_) {
        out.ec = broken_ec_;
        out.message = broken_message_;
    }
    if (out.ec) {
        if constexpr (std::is_void_v<Result>)
            out.raise();
        else
            co_return out;
    }
    request r(sink);
    r.response.share_field_buffer(fields_);
    r.cork = cork;
    r.statements = statements;
    enqueue(r, write);
    // The query timeout: a timer, only when one is set, that fires the request's wake event. Its
    // handler may run after this frame is gone, so it shares a small state with it.
    struct deadline_state {
        explicit deadline_state(const asio::any_io_executor& ex)
            : timer(ex) {}
        asio::steady_timer timer;
        wake_event* wake = nullptr;
    };
    std::shared_ptr<deadline_state> deadline;
    auto stop_deadline = [&] {
        if (!deadline) return;
        deadline->wake = nullptr;
        deadline->timer.cancel();
        deadline.reset();
    };
    if (query_timeout_.count() > 0) {
        deadline = std::make_shared<deadline_state>(get_executor());
        deadline->wake = &r.wake;
        deadline->timer.expires_after(query_timeout_);
        deadline->timer.async_wait([d = deadline](std::error_code ec) {
            if (!ec && d->wake) d->wake->fire(wake_reason::timed_out);
        });
    }

    // The reader completes the request (or fails it when the connection breaks) and fires its
    // event to wake us. The deadline firing it is the query timeout; the wait being cancelled is
    // the caller's cancellation (Asio per-operation cancellation). Either way the server is asked
    // to cancel and the response is still awaited, so the connection stays in step and usable.
    enum class stop { none, timeout, cancelled } why = stop::none;
    bool cancel_sent = false;
    // Nothing here may throw while the reader holds `r`: the caller's cancellation, which stays
    // set, must not make the waits below throw operation_aborted (the first one wakes us with
    // wake_reason::cancelled instead, and the answer is still awaited).
    const bool throwing = co_await asio::this_coro::throw_if_cancelled();
    if (throwing) co_await asio::this_coro::throw_if_cancelled(false);
    while (!r.done) {
        auto reason = co_await r.wake.wait();
        if (r.done) break;
        if (why == stop::none) {
            if (reason == wake_reason::signalled) continue;
            why = reason == wake_reason::timed_out ? stop::timeout : stop::cancelled;
            stop_deadline();
            r.wants_cancel = true;
            cancelling_.push_back(r.end);
            flush(); // a request held back (holding_back) must go out for its cancel to matter
        }
        // Cancel only once this request is the oldest in flight: the server is running it (or
        // has finished it, and then sits idle, where PostgreSQL ignores a cancel).
        if (r.wants_cancel && !cancel_sent && head_ == &r) {
            cancel_sent = true;
            detail::log(log_level::info, [&] {
                return std::string("cancelling a query on backend pid ") +
                       std::to_string(key_.pid) +
                       (why == stop::timeout ? " (query timeout)" : " (cancelled by the caller)");
            });
            co_await cancel_on_server();
        }
    }
    if (throwing) co_await asio::this_coro::throw_if_cancelled(true);
    stop_deadline();
    if (why != stop::none) {
        cancelling_.erase(std::find(cancelling_.begin(), cancelling_.end(), r.end));
        flush();
    }

    out.cancelled_by_caller = why == stop::cancelled;
    out.ec = r.ec;
    out.message = std::move(r.message);
    if (!out.ec) {
        out.failed_before_bind = r.response.failed_before_bind();
        out.server_error = r.response.take_server_error();
        if (out.server_error && discard_reason_.empty()) note_discard(*out.server_error);
        if (!out.server_error && r.response.client_error()) {
            out.ec = r.response.client_error();
            out.message = r.response.client_message();
        }
        out.transaction_status = r.response.transaction_status();
        if (why != stop::none && out.server_error && out.server_error->sqlstate == "57014") {
            // Our own cancel: report it as the client's timeout / cancellation.
            out.ec = make_error_code(why == stop::timeout ? errc::timeout : errc::cancelled);
            out.message =
                why == stop::timeout ? "query timed out and was cancelled" : "query cancelled";
            out.server_error.reset();
        }
    }
    if constexpr (std::is_void_v<Result>)
        out.raise();
    else
        co_return out;
}

template asio::awaitable<request_outcome>
connection_impl::submit<request_outcome>(ops::result_sink&, request_writer, request::cork_kind,
                                         std::uint32_t);
template asio::awaitable<void> connection_impl::submit<void>(ops::result_sink&, request_writer,
                                                             request::cork_kind, std::uint32_t);

void connection_impl::enqueue(request& r, detail::function_ref<void(byte_writer&)> write) {
    auto before = out_.size();
    byte_writer w(out_);
    try {
        // Close messages of evicted statements ride along; their CloseComplete is part of this
        // request's response.
        w.put_bytes(pending_closes_);
        write(w);
    } catch (...) {
        out_.resize(before); // e.g. a parameter that cannot be encoded: nothing was sent
        if (out_.capacity() > max_kept_buffer) out_.shrink_to_fit();
        throw;
    }
    pending_closes_.clear();
    appended_ += out_.size() - before;
    r.end = appended_;
    push(r);
    ++in_flight_;
    if (r.cork != request::cork_kind::none) corks_.push_back(&r);
    if (in_flight_ == 1 && !writing_ && write_due()) {
        // An idle connection: nothing to coalesce with, so the request goes out right away.
        writing_ = true;
        write_now();
    } else {
        flush();
    }
}

asio::awaitable<void> connection_impl::cancel_on_server() {
    try {
        // In a coroutine of its own, without the caller's cancellation slot: cancelling again
        // would only abort this cancel.
        co_await asio::co_spawn(
            get_executor(), send_cancel_request(get_executor(), cancel_target_, key_),
            asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
    } catch (const std::exception&) {
        // cannot reach the server: the response (or the broken connection) decides
    }
}

void connection_impl::release_slot() {
    --in_flight_;
    if (slot_free_) slot_free_->cancel();
}

void connection_impl::run_detached(std::string_view sql) {
    if (broken_) return;
    struct detached {
        detached()
            : r(sink) {}
        ops::result_sink sink;
        request r;
    };
    auto op = std::make_shared<detached>();
    enqueue(op->r, [&](byte_writer& w) { encode_query(w, sql); });
    detail::log(log_level::debug, [&] {
        return "backend pid " + std::to_string(key_.pid) + ": queued " + std::string(sql);
    });
    asio::co_spawn(
        get_executor(),
        // `self`: the connection lives on until the request's answer came.
        [op, self = shared_from_this()]() -> asio::awaitable<void> {
            while (!op->r.done)
                co_await op->r.wake.wait();
        },
        asio::detached);
}

asio::awaitable<void> connection_impl::run(ops::result_sink& sink,
                                           detail::function_ref<void(byte_writer&)> write,
                                           request::cork_kind cork) {
    return submit<void>(sink, write, cork);
}

namespace {

// Keeps what Parse + Describe(statement) return.
struct describe_sink final : ops::result_sink {
    ops::statement_description& stmt;
    explicit describe_sink(ops::statement_description& s)
        : stmt(s) {}
    void on_parameter_types(std::span<const std::uint32_t> t) override {
        stmt.param_types.assign(t.begin(), t.end());
    }
    void on_row_description(std::vector<column_description>&& c) override {
        // Decide each column's result format now: binary where a codec exists.
        stmt.result_formats.reserve(c.size());
        for (auto& col : c) {
            col.format = has_binary_codec(col.type_oid) ? 1 : 0;
            stmt.result_formats.push_back(col.format);
        }
        stmt.columns = std::make_shared<const std::vector<column_description>>(std::move(c));
    }
};

} // namespace

std::shared_ptr<const ops::statement_description>
connection_impl::find_cached(std::string_view sql, std::span<const std::uint32_t> param_types) {
    ops::statement_cache::make_key(key_scratch_, sql, param_types);
    auto hit = statements_.find(key_scratch_);
    if (key_scratch_.capacity() > max_kept_buffer) std::string().swap(key_scratch_);
    return hit;
}

asio::awaitable<std::shared_ptr<const ops::statement_description>>
connection_impl::prepare(std::string_view sql, std::span<const std::uint32_t> param_types) {
    auto key = ops::statement_cache::make_key(sql, param_types);
    if (auto hit = statements_.find(key)) co_return hit;
    // Another coroutine is preparing the same statement: wait for it rather than preparing a
    // twin (which would evict and close the first while it is being used).
    if (auto it = preparing_.find(key); it != preparing_.end()) {
        auto pending = it->second;
        while (!pending->finished)
            co_await pending->done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        if (pending->stmt) co_return pending->stmt;
    }

    auto pending = std::make_shared<pending_prepare>(get_executor());
    preparing_.emplace(key, pending);
    auto finish = [&] {
        pending->finished = true;
        pending->done.cancel();
        preparing_.erase(key);
    };
    auto stmt = std::make_shared<ops::statement_description>();
    stmt->name = statements_.next_name();
    describe_sink sink(*stmt);
    request_outcome out;
    try {
        out = co_await submit<request_outcome>(sink, [&](byte_writer& w) {
            encode_parse(w, stmt->name, sql, param_types);
            encode_describe(w, target::statement, stmt->name);
            encode_sync(w);
        });
        out.raise();
    } catch (...) {
        finish();
        throw;
    }
    for (const auto& evicted : statements_.insert(key, stmt))
        close_with_next_request(*evicted);
    pending->stmt = stmt;
    finish();
    // Cancelled by the caller, but too late to stop the preparation (the server ignores a
    // cancel between messages): the statement is kept, and the query it was for is not run.
    if (out.cancelled_by_caller) throw error(make_error_code(errc::cancelled), "query cancelled");
    co_return stmt;
}

void connection_impl::close_with_next_request(const ops::statement_description& stmt) {
    byte_writer w(pending_closes_);
    encode_close(w, target::statement, stmt.name);
}

asio::awaitable<void> connection_impl::execute(std::string_view sql,
                                               std::span<const std::uint32_t> param_types,
                                               std::span<const std::int16_t> param_formats,
                                               param_writer write_params, ops::result_sink& sink) {
    auto run_statement = [&](std::string_view statement,
                             std::span<const std::int16_t> result_formats) {
        return bind_execute{statement, static_cast<std::uint16_t>(param_types.size()),
                            param_formats, result_formats, write_params};
    };
    if (statements_.capacity() == 0) {
        // Unnamed statements only (PgBouncer in transaction mode): everything under one Sync, so
        // the pooler keeps it on one server. The column types are unknown when Bind is written,
        // so every column is requested in binary, and Describe(portal) tells the sink the
        // columns.
        static constexpr std::int16_t all_binary[] = {1};
        co_await submit<void>(
            sink,
            [&](byte_writer& w) {
                encode_parse(w, "", sql, param_types);
                auto* p = run_statement("", all_binary)
                              .write_bind(w, describe_size("") + execute_size("") + sync_size);
                put_sync(put_execute(put_describe(p, target::portal, ""), "", 0));
            },
            copy_cork(sql, request::cork_kind::extended));
        co_return;
    }
    for (int attempt = 0;; ++attempt) {
        auto stmt = find_cached(sql, param_types);
        const bool cached = stmt != nullptr; // one prepared just now cannot be stale
        if (!cached) stmt = co_await prepare(sql, param_types);
        sink.on_columns(stmt->columns);
        auto out = co_await submit(sink, run_statement(stmt->name, stmt->result_formats),
                                   copy_cork(sql, request::cork_kind::extended));
        if (cached && out.stale_statement()) {
            // The server dropped our statement or found it stale (schema change, DISCARD ALL):
            // forget it, and retry once when not inside a transaction (inside one the
            // transaction is already aborted, as PostgreSQL's rules say). An error of the
            // parameters' own (22P02) meets the retry again and is raised then. An invalidated
            // statement still exists on the server: its Close goes out with the next request
            // (the retry's Parse, if any). Closing one that is gone (26000) is no error.
            if (statements_.erase(ops::statement_cache::make_key(sql, param_types), *stmt))
                close_with_next_request(*stmt);
            if (attempt == 0 && out.transaction_status == 'I') continue;
        }
        out.raise();
        co_return;
    }
}

asio::awaitable<std::shared_ptr<const ops::statement_description>>
connection_impl::prepare_named(std::string_view sql, std::span<const std::uint32_t> param_types) {
    auto stmt = std::make_shared<ops::statement_description>();
    stmt->name = "turbopg_p" + std::to_string(++prepared_counter_);
    describe_sink sink(*stmt);
    co_await submit<void>(sink, [&](byte_writer& w) {
        encode_parse(w, stmt->name, sql, param_types);
        encode_describe(w, target::statement, stmt->name);
        encode_sync(w);
    });
    co_return stmt;
}

asio::awaitable<void> connection_impl::execute_prepared(
    std::string_view name, std::size_t param_count, detail::column_list columns,
    std::span<const std::int16_t> result_formats, std::span<const std::int16_t> param_formats,
    param_writer write_params, ops::result_sink& sink) {
    // Not a coroutine: the request keeps the bind_execute, so no frame of this function needs to
    // outlive the call (one frame less per query).
    sink.on_columns(std::move(columns));
    return submit<void>(sink, bind_execute{name, static_cast<std::uint16_t>(param_count),
                                           param_formats, result_formats, write_params});
}

asio::awaitable<void> connection_impl::close_statement(const std::string& name) {
    ops::result_sink none;
    co_await submit<void>(none, [&](byte_writer& w) {
        encode_close(w, target::statement, name);
        encode_sync(w);
    });
}

asio::awaitable<void> connection_impl::close() {
    if (broken_) co_return;
    // A lone Sync is a barrier: its ReadyForQuery comes after every response already queued, so
    // requests in flight finish before the Terminate goes out. With none in flight there is
    // nothing to wait for, and a server that does not answer (hung, partitioned) must not hold
    // the close up (a pool closing its idle connections waits for each).
    bool barrier_passed = true;
    if (head_) {
        ops::result_sink barrier;
        auto out = co_await submit(barrier, [](byte_writer& w) { encode_sync(w); });
        barrier_passed = !out.ec;
    }
    if (!broken_ && barrier_passed) {
        while (writing_) { // the writer may still be busy with requests issued after ours
            asio::steady_timer yield(get_executor(), std::chrono::steady_clock::time_point{});
            co_await yield.async_wait(asio::use_awaitable);
        }
        bytes terminate;
        byte_writer w(terminate);
        encode_terminate(w);
        try {
            co_await transport_.write(asio::buffer(terminate));
        } catch (const std::system_error&) {
            // the server is gone already: closing is all that is left to do
        }
    }
    fail_all(make_error_code(errc::connection_closed), "connection closed by the client");
}

// ---- startup ---------------------------------------------------------------------------------

asio::awaitable<void> connection_impl::startup(ops::startup_settings settings) {
    ops::startup_op op(std::move(settings));
    bytes out;
    byte_writer w(out);
    op.start(w);
    auto st = ops::startup_op::status::write;
    for (;;) {
        if (!out.empty()) {
            co_await transport_.write(asio::buffer(out));
            out.clear();
        }
        if (st == ops::startup_op::status::done) break;
        auto f = co_await read_frame();
        if (auto ec = op.on_message(f, w, st)) {
            if (op.server_error()) throw error(*op.server_error());
            throw error(ec, op.error_message());
        }
    }
    key_ = op.key_data();
    tx_status_ = op.transaction_status();
    for (auto& [name, value] : op.parameters())
        parameters_.insert_or_assign(name, value);
    read_on(shared_from_this());
}

} // namespace turbopg::wire::io
