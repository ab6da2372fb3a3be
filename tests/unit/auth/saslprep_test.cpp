#include "auth/saslprep.hpp"
#include "auth/unicode_norm.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

using namespace turbopg::wire::auth;

namespace {

std::string prepared(std::string_view in) {
    std::string out = "untouched";
    auto status = saslprep_strict(in, out);
    REQUIRE(status == saslprep_status::ok);
    return out;
}

saslprep_status status_of(std::string_view in) {
    std::string out = "untouched";
    auto status = saslprep_strict(in, out);
    if (status != saslprep_status::ok) CHECK(out == "untouched");
    return status;
}

} // namespace

TEST_SUITE("auth: saslprep") {

    TEST_CASE("saslprep: RFC 4013 section 3 examples") {
        CHECK(prepared("I\u00ADX") == "IX");                     // 1. SOFT HYPHEN mapped to nothing
        CHECK(prepared("user") == "user");                       // 2. no transformation
        CHECK(prepared("USER") == "USER");                       // 3. case preserved
        CHECK(prepared("\u00AA") == "a");                        // 4. output is NFKC
        CHECK(prepared("\u2168") == "IX");                       // 5. ROMAN NUMERAL NINE, NFKC
        CHECK(status_of("\x07") == saslprep_status::prohibited); // 6. prohibited
        CHECK(status_of("\u0627\u0031") == saslprep_status::prohibited); // 7. bidi check
    }

    TEST_CASE("saslprep: libpq's rule uses the raw password when preparation refuses it") {
        CHECK(saslprep("I\u00ADX") == "IX");
        CHECK(saslprep("\u2168") == "IX");
        CHECK(saslprep("\x07") == "\x07");
        CHECK(saslprep("a\x07\u00AA") == "a\x07\u00AA");
        CHECK(saslprep("\u0627\u0031") == "\u0627\u0031");
        CHECK(saslprep("\xff\xfe") == "\xff\xfe");
        CHECK(saslprep("") == "");
        CHECK(saslprep("pencil") == "pencil");
    }

    TEST_CASE("saslprep: mapping") {
        // C.1.2 non-ASCII spaces become U+0020; B.1 characters vanish.
        CHECK(prepared("a\u00A0b") == "a b");
        CHECK(prepared("a\u3000b") == "a b");
        CHECK(prepared("a\u200Bb") == "a b"); // in C.1.2 and B.1: PostgreSQL maps it to a space
        CHECK(prepared("a\u200Db\uFEFFc\uFE0F") == "abc");
        // Nothing left after mapping: PostgreSQL refuses an empty password.
        CHECK(status_of("\u00AD") == saslprep_status::prohibited);
        CHECK(saslprep("\u00AD") == "\u00AD");
    }

    TEST_CASE("saslprep: prohibited and unassigned characters") {
        CHECK(status_of("\u00AA\u0085") == saslprep_status::prohibited);     // C.2.2 (NEL)
        CHECK(status_of("\u00AA\uE000") == saslprep_status::prohibited);     // C.3 private use
        CHECK(status_of("\u00AA\uFDD0") == saslprep_status::prohibited);     // C.4 non-character
        CHECK(status_of("\u00AA\uFFFD") == saslprep_status::prohibited);     // C.6
        CHECK(status_of("\u00AA\u2FF0") == saslprep_status::prohibited);     // C.7
        CHECK(status_of("\u00AA\u200E") == saslprep_status::prohibited);     // C.8 (LRM)
        CHECK(status_of("\u00AA\U000E0001") == saslprep_status::prohibited); // C.9 tag
        CHECK(status_of("\u00AA\u0221") == saslprep_status::prohibited);     // A.1 (in 3.2)
        CHECK(status_of("\U0001F600") == saslprep_status::prohibited); // emoji: unassigned in 3.2
        CHECK(status_of("\x7F\u00AA") == saslprep_status::prohibited); // C.2.1 DEL
        CHECK(status_of("\x01") == saslprep_status::prohibited);
    }

    TEST_CASE("saslprep: prohibition is checked before normalization, as PostgreSQL does") {
        // U+0340 COMBINING GRAVE TONE MARK is prohibited (C.8) but NFKC turns it into U+0300; the
        // RFC would accept "a" U+0340 as U+00E0, PostgreSQL (and so the stored verifier) uses the
        // raw password.
        CHECK(status_of("a\u0340") == saslprep_status::prohibited);
        CHECK(saslprep("a\u0340") == "a\u0340");
    }

    TEST_CASE("saslprep: bidirectional rules (RFC 3454 section 6)") {
        CHECK(prepared("\u05D0\u05D1") == "\u05D0\u05D1");                // all RandALCat
        CHECK(prepared("\u0627\u0031\u0628") == "\u0627\u0031\u0628");    // RandAL first and last
        CHECK(status_of("\u0627a\u0628") == saslprep_status::prohibited); // LCat with RandALCat
        CHECK(status_of("1\u0627") == saslprep_status::prohibited);       // RandAL not first
        CHECK(prepared("\u00E9\u0031") == "\u00E9\u0031");                // no RandAL: no rule
    }

    TEST_CASE("saslprep: invalid UTF-8 is reported, and the raw password used") {
        const char* bad[] = {
            "\xC3",             // truncated
            "\xC3\x28",         // bad continuation
            "\xC0\xAF",         // overlong '/'
            "\xE0\x80\xAF",     // overlong
            "\xED\xA0\x80",     // surrogate U+D800
            "\xF4\x90\x80\x80", // above U+10FFFF
            "\xF8\x88\x80\x80\x80",
            "\x80", // lone continuation
            "a\xFF",
        };
        for (std::string_view b : bad) {
            CAPTURE(b);
            CHECK(status_of(b) == saslprep_status::invalid_utf8);
            CHECK(saslprep(b) == b);
        }
    }

    TEST_CASE("saslprep: NFKC") {
        CHECK(prepared("\uFB01") == "fi");                  // compatibility ligature
        CHECK(prepared("\u00BD") == "1\u20442");            // VULGAR FRACTION ONE HALF
        CHECK(prepared("e\u0301") == "\u00E9");             // composition
        CHECK(prepared("\u212B") == "\u00C5");              // ANGSTROM SIGN, singleton
        CHECK(prepared("\u1E9B\u0323") == "\u1E69");        // UAX #15 example: reorder + compose
        CHECK(prepared("a\u0302\u0323") == "\u1EAD");       // canonical reordering
        CHECK(prepared("\uFF76\uFF9E") == "\u30AC");        // half-width katakana + voiced mark
        CHECK(prepared("\u1100\u1161\u11A8") == "\uAC01");  // Hangul L V T -> LVT
        CHECK(prepared("\uAC00\u11A8") == "\uAC01");        // Hangul LV + T
        CHECK(prepared("\uAC01") == "\uAC01");              // decomposed and recomposed
        CHECK(prepared("\u3200") == "(\u1100)");            // compatibility to jamo
        CHECK(prepared("\u0958") == "\u0915\u093C");        // composition exclusion
        CHECK(prepared("\u00C5\u0301") == "\u01FA");        // Å + acute -> Ǻ
        CHECK(prepared("A\u0301\u0301") == "\u00C1\u0301"); // no composite for the second
        CHECK(prepared("\u2000\u00AA") == " a");            // EN QUAD mapped, then NFKC
    }

    TEST_CASE("saslprep: NFKC against the Unicode NormalizationTest.txt, when given") {
        // Set TURBOPG_NORMALIZATION_TEST to an uncompressed NormalizationTest.txt of the Unicode
        // version scripts/gen-unicode-tables used (Debian:
        // /usr/share/unicode/NormalizationTest.txt.bz2).
        const char* path = std::getenv("TURBOPG_NORMALIZATION_TEST");
        if (!path) return;
        std::ifstream in(path);
        REQUIRE(in);
        auto parse = [](std::string_view field) {
            std::u32string s;
            std::istringstream is{std::string(field)};
            std::string hex;
            while (is >> hex)
                s += static_cast<char32_t>(std::stoul(hex, nullptr, 16));
            return s;
        };
        std::string line;
        std::size_t checked = 0, failed = 0;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#' || line[0] == '@') continue;
            std::string_view rest(line);
            std::u32string col[5];
            for (auto& c : col) {
                auto semi = rest.find(';');
                c = parse(rest.substr(0, semi));
                rest.remove_prefix(semi + 1);
            }
            // NFKC(c1..c5) == c4
            for (const auto& c : col) {
                ++checked;
                if (nfkc(c) != col[3]) ++failed;
            }
        }
        MESSAGE("NormalizationTest.txt: " << checked << " NFKC checks");
        CHECK(checked > 0);
        CHECK(failed == 0);
    }

} // TEST_SUITE
