#include "listen/channel_sql.hpp"

#include <turbopg/wire/error.hpp>

namespace turbopg::wire::listen {

void check_channel_name(std::string_view channel) {
    if (channel.empty() || channel.size() > max_channel_length ||
        channel.find('\0') != std::string_view::npos)
        throw error(make_error_code(errc::invalid_value),
                    "a channel name must have 1 to " + std::to_string(max_channel_length) +
                        " bytes and no NUL byte (got " + std::to_string(channel.size()) +
                        " bytes)");
}

void append_quoted_identifier(std::string& out, std::string_view name) {
    out += '"';
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

namespace {
void append_command(std::string& out, std::string_view command, std::string_view channel) {
    if (!out.empty()) out += ';';
    out += command;
    append_quoted_identifier(out, channel);
}
} // namespace

std::string listen_sql(const std::set<std::string, std::less<>>& channels) {
    std::string sql;
    for (const auto& c : channels)
        append_command(sql, "LISTEN ", c);
    return sql;
}

std::string listen_sql(std::string_view channel) {
    std::string sql;
    append_command(sql, "LISTEN ", channel);
    return sql;
}

std::string unlisten_sql(std::string_view channel) {
    std::string sql;
    append_command(sql, "UNLISTEN ", channel);
    return sql;
}

} // namespace turbopg::wire::listen
