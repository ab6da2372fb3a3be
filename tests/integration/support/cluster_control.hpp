// Stopping, starting and restarting the throwaway cluster from a test (the same pg_ctl calls as
// `scripts/dev pg stop|restart`: fast shutdown, same port, waiting until it is done).
#pragma once

#include "support/server.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace turbopg::test {

// Runs `pg_ctl <action>` (e.g. "restart", "stop", "start") with a fast shutdown, waiting up to
// 60 s, and returns its exit status. PostgreSQL refuses to run as root, so pg_ctl runs as
// postgres. The child closes every descriptor but stdio (and those point to /dev/null): the
// postmaster it starts must not inherit this process's sockets or the test runner's pipes.
inline int pg_ctl(const std::string& action) {
    auto bin = cluster("TURBOPG_TEST_PGBIN");
    auto data = cluster("TURBOPG_TEST_PGDATA");
    std::vector<std::string> args;
    if (geteuid() == 0)
        args = {"runuser", "-u", "postgres", "--"};
    else
        args = {"sudo", "-n", "-u", "postgres", "--"};
    for (std::string a :
         {bin + "/pg_ctl", std::string("-D"), data, std::string("-l"), data + "/../server.log",
          std::string("-m"), std::string("fast"), std::string("-w"), std::string("-t"),
          std::string("60"), std::string("-s"), action})
        args.push_back(a);
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        close_range(3, ~0U, 0);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (chdir("/") != 0) _exit(126);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline int restart_cluster() {
    return pg_ctl("restart");
}

} // namespace turbopg::test
