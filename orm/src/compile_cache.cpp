#include "compile_cache.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iterator>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace turbopg::orm::detail {
namespace {

// Shapes kept per thread; past this many the cache starts over (queries built from run-time
// data can have endless shapes). A key longer than max_key_size (a filter of hundreds of terms)
// is not kept.
constexpr std::size_t max_shapes = 512;
constexpr std::size_t max_key_size = 4096;

// A value of a statement, in the order the key walk met it: a param_value of a node, or a
// LIMIT/OFFSET of a select (an std::int64_t, made a parameter by the compiler).
struct value_ref {
    const void* at;
    bool bound;
};

// The bytes of a key: appended without std::string's checks per call. Writes of a fixed size
// are inlined into plain stores (a key is written on every compile, a cache hit included).
class key_buffer {
public:
    void clear() noexcept { size_ = 0; }
    template <class T>
    void raw(const T& v) {
        room(sizeof v);
        std::memcpy(bytes_.data() + size_, &v, sizeof v);
        size_ += sizeof v;
    }
    void put(const void* p, std::size_t n) {
        room(n);
        std::memcpy(bytes_.data() + size_, p, n);
        size_ += n;
    }
    std::string_view view() const noexcept { return {bytes_.data(), size_}; }
    void overwrite(std::size_t at, char c) noexcept { bytes_[at] = c; }

private:
    void room(std::size_t n) {
        if (n > bytes_.size() - size_) bytes_.resize(std::max(bytes_.size() * 2, size_ + n));
    }

    std::vector<char> bytes_ = std::vector<char>(512);
    std::size_t size_ = 0;
};

// The key of a statement: its AST written out without values (see compile_cache.hpp). Every
// member of ast::select and ast::node that the compiler reads is written here. A select's and a
// node's sizes and flags go first in one fixed-size head, their contents after: the key stays
// unambiguous, and most of it is a few stores.
class shape_writer {
public:
    shape_writer(key_buffer& key, std::vector<value_ref>& values)
        : key_(key)
        , values_(values) {}

    void statement(const statement_input& in) {
        const std::uint32_t head[3] = {static_cast<std::uint32_t>(in.kind), size(in.aggregates),
                                       size(in.set)};
        key_.raw(head);
        select(in.query);
        for (const auto& a : in.aggregates)
            named(a);
        for (const auto& s : in.set) {
            text(s.column);
            expr(s.value);
        }
    }

private:
    template <class C>
    static std::uint32_t size(const C& c) {
        return static_cast<std::uint32_t>(c.size());
    }
    void text(std::string_view s) {
        key_.raw(size(s));
        key_.put(s.data(), s.size());
    }
    void named(const ast::named_expr& n) {
        text(n.name);
        expr(n.e);
    }
    // LIMIT/OFFSET: whether there is one goes into the head; its value is a parameter.
    void bound(const std::optional<std::int64_t>& v) {
        if (v) values_.push_back({&*v, true});
    }

    void select(const ast::select& q) {
        const auto& l = q.lock;
        const std::uint32_t flags =
            q.values_mode | q.order_set << 1 | q.random_order << 2 | q.reversed << 3 |
            q.distinct << 4 | q.empty << 5 | q.limit.has_value() << 6 | q.offset.has_value() << 7 |
            l.enabled << 8 | l.share << 9 | l.nowait << 10 | l.skip_locked << 11 | l.no_key << 12 |
            (q.first != nullptr) << 13;
        const std::uint32_t head[10] = {size(q.fields),       size(q.annotations),
                                        size(q.values),       size(q.where),
                                        size(q.having),       size(q.order),
                                        size(q.distinct_on),  size(l.of),
                                        size(q.combinations), flags};
        key_.raw(q.model);
        key_.raw(head);
        for (auto f : q.fields)
            key_.raw(static_cast<std::uint32_t>(f));
        for (const auto& a : q.annotations)
            named(a);
        for (const auto& v : q.values)
            named(v);
        for (const auto& e : q.where)
            expr(e);
        for (const auto& e : q.having)
            expr(e);
        for (const auto& o : q.order) {
            expr(o.e);
            key_.raw(static_cast<std::uint8_t>(o.descending | static_cast<int>(o.null_order) << 1));
        }
        for (const auto& e : q.distinct_on)
            expr(e);
        bound(q.limit);
        bound(q.offset);
        for (const auto& o : l.of)
            text(o);
        if (q.first) select(*q.first);
        for (const auto& c : q.combinations) {
            key_.raw(static_cast<std::uint8_t>(static_cast<int>(c.op) | c.all << 2));
            select(*c.other);
        }
    }

    void expr(const ast::expr& e) {
        // A node's head starts with its kind and flags, which are never all ones as here.
        if (!e) {
            key_.raw(~std::uint32_t{0});
            return;
        }
        const auto& n = *e;
        // The node's fixed-size part in one piece (no padding: every byte is written), then its
        // texts, children and values.
        const std::uint32_t head[5] = {static_cast<std::uint32_t>(n.k) |
                                           (n.distinct | n.flag << 1 | (n.query != nullptr) << 2)
                                               << 8,
                                       size(n.text), size(n.table), size(n.args), size(n.params)};
        key_.raw(head);
        key_.put(n.text.data(), n.text.size());
        key_.put(n.table.data(), n.table.size());
        // A string lookup (Q("x__isnull", false)) is resolved while compiling. An isnull one
        // takes its value into the SQL: the values under it are part of the shape. (Other lookups
        // bind theirs, or make a LIKE pattern of it, and such a shape is not cached.)
        bool path = n.k == ast::kind::path && std::string_view(n.text).ends_with("__isnull");
        in_path_ += path;
        for (const auto& a : n.args)
            expr(a);
        in_path_ -= path;
        for (const auto& p : n.params) {
            const std::uint32_t value[2] = {p.type, p.is_null()};
            key_.raw(value);
            if (in_path_ > 0) key_.put(p.encoded.data(), p.encoded.size());
            values_.push_back({&p, false});
        }
        if (n.query) select(*n.query);
    }

    key_buffer& key_;
    std::vector<value_ref>& values_;
    int in_path_ = 0; // how many isnull string lookups the walk is inside
};

// A cached statement: the SQL, and for each of its parameters the index of its value in the key
// walk's list. Not cacheable: the compile made up a parameter (the shape is compiled each time).
struct shape_entry {
    std::shared_ptr<const std::string> sql;
    std::vector<std::uint32_t> value_index;
    bool cacheable = true;
};

// Looks keys up by string_view: a hit builds no std::string.
struct key_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept {
        return std::hash<std::string_view>{}(key);
    }
};

struct shape_cache {
    std::unordered_map<std::string, shape_entry, key_hash, std::equal_to<>> entries;
    key_buffer key;                // reused: the key of the statement being compiled
    std::vector<value_ref> values; // reused: its values, in key order
    std::uint64_t hits = 0;
};

shape_cache& cache() {
    thread_local shape_cache c;
    return c;
}

std::atomic<bool> checking{false};

statement from_entry(const shape_entry& e, const std::vector<value_ref>& values) {
    statement out;
    out.sql = e.sql;
    for (auto i : e.value_index) {
        const auto& v = values[i];
        if (v.bound)
            out.params.push_back(make_param(*static_cast<const std::int64_t*>(v.at)));
        else
            out.params.push_back(*static_cast<const param_value*>(v.at));
    }
    return out;
}

// Whether every value of the key walk sits in a place of its own. A node used twice in one query
// (one Q in two filters) is met twice: which of the two places a parameter came from is then
// unknown, and another query of that shape may hold different values there. Asked for every
// statement, cache hits included: a few values are compared pairwise, without allocating.
bool distinct_places(const std::vector<value_ref>& values) {
    constexpr std::size_t pairwise = 16;
    if (values.size() <= pairwise) {
        for (std::size_t i = 0; i < values.size(); ++i)
            for (std::size_t j = i + 1; j < values.size(); ++j)
                if (values[i].at == values[j].at) return false;
        return true;
    }
    std::vector<const void*> at;
    at.reserve(values.size());
    for (const auto& v : values)
        at.push_back(v.at);
    std::sort(at.begin(), at.end());
    return std::adjacent_find(at.begin(), at.end()) == at.end();
}

bool same(const statement& a, const sql_query& b) {
    return *a.sql == b.sql &&
           std::equal(a.params.begin(), a.params.end(), b.params.begin(), b.params.end());
}

statement from_query(sql_query&& q) {
    return {std::make_shared<const std::string>(std::move(q.sql)), std::move(q.params)};
}

} // namespace

statement cached_statement(const statement_input& in,
                           wire::detail::function_ref<sql_query(parameter_sources&)> compile) {
    auto& c = cache();
    c.key.clear();
    c.values.clear();
    // First byte: whether a value is met twice. The compiler writes such a value's $n twice
    // (one expression to PostgreSQL), two values of the same shape once each, so the two are
    // different statements; the first kind is never cached (see distinct_places).
    c.key.raw(char{0});
    shape_writer(c.key, c.values).statement(in);
    const bool shared_values = !distinct_places(c.values);
    if (shared_values) c.key.overwrite(0, 1);
    if (auto it = c.entries.find(c.key.view()); it != c.entries.end() && it->second.cacheable) {
        ++c.hits;
        auto out = from_entry(it->second, c.values);
        if (checking.load(std::memory_order_relaxed)) {
            parameter_sources ignored;
            if (!same(out, compile(ignored)))
                throw std::logic_error("the compiled SQL of a cached query shape differs from "
                                       "its fresh compile: " +
                                       *out.sql);
        }
        return out;
    } else if (it != c.entries.end() || c.key.view().size() > max_key_size) {
        parameter_sources ignored;
        return from_query(compile(ignored));
    }

    // Copied out of the reused buffers before compiling, so that nothing depends on whether a
    // compile ever comes back here.
    std::string key(c.key.view());
    std::vector<value_ref> values = c.values;
    parameter_sources sources;
    auto out = from_query(compile(sources));
    shape_entry e;
    e.cacheable = !shared_values;
    for (std::size_t i = 0; e.cacheable && i < sources.size(); ++i) {
        auto at = std::find_if(values.begin(), values.end(),
                               [&](const value_ref& v) { return v.at == sources[i]; });
        e.cacheable = at != values.end(); // else made up by the compile
        if (e.cacheable) e.value_index.push_back(static_cast<std::uint32_t>(at - values.begin()));
    }
    if (e.cacheable)
        e.sql = out.sql;
    else
        e.value_index.clear();
    if (c.entries.size() >= max_shapes) c.entries.clear();
    c.entries.insert_or_assign(std::move(key), std::move(e));
    return out;
}

sql_query to_query(statement s) {
    return {*s.sql,
            {std::make_move_iterator(s.params.begin()), std::make_move_iterator(s.params.end())}};
}

sql_query compile_cached(const statement_input& in,
                         wire::detail::function_ref<sql_query(parameter_sources&)> compile) {
    return to_query(cached_statement(in, compile));
}

void check_compile_cache(bool on) noexcept {
    checking.store(on, std::memory_order_relaxed);
}

std::uint64_t compile_cache_hits() noexcept {
    return cache().hits;
}

} // namespace turbopg::orm::detail
