#include "proto/frontend.hpp"

#include <turbopg/wire/error.hpp>

#include <cstring>
#include <string>

namespace turbopg::wire::proto {
namespace {

[[noreturn, gnu::noinline]] void throw_too_large(char type, std::size_t body) {
    throw error(make_error_code(errc::message_too_large),
                std::string("a frontend message '") + type + "' of " + std::to_string(body) +
                    " bytes is longer than the server reads (" + std::to_string(max_message_body) +
                    ")");
}

// SQL text becomes a NUL-terminated String: checked before anything is appended.
void check_sql(char type, std::string_view sql) {
    if (sql.size() > max_message_body) throw_too_large(type, sql.size());
    if (std::memchr(sql.data(), 0, sql.size()))
        throw error(make_error_code(errc::invalid_value),
                    "SQL text holding a NUL byte cannot be sent (the protocol's strings end at "
                    "one)");
}

// A typed message: its type byte, then a length counting itself and the body.
template <class Body>
void message(byte_writer& w, char type, Body&& body) {
    auto start = w.size();
    w.put_u8(static_cast<std::uint8_t>(type));
    auto at = w.begin_length();
    body();
    if (auto size = w.size() - at - 4; size > max_message_body) {
        w.buffer().resize(start);
        throw_too_large(type, size);
    }
    w.end_length(at);
}

// Writers for a region reserved with byte_writer::append: each returns the position after what
// it wrote. Bind and Execute are written this way since every query sends them.
std::byte* put_be16(std::byte* p, std::uint16_t v) noexcept {
    store_be(p, v);
    return p + 2;
}
std::byte* put_be32(std::byte* p, std::uint32_t v) noexcept {
    store_be(p, v);
    return p + 4;
}
std::byte* put_cstring(std::byte* p, std::string_view s) noexcept {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p[s.size()] = std::byte{0};
    return p + s.size() + 1;
}
std::size_t formats_size(std::span<const std::int16_t> formats) noexcept {
    return 2 + 2 * formats.size();
}
std::byte* put_formats(std::byte* p, std::span<const std::int16_t> formats) noexcept {
    p = put_be16(p, static_cast<std::uint16_t>(formats.size()));
    for (auto f : formats)
        p = put_be16(p, static_cast<std::uint16_t>(f));
    return p;
}

// Bind up to and including the parameter count, its length left for the caller to write at
// p + 1; the size of that part is bind_head_size().
std::size_t bind_head_size(std::string_view portal, std::string_view statement,
                           std::span<const std::int16_t> param_formats) noexcept {
    return 1 + 4 + portal.size() + 1 + statement.size() + 1 + formats_size(param_formats) + 2;
}
std::byte* put_bind_head(std::byte* p, std::string_view portal, std::string_view statement,
                         std::span<const std::int16_t> param_formats,
                         std::uint16_t param_count) noexcept {
    *p++ = std::byte{'B'};
    p += 4;
    p = put_cstring(p, portal);
    p = put_cstring(p, statement);
    p = put_formats(p, param_formats);
    return put_be16(p, param_count);
}

} // namespace

void encode_startup(byte_writer& w, std::span<const startup_param> params) {
    // Untyped: the startup packet has no type byte (protocol docs, "StartupMessage").
    auto at = w.begin_length();
    w.put_i32(protocol_version_3_0);
    for (auto& [name, value] : params) {
        w.put_cstring(name);
        w.put_cstring(value);
    }
    w.put_u8(0);
    w.end_length(at);
}

void encode_ssl_request(byte_writer& w) {
    w.put_i32(8);
    w.put_i32(ssl_request_code);
}

void encode_cancel_request(byte_writer& w, std::int32_t pid, std::int32_t secret) {
    w.put_i32(16);
    w.put_i32(cancel_request_code);
    w.put_i32(pid);
    w.put_i32(secret);
}

void encode_password(byte_writer& w, std::string_view password) {
    message(w, 'p', [&] { w.put_cstring(password); });
}

void encode_sasl_initial_response(byte_writer& w, std::string_view mechanism,
                                  std::string_view data) {
    message(w, 'p', [&] {
        w.put_cstring(mechanism);
        w.put_i32(static_cast<std::int32_t>(data.size()));
        w.put_bytes(data);
    });
}

void encode_sasl_response(byte_writer& w, std::string_view data) {
    message(w, 'p', [&] { w.put_bytes(data); });
}

void check_message_size(char type, std::size_t body) {
    if (body > max_message_body) throw_too_large(type, body);
}

void encode_query(byte_writer& w, std::string_view sql) {
    check_sql('Q', sql);
    message(w, 'Q', [&] { w.put_cstring(sql); });
}

void encode_parse(byte_writer& w, std::string_view statement, std::string_view sql,
                  std::span<const std::uint32_t> param_types) {
    check_sql('P', sql);
    message(w, 'P', [&] {
        w.put_cstring(statement);
        w.put_cstring(sql);
        w.put_i16(static_cast<std::int16_t>(param_types.size()));
        for (auto oid : param_types)
            w.put_u32(oid);
    });
}

std::size_t begin_bind(byte_writer& w, std::string_view portal, std::string_view statement,
                       std::span<const std::int16_t> param_formats, std::uint16_t param_count) {
    auto at = w.size() + 1; // the length field, after the type byte
    put_bind_head(w.append(bind_head_size(portal, statement, param_formats)), portal, statement,
                  param_formats, param_count);
    return at;
}

std::byte* end_bind(byte_writer& w, std::size_t at, std::span<const std::int16_t> result_formats,
                    std::size_t then) {
    auto body = w.size() - at - 4 + formats_size(result_formats);
    if (body > max_message_body) {
        w.buffer().resize(at - 1);
        throw_too_large('B', body);
    }
    auto* p = put_formats(w.append(formats_size(result_formats) + then), result_formats);
    auto* start = w.buffer().data() + at;
    store_be(start, static_cast<std::uint32_t>(p - start));
    return p;
}

std::size_t bind_size(const bind_message& m) noexcept {
    return bind_head_size(m.portal, m.statement, m.param_formats) + m.values.size() +
           formats_size(m.result_formats);
}

std::byte* put_bind(std::byte* p, const bind_message& m) noexcept {
    auto* start = p;
    p = put_bind_head(p, m.portal, m.statement, m.param_formats, m.param_count);
    if (!m.values.empty()) std::memcpy(p, m.values.data(), m.values.size());
    p = put_formats(p + m.values.size(), m.result_formats);
    store_be(start + 1, static_cast<std::uint32_t>(p - start - 1));
    return p;
}

void encode_describe(byte_writer& w, target t, std::string_view name) {
    put_describe(w.append(describe_size(name)), t, name);
}

std::size_t describe_size(std::string_view name) noexcept {
    return 1 + 4 + 1 + name.size() + 1;
}

std::byte* put_describe(std::byte* p, target t, std::string_view name) noexcept {
    *p++ = std::byte{'D'};
    p = put_be32(p, static_cast<std::uint32_t>(describe_size(name) - 1));
    *p++ = static_cast<std::byte>(t);
    return put_cstring(p, name);
}

void encode_execute(byte_writer& w, std::string_view portal, std::int32_t max_rows) {
    put_execute(w.append(execute_size(portal)), portal, max_rows);
}

std::size_t execute_size(std::string_view portal) noexcept {
    return 1 + 4 + portal.size() + 1 + 4;
}

std::byte* put_execute(std::byte* p, std::string_view portal, std::int32_t max_rows) noexcept {
    *p++ = std::byte{'E'};
    p = put_be32(p, static_cast<std::uint32_t>(execute_size(portal) - 1));
    p = put_cstring(p, portal);
    return put_be32(p, static_cast<std::uint32_t>(max_rows));
}

void encode_close(byte_writer& w, target t, std::string_view name) {
    message(w, 'C', [&] {
        w.put_u8(static_cast<std::uint8_t>(t));
        w.put_cstring(name);
    });
}

void encode_sync(byte_writer& w) {
    put_sync(w.append(sync_size));
}

std::byte* put_sync(std::byte* p) noexcept {
    *p++ = std::byte{'S'};
    return put_be32(p, 4);
}

void encode_flush(byte_writer& w) {
    message(w, 'H', [] {});
}

void encode_copy_data(byte_writer& w, byte_view data) {
    message(w, 'd', [&] { w.put_bytes(data); });
}

void append_copy_data(bytes& buffer, byte_view data) {
    if (buffer.empty()) {
        byte_writer w(buffer);
        encode_copy_data(w, data);
        return;
    }
    buffer.insert(buffer.end(), data.begin(), data.end());
    store_be(buffer.data() + 1, static_cast<std::uint32_t>(buffer.size() - 1));
}

void encode_copy_done(byte_writer& w) {
    message(w, 'c', [] {});
}

void encode_copy_fail(byte_writer& w, std::string_view reason) {
    message(w, 'f', [&] { w.put_cstring(reason); });
}

void encode_terminate(byte_writer& w) {
    message(w, 'X', [] {});
}

} // namespace turbopg::wire::proto
