#include <turbopg/wire/error.hpp>

namespace turbopg::wire {
namespace {

class client_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "turbopg"; }

    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::protocol_violation:
            return "protocol violation";
        case errc::message_too_large:
            return "message exceeds the maximum size";
        case errc::connection_closed:
            return "server closed the connection unexpectedly";
        case errc::timeout:
            return "timeout expired";
        case errc::cancelled:
            return "operation cancelled";
        case errc::auth_failed:
            return "authentication failed";
        case errc::auth_method_unsupported:
            return "authentication method not supported";
        case errc::channel_binding_required:
            return "channel binding required, but the server did not offer it";
        case errc::tls_unavailable:
            return "server does not support SSL, but SSL was required";
        case errc::tls_verification_failed:
            return "server certificate verification failed";
        case errc::bad_config:
            return "invalid connection settings";
        case errc::type_mismatch:
            return "type mismatch";
        case errc::unexpected_null:
            return "unexpected NULL value";
        case errc::invalid_value:
            return "invalid binary value";
        case errc::value_out_of_range:
            return "value out of range";
        case errc::server_error:
            return "server error";
        case errc::no_rows:
            return "query returned no rows";
        case errc::too_many_rows:
            return "query returned more than one row";
        case errc::pool_exhausted:
            return "connection pool exhausted";
        case errc::pool_closed:
            return "connection pool closed";
        case errc::server_unreachable:
            return "could not connect to any server";
        case errc::wrong_session_attrs:
            return "no server matches target_session_attrs";
        case errc::transaction_rolled_back:
            return "transaction rolled back";
        case errc::transaction_state:
            return "invalid transaction state";
        case errc::copy_mismatch:
            return "COPY mode and operation do not match";
        }
        return "unknown turbopg error";
    }
};

std::string describe(const server_diagnostics& d) {
    std::string s = d.severity.empty() ? std::string("ERROR") : d.severity;
    s += ":  ";
    s += d.message;
    if (!d.sqlstate.empty()) {
        s += " (SQLSTATE ";
        s += d.sqlstate;
        s += ')';
    }
    if (!d.detail.empty()) {
        s += "\nDETAIL:  ";
        s += d.detail;
    }
    if (!d.hint.empty()) {
        s += "\nHINT:  ";
        s += d.hint;
    }
    return s;
}

} // namespace

const std::error_category& client_category() noexcept {
    static const client_category_impl instance;
    return instance;
}

error::error(std::error_code ec, const std::string& what_arg)
    : std::system_error(ec)
    , what_(what_arg.empty() ? ec.message() : what_arg + ": " + ec.message()) {}

error::error(server_diagnostics diag)
    : std::system_error(make_error_code(errc::server_error))
    , diag_(std::make_shared<const server_diagnostics>(std::move(diag)))
    , what_(describe(*diag_)) {}

const std::string& error::sqlstate() const noexcept {
    static const std::string none;
    return diag_ ? diag_->sqlstate : none;
}

} // namespace turbopg::wire
