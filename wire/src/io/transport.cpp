#include "io/transport.hpp"

#include "auth/channel_binding.hpp"

#include <turbopg/wire/error.hpp>

#include <asio/read.hpp>
#include <asio/ssl/error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#if defined(__linux__)
#include <sched.h>
#include <sys/socket.h>
#endif

namespace turbopg::wire::io {
namespace {

template <class>
inline constexpr bool is_tls_stream = false;
template <class S>
inline constexpr bool is_tls_stream<asio::ssl::stream<S>> = true;

} // namespace

asio::any_io_executor transport::get_executor() {
    return visit([](auto& s) -> asio::any_io_executor { return s.get_executor(); });
}

bool transport::is_tls() const noexcept {
    return stream_.index() >= 2;
}
bool transport::is_unix() const noexcept {
    return stream_.index() == 1 || stream_.index() == 3;
}

// The peer going away, in whatever form the socket or TLS layer reports it, is
// errc::connection_closed for turbopg's callers (libpq: "server closed the connection
// unexpectedly").
void throw_transport_error(std::error_code ec, const char* doing) {
    if (ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
        ec == asio::ssl::error::stream_truncated)
        throw error(make_error_code(errc::connection_closed),
                    doing); // what(): "<doing>: server closed the connection unexpectedly"
    throw error(ec, doing);
}

asio::awaitable<std::size_t> transport::read_some(asio::mutable_buffer buf) {
    try {
        co_return co_await visit(
            [&](auto& s) { return s.async_read_some(buf, asio::use_awaitable); });
    } catch (const error&) {
        throw;
    } catch (const std::system_error& e) {
        throw_transport_error(e.code(), "reading from the server");
    }
}

asio::awaitable<void> transport::write(asio::const_buffer buf) {
    auto write_all = [&](auto& s) -> asio::awaitable<void> {
        co_await asio::async_write(s, buf, asio::use_awaitable);
    };
    try {
        co_await visit(write_all);
    } catch (const std::system_error& e) {
        throw_transport_error(e.code(), "writing to the server");
    }
}

// What `op(socket, ec)` transfers without blocking: 0 when it would block, and always with TLS
// (whose records go through the awaitable read_some/write). Other errors throw, as `what`.
template <class Op>
std::size_t transport::transfer_now(Op op, const char* what) {
    return visit([&](auto& s) -> std::size_t {
        if constexpr (is_tls_stream<std::decay_t<decltype(s)>>) {
            return 0;
        } else {
            std::error_code ec;
            if (!s.non_blocking()) s.non_blocking(true, ec);
            std::size_t n = 0;
            if (!ec) n = op(s, ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) return 0;
            if (ec) throw_transport_error(ec, what);
            return n;
        }
    });
}

std::size_t transport::try_write(asio::const_buffer buf) {
    return transfer_now([&](auto& s, std::error_code& ec) { return s.write_some(buf, ec); },
                        "writing to the server");
}

std::size_t transport::try_read(asio::mutable_buffer buf) {
    return transfer_now([&](auto& s, std::error_code& ec) { return s.read_some(buf, ec); },
                        "reading from the server");
}

// Linux records the CPU that processed a TCP segment's arrival (SO_INCOMING_CPU). Over
// loopback that is the CPU the sender ran on, as the segment is processed within its send();
// from another host it is the CPU of a network interrupt, which says nothing about the server.
bool transport::sent_from_this_cpu() {
#if defined(__linux__) && defined(SO_INCOMING_CPU)
    auto* s = std::get_if<tcp_socket>(&stream_);
    if (!s) return false;
    if (peer_host_ == peer_host::unknown) {
        std::error_code local_ec, remote_ec;
        auto local = s->local_endpoint(local_ec).address();
        auto remote = s->remote_endpoint(remote_ec).address();
        // A connection to this machine, by loopback or by one of its own addresses, has the
        // same address at both ends.
        peer_host_ =
            !local_ec && !remote_ec && local == remote ? peer_host::this_one : peer_host::other;
    }
    if (peer_host_ != peer_host::this_one) return false;
    int cpu = -1;
    socklen_t len = sizeof cpu;
    if (::getsockopt(s->native_handle(), SOL_SOCKET, SO_INCOMING_CPU, &cpu, &len) != 0)
        return false;
    return cpu >= 0 && cpu == ::sched_getcpu();
#else
    return false;
#endif
}

asio::awaitable<void> transport::start_tls(std::shared_ptr<asio::ssl::context> ctx,
                                           const std::string& sni_host,
                                           const std::string& verify_host) {
    tls_ctx_ = std::move(ctx);
    auto wrap = [&](auto& plain) -> std::variant<tcp_socket, unix_socket, tls_tcp, tls_unix> {
        using plain_t = std::decay_t<decltype(plain)>;
        if constexpr (is_tls_stream<plain_t>) {
            throw std::logic_error("TLS already active");
        } else {
            return asio::ssl::stream<plain_t>(std::move(plain), *tls_ctx_);
        }
    };
    stream_ = visit(wrap);

    auto handshake = [&](auto& s) -> asio::awaitable<void> {
        if constexpr (is_tls_stream<std::decay_t<decltype(s)>>) {
            SSL* ssl = s.native_handle();
            if (!sni_host.empty()) SSL_set_tlsext_host_name(ssl, sni_host.c_str());
            // verify-full: the certificate must name the host (DNS SAN, or CN without one);
            // OpenSSL checks it during the handshake.
            if (!verify_host.empty()) SSL_set1_host(ssl, verify_host.c_str());
            co_await s.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
        }
    };
    co_await visit(handshake);
}

std::vector<std::byte> transport::server_end_point() const {
    return std::visit(
        [](auto& s) -> std::vector<std::byte> {
            if constexpr (is_tls_stream<std::decay_t<decltype(s)>>) {
                X509* cert = SSL_get1_peer_certificate(
                    const_cast<SSL*>(const_cast<std::decay_t<decltype(s)>&>(s).native_handle()));
                if (!cert) return {};
                auto hash = auth::tls_server_end_point(cert);
                X509_free(cert);
                // No usable hash (e.g. an Ed25519 certificate): SCRAM then cannot bind.
                return hash ? std::move(*hash) : std::vector<std::byte>{};
            } else {
                return {};
            }
        },
        stream_);
}

std::string transport::verify_error() const {
    return std::visit(
        [](auto& s) -> std::string {
            if constexpr (is_tls_stream<std::decay_t<decltype(s)>>) {
                auto* ssl = const_cast<std::decay_t<decltype(s)>&>(s).native_handle();
                auto result = SSL_get_verify_result(ssl);
                if (result == X509_V_OK) return {};
                return X509_verify_cert_error_string(result);
            } else {
                return {};
            }
        },
        stream_);
}

void transport::close() noexcept {
    visit([](auto& s) {
        std::error_code ignored;
        if constexpr (is_tls_stream<std::decay_t<decltype(s)>>) {
            s.lowest_layer().shutdown(asio::socket_base::shutdown_both, ignored);
            s.lowest_layer().close(ignored);
        } else {
            s.shutdown(asio::socket_base::shutdown_both, ignored);
            s.close(ignored);
        }
    });
}

} // namespace turbopg::wire::io
