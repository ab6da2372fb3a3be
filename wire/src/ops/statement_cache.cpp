#include "ops/statement_cache.hpp"

namespace turbopg::wire::ops {

std::string statement_cache::make_key(std::string_view sql,
                                      std::span<const std::uint32_t> param_types) {
    std::string key;
    make_key(key, sql, param_types);
    return key;
}

void statement_cache::make_key(std::string& key, std::string_view sql,
                               std::span<const std::uint32_t> param_types) {
    key.clear();
    key.reserve(sql.size() + 1 + param_types.size() * 4);
    key.append(sql);
    key.push_back('\0'); // SQL text cannot contain NUL, so the key is unambiguous
    for (auto oid : param_types)
        for (int shift = 24; shift >= 0; shift -= 8)
            key.push_back(static_cast<char>(oid >> shift));
}

std::shared_ptr<const statement_description> statement_cache::find(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return it->second->second;
}

std::string statement_cache::next_name() {
    return "turbopg_s" + std::to_string(++counter_);
}

std::shared_ptr<const statement_description>
statement_cache::insert(const std::string& key, std::shared_ptr<const statement_description> stmt) {
    if (capacity_ == 0) return nullptr;
    if (auto it = index_.find(key); it != index_.end()) {
        // Replaced (e.g. re-prepared after invalidation): the old one is the caller's to close.
        auto old = std::move(it->second->second);
        it->second->second = std::move(stmt);
        entries_.splice(entries_.begin(), entries_, it->second);
        return old;
    }
    std::shared_ptr<const statement_description> evicted;
    if (entries_.size() >= capacity_) {
        auto& last = entries_.back();
        index_.erase(last.first);
        evicted = std::move(last.second);
        entries_.pop_back();
    }
    entries_.emplace_front(key, std::move(stmt));
    index_.emplace(entries_.front().first, entries_.begin());
    return evicted;
}

std::shared_ptr<const statement_description> statement_cache::erase(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    auto stmt = std::move(it->second->second);
    entries_.erase(it->second);
    index_.erase(it);
    return stmt;
}

void statement_cache::clear() noexcept {
    index_.clear();
    entries_.clear();
}

} // namespace turbopg::wire::ops
