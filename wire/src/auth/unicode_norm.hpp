// Unicode Normalization Form KC (UAX #15), the normalization step of SASLprep.
//
// Full compatibility decomposition (tables from unicode_tables.cpp, Hangul algorithmically),
// canonical ordering of combining marks, then canonical composition minus the full composition
// exclusions. Input is a sequence of code points; nothing here validates UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace turbopg::wire::auth {

std::u32string nfkc(std::u32string_view text);

// The canonical combining class of a code point (0 for starters and unknown code points).
unsigned canonical_combining_class(char32_t c) noexcept;

} // namespace turbopg::wire::auth
