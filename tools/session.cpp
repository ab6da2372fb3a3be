#include "session.hpp"

#include "server_message.hpp"
#include "session_env.hpp"
#include "sql_split.hpp"
#include "unaligned.hpp"

#include <turbopg/wire/connection.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace turbopg::tools {
namespace {

constexpr const char* program = "turbopg-query";

// stdout carries only rows; everything else goes to stderr, after the rows printed so far.
class console {
public:
    void rows(std::string_view text) {
        if (!text.empty()) std::fwrite(text.data(), 1, text.size(), stdout);
    }

    // `text` ends with a newline; the current location (psql's "psql:FILE:LINE: ") precedes it.
    void message(std::string_view text) {
        std::fflush(stdout);
        std::string line = location_ + std::string(text);
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
    void error(std::string_view text) {
        std::string line = location_.empty() ? std::string(program) + ": " : location_;
        line += "error: ";
        line += text;
        line += '\n';
        std::fflush(stdout);
        std::fwrite(line.data(), 1, line.size(), stderr);
    }

    // Messages about statements of a file are prefixed with "turbopg-query:FILE:LINE: ".
    void set_location(std::string_view file, std::size_t line) {
        location_ =
            std::string(program) + ':' + std::string(file) + ':' + std::to_string(line) + ": ";
    }
    void clear_location() { location_.clear(); }

    bool flush() { return std::fflush(stdout) == 0 && !std::ferror(stdout); }

private:
    std::string location_;
};

std::optional<std::string> process_getenv(std::string_view name) {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
}

// The whole file, or std::nullopt with errno set.
std::optional<std::string> read_file(const std::string& name) {
    std::FILE* f = name == "-" ? stdin : std::fopen(name.c_str(), "rb");
    if (!f) return std::nullopt;
    std::string text;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
        text.append(buf, n);
    bool failed = std::ferror(f) != 0;
    int saved = errno;
    if (f != stdin) std::fclose(f);
    if (failed) {
        errno = saved;
        return std::nullopt;
    }
    return text;
}

enum class outcome { ok, failed, connection_lost };

// The exit status for a statement's outcome; `failed` is the status of a failed statement.
int status_of(outcome o, int failed) {
    switch (o) {
    case outcome::ok:
        return exit_success;
    case outcome::failed:
        return failed;
    case outcome::connection_lost:
        return exit_bad_connection;
    }
    return failed;
}

class session {
public:
    explicit session(const arguments& args)
        : args_(args) {}

    asio::awaitable<int> run() {
        std::optional<wire::connection> conn;
        try {
            auto cfg = wire::parse_config(args_.conninfo);
            add_session_environment(cfg, process_getenv);
            if (cfg.fallback_application_name.empty())
                cfg.fallback_application_name = std::string(program);
            conn.emplace(
                co_await wire::connection::connect(co_await asio::this_coro::executor, cfg));
        } catch (const wire::error& e) {
            console_.error(e.what());
            co_return exit_bad_connection;
        }
        conn->set_notice_handler([this](const wire::server_diagnostics& d) {
            console_.message(describe_server_message(d, current_sql_));
        });

        int status = exit_success;
        for (const auto& a : args_.actions) {
            status = a.type == action::kind::command ? co_await command(*conn, a.value)
                                                     : co_await script(*conn, a);
            if (status != exit_success) break;
        }
        if (status != exit_bad_connection) {
            try {
                co_await conn->close();
            } catch (const wire::error&) {
                // The work is done; a failing Terminate changes nothing.
            }
        }
        if (!console_.flush() && status == exit_success) {
            console_.error("could not write to standard output");
            status = exit_failure;
        }
        co_return status;
    }

private:
    // -c: the whole string as one simple Query; psql exits 1 when it fails.
    asio::awaitable<int> command(wire::connection& conn, const std::string& sql) {
        console_.clear_location();
        if (!sql.empty() && sql[0] == '\\') {
            console_.error("psql meta-commands are not supported: " +
                           sql.substr(0, sql.find_first_of(" \t\n")));
            co_return exit_failure;
        }
        const outcome result = co_await execute(conn, sql);
        co_return status_of(result, exit_failure);
    }

    // -f: split into statements like psql, each sent on its own; psql exits 3 at the first
    // failure (ON_ERROR_STOP).
    asio::awaitable<int> script(wire::connection& conn, const action& a) {
        console_.clear_location();
        auto text = read_file(a.value);
        if (!text) {
            const int err = errno;
            std::string name = a.type == action::kind::file ? a.value : "standard input";
            console_.error(name + ": " + std::strerror(err));
            co_return exit_failure;
        }
        const std::string name = a.value == "-" ? "<stdin>" : a.value;
        const bool named = a.type == action::kind::file;
        auto split = split_sql(*text);
        if (split.meta) {
            if (named) console_.set_location(name, split.meta->line);
            console_.error("psql meta-commands are not supported: " +
                           std::string(split.meta->name) + " (nothing of this script was run)");
            co_return exit_failure;
        }
        for (const auto& stmt : split.statements) {
            if (named) console_.set_location(name, stmt.line);
            const outcome result = co_await execute(conn, stmt.text);
            if (result != outcome::ok) co_return status_of(result, exit_script_error);
        }
        co_return exit_success;
    }

    // One simple Query: its rows to stdout, its error to stderr.
    asio::awaitable<outcome> execute(wire::connection& conn, std::string_view sql) {
        current_sql_ = sql;
        try {
            auto results = co_await conn.simple_query(sql);
            std::string out;
            for (const auto& r : results)
                append_unaligned(out, r);
            console_.rows(out);
            current_sql_ = {};
            co_return outcome::ok;
        } catch (const wire::error& e) {
            current_sql_ = {};
            if (e.diagnostics())
                console_.message(describe_server_message(*e.diagnostics(), sql));
            else
                console_.error(e.what());
            if (!conn.is_open()) {
                console_.error("connection to server was lost");
                co_return outcome::connection_lost;
            }
            co_return outcome::failed;
        }
    }

    const arguments& args_;
    console console_;
    std::string_view current_sql_;
};

} // namespace

int run_session(const arguments& args) {
    asio::io_context ctx;
    session s(args);
    int status = exit_failure;
    asio::co_spawn(ctx, s.run(), [&](std::exception_ptr ep, int result) {
        if (!ep) {
            status = result;
            return;
        }
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            std::fflush(stdout);
            std::fprintf(stderr, "%s: error: %s\n", program, e.what());
        }
        status = exit_failure;
    });
    ctx.run();
    return status;
}

} // namespace turbopg::tools
