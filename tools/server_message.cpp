#include "server_message.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace turbopg::tools {
namespace {

bool is_utf8_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The byte offset of the character at 1-based `position` (the server counts characters); the
// end of `text` when the position lies beyond it.
std::size_t offset_of_character(std::string_view text, std::uint32_t position) {
    std::uint32_t seen = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_utf8_continuation(text[i])) continue;
        if (++seen == position) return i;
    }
    return text.size();
}

// "LINE n: <the line>" and a caret under the character at `position`.
void append_position(std::string& out, std::string_view text, std::uint32_t position) {
    const auto at = offset_of_character(text, position);
    const auto nl = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
    const auto line_begin = nl == std::string_view::npos ? 0 : nl + 1;
    auto line_end = text.find_first_of("\r\n", line_begin);
    if (line_end == std::string_view::npos) line_end = text.size();
    const auto line_number = 1 + std::count(text.begin(), text.begin() + line_begin, '\n');

    std::string prefix = "LINE " + std::to_string(line_number) + ": ";
    std::string line(text.substr(line_begin, line_end - line_begin));
    std::replace(line.begin(), line.end(), '\t', ' ');
    out += prefix;
    out += line;
    out += '\n';

    std::size_t column = prefix.size();
    for (auto i = line_begin; i < at && i < line_end; ++i)
        if (!is_utf8_continuation(text[i])) ++column;
    out.append(column, ' ');
    out += "^\n";
}

void append_field(std::string& out, std::string_view label, const std::string& value) {
    if (value.empty()) return;
    out += label;
    out += ":  ";
    out += value;
    out += '\n';
}

bool is_error(const wire::server_diagnostics& d) {
    const auto& s = d.severity_nonlocalized.empty() ? d.severity : d.severity_nonlocalized;
    return s == "ERROR" || s == "FATAL" || s == "PANIC";
}

} // namespace

std::string describe_server_message(const wire::server_diagnostics& d, std::string_view query) {
    std::string out = d.severity.empty() ? std::string("ERROR") : d.severity;
    out += ":  ";
    out += d.message;
    out += '\n';
    if (d.position > 0 && !query.empty())
        append_position(out, query, d.position);
    else if (d.internal_position > 0 && !d.internal_query.empty())
        append_position(out, d.internal_query, d.internal_position);
    append_field(out, "DETAIL", d.detail);
    append_field(out, "HINT", d.hint);
    append_field(out, "QUERY", d.internal_query);
    if (is_error(d)) {
        append_field(out, "CONTEXT", d.where);
        if (!d.sqlstate.empty()) {
            out += "SQLSTATE: ";
            out += d.sqlstate;
            out += '\n';
        }
    }
    return out;
}

} // namespace turbopg::tools
