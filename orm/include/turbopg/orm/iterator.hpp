// Iterating over a queryset in chunks, in constant memory (Django's QuerySet.iterator()): a
// server-side cursor, DECLARE ... NO SCROLL CURSOR FOR <the SELECT>, read with FETCH
// chunk_size at a time and closed at the end.
//
//   auto it = orm::objects<Book>().order_by("id").iterator(2000);
//   for (auto chunk = co_await it.next(); !chunk.empty(); chunk = co_await it.next())
//       for (Book& b : chunk) use(b);   // may co_await between chunks, unlike for_each()
//
// Connection: on a pool the iterator holds one connection from the first next() until the end
// (or close()); on a connection it uses that one. A cursor lives in a transaction: inside an
// atomic block (`using_(blk.db())`) it is the block's; otherwise the iterator opens one (BEGIN)
// and commits it at the end, so on a borrowed connection other coroutines' queries meanwhile
// run inside it. Each iterator prepares its DECLARE and FETCH statements once (they are evicted
// from the statement cache like any other). On a pool, next() and close() run their statements
// on the connection's strand and complete on the caller's executor; destroy an unfinished
// iterator on that strand when several threads run the io_context (its cleanup is queued there).
#pragma once

#include <turbopg/orm/compiler.hpp>
#include <turbopg/orm/database.hpp>
#include <turbopg/orm/model_sink.hpp>

#include <asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace turbopg::orm {

namespace detail {

// The model-independent part: the cursor, its connection and its transaction.
class TURBOPG_ORM_API cursor {
public:
    // An empty `select.sql` is a cursor without rows (queryset::none()).
    cursor(database db, sql_query select, std::size_t chunk_size);
    cursor(cursor&&) noexcept;
    cursor& operator=(cursor&&) noexcept;
    // An unfinished cursor is closed without waiting: its transaction's ROLLBACK (or, in a
    // transaction it did not open, CLOSE) is queued on the connection, which goes back to the
    // pool.
    ~cursor();

    // FETCHes the next chunk_size rows into `sink` (DECLAREing the cursor first on the first
    // call) and completes with how many came. After a short chunk the cursor is finished:
    // closed, its transaction committed, the connection returned. On an error the cursor is
    // finished as the destructor does and the error rethrown.
    asio::awaitable<std::size_t> fetch(wire::detail::result_sink& sink);
    // Finishes the cursor now (CLOSE / COMMIT); nothing when already finished.
    asio::awaitable<void> close();
    bool finished() const noexcept;
    std::size_t chunk_size() const noexcept { return chunk_size_; }

private:
    struct state;
    asio::awaitable<std::size_t> fetch_here(wire::detail::result_sink& sink);
    asio::awaitable<void> close_here();

    std::unique_ptr<state> s_;
    std::size_t chunk_size_;
};

} // namespace detail

// What queryset::iterator() returns. Move-only.
template <class M>
class model_iterator {
public:
    model_iterator(database db, sql_query select, std::vector<std::size_t> fields,
                   std::size_t chunk_size)
        : cursor_(db, std::move(select), chunk_size)
        , fields_(std::move(fields)) {
        chunk_.reserve(cursor_.chunk_size());
    }

    // The next rows, at most chunk_size of them; an empty span once every row has been read
    // (the cursor is closed by then). The span and its objects (yours to move from) stay valid
    // until the next call. Throws the server's or a decoding error (the iteration is over then).
    asio::awaitable<std::span<M>> next() {
        filled_ = 0;
        if (cursor_.finished()) co_return std::span<M>();
        // The rows are decoded into the previous chunk's objects (each swapped into the sink
        // for the next row once the row before it is stored, the first one kept in spare_):
        // strings keep their capacity from chunk to chunk, and a chunk allocates nothing.
        auto keep = [this](M&& m) {
            if (filled_ < chunk_.size())
                std::swap(chunk_[filled_], m);
            else
                chunk_.push_back(std::move(m));
            ++filled_;
        };
        detail::model_sink<M, decltype(keep)> sink(fields_, keep);
        std::swap(sink.object(), spare_);
        try {
            co_await cursor_.fetch(sink);
        } catch (const wire::error&) {
            sink.failure().rethrow();
            throw;
        }
        std::swap(sink.object(), spare_);
        co_return std::span<M>(chunk_.data(), filled_);
    }

    // Ends the iteration early, waiting for CLOSE (or COMMIT) and returning the connection.
    // Destroying an unfinished iterator does the same without waiting.
    asio::awaitable<void> close() { co_await cursor_.close(); }

private:
    detail::cursor cursor_;
    std::vector<std::size_t> fields_;
    std::vector<M> chunk_;
    std::size_t filled_ = 0; // the objects of chunk_ that hold the current chunk
    M spare_{};
};

} // namespace turbopg::orm
