// turbopg-query: a libpq-free `psql -c` for scripts and containers. Its output and exit status
// are those of `psql -X -A -t -q -v ON_ERROR_STOP=1 -F '<TAB>'` for the same settings and SQL.
#include "arguments.hpp"
#include "session.hpp"

#include <cstdio>
#include <span>

#include <unistd.h>

#ifndef TURBOPG_QUERY_VERSION
#define TURBOPG_QUERY_VERSION "unknown"
#endif

namespace {

constexpr const char* help_text =
    R"(turbopg-query runs SQL on a PostgreSQL server and prints the rows like
psql -X -A -t -q -v ON_ERROR_STOP=1 -F '<TAB>' (without libpq).

Usage:
  turbopg-query [OPTION]... [CONNINFO]

CONNINFO is a connection URI (postgresql://user@host:port/dbname?...) or a key=value string;
settings it leaves out come from the PG* environment variables and ~/.pgpass, as with libpq.

Options:
  -c, --command=SQL   run SQL as one query (several statements may be separated by ';')
  -f, --file=FILE     run the statements of FILE one by one ("-" = standard input)
  -V, --version       print the version and exit
  -?, --help          print this help and exit

-c and -f may be repeated and mixed; they run in order. Without them the script is read from
standard input. psql meta-commands (\set, \copy, \i, ...) are not supported.

Output: each row on a line, columns separated by a tab, values in PostgreSQL's text format as
received, NULL as an empty string; no headers, command tags or row counts. Errors and notices
go to standard error; an error shows its SQLSTATE on a line "SQLSTATE: xxxxx".

Exit status: 0 success; 1 a -c command failed, a file could not be read or holds a meta-command,
or bad usage; 2 the connection failed or was lost; 3 a statement of a file failed. Nothing runs
after a failure.
)";

void usage_hint() {
    std::fputs("turbopg-query: hint: Try \"turbopg-query --help\" for more information.\n", stderr);
}

} // namespace

int main(int argc, char** argv) {
    using namespace turbopg::tools;
    arguments args;
    try {
        args = parse_arguments(std::span<const char* const>(argv + 1, argc > 0 ? argc - 1 : 0));
    } catch (const usage_error& e) {
        std::fprintf(stderr, "turbopg-query: error: %s\n", e.what());
        usage_hint();
        return exit_failure;
    }
    if (args.help) {
        std::fputs(help_text, stdout);
        return exit_success;
    }
    if (args.version) {
        std::puts("turbopg-query (turbopg) " TURBOPG_QUERY_VERSION);
        return exit_success;
    }
    if (args.actions.empty()) {
        if (isatty(STDIN_FILENO)) {
            std::fputs("turbopg-query: error: no -c or -f given\n", stderr);
            usage_hint();
            return exit_failure;
        }
        args.actions.push_back({action::kind::standard_input, "-"});
    }
    return run_session(args);
}
