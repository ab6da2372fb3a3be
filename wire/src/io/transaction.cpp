#include <turbopg/wire/transaction.hpp>

#include "io/connection_impl.hpp"

namespace turbopg::wire {

std::string begin_statement(const transaction_options& o) {
    std::string sql = "BEGIN";
    const char* sep = " ";
    auto add = [&](const char* mode) {
        sql += sep;
        sql += mode;
        sep = ", ";
    };
    if (o.isolation) {
        switch (*o.isolation) {
        case isolation_level::read_uncommitted:
            add("ISOLATION LEVEL READ UNCOMMITTED");
            break;
        case isolation_level::read_committed:
            add("ISOLATION LEVEL READ COMMITTED");
            break;
        case isolation_level::repeatable_read:
            add("ISOLATION LEVEL REPEATABLE READ");
            break;
        case isolation_level::serializable:
            add("ISOLATION LEVEL SERIALIZABLE");
            break;
        }
    }
    if (o.read_only) add("READ ONLY");
    if (o.deferrable) add("DEFERRABLE");
    return sql;
}

transaction::transaction(connection& c, std::size_t depth, std::string savepoint) noexcept
    : conn_(&c)
    , depth_(depth)
    , savepoint_(std::move(savepoint)) {}

transaction::transaction(transaction&& other) noexcept
    : conn_(other.conn_)
    , depth_(other.depth_)
    , savepoint_(std::move(other.savepoint_))
    , active_(std::exchange(other.active_, false))
    , rolled_back_(other.rolled_back_) {}

transaction::~transaction() {
    if (active_ && conn_->impl()) conn_->impl()->run_detached(rollback_sql());
}

std::string transaction::rollback_sql() const {
    if (savepoint_.empty()) return "ROLLBACK";
    return "ROLLBACK TO SAVEPOINT " + savepoint_ + "; RELEASE SAVEPOINT " + savepoint_;
}

namespace {
void require_active(const transaction& tx, const char* what) {
    if (!tx.active())
        throw error(errc::transaction_state,
                    std::string("cannot ") + what + ": the transaction is already finished");
}
} // namespace

asio::awaitable<transaction> transaction::begin(connection& c, transaction_options o) {
    if (c.is_open() && c.transaction_status() != 'I')
        throw error(errc::transaction_state,
                    std::string("cannot begin: the connection is already in a transaction block "
                                "(status '") +
                        c.transaction_status() + "'); use savepoint() to nest");
    co_await c.simple_query(begin_statement(o));
    co_return transaction(c, 0, {});
}

asio::awaitable<transaction> transaction::savepoint() {
    require_active(*this, "create a savepoint");
    auto name = "turbopg_sp_" + std::to_string(depth_ + 1);
    co_await conn_->simple_query("SAVEPOINT " + name);
    co_return transaction(*conn_, depth_ + 1, std::move(name));
}

asio::awaitable<void> transaction::commit() {
    require_active(*this, "commit");
    if (!savepoint_.empty() && conn_->transaction_status() == 'E') {
        // RELEASE would fail with 25P02; undo the savepoint's work the way COMMIT would.
        co_await rollback();
        throw error(errc::transaction_rolled_back,
                    "savepoint " + savepoint_ +
                        " was rolled back instead of released: a statement in it had failed");
    }
    // (Built before the co_await: g++ 12 mis-destroys a conditional's temporaries there.)
    auto sql = savepoint_.empty() ? std::string("COMMIT") : "RELEASE SAVEPOINT " + savepoint_;
    std::vector<result> results;
    try {
        results = co_await conn_->simple_query(sql);
    } catch (const error&) {
        // A failed COMMIT ends the transaction on the server (e.g. a deferred constraint); a
        // failed RELEASE leaves the savepoint for rollback().
        if (savepoint_.empty()) active_ = false;
        throw;
    }
    active_ = false;
    // PostgreSQL answers COMMIT of a failed transaction block with a ROLLBACK tag, no error.
    if (savepoint_.empty() && !results.empty() && results.back().command_tag() == "ROLLBACK")
        throw error(errc::transaction_rolled_back,
                    "COMMIT rolled the transaction back: a statement in it had failed");
}

asio::awaitable<void> transaction::rollback() {
    require_active(*this, "roll back");
    active_ = false;
    rolled_back_ = true;
    co_await conn_->simple_query(rollback_sql());
}

} // namespace turbopg::wire
