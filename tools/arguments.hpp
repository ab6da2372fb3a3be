// turbopg-query's command line:
//
//   turbopg-query [CONNINFO] [-c SQL | -f FILE]...
//
// -c/--command and -f/--file may be repeated and mixed; they run in the order given. Options
// take their value as the next argument or attached (-cSQL, --command=SQL). `-f -` reads
// standard input. At most one CONNINFO (a URI or key=value string; options and it may come in
// any order). `--` ends the options. Without -c or -f the script is read from standard input,
// as psql does.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace turbopg::tools {

struct action {
    // command: -c; file: -f; standard_input: the script psql reads from standard input when
    // neither -c nor -f is given (its messages then name no file).
    enum class kind { command, file, standard_input };
    kind type = kind::command;
    std::string value; // the SQL text, or the file name ("-" = standard input)

    friend bool operator==(const action&, const action&) = default;
};

struct arguments {
    std::string conninfo; // empty = everything from the PG* environment
    std::vector<action> actions;
    bool help = false;
    bool version = false;
};

// A command line that cannot be run; what() is the message psql would print after "error: ".
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// `args` without the program name.
arguments parse_arguments(std::span<const char* const> args);

} // namespace turbopg::tools
