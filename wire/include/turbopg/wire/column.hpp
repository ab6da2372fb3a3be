// A result column as the server describes it (RowDescription, protocol docs "Message Formats").
#pragma once

#include <cstdint>
#include <string>

namespace turbopg::wire {

struct column_description {
    std::string name;
    std::uint32_t table_oid = 0;    // the table the column comes from, 0 if none
    std::int16_t column_number = 0; // its attribute number in that table, 0 if none
    std::uint32_t type_oid = 0;     // the data type (see oid.hpp)
    std::int16_t type_size = 0;     // pg_type.typlen; negative for variable-width types
    std::int32_t type_modifier = 0; // e.g. varchar(n) or numeric(p,s), -1 if none
    std::int16_t format = 0;        // 0 text, 1 binary
};

} // namespace turbopg::wire
