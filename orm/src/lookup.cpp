#include <turbopg/orm/error.hpp>
#include <turbopg/orm/lookup.hpp>
#include <turbopg/wire/detail/endian.hpp>

#include <array>
#include <string>

namespace turbopg::orm {

namespace {

constexpr std::array<std::string_view, 18> lookups{
    "exact",    "iexact",    "contains", "icontains", "startswith", "istartswith",
    "endswith", "iendswith", "gt",       "gte",       "lt",         "lte",
    "in",       "isnull",    "range",    "regex",     "iregex",     "ne"};

constexpr std::array<std::string_view, 8> transforms{"year", "month",  "day",    "week_day",
                                                     "hour", "minute", "second", "date"};

template <std::size_t N>
std::string join(const std::array<std::string_view, N>& names) {
    std::string out;
    for (auto n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view n) {
    for (auto x : names)
        if (x == n) return true;
    return false;
}

bool is_pattern_lookup(std::string_view l) {
    return l == "contains" || l == "icontains" || l == "startswith" || l == "istartswith" ||
           l == "endswith" || l == "iendswith";
}

bool is_text_type(wire::oid_t t) {
    return t == wire::oid::text || t == wire::oid::varchar || t == wire::oid::bpchar ||
           t == wire::oid::name || t == 0;
}

// The LIKE pattern for `value` (a text parameter): wildcards escaped with a backslash, '%' added
// where the lookup needs it.
param_value like_pattern(const param_value& value, std::string_view lookup) {
    const auto* data = reinterpret_cast<const char*>(value.encoded.data()) + 4;
    std::string_view text(data, value.encoded.size() - 4);
    std::string pattern;
    bool any_start = lookup.ends_with("contains") || lookup.ends_with("endswith");
    bool any_end = lookup.ends_with("contains") || lookup.ends_with("startswith");
    if (any_start) pattern += '%';
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
    }
    if (any_end) pattern += '%';
    return make_param(pattern);
}

// Whether `p` is a binary array of one dimension holding two elements (protocol: Int32 ndim,
// Int32 flags, Oid element type, then Int32 length and Int32 lower bound per dimension; after
// the parameter's own Int32 length).
bool is_pair_array(const param_value& p) {
    const auto* b = p.encoded.data();
    if (p.is_null() || p.encoded.size() < 4 + 20) return false;
    return wire::detail::load_be<std::int32_t>(b + 4) == 1 &&
           wire::detail::load_be<std::int32_t>(b + 16) == 2;
}

} // namespace

ast::expr make_lookup(std::string_view lookup, ast::expr lhs, ast::expr value) {
    auto n = std::make_shared<ast::node>();
    n->k = ast::kind::lookup;
    n->text = lookup;
    if (lookup == "isnull") {
        // "x__isnull", true: IS NULL; false: IS NOT NULL (the flag, as F(...).isnull() sets it).
        // As in Django, only a boolean says which.
        const auto* v = value && value->k == ast::kind::param && value->params.size() == 1
                            ? &value->params[0]
                            : nullptr;
        if (!v || v->type != wire::oid::bool_ || v->is_null())
            throw field_error("the value of an isnull lookup must be true or false");
        n->flag = v->encoded.data()[4] != std::byte{0}; // after the Int32 length
        n->args = {std::move(lhs), nullptr};
        return n;
    }
    if (is_pattern_lookup(lookup) && value->k == ast::kind::param && !value->params.empty() &&
        !value->params[0].is_null() && is_text_type(value->params[0].type)) {
        value = ast::make_param_node(like_pattern(value->params[0], lookup));
        n->flag = true;
    }
    n->args = {std::move(lhs), std::move(value)};
    return n;
}

ast::expr make_transform(std::string_view name, ast::expr lhs) {
    if (name == "date") {
        auto n = ast::make(ast::kind::cast, "date", {std::move(lhs)});
        return n;
    }
    std::string_view part = name == "year"       ? "YEAR"
                            : name == "month"    ? "MONTH"
                            : name == "day"      ? "DAY"
                            : name == "week_day" ? "DOW"
                            : name == "hour"     ? "HOUR"
                            : name == "minute"   ? "MINUTE"
                            : name == "second"   ? "SECOND"
                                                 : "";
    if (part.empty()) return nullptr;
    return ast::make(ast::kind::extract, std::string(part), {std::move(lhs)});
}

ast::expr resolve_field(const model_info& model, std::string_view name) {
    return model.column_nodes[model.index_of(name)];
}

namespace {
// The lookups and transforms after the first "__" of `full` applied to `lhs`.
ast::expr apply_path(ast::expr lhs, std::string_view full, ast::expr value) {
    std::string_view path = full;
    auto sep = path.find("__");
    std::string_view lookup = "exact";
    while (sep != std::string_view::npos) {
        path.remove_prefix(sep + 2);
        sep = path.find("__");
        auto part = path.substr(0, sep);
        if (contains(transforms, part)) {
            lhs = make_transform(part, std::move(lhs));
            lookup = "exact";
        } else if (contains(lookups, part) && sep == std::string_view::npos) {
            lookup = part;
        } else {
            throw field_error("unsupported lookup \"" + std::string(part) + "\" in \"" +
                              std::string(full) + "\"; lookups are: " + join(lookups) +
                              "; transforms are: " + join(transforms));
        }
    }
    if (lookup == "range") {
        // One value for both bounds: a one-dimensional array of two (e.g. std::vector{low,
        // high}), which the compiler reads as its [1] and [2].
        if (!value || value->k != ast::kind::param || value->params.size() != 1 ||
            !is_pair_array(value->params[0]))
            throw field_error("the value of \"" + std::string(full) +
                              "\" must hold the two bounds, e.g. std::vector{low, high}");
    }
    return make_lookup(lookup, std::move(lhs), std::move(value));
}
} // namespace

ast::expr resolve_lookup(const model_info& model, std::string_view path, ast::expr value) {
    return apply_path(resolve_field(model, path.substr(0, path.find("__"))), path,
                      std::move(value));
}

ast::expr resolve_name(const ast::select& q, std::string_view name) {
    for (const auto& a : q.annotations)
        if (a.name == name) return ast::make(ast::kind::field, a.name);
    if (q.model->find(name) || name == "pk") return resolve_field(*q.model, name);
    // A name given to an expression in values() (values(named("n", ...))), as Django's
    // values(n=...) annotates.
    for (const auto& v : q.values)
        if (v.name == name) return ast::make(ast::kind::field, v.name);
    std::string choices = q.model->field_names_list();
    for (const auto& a : q.annotations)
        choices += ", " + a.name;
    for (const auto& v : q.values)
        if (!q.model->find(v.name)) choices += ", " + v.name;
    throw field_error("cannot resolve field \"" + std::string(name) + "\" of " + q.model->cpp_name +
                      "; choices are: " + choices);
}

ast::expr resolve_lookup(const ast::select& q, std::string_view path, ast::expr value) {
    return apply_path(resolve_name(q, path.substr(0, path.find("__"))), path, std::move(value));
}

} // namespace turbopg::orm
