// Connection settings, read like libpq reads them (PostgreSQL docs, libpq "Connection Strings",
// "Parameter Key Words", "Environment Variables" and "The Password File").
//
//   auto cfg = turbopg::wire::parse_config("postgresql://app@db1:5432,db2/shop?sslmode=require");
//   for (const auto& ep : cfg.endpoints) { ... cfg.password_for(ep) ... }
//
// parse_config() accepts both forms libpq accepts: a URI (`postgresql://` or `postgres://`) or a
// `key=value` string; an empty string takes everything from the PG* environment variables and the
// defaults. A setting given in the string always beats its environment variable, even when given
// empty. Every keyword keeps libpq's name, default and validation; turbopg adds three of its own
// (statement_cache_size, max_message_size, busy_poll).
//
// Errors: an invalid string or setting throws `turbopg::wire::error` with code errc::bad_config;
// its what() starts with libpq's own message, e.g. `invalid connection option "foo"`,
// `invalid sslmode value: "bogus"` or
// `invalid integer value "abc" for connection option "port"`. Messages never contain a password.
//
// The password file is read once, by parse_config(), for every endpoint (as libpq reads it when
// the connection options are computed); the result stays in the endpoints. A password file that is
// not a plain file or is readable by group or others is ignored, and a warning saying so is left
// in config::warnings (libpq prints the same text on stderr).
#pragma once

#include <turbopg/wire/export.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace turbopg::wire {

// libpq's DEFAULT_PGSOCKET_DIR as Debian builds it. Upstream libpq uses /tmp; Debian's packages
// (and the servers they start) use this directory, so a Debian psql and turbopg find the same
// server by default.
inline constexpr std::string_view default_socket_dir = "/var/run/postgresql";
inline constexpr std::uint16_t default_port = 5432;

enum class ssl_mode { disable, allow, prefer, require, verify_ca, verify_full };
enum class ssl_cert_mode { disable, allow, require };
// TLS protocol bounds (ssl_min_protocol_version / ssl_max_protocol_version); `unset` = no bound.
enum class tls_version { unset, tls1_0, tls1_1, tls1_2, tls1_3 };
enum class channel_binding_mode { disable, prefer, require };
// turbopg has no GSSAPI: `prefer` behaves as `disable` and `require` is rejected at parse time.
enum class gss_enc_mode { disable, prefer };
enum class session_attrs { any, read_write, read_only, primary, standby, prefer_standby };
// replication: off (false/no/0...), physical (true/yes/1...) or logical ("database").
enum class replication_mode { off, physical, logical };
enum class load_balance_mode { disable, random };

// Authentication request kinds that require_auth can allow or forbid.
enum class auth_method : std::uint8_t {
    password = 1, // cleartext
    md5 = 2,
    scram_sha_256 = 4, // SASL (SCRAM-SHA-256 and -PLUS)
    gss = 8,
    sspi = 16,
};

// require_auth (PostgreSQL 16): which authentication requests the client accepts. The default
// accepts everything; `require_auth=scram-sha-256` accepts only SCRAM and refuses a server that
// skips authentication; `require_auth=!password,!md5` accepts anything but those two.
struct auth_requirements {
    std::uint8_t allowed = 0x1f; // bit set of auth_method
    bool none_allowed = true;    // may the server skip authentication (trust, peer, cert)?

    bool allows(auth_method m) const noexcept {
        return (allowed & static_cast<std::uint8_t>(m)) != 0;
    }
    friend bool operator==(const auth_requirements&, const auth_requirements&) = default;
};

// One server to try, in the order the host list gives them.
struct TURBOPG_WIRE_API endpoint {
    // Host name, numeric address, or unix socket directory (starts with '/'; '@' = Linux
    // abstract namespace). Empty only when hostaddr is set (libpq allows hostaddr alone).
    std::string host;
    // Numeric IPv4/IPv6 address to connect to without resolving `host`; empty = resolve `host`.
    // When both are set, `host` is still used for TLS verification and the password file.
    std::string hostaddr;
    std::uint16_t port = default_port;
    // The password the password file gave for this endpoint, if any. Never log it.
    std::optional<std::string> passfile_password;

    // A unix-domain socket: no hostaddr, and host is a directory ('/...') or abstract ('@...').
    bool is_unix_socket() const noexcept;
    // "<dir>/.s.PGSQL.<port>" for a unix socket (an abstract one keeps its leading '@', which
    // the caller replaces with a NUL byte); empty for TCP.
    std::string socket_path() const;
    // The name to show in messages, send as TLS SNI and verify the certificate against:
    // `host`, or `hostaddr` when host is empty (libpq's PQhost()).
    const std::string& display_host() const noexcept { return host.empty() ? hostaddr : host; }
    // For logs: the socket path, or host[:port] (IPv6 in brackets, hostaddr in parentheses).
    std::string to_string() const;

    friend bool operator==(const endpoint&, const endpoint&) = default;
};

struct TURBOPG_WIRE_API config {
    // Resolved hosts, never empty after parse_config(): an absent host means the default socket
    // directory, an absent port 5432. load_balance_hosts=random is left to the connector: the
    // list keeps the order given.
    std::vector<endpoint> endpoints;

    std::string dbname; // default: the user name
    std::string user;   // default: the operating-system user
    // password / PGPASSWORD; empty = none (as in libpq), then the password file is used. Never log.
    std::string password;
    std::string passfile; // default ~/.pgpass; empty when there is no home directory

    std::chrono::seconds connect_timeout{0}; // 0 = wait forever; 1 becomes 2, like libpq
    std::string options;                     // command-line options sent to the server
    std::string application_name;
    std::string fallback_application_name;
    // Always "UTF8": turbopg speaks UTF-8 only; "auto" and UTF-8 spellings are accepted.
    std::string client_encoding = "UTF8";

    ssl_mode sslmode = ssl_mode::prefer;
    // Paths, resolved: sslcert, sslkey and sslrootcert default to ~/.postgresql/postgresql.crt,
    // postgresql.key and root.crt; sslcrl to ~/.postgresql/root.crl unless sslcrldir is set.
    // libpq uses the default cert/key/crl only when the file exists, and requires the root
    // certificate for verify-ca/verify-full. sslrootcert "system" = OpenSSL's default store
    // (and then sslmode defaults to verify-full; a weaker one is an error). With sslmode=require
    // and an existing root certificate, libpq verifies the chain as verify-ca does.
    std::string sslcert;
    std::string sslkey;
    std::string sslrootcert;
    std::string sslcrl;
    std::string sslcrldir;
    std::string sslpassword; // passphrase of sslkey; never log
    ssl_cert_mode sslcertmode = ssl_cert_mode::allow;
    bool sslsni = true;
    tls_version ssl_min_protocol_version = tls_version::tls1_2;
    tls_version ssl_max_protocol_version = tls_version::unset;

    channel_binding_mode channel_binding = channel_binding_mode::prefer;
    gss_enc_mode gssencmode = gss_enc_mode::prefer;
    auth_requirements require_auth;
    // The server's OS user that a unix-socket peer must run as; empty = no check. The connector
    // must refuse a socket peer with another user (libpq checks it with getpeereid()).
    std::string requirepeer;

    session_attrs target_session_attrs = session_attrs::any;
    load_balance_mode load_balance_hosts = load_balance_mode::disable;
    replication_mode replication = replication_mode::off;

    bool keepalives = true;
    // Unset = the operating system's default; negative values were clamped to 0 like libpq.
    std::optional<std::chrono::seconds> keepalives_idle;
    std::optional<std::chrono::seconds> keepalives_interval;
    std::optional<int> keepalives_count;
    std::optional<std::chrono::milliseconds> tcp_user_timeout;

    // turbopg's own: named statements cached per connection (LRU); 0 = unnamed statements only,
    // which works behind PgBouncer in transaction pooling mode.
    std::size_t statement_cache_size = 256;
    // Largest backend message accepted, in bytes (1 .. 2^31-1).
    std::size_t max_message_size = std::size_t{1} << 30;
    // How long the reader polls the socket, while requests await answers, before it sleeps
    // (microseconds; 0 = never). Spares a server on another CPU of this machine a wake-up per
    // answer; polling that catches nothing, or only answers sent from the reader's own CPU (a
    // server sharing it answers while the reader is preempted), is backed off (down to one wait
    // in 1025, and not even that while answers keep coming from the reader's own CPU), so a
    // slow or same-CPU server costs next to nothing. The budget covers a short
    // query plus the server CPU's own wake-up: with 50 us, point-get (a primary-key read) fell
    // back to sleeping in 6 of 10 runs on a 2-vCPU VM. An answer from another host within
    // it is caught too, at the price of the reader's CPU while it waits. Not with TLS.
    std::chrono::microseconds busy_poll{200};

    // Things parse_config() ignored and the caller may want to log (e.g. an insecure password
    // file). Never contains a password.
    std::vector<std::string> warnings;

    // The password to use for `ep`: `password` if set, else what the password file gave for it.
    std::optional<std::string> password_for(const endpoint& ep) const;
    // application_name, or fallback_application_name when it is empty.
    const std::string& effective_application_name() const noexcept {
        return application_name.empty() ? fallback_application_name : application_name;
    }
    // StartupMessage parameters in libpq's order: user, database, replication, options,
    // application_name, client_encoding (always UTF8). Empty values are left out.
    std::vector<std::pair<std::string, std::string>> startup_parameters() const;
    // A key=value conninfo string describing these settings, for logs: host, port, dbname and
    // user always, other settings when they differ from the defaults. It never contains the
    // password nor sslpassword; apart from them it parses back to the same settings.
    std::string to_string() const;

    friend bool operator==(const config&, const config&) = default;
};

// Where parse_config() looks for defaults. Tests inject one to be hermetic.
struct TURBOPG_WIRE_API environment {
    // Value of an environment variable, std::nullopt when unset (set-but-empty is "").
    std::function<std::optional<std::string>(std::string_view name)> getenv;
    std::string home_directory; // for ~/.pgpass and ~/.postgresql/; empty = unknown
    std::string os_user;        // default user name; empty = unknown

    // The process's: getenv(3), $HOME (else the passwd entry's directory) and the name of the
    // effective user ID.
    static environment process();
};

// Parses a conninfo string (URI or key=value) and completes it from the process environment,
// the defaults and the password file. Throws error(errc::bad_config, ...) when invalid.
TURBOPG_WIRE_API config parse_config(std::string_view conninfo);
// The same with an injected environment.
TURBOPG_WIRE_API config parse_config(std::string_view conninfo, const environment& env);

// The keyword spelling of each setting's value, e.g. to_keyword(ssl_mode::verify_full) ==
// "verify-full".
TURBOPG_WIRE_API std::string_view to_keyword(ssl_mode m) noexcept;
TURBOPG_WIRE_API std::string_view to_keyword(ssl_cert_mode m) noexcept;
TURBOPG_WIRE_API std::string_view to_keyword(tls_version v) noexcept;
TURBOPG_WIRE_API std::string_view to_keyword(channel_binding_mode m) noexcept;
TURBOPG_WIRE_API std::string_view to_keyword(gss_enc_mode m) noexcept;
TURBOPG_WIRE_API std::string_view to_keyword(session_attrs a) noexcept;
TURBOPG_WIRE_API std::string_view to_keyword(replication_mode m) noexcept;
TURBOPG_WIRE_API std::string_view to_keyword(load_balance_mode m) noexcept;

} // namespace turbopg::wire
