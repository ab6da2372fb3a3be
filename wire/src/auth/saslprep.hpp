// SASLprep (RFC 4013, a profile of stringprep, RFC 3454) of a SCRAM password, as PostgreSQL
// does it (src/common/saslprep.c, used by both libpq and the server when a verifier is built).
//
// What must match is the server's stored verifier, which was computed from PostgreSQL's own
// preparation of the password, so this follows PostgreSQL where it parts from the RFC:
//  - Pure ASCII input is used unchanged (no table lookups; that is also the fast path).
//  - Mapping: C.1.2 non-ASCII spaces become U+0020 (checked first, so U+200B, which is in both
//    C.1.2 and B.1, becomes a space), B.1 characters are removed.
//  - An empty result after mapping counts as prohibited.
//  - The prohibited-output (C.1.2, C.2.1, C.2.2, C.3 - C.9), unassigned (A.1, Unicode 3.2) and
//    bidirectional checks (RFC 3454 section 6) are applied to the mapped string *before* NFKC,
//    as PostgreSQL does; the RFC applies them to the normalized output. (They differ only in
//    rare cases, e.g. U+0340 is prohibited but normalizes to the allowed U+0300.)
//  - The output is the NFKC normalization of the mapped string.
// And the rule libpq applies on top (fe-auth-scram.c): when the password is not valid UTF-8, or
// preparation finds a prohibited character, the raw password is used unchanged.
#pragma once

#include <string>
#include <string_view>

namespace turbopg::wire::auth {

enum class saslprep_status {
    ok,
    invalid_utf8, // not well-formed UTF-8 (overlong forms, surrogates, > U+10FFFF refused)
    prohibited,   // a prohibited or unassigned character, a bidi violation, or empty
};

// Strict SASLprep: on ok, `out` holds the prepared password; otherwise `out` is unchanged.
// Differs from PostgreSQL's pg_saslprep only in reporting ASCII control characters in pure
// ASCII input as prohibited (PostgreSQL skips all checks for ASCII); saslprep() below makes the
// same choice as libpq either way, since the raw password is then used.
saslprep_status saslprep_strict(std::string_view in, std::string& out);

// The password SCRAM should hash: the SASLprep'ed password, or the raw password when it is not
// valid UTF-8 or preparation prohibits it (libpq's rule).
std::string saslprep(std::string_view password);

} // namespace turbopg::wire::auth
