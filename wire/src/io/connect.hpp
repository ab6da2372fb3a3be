// Establishing a connection from a config: hosts in order, and each address a host name resolves
// to, each within connect_timeout, with the sslmode's TLS negotiation and fallbacks,
// authentication, and target_session_attrs.
#pragma once

#include "io/connection_impl.hpp"

#include <turbopg/wire/config.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace turbopg::wire::io {

// The addresses a host name resolves to, in the resolver's order.
using resolver = std::function<asio::awaitable<std::vector<asio::ip::address>>(std::string host)>;

// Resolves host names with the system's resolver (getaddrinfo).
asio::awaitable<std::shared_ptr<connection_impl>> connect(asio::any_io_executor ex,
                                                          const config& cfg);
// The same with `resolve` for host names (tests make one name resolve to several addresses).
asio::awaitable<std::shared_ptr<connection_impl>> connect(asio::any_io_executor ex,
                                                          const config& cfg, resolver resolve);

// One endpoint per address `ep.host` resolved to: copies of `ep` with hostaddr set, so that an
// attempt connects to its address and still uses the host name for TLS, the password and logs.
std::vector<endpoint> per_address(const endpoint& ep, const std::vector<asio::ip::address>& addrs);

} // namespace turbopg::wire::io
