// sslmode=verify-full against a scripted TLS server on loopback, reached by its IP address: the
// address must be named by the certificate as libpq's "SSL Support" (Certificate Verification)
// says: by an iPAddress or dNSName SAN, or by the Common Name when no iPAddress SAN is present.
#include "config/config_support.hpp"
#include "support/bounded_run.hpp"
#include "support/bytes_util.hpp"
#include "support/test_certificate.hpp"

#include <turbopg/wire/connection.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <asio/write.hpp>

#include <doctest/doctest.h>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;
using asio::ip::tcp;

namespace {

// Accepts one client: agrees to SSLRequest, completes the handshake with `cert`, then answers
// the startup packet with AuthenticationOk and ReadyForQuery. A client that rejects the
// certificate ends it early.
awaitable<void> serve(tcp::acceptor& acceptor, const test_certificate& cert) {
    asio::ssl::context tls(asio::ssl::context::tls_server);
    tls.use_certificate(asio::buffer(cert.cert_pem), asio::ssl::context::pem);
    tls.use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem);
    try {
        auto sock = co_await acceptor.async_accept(asio::use_awaitable);
        std::array<std::byte, 8> ssl_request;
        co_await asio::async_read(sock, asio::buffer(ssl_request), asio::use_awaitable);
        co_await asio::async_write(sock, asio::buffer("S", 1), asio::use_awaitable);
        asio::ssl::stream<tcp::socket> s(std::move(sock), tls);
        co_await s.async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
        std::array<std::byte, 4> length;
        co_await asio::async_read(s, asio::buffer(length), asio::use_awaitable);
        bytes startup(static_cast<std::size_t>(std::to_integer<int>(length[2]) * 256 +
                                               std::to_integer<int>(length[3]) - 4));
        co_await asio::async_read(s, asio::buffer(startup), asio::use_awaitable);
        auto replies = cat({backend_message('R', be32(0)), backend_message('Z', str("I"))});
        co_await asio::async_write(s, asio::buffer(replies), asio::use_awaitable);
        std::array<std::byte, 64> rest; // Terminate, then the end of the stream
        for (;;)
            co_await s.async_read_some(asio::buffer(rest), asio::use_awaitable);
    } catch (const std::exception&) {
    }
}

// Connects to the server with verify-full, trusting the self-signed `cert` itself. Returns ""
// on success, else the error's message.
std::string connect_verify_full(const test_certificate& cert) {
    temp_file root(cert.cert_pem, 0644);
    asio::io_context ctx;
    tcp::acceptor acceptor(ctx, {asio::ip::make_address("127.0.0.1"), 0});
    auto port = acceptor.local_endpoint().port();
    asio::co_spawn(ctx, serve(acceptor, cert), asio::detached);
    auto cfg =
        parse("host=127.0.0.1 port=" + std::to_string(port) +
              " user=u dbname=d sslmode=verify-full connect_timeout=10 sslrootcert=" + root.path());
    auto fut = asio::co_spawn(
        ctx,
        [&cfg]() -> awaitable<std::string> {
            try {
                auto c = co_await connection::connect(co_await asio::this_coro::executor, cfg);
                CHECK(c.tls_in_use());
                co_await c.close();
            } catch (const error& e) {
                co_return e.what();
            }
            co_return "";
        },
        asio::use_future);
    return result_within_bound(ctx, fut);
}

} // namespace

TEST_CASE("verify-full with an IP address host: iPAddress and dNSName SANs name it") {
    CHECK(connect_verify_full(make_test_certificate("db", "IP:127.0.0.1")) == "");
    CHECK(connect_verify_full(make_test_certificate("db", "DNS:127.0.0.1")) == "");
    CHECK(connect_verify_full(make_test_certificate("db", "DNS:db, IP:127.0.0.2")) != "");
}

TEST_CASE("verify-full with an IP address host: the Common Name when no iPAddress SAN") {
    CHECK(connect_verify_full(make_test_certificate("127.0.0.1")) == "");
    CHECK(connect_verify_full(make_test_certificate("127.0.0.1", "DNS:db")) == "");
    // An iPAddress SAN, even another address, means the Common Name is not looked at.
    auto refused = connect_verify_full(make_test_certificate("127.0.0.1", "IP:127.0.0.2"));
    CHECK(refused.find("certificate") != std::string::npos);
    CHECK(connect_verify_full(make_test_certificate("127.0.0.2")) != "");
}
