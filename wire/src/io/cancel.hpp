// CancelRequest (protocol docs, "Canceling Requests in Progress"): sent over a new connection
// to the same server, carrying the backend's pid and secret key. The server answers nothing and
// closes; whether anything was cancelled shows on the original connection.
#pragma once

#include "io/connection_impl.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

namespace turbopg::wire::io {

// Sends the CancelRequest. Errors reaching the server are thrown as `error`.
asio::awaitable<void> send_cancel_request(asio::any_io_executor ex, const cancel_target& target,
                                          proto::backend_key_data key);

} // namespace turbopg::wire::io
