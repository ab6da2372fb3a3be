// scram_client fed a server-first-message and a server-final-message, split from the input at
// the first NUL (a server-first-message cannot contain one). The first byte picks the channel
// binding flag. Password, user and nonce are those of RFC 7677's example, so its exchange is a
// seed that verifies; the iteration cap keeps PBKDF2 cheap.
#include "auth/scram.hpp"

#include <array>
#include <cstdlib>

using namespace turbopg::wire::auth;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    scram_options o;
    o.binding = std::array{cbind_flag::not_supported, cbind_flag::supported_not_used,
                           cbind_flag::tls_server_end_point}[data[0] % 3];
    o.cbind_data.assign(32, std::byte{0xab});
    o.client_nonce = "rOprNGfwEbeRWgbNEkqO";
    o.username = "user";
    o.max_iterations = 4096;
    scram_client c("pencil", std::move(o));
    (void)c.client_first();

    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto nul = in.find('\0');
    auto first = c.handle_server_first(in.substr(0, nul));
    if (!first || nul == in.npos) return 0;
    auto last = c.handle_server_final(in.substr(nul + 1));
    if (last.ok() != c.verified()) std::abort();
    if (c.handle_server_final(in.substr(nul + 1)).ok()) std::abort(); // never twice
    return 0;
}
