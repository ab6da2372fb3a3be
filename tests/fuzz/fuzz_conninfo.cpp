// parse_config() with an empty environment (no variables, no home directory, no OS user). It
// may only fail with turbopg::wire::error; any other exception escapes and is reported. A config
// that parses must print (to_string) as a conninfo string that parses back to the same settings,
// passwords aside (to_string never prints them).
#include <turbopg/wire/config.hpp>
#include <turbopg/wire/error.hpp>

#include <cstdlib>

using namespace turbopg::wire;

namespace {
config without_secrets(config c) {
    c.password.clear();
    c.sslpassword.clear();
    c.warnings.clear();
    for (auto& ep : c.endpoints)
        ep.passfile_password.reset();
    return c;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    environment env;
    env.getenv = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    config c;
    try {
        c = parse_config(std::string_view(reinterpret_cast<const char*>(data), size), env);
    } catch (const error&) {
        return 0;
    }
    if (without_secrets(parse_config(c.to_string(), env)) != without_secrets(c)) std::abort();
    return 0;
}
