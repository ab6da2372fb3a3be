// The password file (libpq docs, "The Password File"): lines of
// hostname:port:database:username:password, '*' matching anything in the first four fields,
// '\' escaping ':' and '\', '#' starting a comment line; the first matching line wins.
#pragma once

#include <turbopg/wire/config.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace turbopg::wire::config_detail {

class password_file {
public:
    // Reads `path`. A missing or unreadable file is silently empty, as in libpq; one that is not
    // a regular file, or that group or others may access, is ignored with a warning appended to
    // `warnings`.
    static password_file load(const std::string& path, std::vector<std::string>& warnings);

    password_file() = default;
    password_file(const password_file&) = delete;
    password_file& operator=(const password_file&) = delete;
    password_file(password_file&&) = default;
    password_file& operator=(password_file&&) = default;
    ~password_file(); // wipes the contents

    // The password of the first line matching all four fields; nullopt when no line matches or
    // the matching line's password is empty.
    std::optional<std::string> lookup(std::string_view host, std::string_view port,
                                      std::string_view dbname, std::string_view user) const;

    // The host name that libpq matches for `ep`: `localhost` for the default socket directory,
    // else the host (or the hostaddr when there is no host name).
    static std::string_view match_host(const endpoint& ep) noexcept;

private:
    std::string contents_;
};

} // namespace turbopg::wire::config_detail
