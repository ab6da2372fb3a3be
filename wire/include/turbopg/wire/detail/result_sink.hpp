// Where the connection delivers a request's results as they arrive. Public only so the
// templates in connection.hpp can implement it; users consume results through result, row and
// the typed query functions instead.
#pragma once

#include <turbopg/wire/column.hpp>
#include <turbopg/wire/export.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
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

// What stopped a sink's rows: the exception its decoding or its callable threw (a decode error,
// or anything of the application's). Out of on_data_row it would leave the connection's reader
// and stop every request on the connection; kept here, it is rethrown by its own query once the
// rest of the response has been drained.
class row_failure {
public:
    // In a catch block: keeps the exception being handled; returns the code that fails the
    // request (a turbopg error's own, else errc::cancelled).
    TURBOPG_WIRE_API std::error_code keep_current() noexcept;
    explicit operator bool() const noexcept { return exception_ != nullptr; }
    std::error_code code() const noexcept { return code_; }
    void rethrow() const {
        if (exception_) std::rethrow_exception(exception_);
    }

private:
    std::exception_ptr exception_;
    std::error_code code_;
};

class result_sink {
public:
    virtual ~result_sink() = default;
    virtual void on_parameter_types(std::span<const std::uint32_t>) {}
    // RowDescription of a simple query or a Describe. Extended queries through the statement
    // cache get their columns from the cached statement instead, via on_columns.
    virtual void on_row_description(std::vector<column_description>&& columns) {
        on_columns(std::make_shared<const std::vector<column_description>>(std::move(columns)));
    }
    virtual void on_columns(const column_list&) {}
    virtual void on_no_data() {}
    // A row; the views are valid only during the call. An error (e.g. a value that does not fit
    // its C++ type) fails the request once it completes, while the rest of the response is still
    // consumed so the connection stays usable.
    virtual std::error_code on_data_row(std::span<const raw_field>) { return {}; }
    virtual void on_command_complete(std::string_view /*tag*/) {}
    virtual void on_empty_query() {}
    virtual void on_portal_suspended() {}

    // COPY (protocol docs, "COPY Operations"). CopyInResponse: return nullptr when the sink
    // streams the data in (connection::copy_in), else the reason to send in CopyFail; the request
    // then fails with errc::copy_mismatch and that reason.
    virtual const char* on_copy_in(std::int8_t /*format*/,
                                   std::span<const std::int16_t> /*column_formats*/) {
        return "COPY FROM STDIN needs connection::copy_in";
    }
    // CopyOutResponse: return nullptr to receive the CopyData, else the error message: the data
    // is then drained and the request fails with errc::copy_mismatch.
    virtual const char* on_copy_out(std::int8_t /*format*/,
                                    std::span<const std::int16_t> /*column_formats*/) {
        return "COPY TO STDOUT needs connection::copy_out";
    }
    // One CopyData of a COPY TO STDOUT (one row in text and CSV); the view is valid only during
    // the call. An error fails the request, whose remaining data is drained.
    virtual std::error_code on_copy_data(std::span<const std::byte>) { return {}; }
};

} // namespace turbopg::wire::detail
