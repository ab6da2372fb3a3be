#include "auth/saslprep.hpp"

#include "auth/unicode_norm.hpp"
#include "auth/unicode_tables.hpp"

#include <algorithm>
#include <span>

namespace turbopg::wire::auth {
namespace {

bool in_table(char32_t c, std::span<const ucd::code_range> table) noexcept {
    auto it = std::upper_bound(table.begin(), table.end(), c,
                               [](char32_t v, const ucd::code_range& r) { return v < r.first; });
    return it != table.begin() && c <= (it - 1)->last;
}

// Decodes well-formed UTF-8 (Unicode chapter 3, table 3-7). Returns false on anything else.
bool decode_utf8(std::string_view in, std::u32string& out) {
    out.clear();
    out.reserve(in.size());
    std::size_t i = 0;
    auto cont = [&](std::size_t k, unsigned lo, unsigned hi) {
        if (i + k >= in.size()) return false;
        auto b = static_cast<unsigned char>(in[i + k]);
        return b >= lo && b <= hi;
    };
    while (i < in.size()) {
        auto b0 = static_cast<unsigned char>(in[i]);
        char32_t c;
        std::size_t len;
        if (b0 < 0x80) {
            c = b0;
            len = 1;
        } else if (b0 >= 0xC2 && b0 <= 0xDF) {
            if (!cont(1, 0x80, 0xBF)) return false;
            c = b0 & 0x1Fu;
            len = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80; // no overlong forms
            unsigned hi = b0 == 0xED ? 0x9F : 0xBF; // no surrogates
            if (!cont(1, lo, hi) || !cont(2, 0x80, 0xBF)) return false;
            c = b0 & 0x0Fu;
            len = 3;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            unsigned lo = b0 == 0xF0 ? 0x90 : 0x80; // no overlong forms
            unsigned hi = b0 == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
            if (!cont(1, lo, hi) || !cont(2, 0x80, 0xBF) || !cont(3, 0x80, 0xBF)) return false;
            c = b0 & 0x07u;
            len = 4;
        } else {
            return false;
        }
        for (std::size_t k = 1; k < len; ++k)
            c = c << 6 | (static_cast<unsigned char>(in[i + k]) & 0x3Fu);
        out += c;
        i += len;
    }
    return true;
}

void encode_utf8(std::u32string_view in, std::string& out) {
    out.clear();
    out.reserve(in.size() * 2);
    for (char32_t c : in) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | c >> 6);
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xE0 | c >> 12);
            out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | c >> 18);
            out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
            out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
}

bool is_ascii(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

} // namespace

saslprep_status saslprep_strict(std::string_view in, std::string& out) {
    if (is_ascii(in)) {
        // ASCII needs no mapping and is its own NFKC; only C.2.1 can be prohibited.
        bool control =
            std::any_of(in.begin(), in.end(), [](char c) { return c < 0x20 || c == 0x7F; });
        if (control) return saslprep_status::prohibited;
        out.assign(in);
        return saslprep_status::ok;
    }

    std::u32string chars;
    if (!decode_utf8(in, chars)) return saslprep_status::invalid_utf8;

    // 1) Map (RFC 4013 section 2.1).
    std::u32string mapped;
    mapped.reserve(chars.size());
    for (char32_t c : chars) {
        if (in_table(c, ucd::non_ascii_space()))
            mapped += U' ';
        else if (!in_table(c, ucd::mapped_to_nothing()))
            mapped += c;
    }
    if (mapped.empty()) return saslprep_status::prohibited; // PostgreSQL refuses an empty result

    // 3) Prohibit and 4) check bidi, on the mapped string as PostgreSQL does (see the header).
    bool has_rand_al = false;
    for (char32_t c : mapped) {
        if (in_table(c, ucd::prohibited()) || in_table(c, ucd::unassigned()))
            return saslprep_status::prohibited;
        has_rand_al = has_rand_al || in_table(c, ucd::rand_al_cat());
    }
    if (has_rand_al) {
        // RFC 3454 section 6: no LCat character, and RandALCat first and last.
        if (std::any_of(mapped.begin(), mapped.end(),
                        [](char32_t c) { return in_table(c, ucd::l_cat()); }))
            return saslprep_status::prohibited;
        if (!in_table(mapped.front(), ucd::rand_al_cat()) ||
            !in_table(mapped.back(), ucd::rand_al_cat()))
            return saslprep_status::prohibited;
    }

    // 2) Normalize (NFKC).
    encode_utf8(nfkc(mapped), out);
    return saslprep_status::ok;
}

std::string saslprep(std::string_view password) {
    std::string out;
    if (saslprep_strict(password, out) != saslprep_status::ok) out.assign(password);
    return out;
}

} // namespace turbopg::wire::auth
