#include "config/conninfo.hpp"

#include "common/hex.hpp"

#include <turbopg/wire/error.hpp>

#include <algorithm>
#include <cstddef>
#include <string>

namespace turbopg::wire::config_detail {
namespace {

constexpr std::string_view uri_prefixes[] = {"postgresql://", "postgres://"};

bool is_secret(std::string_view keyword) noexcept {
    return keyword == "password" || keyword == "sslpassword";
}

// Stores one value; `in_uri` picks libpq's message for an unknown keyword.
void store(raw_settings& out, std::string_view name, std::string value, bool in_uri) {
    if (auto k = find_key(name)) {
        at(out, *k) = std::move(value);
        return;
    }
    if (in_uri) fail("invalid URI query parameter: \"" + std::string(name) + '"');
    fail("invalid connection option \"" + std::string(name) + '"');
}

// ---- key=value ---------------------------------------------------------------------------

// A value after '=': single-quoted (ends at the closing quote) or bare (ends at a blank). A
// backslash takes the next character literally in both.
std::string read_value(std::string_view s, std::size_t& i) {
    std::string value;
    if (i < s.size() && s[i] == '\'') {
        ++i;
        for (;;) {
            if (i >= s.size()) fail("unterminated quoted string in connection info string");
            char c = s[i++];
            if (c == '\\') {
                if (i < s.size()) value += s[i++];
            } else if (c == '\'') {
                return value;
            } else {
                value += c;
            }
        }
    }
    while (i < s.size() && !is_blank(s[i])) {
        char c = s[i++];
        if (c == '\\') {
            if (i < s.size()) value += s[i++];
        } else {
            value += c;
        }
    }
    return value;
}

raw_settings parse_key_value(std::string_view s) {
    raw_settings out;
    std::size_t i = 0;
    while (i < s.size()) {
        if (is_blank(s[i])) {
            ++i;
            continue;
        }
        std::size_t start = i;
        while (i < s.size() && s[i] != '=' && !is_blank(s[i]))
            ++i;
        std::string_view name = s.substr(start, i - start);
        while (i < s.size() && is_blank(s[i]))
            ++i;
        if (i >= s.size() || s[i] != '=') {
            fail("missing \"=\" after \"" + std::string(name) + "\" in connection info string");
        }
        ++i;
        while (i < s.size() && is_blank(s[i]))
            ++i;
        store(out, name, read_value(s, i), false);
    }
    return out;
}

// ---- URI ---------------------------------------------------------------------------------

// The URI for error messages, with the password in the user info and the values of password
// parameters masked (libpq quotes the URI whole; turbopg keeps passwords out of messages).
std::string redact_uri(std::string_view uri, std::size_t prefix_len) {
    std::string out(uri.substr(0, prefix_len));
    std::string_view rest = uri.substr(prefix_len);
    std::size_t at_sign = rest.find_first_of("@/");
    if (at_sign != std::string_view::npos && rest[at_sign] == '@') {
        std::string_view userinfo = rest.substr(0, at_sign);
        std::size_t colon = userinfo.find(':');
        if (colon != std::string_view::npos) {
            out += userinfo.substr(0, colon + 1);
            out += "********";
        } else {
            out += userinfo;
        }
        out += '@';
        rest.remove_prefix(at_sign + 1);
    }
    std::size_t q = rest.find('?');
    out += rest.substr(0, q);
    if (q == std::string_view::npos) return out;
    std::string_view query = rest.substr(q + 1);
    out += '?';
    bool first = true;
    while (!query.empty() || first) {
        std::size_t amp = query.find('&');
        std::string_view param = query.substr(0, amp);
        if (!first) out += '&';
        first = false;
        std::size_t eq = param.find('=');
        std::string_view name = param.substr(0, eq);
        if (eq != std::string_view::npos && is_secret(name)) {
            out += name;
            out += "=********";
        } else {
            out += param;
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return out;
}

void parse_query(std::string_view query, raw_settings& out) {
    while (!query.empty()) {
        std::size_t amp = query.find('&');
        std::string_view param = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);

        std::size_t eq = param.find('=');
        std::string_view raw_name = param.substr(0, eq);
        if (eq == std::string_view::npos) {
            fail("missing key/value separator \"=\" in URI query parameter: \"" +
                 std::string(raw_name) + '"');
        }
        std::string_view raw_value = param.substr(eq + 1);
        if (raw_value.find('=') != std::string_view::npos) {
            fail("extra key/value separator \"=\" in URI query parameter: \"" +
                 std::string(raw_name) + '"');
        }
        std::string name = percent_decode(raw_name, false);
        std::string value = percent_decode(raw_value, is_secret(name));
        // libpq maps JDBC's ssl=true to sslmode=require.
        if (name == "ssl" && value == "true") {
            name = "sslmode";
            value = "require";
        }
        store(out, name, std::move(value), true);
    }
}

// postgresql://[user[:password]@][netloc][,netloc...][/dbname][?param=value&...]
// netloc = host[:port] with IPv6 hosts in brackets. Hosts and ports are collected into
// comma-separated lists (a netloc without port leaves an empty entry) and decoded as lists,
// as libpq does.
raw_settings parse_uri(std::string_view uri, std::size_t prefix_len) {
    raw_settings out;
    std::string_view s = uri.substr(prefix_len);
    std::size_t p = 0;

    std::size_t cred_end = s.find_first_of("@/");
    if (cred_end != std::string_view::npos && s[cred_end] == '@') {
        std::string_view userinfo = s.substr(0, cred_end);
        std::size_t colon = userinfo.find(':');
        std::string_view user = userinfo.substr(0, colon);
        if (!user.empty()) at(out, key::user) = percent_decode(user, false);
        if (colon != std::string_view::npos) {
            std::string_view password = userinfo.substr(colon + 1);
            if (!password.empty()) at(out, key::password) = percent_decode(password, true);
        }
        p = cred_end + 1;
    }

    auto position_error = [&](std::size_t at_pos) {
        fail("unexpected character \"" + std::string(1, s[at_pos]) + "\" at position " +
             std::to_string(prefix_len + at_pos + 1) + " in URI (expected \":\" or \"/\"): \"" +
             redact_uri(uri, prefix_len) + '"');
    };

    std::string hosts;
    std::string ports;
    for (;;) {
        if (p < s.size() && s[p] == '[') {
            std::size_t close = s.find(']', p + 1);
            if (close == std::string_view::npos) {
                fail("end of string reached when looking for matching \"]\" in IPv6 host "
                     "address in URI: \"" +
                     redact_uri(uri, prefix_len) + '"');
            }
            if (close == p + 1) {
                fail("IPv6 host address may not be empty in URI: \"" + redact_uri(uri, prefix_len) +
                     '"');
            }
            hosts += s.substr(p + 1, close - p - 1);
            p = close + 1;
            if (p < s.size() && std::string_view(":/?,").find(s[p]) == std::string_view::npos)
                position_error(p);
        } else {
            std::size_t end = std::min(s.find_first_of(":/?,", p), s.size());
            hosts += s.substr(p, end - p);
            p = end;
        }
        if (p < s.size() && s[p] == ':') {
            std::size_t end = std::min(s.find_first_of("/?,", p + 1), s.size());
            ports += s.substr(p + 1, end - p - 1);
            p = end;
        }
        if (p >= s.size() || s[p] != ',') break;
        ++p;
        hosts += ',';
        ports += ',';
    }
    if (!hosts.empty()) at(out, key::host) = percent_decode(hosts, false);
    if (!ports.empty()) at(out, key::port) = percent_decode(ports, false);

    if (p < s.size() && s[p] == '/') {
        std::size_t end = std::min(s.find('?', p + 1), s.size());
        std::string_view dbname = s.substr(p + 1, end - p - 1);
        // An empty path sets nothing, so PGDATABASE still applies.
        if (!dbname.empty()) at(out, key::dbname) = percent_decode(dbname, false);
        p = end;
    }
    if (p < s.size() && s[p] == '?') parse_query(s.substr(p + 1), out);
    return out;
}

} // namespace

void fail(std::string message) {
    throw error(errc::bad_config, message);
}

bool is_uri(std::string_view s) noexcept {
    for (std::string_view prefix : uri_prefixes) {
        if (s.substr(0, prefix.size()) == prefix) return true;
    }
    return false;
}

raw_settings parse_conninfo(std::string_view s) {
    for (std::string_view prefix : uri_prefixes) {
        if (s.substr(0, prefix.size()) == prefix) return parse_uri(s, prefix.size());
    }
    return parse_key_value(s);
}

std::string percent_decode(std::string_view s, bool secret) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        int hi = i + 1 < s.size() ? detail::hex_value(s[i + 1]) : -1;
        int lo = i + 2 < s.size() ? detail::hex_value(s[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
            if (secret) fail("invalid percent-encoded token in a password");
            fail("invalid percent-encoded token: \"" + std::string(s) + '"');
        }
        char c = static_cast<char>(hi << 4 | lo);
        if (c == '\0') {
            if (secret) fail("forbidden value %00 in a percent-encoded password");
            fail("forbidden value %00 in percent-encoded value: \"" + std::string(s) + '"');
        }
        out += c;
        i += 2;
    }
    return out;
}

std::string quote_value(std::string_view value) {
    bool plain = !value.empty();
    for (char c : value) {
        if (is_blank(c) || c == '\'' || c == '\\') plain = false;
    }
    if (plain) return std::string(value);
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    out += '\'';
    return out;
}

} // namespace turbopg::wire::config_detail
