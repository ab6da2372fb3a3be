// A connection to PostgreSQL, on standalone Asio coroutines.
//
//   asio::awaitable<void> run(asio::any_io_executor ex) {
//       auto conn = co_await turbopg::wire::connection::connect(ex, "postgresql://app@db/shop");
//       auto n = co_await conn.query_value<std::int64_t>("select count(*) from book where price >
//       $1", 10.0); for (auto row : co_await conn.query("select id, title from book"))
//           use(row.get<std::int64_t>(0), row.get<std::string>("title"));
//   }
//
// Executor: a connection lives on the executor it was connected with; call it from coroutines
// running there (use a strand if several threads run the io_context). Any number of coroutines
// may run queries on one connection at once: their messages are pipelined (coalesced into few
// writes) and every query has its own Sync, so a failing query fails only itself (inside an
// explicit transaction PostgreSQL's own rule applies: the transaction is aborted).
//
// Errors: every operation throws turbopg::wire::error: errc::server_error with the server's
// diagnostics (SQLSTATE, message, detail, ...), or a client error code (connection_closed,
// type_mismatch, unexpected_null, protocol_violation, ...). After a server or decoding error the
// connection stays usable; after connection_closed or protocol_violation it is broken
// (is_open() is false) and every later call fails at once.
//
// Parameters are bound in binary through codec<T> (codec.hpp) and declared with its type OID;
// results come in binary for every column type with a codec, in text otherwise. Statements are
// prepared once and cached per connection (LRU, `statement_cache_size` in the conninfo).
#pragma once

#include <turbopg/wire/codec.hpp>
#include <turbopg/wire/config.hpp>
#include <turbopg/wire/copy.hpp>
#include <turbopg/wire/detail/batch_data.hpp>
#include <turbopg/wire/detail/function_ref.hpp>
#include <turbopg/wire/error.hpp>
#include <turbopg/wire/export.hpp>
#include <turbopg/wire/notification.hpp>
#include <turbopg/wire/result.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace turbopg::wire {

namespace io {
class connection_impl;
}

namespace detail {

// The C++ type a query argument is bound as: string literals and C strings as std::string_view.
template <class T>
using param_t = std::conditional_t<std::is_convertible_v<const T&, std::string_view> &&
                                       !has_codec<std::remove_cvref_t<T>>,
                                   std::string_view, std::remove_cvref_t<T>>;

template <class... Args>
struct param_info {
    static constexpr std::array<oid_t, sizeof...(Args)> types{param_type_oid<param_t<Args>>()...};
    static constexpr std::array<std::int16_t, sizeof...(Args)> formats{
        static_cast<std::int16_t>(param_format<param_t<Args>>())...};
};

// A query argument as the type it is bound as (param_t): a string literal viewed as a
// std::string_view, anything else as itself.
template <class A>
decltype(auto) as_param(const A& a) {
    if constexpr (std::is_same_v<param_t<A>, A>)
        return (a);
    else
        return param_t<A>(a);
}

[[noreturn]] inline void throw_param_error(std::error_code ec, std::size_t index,
                                           std::string_view cpp_type) {
    throw error(ec, describe_param_error(ec, index, cpp_type));
}

// Appends the Bind values of `args`; throws error naming the parameter that cannot be encoded
// (nothing is appended then). Values whose size is known up front (numbers, strings,
// timestamps) grow the buffer once.
template <class... Args>
void write_params(bytes& out, const Args&... args) {
    append_fields(out, 0, throw_param_error, as_param(args)...);
}

// Decodes each row as it arrives and hands it to a callable: constant memory for any result.
// Every row is decoded into the same object (each member overwritten in place), so a string or
// vector the callable leaves there is reused by the next row instead of allocated again.
template <class Row, class F>
class streaming_sink final : public result_sink {
public:
    explicit streaming_sink(F& f)
        : f_(f) {}
    void on_columns(const column_list& c) override { columns_ = c; }
    std::error_code on_data_row(std::span<const raw_field> fields) override {
        if (failure_) return failure_.code();
        try {
            std::span<const column_description> cols;
            if (columns_) cols = *columns_;
            decode_row(
                cols, [&](std::size_t i) { return fields[i]; }, row_);
            f_(std::move(row_));
            return {};
        } catch (...) {
            return failure_.keep_current();
        }
    }
    void on_command_complete(std::string_view tag) override { tag_ = tag; }
    // What stopped the rows (a decode error, or the callable's exception), rethrown by the query.
    const row_failure& failure() const noexcept { return failure_; }
    const std::string& tag() const noexcept { return tag_; }

private:
    F& f_;
    Row row_{};
    column_list columns_;
    row_failure failure_;
    std::string tag_;
};

// The single row of query_one: every row is decoded (a bad one fails the query), the first kept.
template <class Row>
class first_row {
public:
    first_row()
        : sink_(keep_) {}
    first_row(const first_row&) = delete;
    first_row& operator=(const first_row&) = delete;
    result_sink& sink() noexcept { return sink_; }
    const row_failure& failure() const noexcept { return sink_.failure(); }
    // The row; throws errc::no_rows / errc::too_many_rows unless there was exactly one.
    Row take() {
        if (keep_.count == 0) throw error(errc::no_rows, "expected exactly one row");
        if (keep_.count > 1)
            throw error(errc::too_many_rows,
                        "expected exactly one row, got " + std::to_string(keep_.count));
        return std::move(*keep_.row);
    }

private:
    struct keeper {
        std::optional<Row> row;
        std::size_t count = 0;
        void operator()(Row&& r) {
            if (count++ == 0) row.emplace(std::move(r));
        }
    };
    keeper keep_;
    streaming_sink<Row, keeper> sink_;
};

TURBOPG_WIRE_API std::uint64_t rows_in_tag(std::string_view tag) noexcept;

} // namespace detail

// A statement prepared with connection::prepare: valid on that connection until deallocate().
struct prepared_statement {
    std::string name;
    std::string sql;
    std::vector<oid_t> param_types; // as the server resolved them
    detail::column_list columns;    // null when the statement returns no rows
    std::vector<std::int16_t> result_formats;
};

// What a query runs: SQL text (prepared and cached behind the scenes) or a prepared statement.
class statement_ref {
public:
    statement_ref(std::string_view sql) noexcept
        : sql_(sql) {}
    statement_ref(const char* sql) noexcept
        : sql_(sql) {}
    statement_ref(const std::string& sql) noexcept
        : sql_(sql) {}
    statement_ref(const prepared_statement& s) noexcept
        : sql_(s.sql)
        , prepared_(&s) {}
    std::string_view sql() const noexcept { return sql_; }
    const prepared_statement* prepared() const noexcept { return prepared_; }

private:
    std::string_view sql_;
    const prepared_statement* prepared_ = nullptr;
};

// Statements sent together under one Sync: one round trip, and they succeed or fail as a unit
// (an implicit transaction unless one is open). Parameters are encoded when added.
class batch {
public:
    template <class... Args>
    batch& add(std::string_view sql, const Args&... args) {
        using info = detail::param_info<Args...>;
        auto begin = data_.params.size();
        try {
            detail::write_params(data_.params, args...);
            auto statement = data_.statement_for(sql, info::types);
            data_.entries.push_back({statement, static_cast<std::uint16_t>(sizeof...(Args)),
                                     info::formats, begin, data_.params.size()});
        } catch (...) {
            data_.params.resize(begin);
            throw;
        }
        return *this;
    }
    std::size_t size() const noexcept { return data_.entries.size(); }
    bool empty() const noexcept { return data_.entries.empty(); }
    // Empties the batch and keeps its buffers for the next statements.
    void clear() noexcept {
        data_.statements.clear();
        data_.sql.clear();
        data_.entries.clear();
        data_.params.clear();
    }

private:
    friend class connection;
    detail::batch_data data_;
};

namespace detail {
// Checks arguments against a prepared statement's parameter types; throws error naming the
// first mismatch. Text-format arguments (type OID 0, e.g. strings) fit any type.
TURBOPG_WIRE_API void check_param_types(std::span<const oid_t> expected,
                                        std::span<const oid_t> given,
                                        std::span<const std::string_view> cpp_names);
template <class... Args>
void check_params_for(const prepared_statement& s) {
    using info = param_info<Args...>;
    static constexpr std::array<std::string_view, sizeof...(Args)> names{
        codec<param_t<Args>>::name...};
    check_param_types(s.param_types, info::types, names);
}
} // namespace detail

class TURBOPG_WIRE_API connection {
public:
    using executor_type = asio::any_io_executor;

    // Connects and authenticates: hosts, and the addresses a host name resolves to, are tried
    // in order (each within connect_timeout), with the TLS mode, channel binding and
    // target_session_attrs of `cfg`. Throws `error`: a refused login (e.g. the server's 28P01
    // for a wrong password), a failed TLS requirement or a bad setting at once, as libpq;
    // for a single address whatever failed; else errc::server_unreachable (or
    // wrong_session_attrs) listing each address's error.
    static asio::awaitable<connection> connect(executor_type ex, const config& cfg);
    // The same from a libpq conninfo string or URI plus the PG* environment.
    static asio::awaitable<connection> connect(executor_type ex, std::string_view conninfo);

    // Not connected (is_open() is false); only assigning a connected one to it is meaningful.
    connection() noexcept = default;
    connection(connection&&) noexcept;
    connection& operator=(connection&&) noexcept;
    // Closes the socket without a Terminate; prefer `co_await close()`.
    ~connection();

    executor_type get_executor() const;

    // Runs `sql` with `args` bound to $1, $2, ... and collects every row. Completes when the
    // result is complete; the connection stays usable after a server error.
    template <class... Args>
    asio::awaitable<result> query(statement_ref sql, const Args&... args) {
        result_builder b;
        auto write = [&](bytes& out) { detail::write_params(out, args...); };
        co_await start_extended<Args...>(sql, b, write);
        co_return b.take();
    }

    // Every row decoded into `Row`, a std::tuple or a plain aggregate struct whose members match
    // the columns in order.
    template <class Row, class... Args>
    asio::awaitable<std::vector<Row>> query_as(statement_ref sql, const Args&... args) {
        std::vector<Row> rows;
        co_await for_each<Row>(
            sql, [&](Row&& r) { rows.push_back(std::move(r)); }, args...);
        co_return rows;
    }

    // Exactly one row decoded into Row (errc::no_rows / errc::too_many_rows otherwise).
    template <class Row, class... Args>
    asio::awaitable<Row> query_one(statement_ref sql, const Args&... args) {
        detail::first_row<Row> one;
        auto write = [&](bytes& out) { detail::write_params(out, args...); };
        try {
            co_await start_extended<Args...>(sql, one.sink(), write);
        } catch (const error&) {
            one.failure().rethrow();
            throw;
        }
        co_return one.take();
    }

    // The single value of a query returning one row of one column, e.g. count(*).
    template <class T, class... Args>
    asio::awaitable<T> query_value(statement_ref sql, const Args&... args) {
        // query_one's body rather than a call to it: one coroutine frame less per query.
        detail::first_row<std::tuple<T>> one;
        auto write = [&](bytes& out) { detail::write_params(out, args...); };
        try {
            co_await start_extended<Args...>(sql, one.sink(), write);
        } catch (const error&) {
            one.failure().rethrow();
            throw;
        }
        co_return std::move(std::get<0>(one.take()));
    }

    // Streams the rows: `f(Row&&)` is called for each row as it arrives (constant memory for any
    // result size). Returns the rows affected/returned of the command tag.
    template <class Row, class F, class... Args>
    asio::awaitable<std::uint64_t> for_each(statement_ref sql, F&& f, const Args&... args) {
        detail::streaming_sink<Row, std::remove_reference_t<F>> sink(f);
        auto write = [&](bytes& out) { detail::write_params(out, args...); };
        try {
            co_await start_extended<Args...>(sql, sink, write);
        } catch (const error&) {
            sink.failure().rethrow();
            throw;
        }
        co_return detail::rows_in_tag(sink.tag());
    }

    // Runs a statement and returns the rows it affected (INSERT/UPDATE/DELETE/...); rows of a
    // SELECT are discarded and counted.
    template <class... Args>
    asio::awaitable<std::uint64_t> execute(statement_ref sql, const Args&... args) {
        result_builder b;
        auto write = [&](bytes& out) { detail::write_params(out, args...); };
        co_await start_extended<Args...>(sql, b, write);
        co_return b.take().rows_affected();
    }

    // Prepares `sql` as a named statement of this connection (kept until deallocate(), never
    // evicted). With Args, the parameters are declared as those C++ types' PostgreSQL types;
    // without, the server infers them. Run it by passing it where the SQL text goes:
    // `co_await conn.query(stmt, args...)`; arguments are checked against its parameter types.
    template <class... Args>
    asio::awaitable<prepared_statement> prepare(std::string_view sql) {
        using info = detail::param_info<Args...>;
        co_return co_await prepare_erased(sql, info::types);
    }
    asio::awaitable<void> deallocate(const prepared_statement& statement);

    // Runs a batch under one Sync: one result per statement, in order. If a statement fails,
    // the whole batch is rolled back (unless a transaction block is open, which is then
    // aborted) and the error is thrown.
    asio::awaitable<std::vector<result>> run(const batch& b);

    // The simple query protocol: `sql` may hold several statements separated by semicolons; one
    // result per statement. No parameters; values come in text format. Runs as one implicit
    // transaction unless the statements manage their own.
    asio::awaitable<std::vector<result>> simple_query(std::string_view sql);

    // ---- COPY (protocol docs, "COPY Operations") ------------------------------------------
    // COPY runs as a simple Query (it takes no parameters). simple_query, query and execute
    // refuse COPY FROM STDIN (answered with CopyFail) and COPY TO STDOUT (its data drained)
    // with errc::copy_mismatch, leaving the connection usable.

    // Starts `sql`, a COPY ... FROM STDIN in any format, and completes with its writer
    // (copy.hpp) once the server is ready for the data. Until the writer ends the COPY, other
    // requests on this connection wait. Throws the server's error, or errc::copy_mismatch when
    // the statement is not a COPY FROM STDIN (it has run then). Cancellation: throws
    // errc::cancelled; the COPY is failed as soon as the server starts it.
    asio::awaitable<copy_writer> copy_in(std::string_view sql);

    // The same for COPY ... FROM STDIN (FORMAT binary) of rows of Ts (std::optional = NULL),
    // written with copy_row_writer::write_row. Throws errc::copy_mismatch (after failing the
    // COPY) unless the COPY is binary with sizeof...(Ts) columns. Binary COPY carries no type
    // OIDs: a value of the wrong type is rejected by the server (22P03, 08P01, ...).
    template <class... Ts>
    asio::awaitable<copy_row_writer<Ts...>> copy_in_rows(std::string_view sql) {
        auto w = co_await copy_in(sql);
        if (auto problem = detail::copy_rows_problem(w, sizeof...(Ts)); !problem.empty()) {
            co_await w.abort(problem);
            throw error(make_error_code(errc::copy_mismatch), problem);
        }
        co_return copy_row_writer<Ts...>(std::move(w));
    }

    // Runs `sql`, a COPY ... TO STDOUT in any format, calling `f(std::span<const std::byte>)`
    // with each CopyData as it arrives (one row each in text and CSV; constant memory).
    // Completes with the rows copied. An exception from `f` is rethrown once the rest of the
    // data has been drained; errc::copy_mismatch when the statement is not a COPY TO STDOUT.
    // Cancellation and timeouts as for query().
    template <class F>
    asio::awaitable<std::uint64_t> copy_out(std::string_view sql, F&& f) {
        co_return co_await copy_out_erased(sql, f);
    }

    // The same for COPY ... TO STDOUT (FORMAT binary): each tuple decoded into Row (a
    // std::tuple or an aggregate, members in column order) and passed to `f(Row&&)`. Binary
    // COPY has no type OIDs, so each value is read as its member's codec type (int8 for
    // std::int64_t, text for std::string, ...): a value of another size is errc::invalid_value
    // naming the field, but one of the same size and another type is not detected.
    template <class Row, class F>
    asio::awaitable<std::uint64_t> copy_out_rows(std::string_view sql, F&& f) {
        detail::copy_row_reader<Row, std::remove_reference_t<F>> reader(f);
        auto rows =
            co_await copy_out(sql, [&](std::span<const std::byte> chunk) { reader.feed(chunk); });
        reader.finish();
        co_return rows;
    }

    // Sends a CancelRequest for whatever this connection is running now; the cancelled query
    // fails with SQLSTATE 57014, the connection stays usable.
    asio::awaitable<void> cancel();

    // Waits for queries in flight, sends Terminate and closes.
    asio::awaitable<void> close();

    bool is_open() const noexcept;
    // 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block.
    char transaction_status() const noexcept;
    // A run-time parameter the server reported (server_version, TimeZone, in_hot_standby, ...).
    std::string parameter(std::string_view name) const;
    std::int32_t backend_pid() const noexcept;
    // Whether the connection is encrypted with TLS (libpq's PQsslInUse).
    bool tls_in_use() const noexcept;
    // A client-side timeout for each query from now on (0, the default, = none). When it
    // expires, a CancelRequest is sent, the server's answer awaited, and the query fails with
    // errc::timeout; the connection stays usable. Asio per-operation cancellation (e.g.
    // `co_await (conn.query(...) || timer.async_wait(use_awaitable))`) does the same with
    // errc::cancelled for one query; the coroutine's cancellation state is left set, so its next
    // co_await throws operation_aborted even when the query finished before the cancel could
    // stop it (Asio's rule: a cancelled coroutine stays cancelled until it resets the state).
    void set_query_timeout(std::chrono::milliseconds timeout) noexcept;
    // The most requests in flight at once (default 4096; 0 = unbounded). Beyond it a query
    // waits for an earlier one to complete (backpressure).
    void set_max_in_flight(std::size_t n) noexcept;
    // Called with every NoticeResponse (WARNING, NOTICE, ...); by default they are dropped.
    void set_notice_handler(std::function<void(const server_diagnostics&)> handler);
    // Called with every notification for a channel this session LISTENs to, as it arrives (also
    // while queries run). Without a handler they are dropped; `listener` (listener.hpp) queues
    // them and survives reconnects.
    void set_notification_handler(std::function<void(notification&&)> handler);

    // ---- Any completion token ---------------------------------------------------------------
    // The same operations for callbacks, asio::use_future, asio::deferred, ...: the completion
    // signature is void(std::exception_ptr, T) (as asio::co_spawn gives). Arguments are copied
    // into the operation, so they need not outlive the call.
    template <class CompletionToken>
    static auto async_connect(executor_type ex, std::string conninfo, CompletionToken&& token) {
        return asio::co_spawn(
            ex, [ex, conninfo = std::move(conninfo)]() { return connect(ex, conninfo); },
            std::forward<CompletionToken>(token));
    }
    template <class CompletionToken, class... Args>
    auto async_query(std::string sql, std::tuple<Args...> args, CompletionToken&& token) {
        return spawn(
            [sql = std::move(sql), args = std::move(args)](connection& c) {
                return std::apply([&](const auto&... a) { return c.query(sql, a...); }, args);
            },
            std::forward<CompletionToken>(token));
    }
    template <class CompletionToken, class... Args>
    auto async_execute(std::string sql, std::tuple<Args...> args, CompletionToken&& token) {
        return spawn(
            [sql = std::move(sql), args = std::move(args)](connection& c) {
                return std::apply([&](const auto&... a) { return c.execute(sql, a...); }, args);
            },
            std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_close(CompletionToken&& token) {
        return spawn([](connection& c) { return c.close(); }, std::forward<CompletionToken>(token));
    }

    // Internal, for the ORM: runs `sql` (through the statement cache) with parameters of
    // `types`, written as Bind values by `write` in `formats`, delivering results to `sink`.
    asio::awaitable<void> run_extended_erased(std::string_view sql, std::span<const oid_t> types,
                                              std::span<const std::int16_t> formats,
                                              detail::function_ref<void(bytes&)> write,
                                              detail::result_sink& sink);

    // Internal: the engine, for the pool and the ORM.
    explicit connection(std::shared_ptr<io::connection_impl> impl) noexcept;
    const std::shared_ptr<io::connection_impl>& impl() const noexcept { return impl_; }

private:
    // Runs `op(*this)` (returning an awaitable) on the connection's executor with `token`. The
    // lambda owns the arguments and lives in the spawned coroutine's frame.
    template <class Op, class CompletionToken>
    auto spawn(Op op, CompletionToken&& token) {
        return asio::co_spawn(
            get_executor(), [this, op = std::move(op)]() mutable { return op(*this); },
            std::forward<CompletionToken>(token));
    }

    asio::awaitable<std::uint64_t>
    copy_out_erased(std::string_view sql,
                    detail::function_ref<void(std::span<const std::byte>)> on_data);
    asio::awaitable<prepared_statement> prepare_erased(std::string_view sql,
                                                       std::span<const oid_t> types);
    asio::awaitable<void> run_prepared_erased(const prepared_statement& s,
                                              std::span<const std::int16_t> formats,
                                              detail::function_ref<void(bytes&)> write,
                                              detail::result_sink& sink);

    // The extended-query operation for `q` (not a coroutine: no frame of its own). `write`
    // appends the Bind values; it lives in the caller's frame, which awaits the result.
    template <class... Args>
    asio::awaitable<void> start_extended(statement_ref q, detail::result_sink& sink,
                                         detail::function_ref<void(bytes&)> write) {
        using info = detail::param_info<Args...>;
        if (auto* prepared = q.prepared()) {
            detail::check_params_for<Args...>(*prepared);
            return run_prepared_erased(*prepared, info::formats, write, sink);
        }
        return run_extended_erased(q.sql(), info::types, info::formats, write, sink);
    }

    std::shared_ptr<io::connection_impl> impl_;
};

} // namespace turbopg::wire
