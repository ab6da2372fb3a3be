// Describing settings: endpoints, and config::to_string() for logs (never a password).
#include "config/conninfo.hpp"
#include "config/values.hpp"

#include <turbopg/wire/config.hpp>

#include <string>

namespace turbopg::wire {

bool endpoint::is_unix_socket() const noexcept {
    return hostaddr.empty() && !host.empty() && (host.front() == '/' || host.front() == '@');
}

std::string endpoint::socket_path() const {
    if (!is_unix_socket()) return {};
    return host + "/.s.PGSQL." + std::to_string(port);
}

std::string endpoint::to_string() const {
    if (is_unix_socket()) return socket_path();
    const std::string& name = display_host();
    std::string out = name.find(':') != std::string::npos ? "[" + name + "]" : name;
    out += ':';
    out += std::to_string(port);
    if (!host.empty() && !hostaddr.empty()) out += " (" + hostaddr + ")";
    return out;
}

std::string config::to_string() const {
    using config_detail::quote_value;
    const config defaults;
    std::string out;
    auto add = [&](std::string_view name, std::string_view value) {
        if (!out.empty()) out += ' ';
        out += name;
        out += '=';
        out += quote_value(value);
    };
    auto add_if = [&](bool differs, std::string_view name, std::string_view value) {
        if (differs) add(name, value);
    };

    std::string hosts, addrs, ports;
    bool any_addr = false, one_port = true;
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        const endpoint& ep = endpoints[i];
        if (i > 0) {
            hosts += ',';
            addrs += ',';
            ports += ',';
        }
        hosts += ep.host;
        addrs += ep.hostaddr;
        ports += std::to_string(ep.port);
        any_addr = any_addr || !ep.hostaddr.empty();
        one_port = one_port && ep.port == endpoints.front().port;
    }
    add("host", hosts);
    if (any_addr) add("hostaddr", addrs);
    if (!endpoints.empty()) add("port", one_port ? std::to_string(endpoints.front().port) : ports);
    add("dbname", dbname);
    add("user", user);
    // password and sslpassword: never.
    add_if(!passfile.empty(), "passfile", passfile);
    add_if(connect_timeout != defaults.connect_timeout, "connect_timeout",
           std::to_string(connect_timeout.count()));
    add_if(!options.empty(), "options", options);
    add_if(!application_name.empty(), "application_name", application_name);
    add_if(!fallback_application_name.empty(), "fallback_application_name",
           fallback_application_name);
    add("sslmode", to_keyword(sslmode));
    add_if(!sslcert.empty(), "sslcert", sslcert);
    add_if(!sslkey.empty(), "sslkey", sslkey);
    add_if(!sslrootcert.empty(), "sslrootcert", sslrootcert);
    add_if(!sslcrl.empty(), "sslcrl", sslcrl);
    add_if(!sslcrldir.empty(), "sslcrldir", sslcrldir);
    add_if(sslcertmode != defaults.sslcertmode, "sslcertmode", to_keyword(sslcertmode));
    add_if(sslsni != defaults.sslsni, "sslsni", sslsni ? "1" : "0");
    add_if(ssl_min_protocol_version != defaults.ssl_min_protocol_version,
           "ssl_min_protocol_version", to_keyword(ssl_min_protocol_version));
    add_if(ssl_max_protocol_version != defaults.ssl_max_protocol_version,
           "ssl_max_protocol_version", to_keyword(ssl_max_protocol_version));
    add_if(channel_binding != defaults.channel_binding, "channel_binding",
           to_keyword(channel_binding));
    add_if(gssencmode != defaults.gssencmode, "gssencmode", to_keyword(gssencmode));
    add_if(require_auth != defaults.require_auth, "require_auth",
           config_detail::format_require_auth(require_auth));
    add_if(!requirepeer.empty(), "requirepeer", requirepeer);
    add_if(target_session_attrs != defaults.target_session_attrs, "target_session_attrs",
           to_keyword(target_session_attrs));
    add_if(load_balance_hosts != defaults.load_balance_hosts, "load_balance_hosts",
           to_keyword(load_balance_hosts));
    add_if(replication != defaults.replication, "replication", to_keyword(replication));
    add_if(keepalives != defaults.keepalives, "keepalives", keepalives ? "1" : "0");
    if (keepalives_idle) add("keepalives_idle", std::to_string(keepalives_idle->count()));
    if (keepalives_interval)
        add("keepalives_interval", std::to_string(keepalives_interval->count()));
    if (keepalives_count) add("keepalives_count", std::to_string(*keepalives_count));
    if (tcp_user_timeout) add("tcp_user_timeout", std::to_string(tcp_user_timeout->count()));
    add_if(statement_cache_size != defaults.statement_cache_size, "statement_cache_size",
           std::to_string(statement_cache_size));
    add_if(max_message_size != defaults.max_message_size, "max_message_size",
           std::to_string(max_message_size));
    add_if(busy_poll != defaults.busy_poll, "busy_poll", std::to_string(busy_poll.count()));
    return out;
}

} // namespace turbopg::wire
