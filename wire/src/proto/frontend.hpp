// Frontend (client -> server) message encoders (protocol docs, "Message Formats").
//
// Each function appends one complete message to the writer's buffer, so several messages can be
// coalesced into a single socket write. Lengths are back-patched; nothing is allocated beyond the
// buffer's growth.
#pragma once

#include "proto/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

namespace turbopg::wire::proto {

inline constexpr std::int32_t protocol_version_3_0 = 196608;  // 3 << 16
inline constexpr std::int32_t ssl_request_code = 80877103;    // 1234 << 16 | 5679
inline constexpr std::int32_t cancel_request_code = 80877102; // 1234 << 16 | 5678

// Which kind of object Describe and Close refer to.
enum class target : char { statement = 'S', portal = 'P' };

using startup_param = std::pair<std::string_view, std::string_view>;

// The longest message body (after the length field) PostgreSQL reads: PQ_LARGE_MESSAGE_LIMIT,
// MaxAllocSize - 1. A longer one ends the session ("invalid message length"), and one of 4 GiB or
// more would not even fit the length field: the server would read what follows its wrapped length
// as further messages.
inline constexpr std::size_t max_message_body = 0x3ffffffe;

// Throws error(errc::message_too_large) naming the message when a `type` message of `body`
// bytes is longer than the server reads. The encoders below check what they write; callers that
// write a message through the sized writers (put_bind) check its size first.
void check_message_size(char type, std::size_t body);

// StartupMessage: protocol version then name/value pairs (user is required by the server).
void encode_startup(byte_writer& w, std::span<const startup_param> params);
void encode_ssl_request(byte_writer& w);
void encode_cancel_request(byte_writer& w, std::int32_t pid, std::int32_t secret);

// PasswordMessage ('p') carrying a cleartext or MD5-hashed password.
void encode_password(byte_writer& w, std::string_view password);
// SASLInitialResponse ('p'): mechanism name and the client-first-message.
void encode_sasl_initial_response(byte_writer& w, std::string_view mechanism,
                                  std::string_view data);
// SASLResponse ('p'): the client-final-message.
void encode_sasl_response(byte_writer& w, std::string_view data);

// Query and Parse throw error (errc::invalid_value) for SQL holding a NUL byte, which would end
// the protocol's string early and leave the rest to be misread, and appends nothing then.
void encode_query(byte_writer& w, std::string_view sql);
void encode_parse(byte_writer& w, std::string_view statement, std::string_view sql,
                  std::span<const std::uint32_t> param_types);

// Bind is written in two halves so parameters can be encoded straight into the buffer:
// begin_bind writes everything up to and including the parameter count; the caller appends each
// parameter (Int32 length, -1 for NULL, then the bytes); end_bind writes the result formats and
// the length. `param_formats` follows the protocol's rule: empty = all text, one = applies to all,
// else one per parameter; the same for `result_formats`.
std::size_t begin_bind(byte_writer& w, std::string_view portal, std::string_view statement,
                       std::span<const std::int16_t> param_formats, std::uint16_t param_count);
// Also appends `then` bytes after the Bind in the same growth of the buffer, for the caller to
// write the next messages into with the sized writers below; returns where they start.
std::byte* end_bind(byte_writer& w, std::size_t at, std::span<const std::int16_t> result_formats,
                    std::size_t then = 0);

void encode_describe(byte_writer& w, target t, std::string_view name);
// Execute: max_rows 0 = no limit; otherwise the portal is suspended after that many rows.
void encode_execute(byte_writer& w, std::string_view portal, std::int32_t max_rows);

// Sized writers, for a caller that writes several messages with one byte_writer::append (a batch
// entry's Bind, Describe and Execute): the exact size of a message, and writing it at `p`,
// returning the position after it.
struct bind_message {
    std::string_view portal, statement;
    std::span<const std::int16_t> param_formats;
    std::uint16_t param_count = 0;
    byte_view values; // the parameters, encoded: each an Int32 length (-1 for NULL), the bytes
    std::span<const std::int16_t> result_formats;
};
std::size_t bind_size(const bind_message& m) noexcept;
std::byte* put_bind(std::byte* p, const bind_message& m) noexcept;
std::size_t describe_size(std::string_view name) noexcept;
std::byte* put_describe(std::byte* p, target t, std::string_view name) noexcept;
std::size_t execute_size(std::string_view portal) noexcept;
std::byte* put_execute(std::byte* p, std::string_view portal, std::int32_t max_rows) noexcept;
inline constexpr std::size_t sync_size = 5;
std::byte* put_sync(std::byte* p) noexcept;
void encode_close(byte_writer& w, target t, std::string_view name);
void encode_sync(byte_writer& w);
void encode_flush(byte_writer& w);
void encode_copy_data(byte_writer& w, byte_view data);
// Grows the CopyData message that `buffer` holds by `data` (one message header for many small
// writes), or starts one in an empty buffer. `buffer` must hold nothing but that message.
void append_copy_data(bytes& buffer, byte_view data);
void encode_copy_done(byte_writer& w);
void encode_copy_fail(byte_writer& w, std::string_view reason);
void encode_terminate(byte_writer& w);

} // namespace turbopg::wire::proto
