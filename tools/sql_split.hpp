// Splits an SQL script into statements the way psql's lexer does for `psql -f`, so that each
// statement can be sent as its own simple Query (and the ones before a failing statement stay
// committed, as with psql and ON_ERROR_STOP).
//
// A statement ends at a `;` that is not inside a single-quoted string ('' escapes), an E'...'
// string (backslash escapes), a double-quoted identifier, a dollar-quoted string ($$...$$,
// $tag$...$tag$), a -- line comment, a nested /* */ comment or parentheses, nor inside the
// BEGIN ... END body of `CREATE [OR REPLACE] FUNCTION|PROCEDURE` (SQL-standard bodies: BEGIN
// ATOMIC; CASE ... END nests there). `$1` is a parameter, not a dollar quote, and `a$b$` is one
// identifier. Strings are read with standard_conforming_strings on (the server default).
//
// Like psql, whitespace and -- comments before a statement are not part of it, the `;` is, and
// a statement left without `;` at the end of the script is returned too (psql sends it at end
// of file). psql drops empty lines inside a statement; here the text is kept as it is in the
// script, which only changes the line numbers in server error positions.
//
// A backslash outside quotes and comments starts a psql meta-command (\set, \copy, \i, ...),
// which a server cannot run: the split stops there and reports it, with the statements that
// ended before it.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace turbopg::tools {

struct sql_statement {
    // A view into the script: from the statement's first token to its `;` included.
    std::string_view text;
    // The 1-based line psql names in its `psql:FILE:LINE:` messages: the line of the `;`, or
    // the script's last line for a statement left unterminated at the end.
    std::size_t line = 0;

    friend bool operator==(const sql_statement&, const sql_statement&) = default;
};

struct meta_command {
    std::string_view name; // e.g. "\set" (the backslash and the letters after it)
    std::size_t line = 0;  // 1-based

    friend bool operator==(const meta_command&, const meta_command&) = default;
};

struct sql_split_result {
    std::vector<sql_statement> statements;
    // The first backslash meta-command, if any; `statements` then holds only those that ended
    // before it.
    std::optional<meta_command> meta;
};

sql_split_result split_sql(std::string_view script);

} // namespace turbopg::tools
