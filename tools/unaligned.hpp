// The rows of a result as `psql -A -t -F '<TAB>'` prints them (psql's print_unaligned_text with
// tuples_only): one line per row, values in the server's text format exactly as received (tabs,
// newlines and any other bytes inside a value are not escaped), separated by the field
// separator; NULL is the empty string (psql's default `\pset null ''`). No header, no footer, no
// command tag. A result without columns prints nothing, not even for its rows (`select from t`).
#pragma once

#include <turbopg/wire/result.hpp>

#include <string>
#include <string_view>

namespace turbopg::tools {

void append_unaligned(std::string& out, const wire::result& r,
                      std::string_view field_separator = "\t");

} // namespace turbopg::tools
