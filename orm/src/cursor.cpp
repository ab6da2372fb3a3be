#include <turbopg/orm/error.hpp>
#include <turbopg/orm/identifier.hpp>
#include <turbopg/orm/iterator.hpp>
#include <turbopg/wire/detail/await_on.hpp>
#include <turbopg/wire/transaction.hpp>

#include "io/connection_impl.hpp"

#include <asio/this_coro.hpp>

#include <atomic>
#include <optional>
#include <string>

namespace turbopg::orm::detail {

namespace {

// Cursor names are unique in the process, so two iterators on one connection never collide
// and a cached FETCH statement (whose columns were described for its cursor) is never reused
// for another cursor.
std::string next_cursor_name() {
    static std::atomic<std::uint64_t> counter{0};
    return quote_identifier("turbopg_cursor_" + std::to_string(++counter));
}

// Passes everything on to `inner` and counts the rows.
class counting_sink final : public wire::detail::result_sink {
public:
    explicit counting_sink(wire::detail::result_sink& inner)
        : inner_(inner) {}
    void on_row_description(std::vector<wire::column_description>&& c) override {
        inner_.on_row_description(std::move(c));
    }
    void on_columns(const wire::detail::column_list& c) override { inner_.on_columns(c); }
    std::error_code on_data_row(std::span<const wire::detail::raw_field> row) override {
        ++rows_;
        return inner_.on_data_row(row);
    }
    void on_command_complete(std::string_view tag) override { inner_.on_command_complete(tag); }
    std::size_t rows() const noexcept { return rows_; }

private:
    wire::detail::result_sink& inner_;
    std::size_t rows_ = 0;
};

} // namespace

struct cursor::state {
    database db;
    sql_query select;
    wire::pooled_connection held; // on a pool: the connection, from the first fetch to the end
    wire::connection* conn = nullptr;
    std::optional<wire::transaction> tx; // the transaction the cursor opened, if it did
    std::string name;
    sql_query fetch;
    bool declared = false;
    bool finished = false;

    // Ends the cursor without waiting (see ~cursor()).
    void abandon() noexcept {
        if (!finished && declared && !tx && conn && conn->impl())
            conn->impl()->run_detached("CLOSE " + name);
        finished = true;
        tx.reset(); // queues its ROLLBACK when still active
        held.release();
    }
};

cursor::cursor(database db, sql_query select, std::size_t chunk_size)
    : s_(std::make_unique<state>(
          state{db, std::move(select), {}, nullptr, {}, {}, {}, false, false}))
    , chunk_size_(chunk_size) {
    if (chunk_size == 0) throw error("iterator(): chunk_size must be at least 1");
    s_->finished = s_->select.sql.empty(); // none(): no rows, no query
}

cursor::cursor(cursor&&) noexcept = default;
cursor& cursor::operator=(cursor&& other) noexcept {
    if (s_) s_->abandon();
    s_ = std::move(other.s_);
    chunk_size_ = other.chunk_size_;
    return *this;
}

cursor::~cursor() {
    if (s_) s_->abandon();
}

bool cursor::finished() const noexcept {
    return !s_ || s_->finished;
}

asio::awaitable<std::size_t> cursor::fetch(wire::detail::result_sink& sink) {
    if (finished()) co_return 0;
    auto* pool = s_->db.pool();
    if (pool == nullptr) co_return co_await fetch_here(sink);
    if (!s_->held) {
        s_->held = co_await pool->acquire();
        s_->conn = &*s_->held;
    }
    // A pooled connection is used from its own strand (see pool.hpp).
    auto ex = s_->held.get_executor();
    if ((co_await asio::this_coro::executor) == ex) co_return co_await fetch_here(sink);
    co_return co_await wire::detail::await_on(ex, fetch_here(sink));
}

asio::awaitable<std::size_t> cursor::fetch_here(wire::detail::result_sink& sink) {
    auto& s = *s_;
    if (s.conn == nullptr) s.conn = s.db.connection();
    counting_sink counted(sink);
    try {
        if (!s.declared) {
            // A cursor needs a transaction: the caller's (an atomic block), or one of its own.
            if (s.conn->transaction_status() == 'I')
                s.tx.emplace(co_await wire::transaction::begin(*s.conn));
            s.name = next_cursor_name();
            sql_query declare{"DECLARE " + s.name + " NO SCROLL CURSOR FOR " + s.select.sql,
                              std::move(s.select.params)};
            wire::result_builder ignored;
            co_await run_query(*s.conn, declare, ignored);
            s.declared = true;
            s.fetch.sql = "FETCH FORWARD " + std::to_string(chunk_size_) + " FROM " + s.name;
        }
        co_await run_query(*s.conn, s.fetch, counted);
    } catch (...) {
        s.abandon();
        throw;
    }
    if (counted.rows() < chunk_size_) co_await close_here();
    co_return counted.rows();
}

asio::awaitable<void> cursor::close() {
    if (finished()) co_return;
    if (!s_->declared) {
        s_->abandon();
        co_return;
    }
    auto* pool = s_->db.pool();
    if (pool == nullptr) co_return co_await close_here();
    auto ex = s_->held.get_executor();
    if ((co_await asio::this_coro::executor) == ex) co_return co_await close_here();
    co_await wire::detail::await_on(ex, close_here());
}

asio::awaitable<void> cursor::close_here() {
    auto& s = *s_;
    s.finished = true;
    try {
        if (s.tx) {
            co_await s.tx->commit(); // closes the cursor with its transaction
            s.tx.reset();
        } else {
            auto sql = "CLOSE " + s.name;
            co_await s.conn->simple_query(sql);
        }
    } catch (...) {
        s.tx.reset();
        s.held.release();
        throw;
    }
    s.held.release();
}

} // namespace turbopg::orm::detail
