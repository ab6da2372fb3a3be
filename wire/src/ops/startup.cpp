#include "ops/startup.hpp"

#include "auth/md5.hpp"

namespace turbopg::wire::ops {

using namespace proto;

startup_op::startup_op(startup_settings s)
    : settings_(std::move(s)) {}

void startup_op::start(byte_writer& out) {
    std::vector<startup_param> params;
    params.reserve(settings_.parameters.size() + 2);
    params.emplace_back("user", settings_.user);
    if (!settings_.database.empty()) params.emplace_back("database", settings_.database);
    for (auto& [name, value] : settings_.parameters)
        params.emplace_back(name, value);
    encode_startup(out, params);
}

std::error_code startup_op::fail(std::error_code ec, std::string message) {
    error_message_ = std::move(message);
    return ec;
}

std::error_code startup_op::check_required(auth_method m, std::string_view what) {
    if (settings_.require_auth.allows(m)) return {};
    return fail(make_error_code(errc::auth_failed),
                "authentication method requirement (require_auth) failed: server requested " +
                    std::string(what));
}

std::error_code startup_op::need_password(std::string_view method) {
    if (settings_.channel_binding == channel_binding_mode::require)
        return fail(make_error_code(errc::channel_binding_required),
                    "channel binding required, but server requested " + std::string(method) +
                        " authentication, which cannot bind");
    if (!settings_.password)
        return fail(make_error_code(errc::auth_failed),
                    "server requested " + std::string(method) +
                        " authentication, but no password was supplied");
    return {};
}

std::error_code startup_op::on_message(const frame& f, byte_writer& out, status& st) {
    st = status::read;
    if (f.type == msg::error_response) {
        server_diagnostics d;
        if (auto ec = parse_diagnostics(f.body, d)) return ec;
        error_message_ = d.message;
        server_error_ = std::move(d);
        return make_error_code(errc::server_error);
    }
    if (f.type == msg::notice_response) {
        server_diagnostics d;
        if (auto ec = parse_diagnostics(f.body, d)) return ec;
        notices_.push_back(std::move(d));
        return {};
    }
    if (f.type == msg::negotiate_protocol_version) {
        // We ask for 3.0 and no protocol options, so a server may only tell us it speaks an
        // older minor version; 3.0 is the floor, so there is nothing to change.
        negotiate_protocol_version v;
        return parse(f.body, v);
    }
    if (state_ == state::session) return on_session_message(f, st);
    if (f.type != msg::authentication)
        return fail(make_error_code(errc::protocol_violation),
                    std::string("unexpected message '") + f.type + "' during authentication");
    return on_authentication(f, out, st);
}

std::error_code startup_op::on_authentication(const frame& f, byte_writer& out, status& st) {
    authentication a;
    if (auto ec = parse(f.body, a)) return fail(ec, "malformed authentication request");

    switch (state_) {
    case state::authenticating:
        break;
    case state::sasl_continue:
        if (a.code != auth_code::sasl_continue)
            return fail(make_error_code(errc::protocol_violation),
                        "expected SASLContinue from the server");
        {
            auto res = scram_->handle_server_first(as_chars(a.data));
            if (!res) return fail(res.error().code, res.error().message);
            encode_sasl_response(out, *res);
        }
        state_ = state::sasl_final;
        st = status::write;
        return {};
    case state::sasl_final:
        if (a.code != auth_code::sasl_final)
            return fail(make_error_code(errc::protocol_violation),
                        "expected SASLFinal from the server");
        if (auto res = scram_->handle_server_final(as_chars(a.data)); !res)
            return fail(res.error().code, res.error().message);
        sasl_completed_ = true;
        state_ = state::authenticating; // AuthenticationOk follows
        return {};
    case state::session:
        break;
    }

    switch (a.code) {
    case auth_code::ok:
        if (!authenticated_ && !settings_.require_auth.none_allowed)
            return fail(make_error_code(errc::auth_failed),
                        "authentication method requirement (require_auth) failed: server did "
                        "not complete authentication");
        if (settings_.channel_binding == channel_binding_mode::require &&
            !(sasl_completed_ && mechanism_ == auth::scram_sha_256_plus))
            return fail(make_error_code(errc::channel_binding_required),
                        "channel binding required, but server authenticated client without "
                        "channel binding");
        state_ = state::session;
        return {};
    case auth_code::cleartext_password:
        if (auto ec = check_required(auth_method::password, "a cleartext password")) return ec;
        if (auto ec = need_password("password")) return ec;
        authenticated_ = true;
        encode_password(out, *settings_.password);
        st = status::write;
        return {};
    case auth_code::md5_password:
        if (auto ec = check_required(auth_method::md5, "a hashed password")) return ec;
        if (auto ec = need_password("MD5")) return ec;
        authenticated_ = true;
        {
            auto hashed = auth::md5_password(settings_.user, *settings_.password, a.data);
            if (!hashed) return fail(hashed.error().code, hashed.error().message);
            encode_password(out, *hashed);
        }
        st = status::write;
        return {};
    case auth_code::sasl: {
        if (auto ec = check_required(auth_method::scram_sha_256, "SASL authentication")) return ec;
        authenticated_ = true;
        std::vector<std::string_view> mechanisms;
        if (auto ec = parse_sasl_mechanisms(a.data, mechanisms))
            return fail(ec, "malformed SASL mechanism list");
        auto choice =
            auth::select_mechanism(mechanisms, settings_.channel_binding, settings_.tls_active,
                                   !settings_.tls_server_end_point.empty());
        if (!choice) return fail(choice.error().code, choice.error().message);
        if (!settings_.password)
            return fail(make_error_code(errc::auth_failed),
                        "server requested SCRAM authentication, but no password was supplied");
        mechanism_ = choice->mechanism;
        auth::scram_options options;
        options.binding = choice->binding;
        options.cbind_data = settings_.tls_server_end_point;
        options.client_nonce = settings_.scram_nonce;
        scram_ = std::make_unique<auth::scram_client>(*settings_.password, std::move(options));
        encode_sasl_initial_response(out, mechanism_, scram_->client_first());
        state_ = state::sasl_continue;
        st = status::write;
        return {};
    }
    case auth_code::kerberos_v5:
        return fail(make_error_code(errc::auth_method_unsupported),
                    "Kerberos V5 authentication is not supported");
    case auth_code::gss:
    case auth_code::gss_continue:
        return fail(make_error_code(errc::auth_method_unsupported),
                    "GSSAPI authentication is not supported");
    case auth_code::sspi:
        return fail(make_error_code(errc::auth_method_unsupported),
                    "SSPI authentication is not supported");
    default:
        return fail(make_error_code(errc::auth_method_unsupported),
                    "authentication method " + std::to_string(a.code) + " is not supported");
    }
}

std::error_code startup_op::on_session_message(const frame& f, status& st) {
    switch (f.type) {
    case msg::parameter_status: {
        parameter_status p;
        if (auto ec = parse(f.body, p)) return fail(ec, "malformed ParameterStatus");
        parameters_.emplace_back(p.name, p.value);
        return {};
    }
    case msg::backend_key_data:
        if (auto ec = parse(f.body, key_)) return fail(ec, "malformed BackendKeyData");
        return {};
    case msg::ready_for_query: {
        ready_for_query z;
        if (auto ec = parse(f.body, z)) return fail(ec, "malformed ReadyForQuery");
        tx_status_ = z.status;
        st = status::done;
        return {};
    }
    default:
        return fail(make_error_code(errc::protocol_violation),
                    std::string("unexpected message '") + f.type + "' after authentication");
    }
}

} // namespace turbopg::wire::ops
