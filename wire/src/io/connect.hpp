// Establishing a connection from a config: hosts in order, each within connect_timeout, with
// the sslmode's TLS negotiation and fallbacks, authentication, and target_session_attrs.
#pragma once

#include "io/connection_impl.hpp"

#include <turbopg/wire/config.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <memory>

namespace turbopg::wire::io {

asio::awaitable<std::shared_ptr<connection_impl>> connect(asio::any_io_executor ex,
                                                          const config& cfg);

} // namespace turbopg::wire::io
