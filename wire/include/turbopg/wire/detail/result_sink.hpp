// Where the connection delivers a request's results as they arrive. Public only so the
// templates in connection.hpp can implement it; users consume results through result, row and
// the typed query functions instead.
#pragma once

#include <turbopg/wire/column.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

namespace turbopg::wire::detail {

// One value of a DataRow, a view into the connection's read buffer; size -1 is NULL.
struct raw_field {
    const std::byte* data = nullptr;
    std::int32_t size = -1;
    bool is_null() const noexcept { return size < 0; }
    std::span<const std::byte> bytes() const noexcept {
        return is_null() ? std::span<const std::byte>{}
                         : std::span<const std::byte>{data, static_cast<std::size_t>(size)};
    }
};

using column_list = std::shared_ptr<const std::vector<column_description>>;

class result_sink {
public:
    virtual ~result_sink() = default;
    virtual void on_parameter_types(std::span<const std::uint32_t>) {}
    // RowDescription of a simple query or a Describe. Extended queries through the statement
    // cache get their columns from the cached statement instead, via on_columns.
    virtual void on_row_description(std::vector<column_description>&& columns) {
        on_columns(std::make_shared<const std::vector<column_description>>(std::move(columns)));
    }
    virtual void on_columns(column_list) {}
    virtual void on_no_data() {}
    // A row; the views are valid only during the call. An error (e.g. a value that does not fit
    // its C++ type) fails the request once it completes, while the rest of the response is still
    // consumed so the connection stays usable.
    virtual std::error_code on_data_row(std::span<const raw_field>) { return {}; }
    virtual void on_command_complete(std::string_view /*tag*/) {}
    virtual void on_empty_query() {}
    virtual void on_portal_suspended() {}
};

} // namespace turbopg::wire::detail
