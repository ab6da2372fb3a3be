// The text transforms of SCRAM: strict base64 and SASLprep.
//  - base64_decode accepts only canonical text: what it decodes encodes back to the input, and
//    encoding then decoding any bytes gives them back.
//  - saslprep_strict is stable: its output, if allowed, prepares to itself. (Allowed is not
//    guaranteed: like PostgreSQL, the checks look at the text before NFKC, so "b\u2138" passes
//    while its normalisation "b\u05d3" mixes left-to-right and right-to-left letters.)
#include "auth/base64.hpp"
#include "auth/saslprep.hpp"

#include <cstdlib>

using namespace turbopg::wire::auth;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    if (auto decoded = base64_decode(in); decoded && base64_encode(*decoded) != in) std::abort();
    auto again = base64_decode(base64_encode(in));
    if (!again ||
        std::string_view(reinterpret_cast<const char*>(again->data()), again->size()) != in)
        std::abort();

    std::string prepared, twice;
    if (saslprep_strict(in, prepared) == saslprep_status::ok &&
        saslprep_strict(prepared, twice) == saslprep_status::ok && twice != prepared)
        std::abort();
    (void)saslprep(in);
    return 0;
}
