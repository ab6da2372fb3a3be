// The SQL of LISTEN and UNLISTEN (PostgreSQL docs, SQL commands "LISTEN" and "UNLISTEN"): a
// channel name is an identifier there, so it is always sent double-quoted, which keeps its case,
// spaces and quotes exactly as pg_notify() and NOTIFY "..." spell it. Pure functions, no I/O.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace turbopg::wire::listen {

// The longest channel name: NAMEDATALEN - 1 bytes. The server would truncate a longer LISTEN
// name, while pg_notify() rejects one, so such a channel could never receive anything.
inline constexpr std::size_t max_channel_length = 63;

// Throws error(errc::invalid_value) for an empty name, a NUL byte, or more than 63 bytes.
void check_channel_name(std::string_view channel);

// Appends `"name"` with every embedded double quote doubled.
void append_quoted_identifier(std::string& out, std::string_view name);

// `LISTEN "a";LISTEN "b"` for a simple query (one round trip); empty for no channels.
std::string listen_sql(const std::set<std::string, std::less<>>& channels);
std::string listen_sql(std::string_view channel);
std::string unlisten_sql(std::string_view channel);

} // namespace turbopg::wire::listen
