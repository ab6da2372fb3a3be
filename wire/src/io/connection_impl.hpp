// The connection's engine: one transport, one writer that coalesces queued messages into few
// writes, one reader that parses what arrives and completes the oldest pending request (FIFO).
// Any number of coroutines on the connection's executor may run requests at once: they are
// pipelined, each with its own Sync, so an error fails only its own request.
#pragma once

#include "io/busy_poll.hpp"
#include "io/request.hpp"
#include "io/transport.hpp"
#include "ops/startup.hpp"
#include "ops/statement_cache.hpp"
#include "proto/backend.hpp"
#include "proto/frontend.hpp"

#include <turbopg/wire/detail/batch_data.hpp>
#include <turbopg/wire/detail/function_ref.hpp>
#include <turbopg/wire/error.hpp>
#include <turbopg/wire/notification.hpp>
#include <turbopg/wire/result.hpp>

#include <asio/awaitable.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

namespace turbopg::wire::io {

// Where to send a CancelRequest: the same server, over a new socket.
struct cancel_target {
    std::string host; // unix socket path, or the numeric address that was connected to
    std::uint16_t port = 0;
    bool unix_socket = false;
};

struct copy_in_state;

// How to cork a request running `sql`: only a COPY statement can put the server into copy-in
// mode. An extended query is corked when its first keyword is COPY, a simple query (several
// statements, maybe) when it mentions COPY anywhere (a false positive costs that request's
// pipelining, nothing else).
request::cork_kind copy_cork(std::string_view sql, request::cork_kind kind) noexcept;

struct connection_options {
    std::size_t statement_cache_size = 256;
    std::size_t max_message_size = proto::default_max_message_size;
    std::chrono::microseconds busy_poll{0}; // see busy_poll.hpp
};

// How a request ended; raise() throws the error it describes, if any.
struct request_outcome {
    std::error_code ec;
    std::string message;
    std::unique_ptr<server_diagnostics> server_error; // a pointer: see query_response
    char transaction_status = 'I';
    // The caller cancelled the request while it ran (whether or not the server stopped it).
    bool cancelled_by_caller = false;
    // The server's error came at the failing statement's Bind, before anything of it ran.
    bool failed_before_bind = false;
    void raise() const;
    // Whether the failure may be a stale cached statement's, which preparing it again cures: an
    // error at its Bind, where the server checks the statement against the schema (a change that
    // altered its result, 0A000; a column retyped under a parameter type it inferred, 42883; the
    // statement dropped by DISCARD ALL, 26000). Not a cancel (57014), nor the refusal of a
    // transaction block already failed (25P02): those say nothing of the statement.
    bool stale_statement() const noexcept {
        if (!server_error || !failed_before_bind) return false;
        const auto& state = server_error->sqlstate;
        return state != "57014" && state != "25P02";
    }
};

class connection_impl : public std::enable_shared_from_this<connection_impl> {
public:
    connection_impl(transport t, connection_options opts);
    ~connection_impl();

    asio::any_io_executor get_executor() { return transport_.get_executor(); }
    transport& get_transport() noexcept { return transport_; }

    // Runs startup and authentication on the fresh transport, then starts the reader. Throws
    // `error` on failure (server diagnostics included when the server refused).
    asio::awaitable<void> startup(ops::startup_settings settings);

    // Appends a request's messages (they must end with Sync or be a Query) and waits for its
    // response. Throws `error` for server errors, client errors and a broken connection. A
    // request that may run COPY FROM STDIN must be corked (see copy_cork).
    asio::awaitable<void> run(ops::result_sink& sink,
                              detail::function_ref<void(proto::byte_writer&)> write,
                              request::cork_kind cork = request::cork_kind::none);

    // ---- COPY (io/copy_in.cpp) ------------------------------------------------------------
    // Sends `sql` (a simple Query, corked) and waits until the server entered copy-in mode;
    // throws errc::copy_mismatch (after the statement ran) when it did not.
    asio::awaitable<std::shared_ptr<copy_in_state>> start_copy_in(std::string_view sql);
    // Appends `data` to the COPY as CopyData; waits while a full buffer is being written.
    asio::awaitable<void> copy_in_write(copy_in_state& c, proto::byte_view data);
    // As copy_in_write for copy_writer::write_message: takes `message` whole when nothing waits
    // to be written; leaves it empty.
    asio::awaitable<void> copy_in_write_message(copy_in_state& c, proto::bytes& message);
    // Sends CopyDone and returns the rows of the command tag.
    asio::awaitable<std::uint64_t> copy_in_finish(copy_in_state& c);
    // Sends CopyFail and waits for the server to end the COPY.
    asio::awaitable<void> copy_in_abort(copy_in_state& c, std::string_view reason);
    // For a writer going away unfinished: sends CopyFail and keeps `c` alive until the server
    // answered.
    void copy_in_abandon(std::shared_ptr<copy_in_state> c) noexcept;

    // The cached description of `sql`, or null: a lookup without allocation or coroutine frame
    // (execute and execute_batch try it before prepare()).
    std::shared_ptr<const ops::statement_description>
    find_cached(std::string_view sql, std::span<const std::uint32_t> param_types);
    // Prepares `sql` (cached), or returns the cached description.
    asio::awaitable<std::shared_ptr<const ops::statement_description>>
    prepare(std::string_view sql, std::span<const std::uint32_t> param_types);

    // Extended query through the statement cache: Bind (parameters written by `write_params`,
    // each Int32 length + bytes), Execute, Sync. A cached statement that fails at its Bind
    // (request_outcome::stale_statement) is forgotten, and prepared again and retried once
    // outside a transaction.
    using param_writer = detail::function_ref<void(proto::bytes&)>;
    asio::awaitable<void> execute(std::string_view sql, std::span<const std::uint32_t> param_types,
                                  std::span<const std::int16_t> param_formats,
                                  param_writer write_params, ops::result_sink& sink);

    // Explicitly prepared statements: named apart from the cache (never evicted), closed by
    // close_statement. The description's columns carry the result formats Bind will request.
    asio::awaitable<std::shared_ptr<const ops::statement_description>>
    prepare_named(std::string_view sql, std::span<const std::uint32_t> param_types);
    // Runs statement `name` (its parameter count, columns and the result formats to request).
    asio::awaitable<void> execute_prepared(std::string_view name, std::size_t param_count,
                                           detail::column_list columns,
                                           std::span<const std::int16_t> result_formats,
                                           std::span<const std::int16_t> param_formats,
                                           param_writer write_params, ops::result_sink& sink);
    asio::awaitable<void> close_statement(const std::string& name);

    // ---- batches (io/batch.cpp) ------------------------------------------------------------
    // Runs the batch's entries under one Sync: they succeed or fail together (an implicit
    // transaction unless one is open). Each distinct statement is looked up in the cache (and
    // prepared if needed) once. Completes with one result per entry; the results share one row
    // buffer.
    asio::awaitable<std::vector<result>> run_batch(const detail::batch_data& batch);

    // Bounds the requests in flight (default 4096; 0 = unbounded): a request beyond it waits
    // for a slot, so a flood of coroutines cannot queue unbounded memory.
    void set_max_in_flight(std::size_t n) noexcept { max_in_flight_ = n; }

    // Queues a simple query now, ahead of any request issued later, without waiting for it; its
    // result is ignored (used to roll back a transaction dropped while active). Not bounded by
    // max_in_flight. Does nothing on a broken connection.
    void run_detached(std::string_view sql);

    // Sends Terminate and closes the socket; pending requests fail with connection_closed.
    asio::awaitable<void> close();

    // Closes the socket at once, without Terminate: pending requests fail with
    // connection_closed. Used when the owner goes away.
    void abandon() noexcept;

    bool is_open() const noexcept { return !broken_; }
    char transaction_status() const noexcept { return tx_status_; }
    const proto::backend_key_data& key_data() const noexcept { return key_; }
    // The last value the server reported for a run-time parameter (ParameterStatus).
    std::string parameter(std::string_view name) const;
    void set_notice_handler(std::function<void(const server_diagnostics&)> h) {
        notice_handler_ = std::move(h);
    }
    // Called by the reader with every NotificationResponse, whenever it arrives (between or
    // during requests).
    void set_notification_handler(std::function<void(notification&&)> h) {
        notification_handler_ = std::move(h);
    }
    // Called once, when the connection breaks or is closed (by the server, the network, close()
    // or abandon()), with the error every pending request sees, after they were failed. It may
    // only signal: the engine is mid-way through its reader or writer. The listener reconnects
    // from it.
    void set_broken_handler(std::function<void(std::error_code, const std::string&)> h) {
        broken_handler_ = std::move(h);
    }
    // Why this session must not be reused even though the socket is open: it saw SQLSTATE 25006
    // (read-only transaction: the server was demoted or is a standby) or 57P01/57P02/57P03 (the
    // server is shutting down, crashed, or cannot accept connections now). Empty when reusable.
    const std::string& discard_reason() const noexcept { return discard_reason_; }
    void set_cancel_target(cancel_target t) { cancel_target_ = std::move(t); }
    const cancel_target& get_cancel_target() const noexcept { return cancel_target_; }
    std::size_t statement_cache_size() const noexcept { return statements_.size(); }
    // A client-side timeout for every request (0 = none): on expiry a CancelRequest is sent, the
    // response awaited, and the request fails with errc::timeout.
    void set_query_timeout(std::chrono::milliseconds t) noexcept { query_timeout_ = t; }
    // Back to a new connection's client-side settings: no notice or notification handler, no
    // query timeout, the default max_in_flight. A pool does this when a connection comes back,
    // so that the next user gets none of them (a handler could refer to a finished frame).
    void reset_client_settings() noexcept {
        notice_handler_ = nullptr;
        notification_handler_ = nullptr;
        query_timeout_ = std::chrono::milliseconds(0);
        max_in_flight_ = default_max_in_flight;
    }

private:
    // Runs one request: waits for a slot, appends its messages, waits for its response (and
    // cancels it on timeout or cancellation). submit<request_outcome> tells how it ended,
    // submit<void> throws the error it ended with. Defined for those two.
    template <class Result = request_outcome>
    asio::awaitable<Result> submit(ops::result_sink& sink, request_writer write,
                                   request::cork_kind cork = request::cork_kind::none,
                                   std::uint32_t statements = 1);
    // Corked requests: the writer stops at the first one's end; its copy_data goes out there.
    bool copy_data_due() const noexcept {
        return !corks_.empty() && written_ == corks_.front()->end &&
               !corks_.front()->copy_data.empty();
    }
    void uncork(request& r);
    // The server entered copy-in mode for a request that does not stream COPY data: answer with
    // CopyFail (and a Sync for the extended protocol, whose own Sync the COPY swallowed).
    std::error_code refuse_copy_in(request& r);
    // Waits until the writer took the full CopyData buffer of `c` (it is then writing the
    // previous one); throws errc::cancelled when the caller cancelled (the COPY is failed then),
    // or the server's error when it ended the COPY meanwhile.
    asio::awaitable<void> copy_in_wait_for_room(io::copy_in_state& c);
    // The next complete message in the read buffer; else makes room for it and returns nothing.
    // Throws `error` for a malformed or oversized message.
    std::optional<proto::frame> buffered_frame();
    // buffered_frame() without a complete message: makes room for the `needed` bytes of the
    // next one. Out of line, as is the throw for a malformed one, and both take plain values:
    // the frame_result never leaves registers on the way of every message.
    void make_room(std::size_t needed);
    asio::awaitable<proto::frame> read_frame();
    // The reader: handles every complete message buffered, resumes the requests they completed,
    // then reads again, completing in a handler that calls read_on() with the read's error. It
    // holds `self` (the engine stays alive while it reads) until the connection breaks.
    void read_on(std::shared_ptr<connection_impl> self, std::error_code read_error = {});
    // Resumes the coroutines of the requests dispatch() completed (completed_).
    void resume_completed();
    // Before the reader sleeps: reads what the socket has now, when requests await answers and
    // busy polling says so (busy_poll.hpp). `again`: nothing yet, poll again after the handlers
    // that are ready to run.
    enum class poll_step { data, again, sleep };
    poll_step poll_socket();
    // Writing: flush() posts write_now() unless a write is under way; write_now() writes what
    // is due while the socket takes it without blocking and leaves the rest to writer_loop.
    void flush();
    void write_now();
    asio::awaitable<void> writer_loop(std::shared_ptr<connection_impl> self);
    // Moves the next bytes due into sending_; false when nothing is due (or broken).
    bool next_chunk();
    bool write_due() const noexcept;
    std::uint64_t write_limit() const noexcept;
    // Whether new requests are held back because the server has a deep queue (write_limit()).
    bool holding_back() const noexcept;
    // Counts the requests that next_chunk() handed over whole (and their statements) as
    // awaiting an answer.
    void advance_write_cursor() noexcept;
    // Handles one message; returns an error only when the connection cannot continue.
    std::error_code dispatch(const proto::frame& f);
    // The messages the server may send at any time: NoticeResponse, ParameterStatus,
    // NotificationResponse. Out of dispatch(), whose every call would otherwise set up their
    // locals (a server_diagnostics is some 600 bytes).
    std::error_code dispatch_asynchronous(const proto::frame& f);
    // Remembers why the server is about to close the connection when an ErrorResponse is FATAL;
    // connection_closed when no request is waiting for it.
    std::error_code note_error_response(const proto::frame& f);
    void fail_all(std::error_code ec, const std::string& message);
    // Appends r's messages to the output (after pending Close messages), queues r for its
    // response (and its cork) and wakes the writer; appends nothing when `write` throws.
    void enqueue(request& r, detail::function_ref<void(proto::byte_writer&)> write);
    void release_slot();
    // Sends a CancelRequest for this session, whatever the caller's cancellation does meanwhile;
    // a server that cannot be reached is ignored (the response, or the broken connection,
    // decides).
    asio::awaitable<void> cancel_on_server();
    void note_discard(const server_diagnostics& d);
    // Queues a Close of `stmt` (evicted or invalidated) to go out ahead of the next request's
    // messages: no request still to be written needs it.
    void close_with_next_request(const ops::statement_description& stmt);
    void push(request& r);
    request* pop();

    transport transport_;
    connection_options opts_;
    busy_poll poll_;
    // Whether the answer the reader last slept for was sent from its own CPU, asked when it came
    // in (only when the next wait ends a backoff). Asked later, after the next query went out,
    // the answer could be the server's immediate ACK of that query: over loopback the sender's
    // CPU processes it.
    bool last_answer_from_this_cpu_ = false;
    // A buffer grown past this for one huge message (a 100 MB row or parameter) gives the memory
    // back once it is empty, rather than holding it for the connection's life. Larger than
    // COPY's chunks (copy_writer::buffer_size), so streaming never pays for it.
    static constexpr std::size_t max_kept_buffer = std::size_t{1} << 20;
    static constexpr std::size_t initial_read_buffer = 16 * 1024;
    proto::bytes out_;     // messages waiting for the writer
    proto::bytes sending_; // messages being written
    std::size_t sent_ = 0; // bytes of sending_ written so far
    bool writing_ = false;
    std::uint64_t appended_ = 0;            // bytes queued by requests since the connection started
    std::uint64_t written_ = 0;             // bytes handed to the transport
    request* write_cursor_ = nullptr;       // the oldest request not wholly handed to the transport
    std::size_t awaiting_ = 0;              // requests handed to the transport, not yet answered
    std::size_t awaiting_statements_ = 0;   // the statements those requests carry
    std::vector<std::uint64_t> cancelling_; // `end` of each request being cancelled
    std::deque<request*> corks_;            // corked requests in flight, oldest first
    std::chrono::milliseconds query_timeout_{0};
    std::size_t in_flight_ = 0;
    static constexpr std::size_t default_max_in_flight = 4096;
    std::size_t max_in_flight_ = default_max_in_flight;
    std::unique_ptr<asio::steady_timer> slot_free_; // cancelled whenever a request completes
    std::uint64_t prepared_counter_ = 0;
    proto::bytes in_;
    std::vector<proto::field_slice> fields_; // DataRow views of the response being read
    std::size_t in_begin_ = 0, in_end_ = 0;
    request* head_ = nullptr;
    // Completed requests' waiting coroutines, resumed by the reader before it reads again.
    std::vector<wake_event::completion> completed_, resuming_;
    request* tail_ = nullptr;
    bool broken_ = false;
    std::error_code broken_ec_;
    std::string broken_message_;
    char tx_status_ = 'I';
    proto::backend_key_data key_;
    std::map<std::string, std::string, std::less<>> parameters_;
    std::function<void(const server_diagnostics&)> notice_handler_;
    std::function<void(notification&&)> notification_handler_;
    std::function<void(std::error_code, const std::string&)> broken_handler_;
    std::string discard_reason_;
    ops::statement_cache statements_;
    std::string key_scratch_; // a statement_cache key being looked up (see max_kept_buffer)
    // Statements being prepared, so concurrent first executions share one Parse.
    struct pending_prepare {
        explicit pending_prepare(const asio::any_io_executor& ex)
            : done(ex, asio::steady_timer::time_point::max()) {}
        asio::steady_timer done; // cancelled when finished
        bool finished = false;
        std::shared_ptr<const ops::statement_description> stmt; // null when it failed
    };
    std::unordered_map<std::string, std::shared_ptr<pending_prepare>> preparing_;
    proto::bytes
        pending_closes_; // Close messages of dropped statements, sent with the next request
    cancel_target cancel_target_;
};

} // namespace turbopg::wire::io
