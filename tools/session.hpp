// Runs turbopg-query's actions on one connection and prints what psql would print.
//
// Exit statuses (psql's, for `psql -X -A -t -q -v ON_ERROR_STOP=1`):
//   0  every statement succeeded
//   1  a -c command failed (psql exits 1 for -c), a file could not be read or holds a psql
//      meta-command, or the command line is invalid
//   2  no connection could be made (or the conninfo is invalid), or the connection was lost
//   3  a statement of a -f script (or of the script on standard input) failed
// Nothing runs after a failure.
#pragma once

#include "arguments.hpp"

namespace turbopg::tools {

enum exit_status : int {
    exit_success = 0,
    exit_failure = 1,
    exit_bad_connection = 2,
    exit_script_error = 3,
};

// Connects with `args.conninfo` and the PG* environment, runs the actions in order; rows go to
// stdout, errors and notices to stderr. Returns the exit status.
int run_session(const arguments& args);

} // namespace turbopg::tools
