#include <turbopg/orm/database.hpp>
#include <turbopg/orm/error.hpp>

#include <map>
#include <mutex>

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

asio::awaitable<void> run_query(wire::connection& conn, const sql_query& q,
                                wire::detail::result_sink& sink) {
    std::vector<wire::oid_t> types;
    std::vector<std::int16_t> formats;
    types.reserve(q.params.size());
    formats.reserve(q.params.size());
    for (const auto& p : q.params) {
        types.push_back(p.type);
        formats.push_back(p.type == 0 ? 0 : 1);
    }
    auto write = [&](wire::bytes& out) {
        for (const auto& p : q.params)
            out.insert(out.end(), p.encoded.begin(), p.encoded.end());
    };
    co_await conn.run_extended_erased(q.sql, types, formats, write, sink);
}

} // namespace turbopg::orm
