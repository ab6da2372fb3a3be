// The query AST: what querysets build and the SQL compiler (compiler.hpp) turns into text with
// $n placeholders plus typed parameters. Nodes are immutable and shared, so copying a queryset
// to chain a call copies pointers, not trees.
#pragma once

#include <turbopg/orm/detail/small_vector.hpp>
#include <turbopg/orm/model.hpp>
#include <turbopg/wire/connection.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace turbopg::orm {

// A parameter's Bind bytes (Int32 length, then the value; length -1 and nothing for NULL). The
// usual scalars (up to inline_size bytes with their length) are held inline: building a filter
// on a number or a short string allocates nothing for its value.
class param_bytes {
public:
    static constexpr std::size_t inline_size = 24;

    param_bytes() = default;
    // Takes the bytes in `b`: copied when they fit inline (`b` keeps its storage, for reuse),
    // else moved out of it.
    void take(wire::bytes& b) {
        if (b.size() <= inline_size) {
            std::copy(b.begin(), b.end(), small_.begin());
            size_ = static_cast<std::uint8_t>(b.size());
            large_.clear();
        } else {
            large_ = std::move(b);
            b = {};
        }
    }
    const std::byte* data() const noexcept {
        return large_.empty() ? small_.data() : large_.data();
    }
    std::size_t size() const noexcept { return large_.empty() ? size_ : large_.size(); }
    const std::byte* begin() const noexcept { return data(); }
    const std::byte* end() const noexcept { return data() + size(); }

private:
    std::array<std::byte, inline_size> small_{};
    std::uint8_t size_ = 0;
    wire::bytes large_; // empty when the bytes are inline (Bind bytes are never empty)
};

// One bound value: its type OID (0: text format, the server infers the type) and its Bind bytes,
// encoded once when the filter is built.
struct param_value {
    wire::oid_t type = 0;
    param_bytes encoded;

    bool is_null() const noexcept {
        static constexpr std::byte null_length[] = {std::byte{0xff}, std::byte{0xff},
                                                    std::byte{0xff}, std::byte{0xff}};
        return encoded.size() == 4 && std::equal(encoded.begin(), encoded.end(), null_length);
    }
    // The same value: the same type and the same bytes.
    bool operator==(const param_value& o) const noexcept {
        return type == o.type &&
               std::equal(encoded.begin(), encoded.end(), o.encoded.begin(), o.encoded.end());
    }
};

namespace detail {
// This thread's buffer for encoding a parameter before it goes into its param_value.
TURBOPG_ORM_API wire::bytes& param_scratch() noexcept;
} // namespace detail

// Encodes `v` as a parameter of its codec's type; throws wire::error if it cannot be encoded.
template <class T>
param_value make_param(const T& v) {
    using P = wire::detail::param_t<T>;
    param_value p;
    p.type = wire::param_type_oid<P>();
    auto& scratch = detail::param_scratch();
    scratch.clear();
    std::error_code ec;
    if constexpr (std::is_same_v<P, T>)
        ec = wire::encode_param(v, scratch);
    else
        ec = wire::encode_param(P(v), scratch);
    if (ec) throw wire::error(ec, wire::describe_param_error(ec, 1, wire::codec<P>::name));
    p.encoded.take(scratch);
    return p;
}

namespace ast {

enum class kind : std::uint8_t {
    column,    // text: column name; table: its table (empty = the query's own)
    field,     // text: a Django-style field name resolved against the query's model
    param,     // params[0]
    raw,       // text: SQL with %s placeholders for params
    func,      // text: function name; args
    op,        // text: infix operator (+ - * / % ||); args[0], args[1]
    cast,      // text: SQL type; args[0]
    extract,   // text: date part (YEAR, MONTH, DAY, DOW, HOUR, MINUTE, WEEK); args[0]
    lookup,    // text: lookup name (exact, iexact, contains, ..., in, isnull, range); args
    path,      // text: "pages__gte" resolved against the model; args[0]: the value
    and_,      // args
    or_,       // args
    not_,      // args[0]
    case_,     // args: when, then, when, then, ..., [else] (flag: has else)
    aggregate, // text: COUNT, SUM, ...; args[0] (star for COUNT(*)), args[1] filter or null
    subquery,  // query
    exists,    // query
    outer_ref, // text: a field of the enclosing query's model
    star,      // *
    empty,     // matches nothing (none(), in with an empty list)
};

struct select;
struct node;
using expr = std::shared_ptr<const node>;
// A node's children: two (a comparison's sides) fit in the node.
using expr_list = detail::small_vector<expr, 2>;

struct node {
    kind k{};
    std::string text;
    std::string table;
    expr_list args;
    detail::small_vector<param_value, 1> params; // one (a param node's) fits in the node
    std::shared_ptr<const select> query;
    bool distinct = false; // aggregate
    bool flag = false;     // lookup: the value is already a LIKE pattern / isnull: IS NULL
};

TURBOPG_ORM_API expr make(kind k, std::string text = {}, expr_list args = {});
TURBOPG_ORM_API expr make_param_node(param_value p);

enum class nulls : std::uint8_t { unspecified, first, last };

struct order_item {
    expr e;
    bool descending = false;
    nulls null_order = nulls::unspecified;
};

struct lock_clause {
    bool enabled = false;
    bool share = false; // FOR SHARE instead of FOR UPDATE
    bool nowait = false;
    bool skip_locked = false;
    bool no_key = false; // FOR NO KEY UPDATE
    std::vector<std::string> of;
};

enum class set_op : std::uint8_t { union_, intersect, except };

struct combined {
    set_op op{};
    bool all = false;
    std::shared_ptr<const select> other;
};

struct named_expr {
    std::string name;
    expr e;
};

struct select {
    const model_info* model = nullptr;
    std::vector<std::size_t> fields;     // the model's fields selected (empty: all; defer/only)
    std::vector<named_expr> annotations; // extra columns (annotate)
    std::vector<named_expr> values;      // values()/values_list(): replaces fields when set
    bool values_mode = false;
    expr_list where;          // ANDed (one or two filters held inline)
    std::vector<expr> having; // ANDed
    std::vector<order_item> order;
    bool order_set = false; // order_by() was called (even empty): the model's ordering is off
    bool random_order = false;
    bool reversed = false;
    bool distinct = false;
    std::vector<expr> distinct_on;
    std::optional<std::int64_t> limit, offset;
    lock_clause lock;
    // A combination (union_, intersection, difference) is `first` and then `combinations`, each
    // part with its own ORDER BY, LIMIT and OFFSET; the combination's own apply to the whole.
    // Its other members name the result's columns (model, fields, annotations).
    std::shared_ptr<const select> first;
    std::vector<combined> combinations;
    bool empty = false; // none(): no row, and no query is sent
};

} // namespace ast
} // namespace turbopg::orm
