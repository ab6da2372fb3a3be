#include "auth/unicode_norm.hpp"

#include "auth/unicode_tables.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace turbopg::wire::auth {
namespace {

// Hangul syllables (Unicode chapter 3.12, "Conjoining Jamo Behavior").
constexpr char32_t s_base = 0xAC00, l_base = 0x1100, v_base = 0x1161, t_base = 0x11A7;
constexpr char32_t l_count = 19, v_count = 21, t_count = 28;
constexpr char32_t n_count = v_count * t_count, s_count = l_count * n_count;

bool is_hangul_syllable(char32_t c) noexcept {
    return c >= s_base && c < s_base + s_count;
}

std::span<const char32_t> decomposition_of(char32_t c) noexcept {
    auto table = ucd::decompositions();
    if (table.empty() || c < table.front().code) return {}; // all of ASCII and C1 controls
    auto it = std::lower_bound(table.begin(), table.end(), c,
                               [](const ucd::decomposition& d, char32_t v) { return d.code < v; });
    if (it == table.end() || it->code != c) return {};
    return ucd::decomposition_pool().subspan(it->offset, it->length);
}

void decompose_into(char32_t c, std::u32string& out) {
    if (is_hangul_syllable(c)) {
        char32_t s = c - s_base;
        out += l_base + s / n_count;
        out += v_base + s % n_count / t_count;
        if (s % t_count != 0) out += t_base + s % t_count;
        return;
    }
    auto d = decomposition_of(c);
    if (d.empty())
        out += c;
    else
        out.append(d.begin(), d.end());
}

// Stable sort of every run of non-starters by combining class.
void canonical_order(std::u32string& s) {
    std::vector<std::uint8_t> cls(s.size());
    for (std::size_t i = 0; i < s.size(); ++i)
        cls[i] = static_cast<std::uint8_t>(canonical_combining_class(s[i]));
    for (std::size_t i = 1; i < s.size(); ++i) {
        // Insertion sort restricted to runs: move s[i] left past marks of a higher class.
        for (std::size_t j = i; j > 0 && cls[j] != 0 && cls[j - 1] > cls[j]; --j) {
            std::swap(s[j], s[j - 1]);
            std::swap(cls[j], cls[j - 1]);
        }
    }
}

// The primary composite of `a` + `b`, or 0 when there is none.
char32_t compose_pair(char32_t a, char32_t b) noexcept {
    if (a >= l_base && a < l_base + l_count && b >= v_base && b < v_base + v_count)
        return s_base + ((a - l_base) * v_count + (b - v_base)) * t_count;
    if (is_hangul_syllable(a) && (a - s_base) % t_count == 0 && b > t_base && b < t_base + t_count)
        return a + (b - t_base);
    auto table = ucd::compositions();
    auto it = std::lower_bound(table.begin(), table.end(), std::pair{a, b},
                               [](const ucd::composition& p, std::pair<char32_t, char32_t> v) {
                                   return p.first < v.first ||
                                          (p.first == v.first && p.second < v.second);
                               });
    if (it == table.end() || it->first != a || it->second != b) return 0;
    return it->composite;
}

// Canonical composition (UAX #15 section "Canonical Composition Algorithm"), in place.
void compose(std::u32string& s) {
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::size_t starter = none; // index in the output of the last starter
    unsigned last_class = 0;    // class of the last character kept after that starter
    std::size_t out = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char32_t c = s[i];
        unsigned cls = canonical_combining_class(c);
        if (starter != none) {
            // Not blocked: adjacent to the starter, or every character in between has a lower,
            // non-zero class (they are in canonical order, so the last one is the highest).
            bool adjacent = out == starter + 1;
            if (adjacent || (last_class != 0 && last_class < cls)) {
                if (char32_t composite = compose_pair(s[starter], c)) {
                    s[starter] = composite;
                    continue;
                }
            }
        }
        if (cls == 0) starter = out;
        last_class = cls;
        s[out++] = c;
    }
    s.resize(out);
}

} // namespace

unsigned canonical_combining_class(char32_t c) noexcept {
    auto table = ucd::combining_classes();
    if (table.empty() || c < table.front().first) return 0; // nothing below U+0300
    auto it = std::upper_bound(
        table.begin(), table.end(), c,
        [](char32_t v, const ucd::combining_class_range& r) { return v < r.first; });
    if (it == table.begin()) return 0;
    --it;
    return c <= it->last ? it->combining_class : 0;
}

std::u32string nfkc(std::u32string_view text) {
    std::u32string s;
    s.reserve(text.size());
    for (char32_t c : text)
        decompose_into(c, s);
    canonical_order(s);
    compose(s);
    return s;
}

} // namespace turbopg::wire::auth
