#include "config/values.hpp"

#include "config/conninfo.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <string>
#include <utility>

namespace turbopg::wire::config_detail {
namespace {

template <class E>
using spelling = std::pair<std::string_view, E>;

constexpr std::array<spelling<ssl_mode>, 6> ssl_modes{{
    {"disable", ssl_mode::disable},
    {"allow", ssl_mode::allow},
    {"prefer", ssl_mode::prefer},
    {"require", ssl_mode::require},
    {"verify-ca", ssl_mode::verify_ca},
    {"verify-full", ssl_mode::verify_full},
}};
constexpr std::array<spelling<ssl_cert_mode>, 3> ssl_cert_modes{{
    {"disable", ssl_cert_mode::disable},
    {"allow", ssl_cert_mode::allow},
    {"require", ssl_cert_mode::require},
}};
constexpr std::array<spelling<tls_version>, 5> tls_versions{{
    {"", tls_version::unset},
    {"TLSv1", tls_version::tls1_0},
    {"TLSv1.1", tls_version::tls1_1},
    {"TLSv1.2", tls_version::tls1_2},
    {"TLSv1.3", tls_version::tls1_3},
}};
constexpr std::array<spelling<channel_binding_mode>, 3> channel_bindings{{
    {"disable", channel_binding_mode::disable},
    {"prefer", channel_binding_mode::prefer},
    {"require", channel_binding_mode::require},
}};
constexpr std::array<spelling<gss_enc_mode>, 2> gss_enc_modes{{
    {"disable", gss_enc_mode::disable},
    {"prefer", gss_enc_mode::prefer},
}};
constexpr std::array<spelling<session_attrs>, 6> session_attrs_values{{
    {"any", session_attrs::any},
    {"read-write", session_attrs::read_write},
    {"read-only", session_attrs::read_only},
    {"primary", session_attrs::primary},
    {"standby", session_attrs::standby},
    {"prefer-standby", session_attrs::prefer_standby},
}};
constexpr std::array<spelling<load_balance_mode>, 2> load_balance_modes{{
    {"disable", load_balance_mode::disable},
    {"random", load_balance_mode::random},
}};
constexpr std::array<spelling<replication_mode>, 3> replication_modes{{
    {"false", replication_mode::off},
    {"true", replication_mode::physical},
    {"database", replication_mode::logical},
}};
constexpr std::array<spelling<auth_method>, 5> auth_methods{{
    {"password", auth_method::password},
    {"md5", auth_method::md5},
    {"scram-sha-256", auth_method::scram_sha_256},
    {"gss", auth_method::gss},
    {"sspi", auth_method::sspi},
}};
constexpr std::uint8_t all_auth_methods = 0x1f;

char lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

[[noreturn]] void invalid_value(std::string_view keyword, std::string_view value) {
    fail("invalid " + std::string(keyword) + " value: \"" + std::string(value) + '"');
}

template <class E, std::size_t N>
E choose(const std::array<spelling<E>, N>& choices, std::string_view keyword,
         std::string_view value) {
    for (const auto& [name, e] : choices) {
        if (name == value) return e;
    }
    invalid_value(keyword, value);
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<spelling<E>, N>& choices, E e) noexcept {
    for (const auto& [name, v] : choices) {
        if (v == e) return name;
    }
    return {};
}

// PostgreSQL's parse_bool(): case-insensitive, unique prefixes of true/false/yes/no, on/off
// (at least two letters), 1/0.
std::optional<bool> parse_bool(std::string_view v) {
    if (v.empty()) return std::nullopt;
    auto prefix_of = [&](std::string_view word, std::size_t min_len) {
        return v.size() >= min_len && v.size() <= word.size() &&
               iequals(v, word.substr(0, v.size()));
    };
    if (prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || v == "1") return true;
    if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || v == "0")
        return false;
    return std::nullopt;
}

} // namespace

int parse_int(std::string_view value, std::string_view keyword) {
    auto bad = [&]() -> int {
        fail("invalid integer value \"" + std::string(value) + "\" for connection option \"" +
             std::string(keyword) + '"');
    };
    std::string_view v = trim_blanks(value);
    bool negative = false;
    if (!v.empty() && (v.front() == '+' || v.front() == '-')) {
        negative = v.front() == '-';
        v.remove_prefix(1);
    }
    if (v.empty() || v.front() < '0' || v.front() > '9') return bad();
    long long n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || end != v.data() + v.size()) return bad();
    if (negative) n = -n;
    if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max()) return bad();
    return static_cast<int>(n);
}

std::uint16_t parse_port(std::string_view value) {
    int n = parse_int(value, "port");
    if (n < 1 || n > 65535) fail("invalid port number: \"" + std::string(value) + '"');
    return static_cast<std::uint16_t>(n);
}

ssl_mode parse_ssl_mode(std::string_view value) {
    return choose(ssl_modes, "sslmode", value);
}

ssl_cert_mode parse_ssl_cert_mode(std::string_view value) {
    return choose(ssl_cert_modes, "sslcertmode", value);
}

tls_version parse_tls_version(std::string_view value, std::string_view keyword) {
    for (const auto& [name, v] : tls_versions) {
        if (iequals(name, value)) return v;
    }
    invalid_value(keyword, value);
}

channel_binding_mode parse_channel_binding(std::string_view value) {
    return choose(channel_bindings, "channel_binding", value);
}

gss_enc_mode parse_gss_enc_mode(std::string_view value) {
    if (value == "require") {
        fail("gssencmode value \"require\" invalid when GSSAPI support is not compiled in "
             "(turbopg does not support GSS encryption)");
    }
    return choose(gss_enc_modes, "gssencmode", value);
}

session_attrs parse_session_attrs(std::string_view value) {
    return choose(session_attrs_values, "target_session_attrs", value);
}

load_balance_mode parse_load_balance(std::string_view value) {
    return choose(load_balance_modes, "load_balance_hosts", value);
}

replication_mode parse_replication(std::string_view value) {
    if (value.empty()) return replication_mode::off;
    if (value == "database") return replication_mode::logical;
    if (auto b = parse_bool(value)) return *b ? replication_mode::physical : replication_mode::off;
    invalid_value("replication", value);
}

bool parse_flag(std::string_view value, std::string_view keyword) {
    if (value == "1") return true;
    if (value == "0") return false;
    invalid_value(keyword, value);
}

std::string parse_client_encoding(std::string_view value) {
    // PostgreSQL compares encoding names ignoring case and non-alphanumerics ("utf-8" = UTF8);
    // UNICODE is an old alias. "auto" asks for the locale's encoding: turbopg's is UTF-8.
    std::string clean;
    for (char c : value) {
        char l = lower(c);
        if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9')) clean += l;
    }
    if (value.empty() || clean == "utf8" || clean == "unicode" || value == "auto") return "UTF8";
    fail("invalid client_encoding value: \"" + std::string(value) +
         "\" (turbopg only speaks UTF8)");
}

auth_requirements parse_require_auth(std::string_view value) {
    auth_requirements r;
    if (value.empty()) return r;
    // A list of plain methods starts from nothing allowed (not even skipping authentication);
    // a list of negated ones starts from everything. The two cannot be mixed.
    r.allowed = 0;
    r.none_allowed = false;
    bool negated = false;
    bool first = true;
    for (;;) {
        std::size_t comma = value.find(',');
        std::string_view part = value.substr(0, comma);
        std::string_view method = part;
        if (!method.empty() && method.front() == '!') {
            if (first) {
                r.allowed = all_auth_methods;
                r.none_allowed = true;
            } else if (!negated) {
                fail("negative require_auth method \"" + std::string(method) +
                     "\" cannot be mixed with non-negative methods");
            }
            negated = true;
            method.remove_prefix(1);
        } else if (negated) {
            fail("require_auth method \"" + std::string(method) +
                 "\" cannot be mixed with negative methods");
        }
        auto duplicate = [&] {
            fail("require_auth method \"" + std::string(part) + "\" is specified more than once");
        };
        if (method == "none") {
            if (r.none_allowed != negated) duplicate();
            r.none_allowed = !negated;
        } else {
            std::uint8_t bit = 0;
            for (const auto& [name, m] : auth_methods) {
                if (name == method) bit = static_cast<std::uint8_t>(m);
            }
            if (bit == 0) invalid_value("require_auth", method);
            if (((r.allowed & bit) != 0) != negated) duplicate();
            r.allowed = static_cast<std::uint8_t>(negated ? r.allowed & ~bit : r.allowed | bit);
        }
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
        first = false;
    }
    return r;
}

std::string format_require_auth(const auth_requirements& r) {
    if (r == auth_requirements{}) return {};
    std::string out;
    auto add = [&](std::string_view item, std::string_view prefix = {}) {
        if (!out.empty()) out += ',';
        out += prefix;
        out += item;
    };
    if (r.allowed == all_auth_methods) { // only "none" differs
        return "!none";
    }
    if (r.allowed == 0 && !r.none_allowed) { // nothing at all is accepted
        for (const auto& [name, m] : auth_methods)
            add(name, "!");
        add("!none");
        return out;
    }
    for (const auto& [name, m] : auth_methods) {
        if (r.allows(m)) add(name);
    }
    if (r.none_allowed) add("none");
    return out;
}

} // namespace turbopg::wire::config_detail

namespace turbopg::wire {

std::string_view to_keyword(ssl_mode m) noexcept {
    return config_detail::name_of(config_detail::ssl_modes, m);
}
std::string_view to_keyword(ssl_cert_mode m) noexcept {
    return config_detail::name_of(config_detail::ssl_cert_modes, m);
}
std::string_view to_keyword(tls_version v) noexcept {
    return config_detail::name_of(config_detail::tls_versions, v);
}
std::string_view to_keyword(channel_binding_mode m) noexcept {
    return config_detail::name_of(config_detail::channel_bindings, m);
}
std::string_view to_keyword(gss_enc_mode m) noexcept {
    return config_detail::name_of(config_detail::gss_enc_modes, m);
}
std::string_view to_keyword(session_attrs a) noexcept {
    return config_detail::name_of(config_detail::session_attrs_values, a);
}
std::string_view to_keyword(replication_mode m) noexcept {
    return config_detail::name_of(config_detail::replication_modes, m);
}
std::string_view to_keyword(load_balance_mode m) noexcept {
    return config_detail::name_of(config_detail::load_balance_modes, m);
}

} // namespace turbopg::wire
