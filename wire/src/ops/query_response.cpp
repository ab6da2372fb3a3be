#include "ops/query_response.hpp"

#include <utility>

namespace turbopg::wire::ops {

using namespace proto;

std::error_code query_response::on_other_message(const frame& f, bool& done) {
    done = false;
    // After an ErrorResponse the server discards everything up to the Sync, so only the
    // ReadyForQuery may follow (protocol docs, "Extended Query"; for a simple query the error
    // also ends the whole query string).
    if (server_error_ && f.type != msg::ready_for_query)
        return make_error_code(errc::protocol_violation);
    if (copy_ == copy_state::copy_out && f.type != msg::copy_data && f.type != msg::copy_done &&
        f.type != msg::error_response)
        return make_error_code(errc::protocol_violation);

    switch (f.type) {
    case msg::parse_complete:
    case msg::bind_complete:
    case msg::close_complete:
        return expect_empty(f.body);
    case msg::parameter_description:
        if (auto ec = parse_parameter_description(f.body, param_types_)) return ec;
        sink_.on_parameter_types(param_types_);
        return {};
    case msg::row_description:
        if (auto ec = parse_row_description(f.body, columns_)) return ec;
        sink_.on_row_description(std::move(columns_));
        columns_.clear();
        return {};
    case msg::no_data:
        if (auto ec = expect_empty(f.body)) return ec;
        sink_.on_no_data();
        return {};
    case msg::data_row:
        return on_data_row(f.body);
    case msg::command_complete: {
        command_complete c;
        if (auto ec = parse(f.body, c)) return ec;
        copy_ = copy_state::none; // a COPY FROM STDIN ends here
        bound_ = false;
        sink_.on_command_complete(c.tag);
        return {};
    }
    case msg::empty_query_response:
        if (auto ec = expect_empty(f.body)) return ec;
        sink_.on_empty_query();
        return {};
    case msg::portal_suspended:
        if (auto ec = expect_empty(f.body)) return ec;
        sink_.on_portal_suspended();
        return {};
    case msg::copy_in_response:
    case msg::copy_out_response:
    case msg::copy_data:
    case msg::copy_done:
        return on_copy_message(f);
    case msg::error_response: {
        auto d = std::make_unique<server_diagnostics>();
        if (auto ec = parse_diagnostics(f.body, *d)) return ec;
        copy_ = copy_state::none;
        // The error our own CopyFail provoked is the expected end of a refused COPY FROM STDIN:
        // the refusal (client_error) is what the request reports.
        if (std::exchange(copy_in_refusal_, nullptr)) return {};
        server_error_ = std::move(d);
        return {};
    }
    case msg::ready_for_query: {
        ready_for_query z;
        if (auto ec = parse(f.body, z)) return ec;
        tx_status_ = z.status;
        done = true;
        return {};
    }
    default:
        return make_error_code(errc::protocol_violation);
    }
}

std::error_code query_response::on_copy_message(const frame& f) {
    switch (f.type) {
    case msg::copy_in_response:
    case msg::copy_out_response: {
        if (copy_ != copy_state::none) return make_error_code(errc::protocol_violation);
        copy_response r;
        if (auto ec = parse(f.body, r)) return ec;
        if (f.type == msg::copy_in_response) {
            copy_ = copy_state::copy_in;
            if (auto* refusal = sink_.on_copy_in(r.format, r.column_formats)) {
                copy_in_refusal_ = refusal;
                if (!client_error_) {
                    client_error_ = make_error_code(errc::copy_mismatch);
                    client_message_ = refusal;
                }
            }
        } else {
            copy_ = copy_state::copy_out;
            auto* refusal = sink_.on_copy_out(r.format, r.column_formats);
            copy_refused_ = refusal != nullptr;
            if (refusal && !client_error_) {
                client_error_ = make_error_code(errc::copy_mismatch);
                client_message_ = refusal;
            }
        }
        return {};
    }
    case msg::copy_data:
        if (copy_ != copy_state::copy_out) return make_error_code(errc::protocol_violation);
        if (copy_refused_ || client_error_) return {}; // drain: the request already failed
        client_error_ = sink_.on_copy_data(f.body);
        return {};
    default: // CopyDone
        if (copy_ != copy_state::copy_out) return make_error_code(errc::protocol_violation);
        copy_ = copy_state::none;
        copy_refused_ = false;
        return expect_empty(f.body);
    }
}

} // namespace turbopg::wire::ops
