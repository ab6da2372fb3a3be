#include "io/cancel.hpp"

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace turbopg::wire::io {

namespace {

template <class Socket>
asio::awaitable<void> deliver(Socket& s, const proto::bytes& packet) {
    co_await asio::async_write(s, asio::buffer(packet), asio::use_awaitable);
    // Wait for the server to close its end, so the cancel has been processed (libpq does the
    // same) and a later query cannot overtake it.
    std::byte sink[1];
    std::error_code ignored;
    co_await s.async_read_some(asio::buffer(sink),
                               asio::redirect_error(asio::use_awaitable, ignored));
}

} // namespace

asio::awaitable<void> send_cancel_request(asio::any_io_executor ex, const cancel_target& target,
                                          proto::backend_key_data key) {
    proto::bytes packet;
    proto::byte_writer w(packet);
    proto::encode_cancel_request(w, key.pid, key.secret);
    try {
        if (target.unix_socket) {
            asio::local::stream_protocol::socket s(ex);
            co_await s.async_connect(asio::local::stream_protocol::endpoint(target.host),
                                     asio::use_awaitable);
            co_await deliver(s, packet);
        } else {
            asio::ip::tcp::socket s(ex);
            asio::ip::tcp::endpoint ep(asio::ip::make_address(target.host), target.port);
            co_await s.async_connect(ep, asio::use_awaitable);
            co_await deliver(s, packet);
        }
    } catch (const std::system_error& e) {
        throw error(e.code(), "sending the cancel request");
    }
}

} // namespace turbopg::wire::io
