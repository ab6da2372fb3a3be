#include <turbopg/orm/identifier.hpp>

#include <cctype>
#include <stdexcept>

namespace turbopg::orm {

void append_quoted_identifier(std::string& out, std::string_view name) {
    // One pass to tell the usual name (no quote, no NUL) from the rest.
    bool plain = !name.empty();
    for (char c : name)
        plain &= (c != '"') & (c != '\0');
    if (plain) {
        out.append(1, '"').append(name).append(1, '"');
        return;
    }
    if (name.empty()) throw std::invalid_argument("empty SQL identifier");
    if (name.find('\0') != std::string_view::npos)
        throw std::invalid_argument("SQL identifier contains a NUL byte");
    out += '"';
    for (auto quote = name.find('"'); quote != std::string_view::npos; quote = name.find('"')) {
        out.append(name.substr(0, quote + 1)) += '"'; // an embedded quote is doubled
        name.remove_prefix(quote + 1);
    }
    out.append(name) += '"';
}

std::string quote_identifier(std::string_view name) {
    std::string out;
    append_quoted_identifier(out, name);
    return out;
}

std::string snake_case(std::string_view type_name) {
    if (auto colon = type_name.rfind(':'); colon != std::string_view::npos)
        type_name.remove_prefix(colon + 1);
    std::string out;
    out.reserve(type_name.size() + 4);
    auto is_upper = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
    auto is_lower_or_digit = [](char c) {
        return std::islower(static_cast<unsigned char>(c)) != 0 ||
               std::isdigit(static_cast<unsigned char>(c)) != 0;
    };
    for (std::size_t i = 0; i < type_name.size(); ++i) {
        char c = type_name[i];
        if (is_upper(c)) {
            // A word starts at an upper-case letter that follows a lower-case letter or digit, or
            // that ends an acronym ("HTTPRequest": the R before "equest").
            bool after_lower = i > 0 && is_lower_or_digit(type_name[i - 1]);
            bool acronym_end = i > 0 && is_upper(type_name[i - 1]) && i + 1 < type_name.size() &&
                               std::islower(static_cast<unsigned char>(type_name[i + 1])) != 0;
            if (!out.empty() && out.back() != '_' && (after_lower || acronym_end)) out += '_';
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace turbopg::orm
