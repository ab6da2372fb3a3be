// SQL identifiers: the ORM always quotes them (DESIGN §4: identifiers are always quoted,
// values always travel as parameters).
#pragma once

#include <string>
#include <string_view>

#if defined(_WIN32)
#define TURBOPG_ORM_API
#else
#define TURBOPG_ORM_API __attribute__((visibility("default")))
#endif

namespace turbopg::orm {

// `name` as a PostgreSQL quoted identifier: wrapped in double quotes, embedded quotes doubled.
// Throws std::invalid_argument for an empty name or one containing a NUL byte, which PostgreSQL
// cannot represent.
TURBOPG_ORM_API std::string quote_identifier(std::string_view name);

// Appends the quoted form of `name` to `out` (the compiler's allocation-free path).
TURBOPG_ORM_API void append_quoted_identifier(std::string& out, std::string_view name);

// "BookAuthor" -> "book_author", "HTTPRequest" -> "http_request": Django's default table naming
// applied to a C++ type name (namespaces stripped).
TURBOPG_ORM_API std::string snake_case(std::string_view type_name);

} // namespace turbopg::orm
