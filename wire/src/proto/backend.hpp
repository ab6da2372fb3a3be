// Backend (server -> client) messages: incremental framing and typed views
// (protocol docs, "Message Formats").
//
// `next_frame` cuts one message off the front of the read buffer, or says how many bytes are
// still missing. The parse functions turn a message body into a typed view that borrows the
// buffer (no copy); each checks lengths strictly and rejects trailing bytes with
// errc::protocol_violation.
#pragma once

#include "proto/bytes.hpp"

#include <turbopg/wire/column.hpp>
#include <turbopg/wire/detail/result_sink.hpp>
#include <turbopg/wire/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace turbopg::wire::proto {

namespace msg {
inline constexpr char authentication = 'R';
inline constexpr char backend_key_data = 'K';
inline constexpr char bind_complete = '2';
inline constexpr char close_complete = '3';
inline constexpr char command_complete = 'C';
inline constexpr char copy_data = 'd';
inline constexpr char copy_done = 'c';
inline constexpr char copy_in_response = 'G';
inline constexpr char copy_out_response = 'H';
inline constexpr char copy_both_response = 'W';
inline constexpr char data_row = 'D';
inline constexpr char empty_query_response = 'I';
inline constexpr char error_response = 'E';
inline constexpr char function_call_response = 'V';
inline constexpr char negotiate_protocol_version = 'v';
inline constexpr char no_data = 'n';
inline constexpr char notice_response = 'N';
inline constexpr char notification_response = 'A';
inline constexpr char parameter_description = 't';
inline constexpr char parameter_status = 'S';
inline constexpr char parse_complete = '1';
inline constexpr char portal_suspended = 's';
inline constexpr char ready_for_query = 'Z';
inline constexpr char row_description = 'T';
} // namespace msg

// The default bound on one backend message; a DataRow of a huge bytea is the usual large one.
inline constexpr std::size_t default_max_message_size = std::size_t{1} << 30;

struct frame {
    char type = 0;
    byte_view body;       // the message without its 5-byte header
    std::size_t size = 0; // bytes to consume from the input: header + body
};

enum class frame_status { complete, need_more, error };

struct frame_result {
    frame_status status = frame_status::need_more;
    frame msg;
    std::size_t needed = 0; // for need_more: total bytes the input must hold to make progress
    errc ec{};              // for error: protocol_violation or message_too_large
};

// Cuts the first message off `input`. A length field below 4 is a protocol violation; one above
// `max_message_size` is message_too_large (checked before the body arrives, so a hostile length
// cannot make the client buffer a gigabyte). Inline: the reader calls it for every message.
inline frame_result next_frame(byte_view input, std::size_t max_message_size) noexcept {
    frame_result res;
    if (input.size() < 5) {
        res.needed = 5;
        return res;
    }
    // The length counts itself but not the type byte (protocol docs, "Message Formats").
    auto length = load_be<std::uint32_t>(input.data() + 1);
    if (length < 4 || length - 4 > max_message_size) {
        res.status = frame_status::error;
        res.ec = length < 4 ? errc::protocol_violation : errc::message_too_large;
        return res;
    }
    std::size_t total = std::size_t{length} + 1;
    if (input.size() < total) {
        res.needed = total;
        return res;
    }
    res.status = frame_status::complete;
    res.msg = {static_cast<char>(input[0]), input.subspan(5, total - 5), total};
    return res;
}

// ---- Authentication ('R') -------------------------------------------------------------------
namespace auth_code {
inline constexpr std::int32_t ok = 0;
inline constexpr std::int32_t kerberos_v5 = 2;
inline constexpr std::int32_t cleartext_password = 3;
inline constexpr std::int32_t md5_password = 5;
inline constexpr std::int32_t gss = 7;
inline constexpr std::int32_t gss_continue = 8;
inline constexpr std::int32_t sspi = 9;
inline constexpr std::int32_t sasl = 10;
inline constexpr std::int32_t sasl_continue = 11;
inline constexpr std::int32_t sasl_final = 12;
} // namespace auth_code

struct authentication {
    std::int32_t code = 0;
    byte_view data; // MD5: the 4-byte salt; SASL: mechanism list; SASLContinue/Final: the payload
};
std::error_code parse(byte_view body, authentication& out) noexcept;
// The mechanism names of an AuthenticationSASL message (a list of Strings ended by an empty one).
std::error_code parse_sasl_mechanisms(byte_view data, std::vector<std::string_view>& out);

struct backend_key_data {
    std::int32_t pid = 0;
    std::int32_t secret = 0;
};
std::error_code parse(byte_view body, backend_key_data& out) noexcept;

struct parameter_status {
    std::string_view name;
    std::string_view value;
};
std::error_code parse(byte_view body, parameter_status& out) noexcept;

// Transaction status of ReadyForQuery: 'I' idle, 'T' in a transaction block, 'E' in a failed one.
struct ready_for_query {
    char status = 'I';
};
std::error_code parse(byte_view body, ready_for_query& out) noexcept;

struct command_complete {
    std::string_view tag; // e.g. "INSERT 0 5", "SELECT 10", "CREATE TABLE"
};
std::error_code parse(byte_view body, command_complete& out) noexcept;
// Rows affected/returned as libpq's PQcmdTuples reads it: the last number of INSERT, UPDATE,
// DELETE, MERGE, SELECT, MOVE, FETCH and COPY tags; 0 for other commands.
std::uint64_t rows_affected(std::string_view tag) noexcept;

// ErrorResponse ('E') and NoticeResponse ('N') share one field format.
std::error_code parse_diagnostics(byte_view body, server_diagnostics& out);

struct notification {
    std::int32_t pid = 0;
    std::string_view channel;
    std::string_view payload;
};
std::error_code parse(byte_view body, notification& out) noexcept;

std::error_code parse_parameter_description(byte_view body, std::vector<std::uint32_t>& types);

// One column of a RowDescription. The name is copied: descriptions outlive the read buffer
// (they are kept with cached statements).
using turbopg::wire::column_description;
std::error_code parse_row_description(byte_view body, std::vector<column_description>& columns);

// One value of a DataRow: `size` -1 is NULL.
using field_slice = turbopg::wire::detail::raw_field;
// Sets `fields` to views into `body`, one per field (its storage is reused, so steady-state
// parsing allocates nothing); after an error what it holds means nothing.
std::error_code parse_data_row(byte_view body, std::vector<field_slice>& fields) noexcept;

// CopyInResponse / CopyOutResponse / CopyBothResponse.
struct copy_response {
    std::int8_t format = 0; // overall: 0 text, 1 binary
    std::vector<std::int16_t> column_formats;
};
std::error_code parse(byte_view body, copy_response& out);

struct negotiate_protocol_version {
    std::int32_t newest_minor = 0;
    std::vector<std::string_view> unrecognized_options;
};
std::error_code parse(byte_view body, negotiate_protocol_version& out);

// Messages whose body must be empty: ParseComplete, BindComplete, CloseComplete, NoData,
// PortalSuspended, EmptyQueryResponse, CopyDone.
std::error_code expect_empty(byte_view body) noexcept;

} // namespace turbopg::wire::proto
