#include "proto/backend.hpp"

#include <charconv>

namespace turbopg::wire::proto {
namespace {

std::error_code violation() noexcept {
    return make_error_code(errc::protocol_violation);
}
std::error_code done(const byte_reader& r) noexcept {
    return r.ok_and_done() ? std::error_code{} : violation();
}

} // namespace

std::error_code parse(byte_view body, authentication& out) noexcept {
    byte_reader r(body);
    out.code = r.get_i32();
    if (r.failed()) return violation();
    out.data = r.rest();
    switch (out.code) {
    case auth_code::ok:
    case auth_code::cleartext_password:
    case auth_code::kerberos_v5:
    case auth_code::gss:
    case auth_code::sspi:
        return out.data.empty() ? std::error_code{} : violation();
    case auth_code::md5_password:
        return out.data.size() == 4 ? std::error_code{} : violation();
    default:
        return {};
    }
}

std::error_code parse_sasl_mechanisms(byte_view data, std::vector<std::string_view>& out) {
    out.clear();
    byte_reader r(data);
    for (;;) {
        auto name = r.get_cstring();
        if (r.failed()) return violation();
        if (name.empty()) break;
        out.push_back(name);
    }
    return done(r);
}

std::error_code parse(byte_view body, backend_key_data& out) noexcept {
    byte_reader r(body);
    out.pid = r.get_i32();
    out.secret = r.get_i32();
    return done(r);
}

std::error_code parse(byte_view body, parameter_status& out) noexcept {
    byte_reader r(body);
    out.name = r.get_cstring();
    out.value = r.get_cstring();
    return done(r);
}

std::error_code parse(byte_view body, ready_for_query& out) noexcept {
    byte_reader r(body);
    out.status = static_cast<char>(r.get_u8());
    if (auto ec = done(r)) return ec;
    return out.status == 'I' || out.status == 'T' || out.status == 'E' ? std::error_code{}
                                                                       : violation();
}

std::error_code parse(byte_view body, command_complete& out) noexcept {
    byte_reader r(body);
    out.tag = r.get_cstring();
    return done(r);
}

std::uint64_t rows_affected(std::string_view tag) noexcept {
    static constexpr std::string_view counted[] = {"INSERT ", "UPDATE ", "DELETE ", "MERGE ",
                                                   "SELECT ", "MOVE ",   "FETCH ",  "COPY "};
    bool known = false;
    for (auto prefix : counted)
        known = known || tag.starts_with(prefix);
    if (!known) return 0;
    auto space = tag.rfind(' ');
    std::uint64_t n = 0;
    auto digits = tag.substr(space + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    return ec == std::errc{} && ptr == digits.data() + digits.size() ? n : 0;
}

std::error_code parse_diagnostics(byte_view body, server_diagnostics& out) {
    byte_reader r(body);
    auto to_u32 = [](std::string_view s) {
        std::uint32_t v = 0;
        std::from_chars(s.data(), s.data() + s.size(), v);
        return v;
    };
    for (;;) {
        auto code = static_cast<char>(r.get_u8());
        if (r.failed()) return violation();
        if (code == 0) break;
        auto value = r.get_cstring();
        if (r.failed()) return violation();
        switch (code) {
        case 'S':
            out.severity = value;
            break;
        case 'V':
            out.severity_nonlocalized = value;
            break;
        case 'C':
            out.sqlstate = value;
            break;
        case 'M':
            out.message = value;
            break;
        case 'D':
            out.detail = value;
            break;
        case 'H':
            out.hint = value;
            break;
        case 'P':
            out.position = to_u32(value);
            break;
        case 'p':
            out.internal_position = to_u32(value);
            break;
        case 'q':
            out.internal_query = value;
            break;
        case 'W':
            out.where = value;
            break;
        case 's':
            out.schema_name = value;
            break;
        case 't':
            out.table_name = value;
            break;
        case 'c':
            out.column_name = value;
            break;
        case 'd':
            out.data_type_name = value;
            break;
        case 'n':
            out.constraint_name = value;
            break;
        case 'F':
            out.file = value;
            break;
        case 'L':
            out.line = value;
            break;
        case 'R':
            out.routine = value;
            break;
        default:
            break; // future fields are to be ignored (protocol docs)
        }
    }
    return done(r);
}

std::error_code parse(byte_view body, notification& out) noexcept {
    byte_reader r(body);
    out.pid = r.get_i32();
    out.channel = r.get_cstring();
    out.payload = r.get_cstring();
    return done(r);
}

std::error_code parse_parameter_description(byte_view body, std::vector<std::uint32_t>& types) {
    byte_reader r(body);
    // The count is unsigned: a statement takes up to 65535 parameters (the server reads Bind's
    // counts the same way).
    auto n = r.get_u16();
    if (r.failed()) return violation();
    types.clear();
    types.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        types.push_back(r.get_u32());
    return done(r);
}

std::error_code parse_row_description(byte_view body, std::vector<column_description>& columns) {
    byte_reader r(body);
    auto n = r.get_i16();
    if (r.failed() || n < 0) return violation();
    columns.clear();
    columns.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        column_description c;
        c.name = r.get_cstring();
        c.table_oid = r.get_u32();
        c.column_number = r.get_i16();
        c.type_oid = r.get_u32();
        c.type_size = r.get_i16();
        c.type_modifier = r.get_i32();
        c.format = r.get_i16();
        if (r.failed()) return violation();
        columns.push_back(std::move(c));
    }
    return done(r);
}

std::error_code parse_data_row(byte_view body, std::vector<field_slice>& fields) noexcept {
    if (body.size() < 2) return violation();
    auto n = static_cast<std::int16_t>(load_be<std::uint16_t>(body.data()));
    if (n < 0) return violation();
    // Every field needs at least its 4-byte length: reject a count the body cannot hold before
    // making room for it.
    if (static_cast<std::size_t>(n) * 4 > body.size() - 2) return violation();
    // Not cleared first: the rows of a result have the same width, so this is a no-op from the
    // second row on. The fields go through a local pointer, since every load from the body (a
    // std::byte may alias anything) would otherwise reload the vector's own pointers.
    fields.resize(static_cast<std::size_t>(n));
    auto* out = fields.data();
    const std::byte* p = body.data() + 2;
    const std::byte* end = body.data() + body.size();
    for (int i = 0; i < n; ++i) {
        if (end - p < 4) return violation();
        auto len = static_cast<std::int32_t>(load_be<std::uint32_t>(p));
        p += 4;
        if (len < -1 || (len > 0 && end - p < len)) return violation();
        out[i] = {len < 0 ? nullptr : p, len};
        if (len > 0) p += len;
    }
    return p == end ? std::error_code{} : violation();
}

std::error_code parse(byte_view body, copy_response& out) {
    byte_reader r(body);
    out.format = static_cast<std::int8_t>(r.get_u8());
    auto n = r.get_i16();
    if (r.failed() || n < 0 || (out.format != 0 && out.format != 1)) return violation();
    out.column_formats.clear();
    for (int i = 0; i < n; ++i)
        out.column_formats.push_back(r.get_i16());
    return done(r);
}

std::error_code parse(byte_view body, negotiate_protocol_version& out) {
    byte_reader r(body);
    out.newest_minor = r.get_i32();
    auto n = r.get_i32();
    if (r.failed() || n < 0) return violation();
    out.unrecognized_options.clear();
    for (int i = 0; i < n && !r.failed(); ++i)
        out.unrecognized_options.push_back(r.get_cstring());
    return done(r);
}

std::error_code expect_empty(byte_view body) noexcept {
    return body.empty() ? std::error_code{} : violation();
}

} // namespace turbopg::wire::proto
