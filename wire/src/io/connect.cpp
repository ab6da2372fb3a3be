#include "io/connect.hpp"

#include "io/tls.hpp"

#include "common/log.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <random>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <sys/socket.h>

namespace turbopg::wire::io {
namespace {

// Runs `op` with `timeout` (0 = none): on expiry the op is cancelled (Asio per-operation
// cancellation reaches the socket and TLS operations inside it) and errc::timeout is
// thrown. A failure before the deadline is thrown at once. (Asio's `||` would not do: it waits
// for the first *successful* branch, so a quick failure would sit out the whole timeout.)
// The op runs as a coroutine of its own, so the caller's cancellation is passed on to it.
template <class T>
asio::awaitable<T> with_timeout(asio::awaitable<T> op, std::chrono::seconds timeout,
                                const std::string& what) {
    if (timeout.count() == 0) co_return co_await std::move(op);
    auto ex = co_await asio::this_coro::executor;
    struct deadline {
        asio::cancellation_signal signal;
        bool expired = false;
    };
    // Shared with the timer's handler, which may run after this frame is gone.
    auto state = std::make_shared<deadline>();
    asio::steady_timer timer(ex, timeout);
    timer.async_wait([state](std::error_code ec) {
        if (ec) return;
        state->expired = true;
        state->signal.emit(asio::cancellation_type::terminal);
    });
    asio::cancellation_state cs = co_await asio::this_coro::cancellation_state;
    auto caller = cs.slot();
    if (caller.is_connected())
        caller.assign([state](asio::cancellation_type type) { state->signal.emit(type); });
    try {
        auto result = co_await asio::co_spawn(
            ex, std::move(op),
            asio::bind_cancellation_slot(state->signal.slot(), asio::use_awaitable));
        timer.cancel();
        if (caller.is_connected()) caller.clear();
        co_return result;
    } catch (...) {
        timer.cancel();
        if (caller.is_connected()) caller.clear();
        if (!state->expired) throw;
    }
    throw error(make_error_code(errc::timeout), what);
}

ops::startup_settings startup_settings_for(const config& cfg, const endpoint& ep, transport& t) {
    ops::startup_settings s;
    s.user = cfg.user;
    s.database = cfg.dbname;
    s.password = cfg.password_for(ep);
    for (auto& p : cfg.startup_parameters())
        if (p.first != "user" && p.first != "database") s.parameters.push_back(p);
    s.channel_binding = cfg.channel_binding;
    s.require_auth = cfg.require_auth;
    s.tls_active = t.is_tls();
    if (s.tls_active) s.tls_server_end_point = t.server_end_point();
    return s;
}

// requirepeer (libpq): the process at the other end of the unix socket must run as `user`.
void check_peer_user(asio::local::stream_protocol::socket& s, const std::string& user) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(s.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        throw error(std::error_code(errno, std::system_category()),
                    "could not get peer credentials");
    passwd pw{};
    passwd* found = nullptr;
    std::vector<char> buf(4096);
    getpwuid_r(cred.uid, &pw, buf.data(), buf.size(), &found);
    std::string name = found ? found->pw_name : std::to_string(cred.uid);
    if (name != user)
        throw error(make_error_code(errc::auth_failed), "requirepeer specifies \"" + user +
                                                            "\", but actual peer user name is \"" +
                                                            name + "\"");
}

// keepalives, keepalives_idle/_interval/_count and tcp_user_timeout (libpq's TCP options).
void set_keepalives(asio::ip::tcp::socket& s, const config& cfg) {
    s.set_option(asio::socket_base::keep_alive(cfg.keepalives));
    auto fd = s.native_handle();
    auto set = [fd](int level, int name, int value) {
        setsockopt(fd, level, name, &value, sizeof value);
    };
    if (cfg.keepalives) {
        if (cfg.keepalives_idle)
            set(IPPROTO_TCP, TCP_KEEPIDLE, static_cast<int>(cfg.keepalives_idle->count()));
        if (cfg.keepalives_interval)
            set(IPPROTO_TCP, TCP_KEEPINTVL, static_cast<int>(cfg.keepalives_interval->count()));
        if (cfg.keepalives_count) set(IPPROTO_TCP, TCP_KEEPCNT, *cfg.keepalives_count);
    }
    if (cfg.tcp_user_timeout)
        set(IPPROTO_TCP, TCP_USER_TIMEOUT, static_cast<int>(cfg.tcp_user_timeout->count()));
}

// Opens the socket: a unix socket path, or TCP to hostaddr (connect() resolves host names and
// makes one attempt per address).
asio::awaitable<transport> open_socket(asio::any_io_executor ex, const config& cfg,
                                       const endpoint& ep, cancel_target& target) {
    if (ep.is_unix_socket()) {
        auto path = ep.socket_path();
        if (!path.empty() && path[0] == '@') path[0] = '\0'; // Linux abstract namespace
        asio::local::stream_protocol::socket s(ex);
        co_await s.async_connect(asio::local::stream_protocol::endpoint(path), asio::use_awaitable);
        if (!cfg.requirepeer.empty()) check_peer_user(s, cfg.requirepeer);
        target = {path, ep.port, true};
        co_return transport(std::move(s));
    }
    asio::ip::tcp::socket s(ex);
    asio::ip::tcp::endpoint addr(asio::ip::make_address(ep.hostaddr), ep.port);
    co_await s.async_connect(addr, asio::use_awaitable);
    s.set_option(asio::ip::tcp::no_delay(true));
    set_keepalives(s, cfg);
    auto remote = s.remote_endpoint();
    target = {remote.address().to_string(), remote.port(), false};
    co_return transport(std::move(s));
}

// One attempt on one endpoint with a given TLS decision. `tls`: 0 = plain, 1 = TLS if the
// server agrees, 2 = TLS required.
asio::awaitable<std::shared_ptr<connection_impl>>
attempt(asio::any_io_executor ex, const config& cfg, const endpoint& ep, int tls) {
    cancel_target target;
    detail::log(log_level::debug, [&] {
        return "connecting to " + ep.to_string() + " as \"" + cfg.user + "\"" +
               (tls == 0   ? ""
                : tls == 1 ? " (TLS if offered)"
                           : " (TLS required)");
    });
    auto t = co_await open_socket(ex, cfg, ep, target);
    // libpq never negotiates TLS over unix sockets: the kernel already protects them.
    if (tls > 0 && !t.is_unix()) {
        if (co_await request_tls(t))
            co_await start_tls(t, cfg, ep);
        else if (tls == 2)
            throw error(make_error_code(errc::tls_unavailable),
                        "server does not support SSL, but SSL was required");
    }
    auto settings = startup_settings_for(cfg, ep, t);
    connection_options opts;
    opts.statement_cache_size = cfg.statement_cache_size;
    opts.max_message_size = cfg.max_message_size;
    opts.busy_poll = cfg.busy_poll;
    auto impl = std::make_shared<connection_impl>(std::move(t), opts);
    impl->set_cancel_target(std::move(target));
    co_await impl->startup(std::move(settings));
    detail::log(log_level::info, [&] {
        return "connected to " + ep.to_string() + " (backend pid " +
               std::to_string(impl->key_data().pid) +
               (impl->get_transport().is_tls() ? ", TLS" : "") + ")";
    });
    co_return impl;
}

// The sslmode's sequence of attempts, as libpq makes them: allow tries plain first and TLS when
// that fails; prefer tries TLS first and plain when that fails, for any reason (a refused
// handshake, or a server rejecting the encrypted session, e.g. a hostnossl-only role).
asio::awaitable<std::shared_ptr<connection_impl>>
connect_endpoint(asio::any_io_executor ex, const config& cfg, const endpoint& ep) {
    int first = 0, second = -1; // attempts: 0 plain, 1 TLS if the server agrees, 2 TLS required
    switch (cfg.sslmode) {
    case ssl_mode::disable:
        break;
    case ssl_mode::allow:
        second = 2;
        break;
    case ssl_mode::prefer:
        first = 1;
        second = ep.is_unix_socket() ? -1 : 0;
        break;
    default:
        first = 2;
        break;
    }
    if (second < 0) co_return co_await attempt(ex, cfg, ep, first);
    std::string first_failure;
    try {
        co_return co_await attempt(ex, cfg, ep, first);
    } catch (const error& e) {
        first_failure = e.what();
    } catch (const std::system_error& e) {
        first_failure = e.code().message();
    }
    detail::log(log_level::info, [&] {
        return "connection to " + ep.to_string() + " failed with" + (first == 0 ? "out" : "") +
               " TLS (" + first_failure + "); retrying with" + (second == 0 ? "out" : "") + " TLS";
    });
    try {
        co_return co_await attempt(ex, cfg, ep, second);
    } catch (const error& e) {
        // Both attempts failed: report the second with the first's reason, as libpq does.
        if (e.diagnostics()) {
            auto d = *e.diagnostics();
            d.message += " (and with" + std::string(first == 0 ? "out" : "") +
                         " SSL: " + first_failure + ")";
            throw error(std::move(d));
        }
        throw error(e.code(), std::string(e.what()) + " (and with" + (first == 0 ? "out" : "") +
                                  " SSL: " + first_failure + ")");
    }
}

bool is_on(const std::string& v) {
    return v == "on";
}

// target_session_attrs (libpq): PostgreSQL 14+ reports in_hot_standby and
// default_transaction_read_only at startup; older servers are asked.
asio::awaitable<bool> matches(connection_impl& c, session_attrs want) {
    if (want == session_attrs::any) co_return true;
    auto standby = c.parameter("in_hot_standby");
    auto read_only = c.parameter("default_transaction_read_only");
    if (standby.empty() || read_only.empty()) {
        // A server older than 14: ask (the simple query answers in text: "on"/"off").
        struct sink final : detail::result_sink {
            std::string standby, read_only;
            std::error_code on_data_row(std::span<const detail::raw_field> f) override {
                if (f.size() != 2) return make_error_code(errc::protocol_violation);
                auto text = [](const detail::raw_field& v) {
                    return std::string(reinterpret_cast<const char*>(v.data),
                                       v.is_null() ? 0 : static_cast<std::size_t>(v.size));
                };
                standby = text(f[0]);
                read_only = text(f[1]);
                return {};
            }
        } s;
        co_await c.run(s, [](proto::byte_writer& w) {
            proto::encode_query(w, "SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN 'on' "
                                   "ELSE 'off' END, pg_catalog.current_setting("
                                   "'default_transaction_read_only')");
        });
        standby = s.standby;
        read_only = s.read_only;
    }
    bool hot_standby = is_on(standby);
    bool ro = is_on(read_only) || hot_standby;
    switch (want) {
    case session_attrs::read_write:
        co_return !ro;
    case session_attrs::read_only:
        co_return ro;
    case session_attrs::primary:
        co_return !hot_standby;
    case session_attrs::standby:
    case session_attrs::prefer_standby:
        co_return hot_standby;
    case session_attrs::any:
        break;
    }
    co_return true;
}

const char* describe(session_attrs a) {
    switch (a) {
    case session_attrs::read_write:
        return "read-write";
    case session_attrs::read_only:
        return "read-only";
    case session_attrs::primary:
        return "primary";
    case session_attrs::standby:
        return "standby";
    case session_attrs::prefer_standby:
        return "prefer-standby";
    case session_attrs::any:
        break;
    }
    return "any";
}

// The system's resolver: getaddrinfo (through Asio), IPv4 and IPv6 addresses in its order.
asio::awaitable<std::vector<asio::ip::address>> system_resolve(std::string host) {
    asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
    auto results = co_await resolver.async_resolve(host, "", asio::use_awaitable);
    std::vector<asio::ip::address> addrs;
    for (const auto& entry : results)
        addrs.push_back(entry.endpoint().address());
    co_return addrs;
}

// `resolve(host)` within `timeout` (0 = none). getaddrinfo cannot be interrupted (Asio runs it on
// a thread of its own and ignores cancellation), so the lookup runs detached, owning what it
// uses, and a timed-out one is left to finish on its own.
asio::awaitable<std::vector<asio::ip::address>>
resolve_within(const resolver& resolve, const std::string& host, std::chrono::seconds timeout) {
    struct lookup {
        lookup(resolver r, const asio::any_io_executor& ex)
            : resolve(std::move(r))
            , done(ex) {}
        resolver resolve;
        asio::steady_timer done;
        bool finished = false;
        std::exception_ptr failure;
        std::vector<asio::ip::address> addrs;
    };
    auto ex = co_await asio::this_coro::executor;
    auto state = std::make_shared<lookup>(resolve, ex);
    if (timeout.count() == 0)
        state->done.expires_at(asio::steady_timer::time_point::max());
    else
        state->done.expires_after(timeout);
    asio::co_spawn(ex, state->resolve(host),
                   [state](std::exception_ptr failure, std::vector<asio::ip::address> addrs) {
                       state->finished = true;
                       state->failure = failure;
                       state->addrs = std::move(addrs);
                       state->done.cancel();
                   });
    std::error_code ec;
    co_await state->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    // libpq's message for a name that does not resolve.
    const auto what = "could not translate host name \"" + host + "\" to address";
    if (!state->finished) {
        if (ec)
            throw error(make_error_code(errc::cancelled),
                        "connecting to \"" + host + "\" was cancelled");
        throw error(make_error_code(errc::timeout), what);
    }
    try {
        if (state->failure) std::rethrow_exception(state->failure);
    } catch (const std::system_error& e) {
        throw error(e.code(), what);
    }
    if (state->addrs.empty()) throw error(asio::error::host_not_found, what);
    co_return std::move(state->addrs);
}

// What to try for one host entry: the entry itself for a unix socket or a hostaddr, else one
// endpoint per address its name resolves to (libpq, "Specifying Multiple Hosts").
asio::awaitable<std::vector<endpoint>> targets_of(const endpoint& ep, const config& cfg,
                                                  const resolver& resolve) {
    if (ep.is_unix_socket() || !ep.hostaddr.empty()) co_return std::vector{ep};
    co_return per_address(ep, co_await resolve_within(resolve, ep.host, cfg.connect_timeout));
}

// Where a failed attempt leaves the list of hosts (libpq, "Specifying Multiple Hosts": "If a
// connection is established successfully, but authentication fails, the remaining hosts in the
// list are not tried"). As libpq does, a server that answered the startup with an error, a
// failed authentication or TLS requirement, and a bad setting end the attempts; 57P03 (the
// server cannot accept connections now: starting up, shutting down, a standby not yet
// readable) moves on to the next host; a failure to reach the server (refused, unreachable,
// timed out) to the next address. So does a connection closed before the server answered, where
// libpq gives up: a proxy with no server behind it closes so, and another address may have one.
enum class next_try { address, host, none };

next_try after(const error& e) {
    if (e.code() == errc::server_error)
        return e.sqlstate() == "57P03" ? next_try::host : next_try::none;
    for (auto ends :
         {errc::auth_failed, errc::auth_method_unsupported, errc::channel_binding_required,
          errc::tls_unavailable, errc::tls_verification_failed, errc::bad_config})
        if (e.code() == ends) return next_try::none;
    return next_try::address;
}

} // namespace

std::vector<endpoint> per_address(const endpoint& ep, const std::vector<asio::ip::address>& addrs) {
    std::vector<endpoint> out(addrs.size(), ep);
    for (std::size_t i = 0; i < addrs.size(); ++i)
        out[i].hostaddr = addrs[i].to_string();
    return out;
}

asio::awaitable<std::shared_ptr<connection_impl>> connect(asio::any_io_executor ex,
                                                          const config& cfg) {
    co_return co_await connect(std::move(ex), cfg, system_resolve);
}

// Each host, and each address a host name resolves to, gets an attempt of its own under its own
// connect_timeout ("This timeout applies separately to each host name or IP address", libpq's
// connect_timeout); a failure moves on to the next address or host as after() says.
asio::awaitable<std::shared_ptr<connection_impl>> connect(asio::any_io_executor ex,
                                                          const config& cfg, resolver resolve) {
    // A caller's cancellation ends the attempts: the next address is not tried.
    const asio::cancellation_state caller = co_await asio::this_coro::cancellation_state;
    auto cancelled = [&](const endpoint& ep) {
        return error(make_error_code(errc::cancelled),
                     "connection to " + ep.to_string() + " was cancelled");
    };
    std::string failures;
    std::optional<error> only_failure;
    bool session_attr_miss = false;
    auto fail = [&](const endpoint& ep, const error& e, const std::string& reason, bool alone) {
        detail::log(log_level::warn,
                    [&] { return "connection to " + ep.to_string() + " failed: " + reason; });
        failures += "\n  " + ep.to_string() + ": " + reason;
        if (alone) only_failure = e;
    };
    // load_balance_hosts=random: the hosts in a random order, and each host's addresses too
    // (libpq 16).
    const bool shuffle = cfg.load_balance_hosts == load_balance_mode::random;
    std::mt19937 rng(std::random_device{}());
    auto hosts = cfg.endpoints;
    if (shuffle) std::shuffle(hosts.begin(), hosts.end(), rng);
    // prefer-standby: a second pass accepts any server when no standby was found.
    for (int pass = 0; pass < 2; ++pass) {
        auto want = cfg.target_session_attrs;
        if (pass == 1) {
            if (want != session_attrs::prefer_standby) break;
            want = session_attrs::any;
        }
        const bool one_host = cfg.endpoints.size() == 1 && pass == 0;
        for (auto& host : hosts) {
            std::vector<endpoint> targets;
            try {
                targets = co_await targets_of(host, cfg, resolve);
            } catch (const error& e) {
                if (caller.cancelled() != asio::cancellation_type::none) throw;
                fail(host, e, e.what(), one_host);
            }
            if (shuffle) std::shuffle(targets.begin(), targets.end(), rng);
            for (auto& ep : targets) {
                const bool alone = one_host && targets.size() == 1;
                try {
                    auto c =
                        co_await with_timeout(connect_endpoint(ex, cfg, ep), cfg.connect_timeout,
                                              "connection to " + ep.to_string() + " timed out");
                    if (co_await matches(*c, want)) co_return c;
                    session_attr_miss = true;
                    failures += "\n  " + ep.to_string() + ": server is not " + describe(want);
                    co_await c->close();
                    break; // libpq moves on to the next host, not to this one's other addresses
                } catch (const error& e) {
                    if (caller.cancelled() != asio::cancellation_type::none) throw cancelled(ep);
                    auto next = after(e);
                    if (next == next_try::none) throw;
                    fail(ep, e, e.what(), alone);
                    if (next == next_try::host) break;
                } catch (const std::system_error& e) {
                    if (caller.cancelled() != asio::cancellation_type::none) throw cancelled(ep);
                    fail(ep, error(e.code(), "connection to " + ep.to_string() + " failed"),
                         e.code().message(), alone);
                }
            }
        }
    }
    if (only_failure && !session_attr_miss) throw *only_failure;
    throw error(
        make_error_code(session_attr_miss ? errc::wrong_session_attrs : errc::server_unreachable),
        "could not connect to any server:" + failures);
}

} // namespace turbopg::wire::io
