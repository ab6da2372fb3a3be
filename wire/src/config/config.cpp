// parse_config(): conninfo values, then the connection service's, then environment variables,
// then defaults, validated in roughly the order libpq's connection-option checks run, then the
// password file.
#include "config/conninfo.hpp"
#include "config/keywords.hpp"
#include "config/pgpass.hpp"
#include "config/service_file.hpp"
#include "config/values.hpp"

#include <turbopg/wire/config.hpp>

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <string>
#include <vector>

namespace turbopg::wire {
namespace {

using namespace config_detail;

// A value that is absent or empty means "the default" for these keywords, as in libpq.
std::string_view value_or_empty(const raw_settings& raw, key k) {
    const auto& v = at(raw, k);
    return v ? std::string_view(*v) : std::string_view{};
}

std::vector<std::string_view> split_commas(std::string_view s) {
    std::vector<std::string_view> out;
    for (;;) {
        std::size_t comma = s.find(',');
        out.push_back(s.substr(0, comma));
        if (comma == std::string_view::npos) return out;
        s.remove_prefix(comma + 1);
    }
}

void check_hostaddr(const std::string& addr) {
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int rc = ::getaddrinfo(addr.c_str(), nullptr, &hints, &res);
    if (res) ::freeaddrinfo(res);
    if (rc != 0) {
        fail("could not parse network address \"" + addr + "\": " + ::gai_strerror(rc));
    }
}

void check_socket_path(const endpoint& ep) {
    constexpr std::size_t max = sizeof(sockaddr_un{}.sun_path) - 1;
    std::string path = ep.socket_path();
    if (path.size() > max) {
        fail("Unix-domain socket path \"" + path + "\" is too long (maximum " +
             std::to_string(max) + " bytes)");
    }
}

// host, hostaddr and port lists -> endpoints (libpq: one entry per hostaddr, else per host,
// else one; one port for all or one per host).
std::vector<endpoint> resolve_endpoints(const raw_settings& raw) {
    std::string_view host = value_or_empty(raw, key::host);
    std::string_view hostaddr = value_or_empty(raw, key::hostaddr);
    std::string_view port = value_or_empty(raw, key::port);
    std::vector<std::string_view> hosts, addrs, ports;
    if (!host.empty()) hosts = split_commas(host);
    if (!hostaddr.empty()) addrs = split_commas(hostaddr);
    if (!port.empty()) ports = split_commas(port);

    std::size_t n = !addrs.empty() ? addrs.size() : !hosts.empty() ? hosts.size() : 1;
    if (!hosts.empty() && hosts.size() != n) {
        fail("could not match " + std::to_string(hosts.size()) + " host names to " +
             std::to_string(n) + " hostaddr values");
    }
    if (!ports.empty() && ports.size() != 1 && ports.size() != n) {
        fail("could not match " + std::to_string(ports.size()) + " port numbers to " +
             std::to_string(n) + " hosts");
    }

    std::vector<endpoint> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        endpoint& ep = out[i];
        if (!addrs.empty()) ep.hostaddr = addrs[i];
        if (!hosts.empty()) ep.host = hosts[i];
        if (ep.host.empty() && ep.hostaddr.empty()) ep.host = default_socket_dir;
        if (!ep.hostaddr.empty()) check_hostaddr(ep.hostaddr);
        std::string_view p = ports.empty() ? std::string_view{} : ports[ports.size() == 1 ? 0 : i];
        ep.port = p.empty() ? default_port : parse_port(p);
        if (ep.is_unix_socket()) check_socket_path(ep);
    }
    return out;
}

std::string in_home(const environment& env, std::string_view file) {
    if (env.home_directory.empty()) return {};
    return env.home_directory + "/" + std::string(file);
}

void resolve_identity(config& c, const raw_settings& raw, const environment& env) {
    c.user = value_or_empty(raw, key::user);
    if (c.user.empty()) c.user = env.os_user;
    if (c.user.empty()) fail("could not determine the local user name; set user or PGUSER");
    c.dbname = value_or_empty(raw, key::dbname);
    if (c.dbname.empty()) c.dbname = c.user;
    c.password = value_or_empty(raw, key::password);
    c.passfile = value_or_empty(raw, key::passfile);
    if (c.passfile.empty()) c.passfile = in_home(env, ".pgpass");
}

void resolve_tls(config& c, const raw_settings& raw, const environment& env, bool sslmode_given) {
    if (sslmode_given) c.sslmode = parse_ssl_mode(value_or_empty(raw, key::sslmode));
    c.sslrootcert = value_or_empty(raw, key::sslrootcert);
    if (c.sslrootcert.empty()) c.sslrootcert = in_home(env, ".postgresql/root.crt");
    if (c.sslrootcert == "system") {
        // PostgreSQL 16: the system store makes verify-full the default and the only choice.
        if (!sslmode_given) c.sslmode = ssl_mode::verify_full;
        if (c.sslmode != ssl_mode::verify_full) {
            fail("weak sslmode \"" + std::string(to_keyword(c.sslmode)) +
                 "\" may not be used with sslrootcert=system (use \"verify-full\")");
        }
    }
    c.sslcert = value_or_empty(raw, key::sslcert);
    if (c.sslcert.empty()) c.sslcert = in_home(env, ".postgresql/postgresql.crt");
    c.sslkey = value_or_empty(raw, key::sslkey);
    if (c.sslkey.empty()) c.sslkey = in_home(env, ".postgresql/postgresql.key");
    c.sslcrl = value_or_empty(raw, key::sslcrl);
    c.sslcrldir = value_or_empty(raw, key::sslcrldir);
    if (c.sslcrl.empty() && c.sslcrldir.empty()) c.sslcrl = in_home(env, ".postgresql/root.crl");
    c.sslpassword = value_or_empty(raw, key::sslpassword);

    if (auto& v = at(raw, key::ssl_min_protocol_version))
        c.ssl_min_protocol_version = parse_tls_version(*v, "ssl_min_protocol_version");
    if (auto& v = at(raw, key::ssl_max_protocol_version))
        c.ssl_max_protocol_version = parse_tls_version(*v, "ssl_max_protocol_version");
    if (c.ssl_min_protocol_version != tls_version::unset &&
        c.ssl_max_protocol_version != tls_version::unset &&
        c.ssl_min_protocol_version > c.ssl_max_protocol_version) {
        fail("invalid SSL protocol version range");
    }
    if (auto& v = at(raw, key::sslcertmode)) c.sslcertmode = parse_ssl_cert_mode(*v);
    if (auto& v = at(raw, key::sslsni)) c.sslsni = parse_flag(*v, "sslsni");
    // sslcompression is obsolete (libpq ignores it since PostgreSQL 14), as are krbsrvname,
    // gsslib and gssdelegation without GSSAPI: accepted, not used.
}

std::optional<std::chrono::seconds> seconds_option(const raw_settings& raw, key k) {
    const auto& v = at(raw, k);
    if (!v) return std::nullopt;
    return std::chrono::seconds(std::max(0, parse_int(*v, keyword_of(k).name)));
}

void resolve_session(config& c, const raw_settings& raw) {
    if (auto& v = at(raw, key::connect_timeout)) {
        int t = parse_int(*v, "connect_timeout");
        // libpq: at least two seconds, so rounding cannot make the wait next to nothing;
        // zero or negative means no timeout.
        c.connect_timeout = std::chrono::seconds(t <= 0 ? 0 : std::max(t, 2));
    }
    if (auto& v = at(raw, key::client_encoding)) c.client_encoding = parse_client_encoding(*v);
    c.options = value_or_empty(raw, key::options);
    c.application_name = value_or_empty(raw, key::application_name);
    c.fallback_application_name = value_or_empty(raw, key::fallback_application_name);
    if (auto& v = at(raw, key::require_auth)) c.require_auth = parse_require_auth(*v);
    if (auto& v = at(raw, key::channel_binding)) c.channel_binding = parse_channel_binding(*v);
    if (auto& v = at(raw, key::gssencmode)) c.gssencmode = parse_gss_enc_mode(*v);
    if (auto& v = at(raw, key::target_session_attrs))
        c.target_session_attrs = parse_session_attrs(*v);
    if (auto& v = at(raw, key::load_balance_hosts)) c.load_balance_hosts = parse_load_balance(*v);
    if (auto& v = at(raw, key::replication)) c.replication = parse_replication(*v);
    c.requirepeer = value_or_empty(raw, key::requirepeer);

    if (auto& v = at(raw, key::keepalives)) c.keepalives = parse_int(*v, "keepalives") != 0;
    c.keepalives_idle = seconds_option(raw, key::keepalives_idle);
    c.keepalives_interval = seconds_option(raw, key::keepalives_interval);
    if (auto& v = at(raw, key::keepalives_count))
        c.keepalives_count = std::max(0, parse_int(*v, "keepalives_count"));
    if (auto& v = at(raw, key::tcp_user_timeout)) {
        c.tcp_user_timeout =
            std::chrono::milliseconds(std::max(0, parse_int(*v, "tcp_user_timeout")));
    }

    if (auto& v = at(raw, key::statement_cache_size)) {
        int n = parse_int(*v, "statement_cache_size");
        if (n < 0) fail("invalid statement_cache_size value: \"" + *v + '"');
        c.statement_cache_size = static_cast<std::size_t>(n);
    }
    if (auto& v = at(raw, key::max_message_size)) {
        int n = parse_int(*v, "max_message_size");
        if (n <= 0) fail("invalid max_message_size value: \"" + *v + '"');
        c.max_message_size = static_cast<std::size_t>(n);
    }
    if (auto& v = at(raw, key::busy_poll)) {
        int n = parse_int(*v, "busy_poll");
        if (n < 0) fail("invalid busy_poll value: \"" + *v + '"');
        c.busy_poll = std::chrono::microseconds(n);
    }
}

void read_password_file(config& c) {
    if (!c.password.empty() || c.passfile.empty()) return;
    auto file = password_file::load(c.passfile, c.warnings);
    for (endpoint& ep : c.endpoints) {
        ep.passfile_password =
            file.lookup(password_file::match_host(ep), std::to_string(ep.port), c.dbname, c.user);
    }
}

} // namespace

config parse_config(std::string_view conninfo, const environment& env) {
    raw_settings raw = parse_conninfo(conninfo);
    apply_service(raw, env);
    auto getenv = [&](std::string_view name) -> std::optional<std::string> {
        return env.getenv ? env.getenv(name) : std::nullopt;
    };

    bool sslmode_given = at(raw, key::sslmode).has_value();
    for (std::size_t i = 0; i < key_count; ++i) {
        const keyword& kw = keyword_of(static_cast<key>(i));
        if (raw[i] || kw.envvar.empty()) continue;
        raw[i] = getenv(kw.envvar);
    }
    sslmode_given = sslmode_given || at(raw, key::sslmode).has_value();
    if (!sslmode_given) {
        // The deprecated PGREQUIRESSL=1 still means sslmode=require when nothing else says.
        auto requiressl = getenv("PGREQUIRESSL");
        if (requiressl && !requiressl->empty() && requiressl->front() == '1') {
            at(raw, key::sslmode) = "require";
            sslmode_given = true;
        }
    }

    config c;
    c.endpoints = resolve_endpoints(raw);
    resolve_identity(c, raw, env);
    resolve_session(c, raw);
    resolve_tls(c, raw, env, sslmode_given);
    read_password_file(c);
    return c;
}

config parse_config(std::string_view conninfo) {
    return parse_config(conninfo, environment::process());
}

std::optional<std::string> config::password_for(const endpoint& ep) const {
    if (!password.empty()) return password;
    return ep.passfile_password;
}

std::vector<std::pair<std::string, std::string>> config::startup_parameters() const {
    std::vector<std::pair<std::string, std::string>> out;
    auto add = [&](const char* name, const std::string& value) {
        if (!value.empty()) out.emplace_back(name, value);
    };
    add("user", user);
    add("database", dbname);
    if (replication != replication_mode::off)
        add("replication", std::string(to_keyword(replication)));
    add("options", options);
    add("application_name", effective_application_name());
    add("client_encoding", client_encoding);
    return out;
}

} // namespace turbopg::wire
