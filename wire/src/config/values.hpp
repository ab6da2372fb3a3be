// Interpreting one keyword's value, with libpq's error messages (fe-connect.c's checks, as the
// libpq docs describe each keyword).
#pragma once

#include <turbopg/wire/config.hpp>

#include <string_view>

namespace turbopg::wire::config_detail {

// libpq's integer rule: optional blanks and sign, decimal digits, optional trailing blanks, within
// int. Otherwise `invalid integer value "<value>" for connection option "<keyword>"`.
int parse_int(std::string_view value, std::string_view keyword);

// 1..65535, else `invalid port number: "<value>"`.
std::uint16_t parse_port(std::string_view value);

// The enumerated keywords: `invalid <keyword> value: "<value>"` when not one of the spellings.
ssl_mode parse_ssl_mode(std::string_view value);
ssl_cert_mode parse_ssl_cert_mode(std::string_view value);
// "" = unset; TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 in any case.
tls_version parse_tls_version(std::string_view value, std::string_view keyword);
channel_binding_mode parse_channel_binding(std::string_view value);
// "require" is rejected: turbopg has no GSSAPI.
gss_enc_mode parse_gss_enc_mode(std::string_view value);
session_attrs parse_session_attrs(std::string_view value);
load_balance_mode parse_load_balance(std::string_view value);
// "database", or a PostgreSQL boolean (true/false, on/off, yes/no, 1/0 and unique prefixes).
replication_mode parse_replication(std::string_view value);
// "0" or "1".
bool parse_flag(std::string_view value, std::string_view keyword);
// Returns "UTF8" for "auto" and UTF-8's spellings; rejects every other encoding.
std::string parse_client_encoding(std::string_view value);
// require_auth's comma list, with PostgreSQL 16's rules and messages.
auth_requirements parse_require_auth(std::string_view value);
// The canonical require_auth string for `r`; empty for the default.
std::string format_require_auth(const auth_requirements& r);

} // namespace turbopg::wire::config_detail
