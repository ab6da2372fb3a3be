#include "config/pgpass.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace turbopg::wire::config_detail {
namespace {

// Overwrites secrets before their memory is released.
void wipe(std::string& s) noexcept {
    volatile char* p = s.data();
    for (std::size_t i = 0; i < s.size(); ++i)
        p[i] = 0;
    s.clear();
}

// Matches one of the first four fields (starting at `pos`) against `token`; returns the
// position after the field's ':' or npos. As in libpq, "*:" matches anything, '\' makes the
// next character literal, and an unescaped ':' ends the field only once `token` is used up
// (so "::1" matches an unescaped IPv6 address too).
std::size_t match_field(std::string_view line, std::size_t pos, std::string_view token) {
    if (line.substr(pos, 2) == "*:") return pos + 2;
    std::size_t t = 0;
    while (pos < line.size()) {
        char c = line[pos];
        bool escaped = false;
        if (c == '\\') {
            if (++pos >= line.size()) return std::string_view::npos;
            c = line[pos];
            escaped = true;
        }
        if (c == ':' && !escaped && t == token.size()) return pos + 1;
        if (t == token.size() || token[t] != c) return std::string_view::npos;
        ++t;
        ++pos;
    }
    return std::string_view::npos;
}

// The password field: up to the next unescaped ':', with escapes removed.
std::string read_password(std::string_view line, std::size_t pos) {
    std::string out;
    for (; pos < line.size() && line[pos] != ':'; ++pos) {
        if (line[pos] == '\\' && pos + 1 < line.size()) ++pos;
        out += line[pos];
    }
    return out;
}

bool insecure(const struct stat& st) noexcept {
    return (st.st_mode & (S_IRWXG | S_IRWXO)) != 0;
}

} // namespace

password_file password_file::load(const std::string& path, std::vector<std::string>& warnings) {
    password_file file;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return file;
    if (!S_ISREG(st.st_mode)) {
        warnings.push_back("password file \"" + path + "\" is not a plain file");
        return file;
    }
    if (insecure(st)) {
        warnings.push_back("password file \"" + path +
                           "\" has group or world access; permissions should be u=rw (0600) or "
                           "less");
        return file;
    }
    // O_NONBLOCK: never hang on a FIFO swapped in after the stat(); the checks are repeated on
    // what was actually opened.
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return file;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || insecure(st)) {
        ::close(fd);
        return file;
    }
    // Reserve first, so that growing the string leaves no stray copies of the secrets behind.
    file.contents_.reserve(static_cast<std::size_t>(st.st_size) + 1);
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        file.contents_.append(buf, static_cast<std::size_t>(n));
    }
    volatile char* p = buf;
    for (std::size_t i = 0; i < sizeof buf; ++i)
        p[i] = 0;
    ::close(fd);
    return file;
}

password_file::~password_file() {
    wipe(contents_);
}

std::optional<std::string> password_file::lookup(std::string_view host, std::string_view port,
                                                 std::string_view dbname,
                                                 std::string_view user) const {
    std::string_view rest = contents_;
    while (!rest.empty()) {
        std::size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
            line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;

        std::size_t pos = 0;
        for (std::string_view token : {host, port, dbname, user}) {
            pos = match_field(line, pos, token);
            if (pos == std::string_view::npos) break;
        }
        if (pos == std::string_view::npos) continue;
        std::string password = read_password(line, pos);
        if (password.empty()) return std::nullopt; // libpq: the first match wins, even empty
        return password;
    }
    return std::nullopt;
}

std::string_view password_file::match_host(const endpoint& ep) noexcept {
    // libpq compares the directory as given, without canonicalising it.
    if (ep.host.empty()) return ep.hostaddr;
    if (ep.host == default_socket_dir) return "localhost";
    return ep.host;
}

} // namespace turbopg::wire::config_detail
