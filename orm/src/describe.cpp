#include <turbopg/orm/compiler.hpp>

#include <turbopg/wire/oid.hpp>

#include <string>

namespace turbopg::orm {

namespace {
std::string quoted(std::string_view v) {
    std::string out = "'";
    for (char c : v) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

// "<numeric>": a value shown by its type. Here and in describe(), strings are built by appending:
// g++ 12 warns (-Wrestrict, a false positive) on "<" + std::string once inlined.
std::string type_placeholder(wire::oid_t type) {
    std::string out(1, '<');
    out += wire::describe_type(type);
    out += '>';
    return out;
}

template <class T>
std::string decoded(const param_value& p) {
    T v{};
    std::span<const std::byte> payload(p.encoded.data() + 4, p.encoded.size() - 4);
    if (wire::decode_value(payload, p.type, v)) return type_placeholder(p.type);
    if constexpr (std::is_same_v<T, std::string>) {
        return quoted(v);
    } else if constexpr (std::is_same_v<T, bool>) {
        return v ? "true" : "false";
    } else {
        return std::to_string(v);
    }
}
} // namespace

std::string describe(const param_value& p) {
    if (p.is_null()) return "NULL";
    switch (p.type) {
    case wire::oid::int2:
        return decoded<std::int16_t>(p);
    case wire::oid::int4:
        return decoded<std::int32_t>(p);
    case wire::oid::int8:
        return decoded<std::int64_t>(p);
    case wire::oid::float4:
        return decoded<float>(p);
    case wire::oid::float8:
        return decoded<double>(p);
    case wire::oid::bool_:
        return decoded<bool>(p);
    case 0: // text format: a string whose type the server infers
        return quoted({reinterpret_cast<const char*>(p.encoded.data()) + 4, p.encoded.size() - 4});
    case wire::oid::text:
    case wire::oid::varchar:
        return decoded<std::string>(p);
    default:
        return type_placeholder(p.type);
    }
}

std::string describe(const sql_query& q) {
    std::string out = q.sql;
    if (q.params.empty()) return out;
    out += " [";
    for (std::size_t i = 0; i < q.params.size(); ++i) {
        if (i) out += ", ";
        out += '$';
        out += std::to_string(i + 1);
        out += " = ";
        out += describe(q.params[i]);
    }
    return out + "]";
}

} // namespace turbopg::orm
