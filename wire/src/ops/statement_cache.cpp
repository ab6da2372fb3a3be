#include "ops/statement_cache.hpp"

#include <iterator>

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

std::vector<std::shared_ptr<const statement_description>>
statement_cache::insert(const std::string& key, std::shared_ptr<const statement_description> stmt) {
    std::vector<std::shared_ptr<const statement_description>> to_close;
    if (capacity_ == 0) return to_close;
    if (auto it = index_.find(key); it != index_.end()) {
        // Replaced (e.g. re-prepared after invalidation): the old one is the caller's to close.
        to_close.push_back(std::move(it->second->second));
        it->second->second = std::move(stmt);
        entries_.splice(entries_.begin(), entries_, it->second);
    } else {
        entries_.emplace_front(key, std::move(stmt));
        index_.emplace(entries_.front().first, entries_.begin());
    }
    // From the least recently used up to (not including) the new one, skipping statements in
    // use (held outside the cache).
    for (auto it = std::prev(entries_.end());
         entries_.size() > capacity_ && it != entries_.begin();) {
        auto victim = it--;
        if (victim->second.use_count() > 1) continue;
        to_close.push_back(std::move(victim->second));
        index_.erase(victim->first);
        entries_.erase(victim);
    }
    return to_close;
}

bool statement_cache::erase(const std::string& key, const statement_description& stmt) {
    auto it = index_.find(key);
    if (it == index_.end() || it->second->second.get() != &stmt) return false;
    entries_.erase(it->second);
    index_.erase(it);
    return true;
}

void statement_cache::clear() noexcept {
    index_.clear();
    entries_.clear();
}

} // namespace turbopg::wire::ops
