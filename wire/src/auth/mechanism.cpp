#include "auth/mechanism.hpp"

#include <algorithm>
#include <string>

namespace turbopg::wire::auth {

outcome<mechanism_choice> select_mechanism(std::span<const std::string_view> offered,
                                           channel_binding_mode mode, bool tls_active,
                                           bool certificate_hash_available) {
    auto has = [&](std::string_view name) {
        return std::find(offered.begin(), offered.end(), name) != offered.end();
    };
    bool plain = has(scram_sha_256);
    bool plus = has(scram_sha_256_plus);

    if (plus && !tls_active)
        return fail(errc::protocol_violation,
                    "server offered SCRAM-SHA-256-PLUS authentication over a non-TLS connection");

    bool can_bind =
        mode != channel_binding_mode::disable && tls_active && certificate_hash_available;
    if (plus && can_bind)
        return mechanism_choice{scram_sha_256_plus, cbind_flag::tls_server_end_point};

    if (mode == channel_binding_mode::require) {
        const char* why = !tls_active ? "the connection does not use TLS"
                          : !plus     ? "the server did not offer SCRAM-SHA-256-PLUS"
                                      : "the server certificate's hash cannot be computed";
        return fail(errc::channel_binding_required,
                    std::string("channel binding is required, but ") + why);
    }

    if (plain)
        return mechanism_choice{scram_sha_256, can_bind ? cbind_flag::supported_not_used
                                                        : cbind_flag::not_supported};

    std::string names;
    for (auto name : offered) {
        if (!names.empty()) names += ", ";
        names += name;
    }
    if (names.empty())
        return fail(errc::auth_method_unsupported,
                    "server offered no SASL authentication mechanism");
    std::string message = "none of the server's SASL authentication mechanisms are supported: ";
    message += names;
    if (plus && mode == channel_binding_mode::disable)
        message += " (channel_binding is disable)";
    else if (plus)
        message += " (the server certificate's hash cannot be computed)";
    return fail(errc::auth_method_unsupported, std::move(message));
}

} // namespace turbopg::wire::auth
