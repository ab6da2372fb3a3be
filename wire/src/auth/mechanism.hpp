// Choosing the SASL mechanism from an AuthenticationSASL message (protocol docs, "SASL
// Authentication"), and with it what the GS2 header will say about channel binding.
#pragma once

#include "auth/outcome.hpp"

#include <turbopg/wire/config.hpp>

#include <span>
#include <string_view>

namespace turbopg::wire::auth {

inline constexpr std::string_view scram_sha_256 = "SCRAM-SHA-256";
inline constexpr std::string_view scram_sha_256_plus = "SCRAM-SHA-256-PLUS";

// libpq's channel_binding setting, as config.hpp parses it.
using turbopg::wire::channel_binding_mode;

// The gs2-cbind-flag of RFC 5802 section 7.
enum class cbind_flag {
    not_supported,        // "n": the client does not support (or use) channel binding
    supported_not_used,   // "y": the client could bind, but the server did not offer -PLUS
    tls_server_end_point, // "p=tls-server-end-point": the client binds to the server certificate
};

struct mechanism_choice {
    std::string_view mechanism; // scram_sha_256 or scram_sha_256_plus (static storage)
    cbind_flag binding;
};

// Picks SCRAM-SHA-256-PLUS when the server offers it, TLS is active, the certificate hash can be
// computed (tls_server_end_point succeeded) and channel binding is not disabled; otherwise
// SCRAM-SHA-256, flagged "y" when the client could have bound but the server did not offer
// -PLUS (so a server that did offer it, stripped by a man in the middle, notices the downgrade).
// Fails with
//  - protocol_violation when -PLUS is offered without TLS (libpq refuses this too: there is
//    nothing to bind to, so the offer cannot come from an honest server),
//  - channel_binding_required when `mode` is require and -PLUS cannot be used,
//  - auth_method_unsupported when no offered mechanism is usable (the message lists them).
outcome<mechanism_choice> select_mechanism(std::span<const std::string_view> offered,
                                           channel_binding_mode mode, bool tls_active,
                                           bool certificate_hash_available);

} // namespace turbopg::wire::auth
