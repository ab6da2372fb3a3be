// The storage of wire::batch (connection.hpp), shared with the connection that sends it.
#pragma once

#include <turbopg/wire/detail/endian.hpp>
#include <turbopg/wire/export.hpp>
#include <turbopg/wire/oid.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace turbopg::wire::detail {

// What a batch holds, in the layout connection::run sends it from: nothing is allocated per
// statement added once the batch's buffers have grown (clear() keeps them).
struct batch_data {
    // A distinct statement: entries running the same SQL with the same parameter types share
    // one, so its text is stored, and looked up in the statement cache, once per batch.
    struct statement {
        std::size_t sql_begin, sql_end; // its text in `sql`
        std::span<const oid_t> types;   // a view of param_info's static table
    };
    struct entry {
        std::uint32_t statement; // index in `statements`
        std::uint16_t count;     // parameters
        std::span<const std::int16_t> formats;
        std::size_t begin, end; // its Bind values in `params` (each Int32 length + bytes)
    };
    std::vector<statement> statements;
    std::string sql; // the distinct statements' texts, one after the other
    std::vector<entry> entries;
    bytes params;

    std::string_view sql_of(const statement& s) const noexcept {
        return std::string_view(sql).substr(s.sql_begin, s.sql_end - s.sql_begin);
    }
    // The index of the statement for `sql` with `types`: one of the last few distinct ones when
    // they match (a repeated statement, or statements alternating), else a new one.
    std::uint32_t statement_for(std::string_view sql, std::span<const oid_t> types) {
        // Inline for the usual batch, which repeats its last statement. Equal parameter types
        // are usually one static table (param_info), else the lookup compares them.
        if (!statements.empty()) {
            auto& last = statements.back();
            if (last.types.data() == types.data() && last.types.size() == types.size() &&
                sql_of(last) == sql)
                return static_cast<std::uint32_t>(statements.size() - 1);
        }
        return find_or_add_statement(sql, types);
    }

private:
    TURBOPG_WIRE_API std::uint32_t find_or_add_statement(std::string_view sql,
                                                         std::span<const oid_t> types);
};

} // namespace turbopg::wire::detail
