#include "arguments.hpp"

#include <optional>
#include <string_view>

namespace turbopg::tools {
namespace {

struct option_spec {
    char short_name;
    std::string_view long_name;
    bool takes_value;
};

constexpr option_spec specs[] = {
    {'c', "command", true},
    {'f', "file", true},
    {'?', "help", false},
    {'V', "version", false},
};

void apply(arguments& out, char name, std::string value) {
    switch (name) {
    case 'c':
        out.actions.push_back({action::kind::command, std::move(value)});
        break;
    case 'f':
        out.actions.push_back({action::kind::file, std::move(value)});
        break;
    case '?':
        out.help = true;
        break;
    case 'V':
        out.version = true;
        break;
    default:
        break;
    }
}

} // namespace

arguments parse_arguments(std::span<const char* const> args) {
    arguments out;
    bool have_conninfo = false;
    bool options_done = false;
    auto positional = [&](std::string_view arg) {
        if (have_conninfo)
            throw usage_error("too many command-line arguments (first is \"" + std::string(arg) +
                              "\")");
        out.conninfo = arg;
        have_conninfo = true;
    };

    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (options_done || arg.size() < 2 || arg[0] != '-') {
            positional(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }

        const option_spec* spec = nullptr;
        std::optional<std::string> value;
        if (arg[1] == '-') { // --name or --name=value
            auto name = arg.substr(2);
            auto eq = name.find('=');
            if (eq != std::string_view::npos) {
                value = std::string(name.substr(eq + 1));
                name = name.substr(0, eq);
            }
            for (const auto& s : specs)
                if (s.long_name == name) spec = &s;
            if (!spec) throw usage_error("unrecognized option '" + std::string(arg) + "'");
            if (!spec->takes_value && value)
                throw usage_error("option '--" + std::string(name) + "' doesn't allow an argument");
        } else { // -x, -xVALUE
            for (const auto& s : specs)
                if (s.short_name == arg[1]) spec = &s;
            if (!spec) throw usage_error("invalid option -- '" + std::string(1, arg[1]) + "'");
            if (arg.size() > 2) {
                if (!spec->takes_value)
                    throw usage_error("invalid option -- '" + std::string(1, arg[2]) + "'");
                value = std::string(arg.substr(2));
            }
        }
        if (spec->takes_value && !value) {
            if (i + 1 >= args.size())
                throw usage_error("option requires an argument -- '" +
                                  std::string(1, spec->short_name) + "'");
            value = args[++i];
        }
        apply(out, spec->short_name, value.value_or(std::string()));
    }
    return out;
}

} // namespace turbopg::tools
