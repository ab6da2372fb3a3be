// The connection keywords turbopg knows, with the environment variable each falls back to
// (libpq docs, "Parameter Key Words" and "Environment Variables").
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace turbopg::wire::config_detail {

enum class key : unsigned char {
    service,
    servicefile,
    host,
    hostaddr,
    port,
    dbname,
    user,
    password,
    passfile,
    connect_timeout,
    client_encoding,
    options,
    application_name,
    fallback_application_name,
    keepalives,
    keepalives_idle,
    keepalives_interval,
    keepalives_count,
    tcp_user_timeout,
    sslmode,
    sslcompression,
    sslcert,
    sslkey,
    sslcertmode,
    sslpassword,
    sslrootcert,
    sslcrl,
    sslcrldir,
    sslsni,
    requirepeer,
    require_auth,
    ssl_min_protocol_version,
    ssl_max_protocol_version,
    gssencmode,
    krbsrvname,
    gsslib,
    gssdelegation,
    replication,
    target_session_attrs,
    load_balance_hosts,
    channel_binding,
    statement_cache_size,
    max_message_size,
    busy_poll,
};

inline constexpr std::size_t key_count = static_cast<std::size_t>(key::busy_poll) + 1;

struct keyword {
    std::string_view name;
    std::string_view envvar; // empty: no environment fallback
};

// The keyword of `k`.
const keyword& keyword_of(key k) noexcept;
// The key named `name` (case-sensitive, like libpq), or nullopt.
std::optional<key> find_key(std::string_view name) noexcept;

// Raw values as given, indexed by key; nullopt = not given (a given empty value is "").
using raw_settings = std::array<std::optional<std::string>, key_count>;

inline std::optional<std::string>& at(raw_settings& s, key k) {
    return s[static_cast<std::size_t>(k)];
}
inline const std::optional<std::string>& at(const raw_settings& s, key k) {
    return s[static_cast<std::size_t>(k)];
}

} // namespace turbopg::wire::config_detail
