// The per-connection cache of named prepared statements: bounded, least recently used first
// out. Sans-io bookkeeping only: the connection decides when to Parse and Close.
//
// A statement is in use while anyone but the cache holds its shared_ptr: a request that looked
// it up and has not written its Bind yet (e.g. a batch still preparing its other statements,
// while other coroutines' queries prepare and evict). Eviction skips statements in use, so a
// Close never reaches the server ahead of a Bind that needs the statement. (One the server
// invalidated is dropped and closed even in use: every Bind of it fails anyway.)
#pragma once

#include "proto/backend.hpp"

#include <turbopg/wire/detail/result_sink.hpp>

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace turbopg::wire::ops {

// What the server told us about a prepared statement, shared by everyone executing it.
struct statement_description {
    std::string name;
    std::vector<std::uint32_t> param_types;
    // The result columns; each column's `format` is the one requested in Bind: binary where
    // turbopg has a codec, text otherwise.
    detail::column_list columns;
    std::vector<std::int16_t> result_formats;
};

class statement_cache {
public:
    explicit statement_cache(std::size_t capacity)
        : capacity_(capacity) {}

    std::size_t capacity() const noexcept { return capacity_; }
    std::size_t size() const noexcept { return entries_.size(); }

    // The key of a statement: its SQL and the parameter types it is prepared with (the same SQL
    // run with different C++ argument types is a different statement).
    static std::string make_key(std::string_view sql, std::span<const std::uint32_t> param_types);
    // The same into `key` (reusing its storage).
    static void make_key(std::string& key, std::string_view sql,
                         std::span<const std::uint32_t> param_types);

    // The cached statement, marked most recently used; null on a miss.
    std::shared_ptr<const statement_description> find(const std::string& key);

    // A fresh statement name, unique on this connection ("turbopg_s1", ...).
    std::string next_name();

    // Caches `stmt` as the most recently used, then evicts the least recently used statements
    // not in use until the cache is back within its capacity; with every other one in use it
    // stays over capacity until a later insert. Returns what the caller must close on the
    // server: the evicted statements, and the one `stmt` replaced under the same key.
    std::vector<std::shared_ptr<const statement_description>>
    insert(const std::string& key, std::shared_ptr<const statement_description> stmt);

    // Drops the entry for `key` if it is still `stmt` (the server invalidated it, and no
    // concurrent request re-prepared it meanwhile). True when it was dropped: the caller closes
    // it then.
    bool erase(const std::string& key, const statement_description& stmt);

    void clear() noexcept;

private:
    using lru_list =
        std::list<std::pair<std::string, std::shared_ptr<const statement_description>>>;
    std::size_t capacity_;
    lru_list entries_; // front = most recently used
    std::unordered_map<std::string_view, lru_list::iterator> index_;
    std::uint64_t counter_ = 0;
};

} // namespace turbopg::wire::ops
