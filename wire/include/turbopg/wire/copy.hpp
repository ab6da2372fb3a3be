// Streaming COPY FROM STDIN (connection::copy_in, copy_in_rows): the writers.
//
//   auto w = co_await conn.copy_in("COPY book (id, title) FROM STDIN (FORMAT csv)");
//   co_await w.write("1,Dune\n2,Emma\n");
//   std::uint64_t rows = co_await w.finish();
//
// A writer belongs to the COPY it was returned for: while it is open the connection is in
// copy-in mode, and requests of other coroutines on the connection wait (they are not written)
// until the COPY ends; then they run normally. Data is buffered up to `buffer_size` and written
// while the next buffer fills; a writer waits when both are full (backpressure from the socket).
//
// Ending a COPY: finish() (CopyDone) commits it; abort() (CopyFail) fails it. A writer destroyed
// unfinished (an exception in the producer, a cancelled coroutine) sends CopyFail itself, ahead
// of any request queued after the COPY, so the connection stays usable. If the server rejects
// the data (say a bad value at row 500,000), it ends the COPY at once: the next write() or
// finish() throws the server's error (SQLSTATE 22P02, ...), and the connection stays usable.
// After finish, abort or an error the writer is closed: write() and finish() throw
// errc::copy_mismatch.
#pragma once

#include <turbopg/wire/codec.hpp>
#include <turbopg/wire/detail/aggregate.hpp>
#include <turbopg/wire/detail/copy_binary.hpp>
#include <turbopg/wire/export.hpp>
#include <turbopg/wire/result.hpp>

#include <asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace turbopg::wire {

namespace io {
struct copy_in_state;
}

template <class... Ts>
class copy_row_writer;

namespace detail {
// The bytes of a CopyData message before its data: Byte1('d'), Int32 length.
inline constexpr std::size_t copy_data_header_size = 5;

// write_rows' default projection: a tuple as it is, an aggregate as a tuple of its members.
struct row_values {
    template <class Row>
    decltype(auto) operator()(const Row& row) const {
        if constexpr (tuple_like<Row>)
            return (row);
        else
            return tie_members(row);
    }
};
} // namespace detail

class TURBOPG_WIRE_API copy_writer {
public:
    // The most data buffered before write() hands it to the socket.
    static constexpr std::size_t buffer_size = 64 * 1024;

    copy_writer() noexcept = default; // closed; only assigning an open one to it is meaningful
    explicit copy_writer(std::shared_ptr<io::copy_in_state> state) noexcept;
    copy_writer(copy_writer&&) noexcept;
    copy_writer& operator=(copy_writer&&) noexcept; // abandons (CopyFail) the COPY it had
    ~copy_writer();                                 // CopyFail unless finished or aborted

    // From CopyInResponse: text (also CSV) or binary, for the whole COPY and per column.
    format overall_format() const noexcept;
    std::span<const format> column_formats() const noexcept;
    // False once finished, aborted, or ended by the server.
    bool is_open() const noexcept;

    // Appends data in the COPY's format; pieces need not align with rows. Completes at once
    // while the buffer has room, else when the socket took the previous buffer. Throws the
    // server's error if it already ended the COPY, connection_closed if the connection broke.
    // Cancellation (Asio per-operation): the COPY is failed with CopyFail and write throws
    // errc::cancelled; the connection stays usable (the cancelled coroutine stays cancelled, as
    // for connection::query).
    asio::awaitable<void> write(std::span<const std::byte> data);
    asio::awaitable<void> write(std::string_view data);

    // Sends CopyDone and completes with the rows copied (the command tag) once the server has
    // committed them; throws the server's error otherwise. Cancellation: a CopyDone not yet
    // written becomes CopyFail, else a CancelRequest is sent; it throws errc::cancelled unless
    // the server had already finished.
    asio::awaitable<std::uint64_t> finish();

    // Sends CopyFail(reason) and completes when the server has ended the COPY (its resulting
    // error, SQLSTATE 57014, is consumed). Throws only when the connection broke.
    asio::awaitable<void> abort(std::string_view reason = "aborted by the client");

private:
    template <class... Ts>
    friend class copy_row_writer;

    // For data encoded in place (copy_row_writer): `message` is a CopyData message whose header
    // (its first detail::copy_data_header_size bytes) this fills in. Sent without a copy when
    // nothing else waits to be written, else appended; completes as write() and leaves `message`
    // empty.
    asio::awaitable<void> write_message(bytes& message);

    std::shared_ptr<io::copy_in_state> state_;
};

// Writes rows of C++ values as a binary COPY (connection::copy_in_rows): one Ts per column,
// std::optional<T> empty = NULL, each encoded by codec<T> (see detail/copy_binary.hpp for what
// is checked).
template <class... Ts>
class copy_row_writer {
public:
    explicit copy_row_writer(copy_writer w)
        : writer_(std::move(w)) {
        buffer_.resize(detail::copy_data_header_size);
        detail::append_copy_binary_header(buffer_);
    }

    // Throws `error` naming the column of a value that cannot be encoded (nothing of that row is
    // written; the COPY stays open), else as copy_writer::write.
    asio::awaitable<void> write_row(const Ts&... values) {
        append_row(values...);
        if (buffer_.size() >= copy_writer::buffer_size) co_await flush();
    }
    // A row per element of `rows`: `project(element)` gives its values as a tuple (by default
    // the element itself, a std::tuple, or an aggregate's members), each converted to its Ts.
    // The same as write_row per element, but one coroutine for the whole range, suspended only
    // when a buffer is full: no awaiting per row. `rows` must outlive the returned awaitable
    // (co_await it at once). A value that cannot be encoded throws as write_row does, after the
    // rows before it.
    template <std::ranges::input_range R, class Project = detail::row_values>
    asio::awaitable<void> write_rows(R&& rows, Project project = {}) {
        for (auto&& element : rows) {
            std::apply([this](const auto&... values) { append_row(values...); }, project(element));
            if (buffer_.size() >= copy_writer::buffer_size) co_await flush();
        }
    }
    // Writes the trailer, then as copy_writer::finish.
    asio::awaitable<std::uint64_t> finish() {
        detail::append_copy_binary_trailer(buffer_);
        co_await flush();
        co_return co_await writer_.finish();
    }
    asio::awaitable<void> abort(std::string_view reason = "aborted by the client") {
        buffer_.resize(detail::copy_data_header_size);
        co_await writer_.abort(reason);
    }
    copy_writer& writer() noexcept { return writer_; }

private:
    void append_row(const Ts&... values) { detail::append_copy_binary_tuple(buffer_, values...); }
    asio::awaitable<void> flush() {
        co_await writer_.write_message(buffer_);
        buffer_.resize(detail::copy_data_header_size);
    }

    copy_writer writer_;
    bytes buffer_; // a CopyData message being filled: header room, then rows
};

namespace detail {

// Why a COPY FROM STDIN cannot take rows of `members` values in binary; empty when it can.
TURBOPG_WIRE_API std::string copy_rows_problem(const copy_writer& w, std::size_t members);

template <class Row>
struct row_member_types {
    using type = decltype(tie_members(std::declval<Row&>()));
};
template <class... Ts>
struct row_member_types<std::tuple<Ts...>> {
    using type = std::tuple<Ts...>;
};

// The columns a binary COPY tuple is decoded as for Row: each member's codec type (no OIDs on
// the wire), named after their position.
template <class Row>
const std::vector<column_description>& copy_row_columns() {
    static const std::vector<column_description> columns = [] {
        using members = typename row_member_types<Row>::type;
        std::vector<column_description> c;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (c.push_back({"COPY field " + std::to_string(I + 1), 0, 0,
                          copy_column_type<std::remove_cvref_t<std::tuple_element_t<I, members>>>(),
                          0, -1, 1}),
             ...);
        }
        (std::make_index_sequence<std::tuple_size_v<members>>{});
        return c;
    }();
    return columns;
}

// Decodes binary COPY data into Row values handed to `f`.
template <class Row, class F>
class copy_row_reader {
public:
    explicit copy_row_reader(F& f)
        : f_(f) {}
    void feed(std::span<const std::byte> chunk) {
        auto& columns = copy_row_columns<Row>();
        auto on_tuple = [&](std::span<const raw_field> fields) {
            check_row_arity(fields.size(), columns.size());
            Row row{};
            decode_row(
                std::span<const column_description>(columns),
                [&](std::size_t i) { return fields[i]; }, row);
            f_(std::move(row));
        };
        if (auto ec = parser_.feed(chunk, on_tuple)) throw error(ec, parser_.error_message());
    }
    void finish() {
        if (auto ec = parser_.finish()) throw error(ec, parser_.error_message());
    }

private:
    F& f_;
    copy_binary_parser parser_;
};

} // namespace detail
} // namespace turbopg::wire
