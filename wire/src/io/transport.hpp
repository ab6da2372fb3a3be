// The byte stream under a connection: TCP or a unix socket, optionally wrapped in TLS.
// This and the connection driver are the only places that touch sockets (DESIGN §2).
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <system_error>
#include <variant>
#include <vector>

namespace turbopg::wire::io {

// Throws the error for a failed read or write: errc::connection_closed when the peer went away
// (in whatever form the socket or TLS layer reports it), else `ec`; the message says `doing`.
[[noreturn]] void throw_transport_error(std::error_code ec, const char* doing);

class transport {
public:
    using tcp_socket = asio::ip::tcp::socket;
    using unix_socket = asio::local::stream_protocol::socket;

    explicit transport(tcp_socket s)
        : stream_(std::move(s)) {}
    explicit transport(unix_socket s)
        : stream_(std::move(s)) {}

    asio::any_io_executor get_executor();
    bool is_tls() const noexcept;
    bool is_unix() const noexcept;

    // Reads what is available (at least one byte) into `buf`.
    asio::awaitable<std::size_t> read_some(asio::mutable_buffer buf);
    // The same for a completion handler `h(std::error_code, std::size_t)`, without a coroutine
    // frame (the connection's reader reads this way); the error is passed to `h`, and
    // throw_transport_error() translates it.
    template <class Handler>
    void async_read_some(asio::mutable_buffer buf, Handler&& h) {
        visit([&](auto& s) { s.async_read_some(buf, std::forward<Handler>(h)); });
    }
    // Writes all of `buf`.
    asio::awaitable<void> write(asio::const_buffer buf);
    // Writes what the socket takes now without waiting: the bytes written, 0 when it would block
    // (always with TLS, whose writes go through write()). Throws as write() does.
    std::size_t try_write(asio::const_buffer buf);
    // Reads what the socket has now without waiting: the bytes read, 0 when there are none (always
    // with TLS). Throws as read_some() does (the server closing the connection included).
    std::size_t try_read(asio::mutable_buffer buf);

    // Whether the bytes last read were sent from the CPU this thread runs on, by a process on
    // this machine. False when that cannot be told: TLS, a unix socket, another host, not Linux.
    bool sent_from_this_cpu();

    // Wraps the plain socket in TLS and performs the client handshake. `ctx` must outlive the
    // transport (the connection keeps it). `sni_host` is sent as server name unless empty;
    // the certificate must name the DNS host `verify_host` unless it is empty.
    asio::awaitable<void> start_tls(std::shared_ptr<asio::ssl::context> ctx,
                                    const std::string& sni_host, const std::string& verify_host);

    // The server certificate's tls-server-end-point hash (RFC 5929); empty without TLS.
    std::vector<std::byte> server_end_point() const;

    // Why the server certificate was rejected (OpenSSL's verify result), empty if it was not.
    std::string verify_error() const;

    // Shuts down and closes the socket; never throws.
    void close() noexcept;

private:
    template <class Op>
    std::size_t transfer_now(Op op, const char* what);
    template <class F>
    decltype(auto) visit(F&& f) {
        return std::visit(std::forward<F>(f), stream_);
    }

    using tls_tcp = asio::ssl::stream<tcp_socket>;
    using tls_unix = asio::ssl::stream<unix_socket>;
    std::variant<tcp_socket, unix_socket, tls_tcp, tls_unix> stream_;
    std::shared_ptr<asio::ssl::context> tls_ctx_;
    enum class peer_host : std::uint8_t { unknown, this_one, other };
    peer_host peer_host_ = peer_host::unknown; // sent_from_this_cpu() finds it out once
};

} // namespace turbopg::wire::io
