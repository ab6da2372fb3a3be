// A server ErrorResponse or NoticeResponse as psql prints it with its default settings
// (VERBOSITY default, SHOW_CONTEXT errors), plus the SQLSTATE of errors on a line of its own:
//
//   ERROR:  column "nope" does not exist
//   LINE 1: select nope;
//                  ^
//   DETAIL:  ...
//   HINT:  ...
//   QUERY:  ...           (the internal query, e.g. of a PL/pgSQL statement)
//   CONTEXT:  ...         (errors only)
//   SQLSTATE: 42703       (errors only; psql shows it only with VERBOSITY verbose)
//
// The LINE display points at the error position in `query`, the statement that was sent (or at
// the internal position in the internal query). Unlike psql it does not cut long lines, and it
// counts every character as one column. Every line ends with '\n'.
#pragma once

#include <turbopg/wire/error.hpp>

#include <string>
#include <string_view>

namespace turbopg::tools {

std::string describe_server_message(const wire::server_diagnostics& d, std::string_view query);

} // namespace turbopg::tools
