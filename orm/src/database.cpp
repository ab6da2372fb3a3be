#include <turbopg/orm/database.hpp>
#include <turbopg/orm/error.hpp>

#include <array>
#include <map>
#include <mutex>
#include <span>

namespace turbopg::orm {

namespace {
struct registry {
    std::mutex mutex;
    std::map<std::string, database, std::less<>> databases;
};
registry& databases() {
    static registry r;
    return r;
}
} // namespace

void database::add(std::string name, database db) {
    auto& r = databases();
    std::lock_guard lock(r.mutex);
    r.databases.insert_or_assign(std::move(name), db);
}

void database::remove(std::string_view name) noexcept {
    auto& r = databases();
    std::lock_guard lock(r.mutex);
    if (auto it = r.databases.find(name); it != r.databases.end()) r.databases.erase(it);
}

database database::named(std::string_view name) {
    auto& r = databases();
    std::lock_guard lock(r.mutex);
    if (auto it = r.databases.find(name); it != r.databases.end()) return it->second;
    std::string known;
    for (const auto& [n, db] : r.databases)
        known += (known.empty() ? "" : ", ") + n;
    throw error("no database named \"" + std::string(name) + "\" (registered: " +
                (known.empty() ? std::string("none") : known) + "); add it with database::add");
}

namespace {

// The types and formats of a statement's parameters, for Bind: held inline for the usual few, so
// running a query allocates nothing for them.
class param_layout {
public:
    explicit param_layout(std::span<const param_value> params)
        : size_(params.size()) {
        if (size_ > inline_count) {
            types_heap_.resize(size_);
            formats_heap_.resize(size_);
        }
        auto* types = size_ > inline_count ? types_heap_.data() : types_inline_.data();
        auto* formats = size_ > inline_count ? formats_heap_.data() : formats_inline_.data();
        for (std::size_t i = 0; i < size_; ++i) {
            types[i] = params[i].type;
            formats[i] = params[i].type == 0 ? 0 : 1; // OID 0: text, for the server to infer
        }
    }
    std::span<const wire::oid_t> types() const noexcept {
        return {size_ > inline_count ? types_heap_.data() : types_inline_.data(), size_};
    }
    std::span<const std::int16_t> formats() const noexcept {
        return {size_ > inline_count ? formats_heap_.data() : formats_inline_.data(), size_};
    }

private:
    static constexpr std::size_t inline_count = 16;
    std::size_t size_;
    std::array<wire::oid_t, inline_count> types_inline_;
    std::array<std::int16_t, inline_count> formats_inline_;
    std::vector<wire::oid_t> types_heap_;
    std::vector<std::int16_t> formats_heap_;
};

// Writes the Bind values of `q`; lives in the awaiting frame (the wire keeps a reference to it).
struct param_writer {
    statement_view q;
    void operator()(wire::bytes& out) const {
        for (const auto& p : q.params)
            out.insert(out.end(), p.encoded.begin(), p.encoded.end());
    }
};

struct bound_query {
    explicit bound_query(statement_view q)
        : query(q)
        , layout(q.params)
        , writer{q} {}
    // Not a coroutine: the statement runs from the caller's frame, which owns *this.
    asio::awaitable<void> run(wire::connection& conn, wire::detail::result_sink& sink) {
        return conn.run_extended_erased(query.sql, layout.types(), layout.formats(), writer, sink);
    }
    statement_view query;
    param_layout layout;
    param_writer writer;
};

} // namespace

asio::awaitable<void> run_query(wire::connection& conn, statement_view q,
                                wire::detail::result_sink& sink) {
    bound_query bound(q);
    co_await bound.run(conn, sink);
}

asio::awaitable<void> run_on(database db, statement_view q, wire::detail::result_sink& sink,
                             const wire::detail::row_failure* failure) {
    bound_query bound(q);
    try {
        // On a connection the statement runs from this frame: no coroutine in between.
        if (auto* conn = db.connection())
            co_await bound.run(*conn, sink);
        else
            co_await db.pool()->run([&](wire::connection& c) { return bound.run(c, sink); });
    } catch (const wire::error&) {
        if (failure) failure->rethrow();
        throw;
    }
}

} // namespace turbopg::orm
