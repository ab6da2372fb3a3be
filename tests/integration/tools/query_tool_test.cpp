// turbopg-query against the real psql: the same conninfo and inputs must give the same stdout,
// byte for byte, and the same exit status as `psql -X -A -t -q -v ON_ERROR_STOP=1 -F '<TAB>'`.
//
// The tool comes from $TURBOPG_QUERY (set by meson) or next to this binary's build folder; psql
// from $TURBOPG_TEST_PSQL or /usr/bin/psql (postgresql-client-15). Both run with the same
// environment, without the variables that only one of them would read.
#include "support/server.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fs = std::filesystem;
using namespace turbopg::test;

namespace {

struct outcome {
    std::string out;
    std::string err;
    int status = -1; // exit status, or 128 + signal
};

// A scratch folder for the inputs and outputs of one test case.
class scratch {
public:
    scratch() {
        auto base = fs::temp_directory_path() / "turbopg-query-test-XXXXXX";
        std::string tmpl = base.string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        dir_ = tmpl;
    }
    ~scratch() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    scratch(const scratch&) = delete;
    scratch& operator=(const scratch&) = delete;

    std::string file(const std::string& name, std::string_view content) const {
        auto p = (dir_ / name).string();
        std::ofstream(p, std::ios::binary) << content;
        return p;
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

private:
    fs::path dir_;
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The environment for both programs: this process's, without what only one of them reads
// (libpq sends PGTZ/PGDATESTYLE/PGGEQO and picks the client encoding from the locale), with
// `extra` added.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
    static const char* const dropped[] = {"PGTZ",   "PGDATESTYLE", "PGGEQO", "PGCLIENTENCODING",
                                          "PSQLRC", "LC_ALL"};
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string_view kv(*e);
        auto name = kv.substr(0, kv.find('='));
        bool drop = extra.count(std::string(name)) > 0;
        for (const char* d : dropped)
            drop = drop || name == d;
        if (!drop) env.emplace_back(kv);
    }
    env.push_back("LC_ALL=C.UTF-8");
    for (const auto& [k, v] : extra)
        env.push_back(k + "=" + v);
    return env;
}

// Runs `argv` with `input` on stdin; stdout and stderr are collected through files.
outcome run_program(const std::vector<std::string>& argv, std::string_view input = {},
                    const std::map<std::string, std::string>& env_extra = {}) {
    scratch s;
    auto in = s.file("stdin", input);
    auto out = s.path("stdout"), err = s.path("stderr");

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);

    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    auto env = child_environment(env_extra);
    std::vector<char*> envp;
    for (auto& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid = 0;
    int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    REQUIRE_MESSAGE(rc == 0, "cannot run " << argv[0] << ": " << std::strerror(rc));
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    outcome o;
    o.out = slurp(out);
    o.err = slurp(err);
    o.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    return o;
}

std::string tool_path() {
    if (auto p = env("TURBOPG_QUERY")) return *p;
    // Without meson: <build>/tests/integration/turbopg-integration -> <build>/tools/.
    auto self = fs::read_symlink("/proc/self/exe");
    auto p = self.parent_path().parent_path().parent_path() / "tools" / "turbopg-query";
    REQUIRE_MESSAGE(fs::exists(p), "turbopg-query not found: set TURBOPG_QUERY");
    return p.string();
}

std::string psql_path() {
    auto p = env("TURBOPG_TEST_PSQL").value_or("/usr/bin/psql");
    REQUIRE_MESSAGE(::access(p.c_str(), X_OK) == 0,
                    p << " not found: install postgresql-client-15 or set TURBOPG_TEST_PSQL");
    return p;
}

outcome run_tool(const std::string& conninfo, const std::vector<std::string>& inputs,
                 std::string_view stdin_text = {},
                 const std::map<std::string, std::string>& env_extra = {}) {
    std::vector<std::string> argv{tool_path(), conninfo};
    argv.insert(argv.end(), inputs.begin(), inputs.end());
    return run_program(argv, stdin_text, env_extra);
}

outcome run_psql(const std::string& conninfo, const std::vector<std::string>& inputs,
                 std::string_view stdin_text = {},
                 const std::map<std::string, std::string>& env_extra = {}) {
    std::vector<std::string> argv{psql_path(),       "-X", "-A", "-t",    "-q", "-v",
                                  "ON_ERROR_STOP=1", "-F", "\t", conninfo};
    argv.insert(argv.end(), inputs.begin(), inputs.end());
    return run_program(argv, stdin_text, env_extra);
}

// Runs both with the same inputs; checks equal stdout and exit status; returns turbopg-query's.
outcome compare(const std::vector<std::string>& inputs, std::string_view stdin_text = {},
                const std::map<std::string, std::string>& env_extra = {},
                const std::string& conninfo = test_url()) {
    auto theirs = run_psql(conninfo, inputs, stdin_text, env_extra);
    auto ours = run_tool(conninfo, inputs, stdin_text, env_extra);
    INFO("psql stderr: " << theirs.err);
    INFO("turbopg-query stderr: " << ours.err);
    CHECK(ours.out == theirs.out);
    CHECK(ours.status == theirs.status);
    return ours;
}

std::vector<std::string> commands(std::initializer_list<const char*> sqls) {
    std::vector<std::string> out;
    for (const char* s : sqls) {
        out.emplace_back("-c");
        out.emplace_back(s);
    }
    return out;
}

bool contains(const std::string& s, std::string_view part) {
    return s.find(part) != std::string::npos;
}

// "FILE:LINE: " of the first error in psql's or turbopg-query's stderr, without the program.
std::string error_location(const std::string& err) {
    auto at = err.find("ERROR:");
    if (at == std::string::npos) return {};
    auto begin = err.rfind('\n', at);
    begin = begin == std::string::npos ? 0 : begin + 1;
    auto colon = err.find(':', begin);
    return colon < at ? err.substr(colon + 1, at - colon - 1) : std::string();
}

// A TCP port on the loopback that nothing listens on.
int closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    ::close(fd);
    return ntohs(a.sin_port);
}

} // namespace

TEST_CASE("turbopg-query: values of every kind print as psql prints them") {
    auto o = compare(commands({
        "select 1::int2, '-2147483648'::int4, 9223372036854775807::int8, 0::oid",
        "select 1.50::numeric(10,2), 'NaN'::numeric, 1e40::numeric, -0.000001::numeric, "
        "1.5::float4, 0.1::float8, 'Infinity'::float8, '-Infinity'::float4, 12.34::money",
        "select E'tab\\there', E'new\\nline', E'cr\\r\\nlf', 'unicode: é ü 日本 🎉', '', "
        "null::text, ' lead and trail ', E'back\\\\slash', 'quote''s'",
        "select true, false, null::bool, null, null::int",
        "select array[1,2,null], array['a b','c\"d',null,'','{x}',E'\\t'], "
        "'{{1,2},{3,4}}'::int[], array[]::int[], '[0:1]={7,8}'::int[]",
        "select '2024-03-05 12:34:56.789+02'::timestamptz, '2024-03-05'::date, "
        "'12:34:56.5'::time, '1 day 2 hours 3.5 seconds'::interval, 'infinity'::timestamptz, "
        "'2024-03-05 01:02:03'::timestamp, '4713-01-01 BC'::date, '12:00+05:30'::timetz",
        "select '{\"a\": [1, 2, null], \"b\": \"x\\ty\"}'::json, "
        "'{\"b\":1, \"a\":[true, {\"c\": null}]}'::jsonb, 'null'::jsonb",
        "select '\\x00ff10'::bytea, ''::bytea, decode('616263', 'hex'), "
        "E'\\\\001'::bytea",
        "select '550e8400-e29b-41d4-a716-446655440000'::uuid, '192.168.0.1/24'::inet, "
        "'10.0.0.0/8'::cidr, '08:00:2b:01:02:03'::macaddr, B'1010'::bit(4), "
        "'(1,2)'::point, '[1,5)'::int4range, row(1, 'a b', null), 'a b'::tsvector, "
        "'hello'::name, 'x'::\"char\", 'pg_class'::regclass::text, 1::regtype",
        "select i, i * 1.5, repeat('x', i), case when i % 3 = 0 then null else i::text end "
        "from generate_series(1, 1000) as i",
    }));
    CHECK_MESSAGE(o.status == 0, o.err);
    CHECK(contains(o.out, "é ü 日本 🎉"));
    CHECK(o.err.empty());
}

TEST_CASE("turbopg-query: a -c with several statements prints each one's rows in order") {
    auto o = compare(commands({
        "select 1, 'a'; select 2 union all select 3; create temp table qt_multi(a int); "
        "insert into qt_multi values (1), (2) returning a, 'ret'; select null::int, 'x'; "
        "update qt_multi set a = a + 1; select count(*) from qt_multi",
        "set search_path = public; show search_path; select;",
    }));
    CHECK(o.out == "1\ta\n2\n3\n1\tret\n2\tret\n\tx\n2\npublic\n");
}

TEST_CASE("turbopg-query: empty results print nothing") {
    auto o = compare(commands({"select 1 where false", "create temp table qt_empty(a int)", "", ";",
                               "select from generate_series(1, 3)", "-- comment",
                               "select * from qt_empty", "begin; commit"}));
    CHECK(o.out.empty());
    CHECK(o.status == 0);
}

TEST_CASE("turbopg-query: -f splits like psql's lexer (quotes, comments, bodies)") {
    scratch s;
    auto script = s.file("tricky.sql", R"sql(-- a script with every kind of quoting
create temp table qt_f (id int primary key, t text);
insert into qt_f values (1, 'semi;colon'), (2, 'it''s; quoted'), (3, E'esc\'aped; \\ back');
insert into qt_f values (4, $$dollar; 'quoted' "text"$$), (5, $tag$ $$ ; $tag$);
/* a block comment; /* nested; */ still comment; */
select id, t from qt_f order by id;
select "semi;colon" from (select 1 as "semi;colon") as x; -- trailing comment; with semicolon
create function pg_temp.qt_fn(n int) returns int language plpgsql as $body$
begin
  raise notice 'fn called; n=%', n;
  return n * 2;
end;
$body$;
select pg_temp.qt_fn(21);
create function pg_temp.qt_atomic(n int) returns int language sql
begin atomic
  select case when n > 0 then n + 1 else 0 end;
end;
select pg_temp.qt_atomic(1), pg_temp.qt_atomic(-1);
select (1,
        2) is null;
select length('--not a comment'), '/* not a comment */';
prepare qt_p as select $1::int + 1; execute qt_p(41);
do $$ begin raise notice 'hello from do; %', 1; raise warning 'careful'; end $$;
select 'trailing statement without semicolon')sql");
    auto o = compare({"-f", script});
    CHECK_MESSAGE(o.status == 0, o.err);
    CHECK(contains(o.out, "3\tesc'aped; \\ back\n"));
    CHECK(contains(o.out, "4\tdollar; 'quoted' \"text\"\n"));
    CHECK(contains(o.out, "trailing statement without semicolon\n"));
    // Notices go to stderr, with psql's file:line prefix; never to stdout.
    CHECK(contains(o.err, "turbopg-query:" + script + ":14: NOTICE:  fn called; n=21\n"));
    CHECK(contains(o.err, "NOTICE:  hello from do; 1\n"));
    CHECK(contains(o.err, "WARNING:  careful\n"));
    CHECK_FALSE(contains(o.out, "NOTICE"));
}

TEST_CASE("turbopg-query: -c and -f mixed, -f - and a script on standard input") {
    scratch s;
    auto a = s.file("a.sql", "select 'a1';\nselect 'a2'");
    auto o = compare({"-c", "select 'c1'", "-f", a, "-f", "-", "-c", "select 'c2'"},
                     "select 'stdin1'; select 'stdin2';\n");
    CHECK(o.out == "c1\na1\na2\nstdin1\nstdin2\nc2\n");

    // Neither -c nor -f: the script comes from standard input.
    o = compare({}, "select 1;\nselect 2\n");
    CHECK(o.out == "1\n2\n");
}

TEST_CASE("turbopg-query: a failing statement of a file stops the script with status 3") {
    scratch s;
    auto script = s.file("fail.sql", "create table qt_commit (a int);\n"
                                     "insert into qt_commit values (1);\n"
                                     "select 'before';\n"
                                     "select * from\n  nope;\n"
                                     "insert into qt_commit values (2);\n"
                                     "select 'after';\n");
    for (bool psql : {true, false}) {
        CAPTURE(psql);
        compare({"-c", "drop table if exists qt_commit"});
        auto o = psql ? run_psql(test_url(), {"-f", script}) : run_tool(test_url(), {"-f", script});
        CHECK(o.status == 3);
        CHECK(o.out == "before\n");
        // The statements before the failing one stay committed; nothing after it ran.
        auto count = run_tool(test_url(), {"-c", "select count(*) from qt_commit"});
        CHECK(count.out == "1\n");
        if (!psql) {
            CHECK(o.err == "turbopg-query:" + script +
                               ":5: ERROR:  relation \"nope\" does not exist\n"
                               "LINE 2:   nope;\n"
                               "          ^\n"
                               "SQLSTATE: 42P01\n");
        }
    }
    compare({"-c", "drop table if exists qt_commit"});
}

TEST_CASE("turbopg-query: -f fails where psql fails, on the line psql names") {
    scratch s;
    // A ';' inside parentheses does not end the statement: psql sends "select (1;\n 2);".
    auto script = s.file("parens.sql", "select 'a';\nselect (1;\n  2);\nselect 'b';\n");
    auto theirs = run_psql(test_url(), {"-f", script});
    auto o = compare({"-f", script});
    CHECK(o.status == 3);
    CHECK(o.out == "a\n");
    CHECK(error_location(o.err) == script + ":3: ");
    CHECK(error_location(o.err) == error_location(theirs.err));

    // A statement left without ';' at the end, with empty lines after it.
    script = s.file("trailing.sql", "select 'x';\nselect\n  nope\n\n\n");
    theirs = run_psql(test_url(), {"-f", script});
    o = compare({"-f", script});
    CHECK(o.status == 3);
    CHECK(error_location(o.err) == script + ":5: ");
    CHECK(error_location(o.err) == error_location(theirs.err));

    // The script on standard input: `-f -` names it <stdin>, no -f names nothing.
    theirs = run_psql(test_url(), {"-f", "-"}, "select 1;\nselect nope;\n");
    o = compare({"-f", "-"}, "select 1;\nselect nope;\n");
    CHECK(error_location(o.err) == "<stdin>:2: ");
    CHECK(error_location(o.err) == error_location(theirs.err));
    o = compare({}, "select 1;\nselect nope;\n");
    CHECK(o.status == 3);
    CHECK(o.err.rfind("ERROR:  column \"nope\" does not exist\n", 0) == 0);
}

TEST_CASE("turbopg-query: a failing -c stops with psql's status, DETAIL and HINT shown") {
    auto o = compare(commands({"select 'first'", "select * from nope", "select 'never'"}));
    CHECK(o.status == 1);
    CHECK(o.out == "first\n");
    CHECK(contains(o.err, "ERROR:  relation \"nope\" does not exist\n"));
    CHECK(contains(o.err, "SQLSTATE: 42P01\n"));

    o = compare(commands({"create temp table qt_dup (a int primary key); "
                          "insert into qt_dup values (1), (1)"}));
    CHECK(contains(o.err, "ERROR:  duplicate key value violates unique constraint"));
    CHECK(contains(o.err, "DETAIL:  Key (a)=(1) already exists.\n"));
    CHECK(contains(o.err, "SQLSTATE: 23505\n"));

    o = compare(commands({"select nope_function(1)"}));
    CHECK(contains(o.err, "HINT:  No function matches the given name and argument types."));
    CHECK(contains(o.err, "SQLSTATE: 42883\n"));

    o = compare(commands({"select 1/0"}));
    CHECK(o.err == "ERROR:  division by zero\nSQLSTATE: 22012\n");
}

TEST_CASE("turbopg-query: connection failures exit with status 2") {
    auto conninfo = "host=127.0.0.1 port=" + std::to_string(closed_port()) + " dbname=x user=x";
    auto o = compare(commands({"select 1"}), {}, {}, conninfo);
    CHECK(o.status == 2);
    CHECK(o.out.empty());
    CHECK(contains(o.err, "turbopg-query: error: connection to "));
    CHECK(contains(o.err, "failed"));

    // An invalid conninfo is a failed connection for psql too.
    o = compare(commands({"select 1"}), {}, {}, "port=abc");
    CHECK(o.status == 2);
    CHECK(contains(o.err, "invalid integer value \"abc\" for connection option \"port\""));

    // The connection lost in the middle of a script.
    scratch s;
    auto script = s.file("lost.sql", "select 1;\nselect pg_terminate_backend(pg_backend_pid());\n"
                                     "select 2;\n");
    o = compare({"-f", script});
    CHECK(o.status == 2);
    CHECK(o.out == "1\n");
    CHECK(contains(o.err, "connection to server was lost"));
}

TEST_CASE("turbopg-query: PGTZ, PGDATESTYLE and PGGEQO apply as libpq applies them") {
    auto o =
        compare(commands({"select '2024-03-05 12:34:56.789+00'::timestamptz, "
                          "'2024-03-05'::date, current_setting('geqo')"}),
                {}, {{"PGTZ", "America/New_York"}, {"PGDATESTYLE", "SQL, DMY"}, {"PGGEQO", "off"}});
    CHECK(o.out == "05/03/2024 07:34:56.789 EST\t05/03/2024\toff\n");
}

TEST_CASE("turbopg-query: a connection service is read as psql reads it") {
    scratch s;
    auto file = s.file("pg_service.conf", "[qt_other]\napplication_name=wrong\n"
                                          "[qt_service]\napplication_name=from_service\n"
                                          "options=-c geqo=off\n");
    std::map<std::string, std::string> env{{"PGSERVICEFILE", file}, {"PGSERVICE", "qt_service"}};
    auto o = compare(commands({"select current_setting('application_name'), "
                               "current_setting('geqo')"}),
                     {}, env);
    CHECK(o.out == "from_service\toff\n");
    // Named in the conninfo instead, with the file (libpq 18's servicefile; psql 15 lacks it).
    auto url = test_url();
    url += (url.find('?') == std::string::npos ? "?" : "&");
    o = run_tool(url + "service=qt_service&servicefile=" + file,
                 commands({"select current_setting('application_name')"}));
    CHECK(o.status == 0);
    CHECK(o.out == "from_service\n");

    env["PGSERVICE"] = "qt_missing";
    o = compare(commands({"select 1"}), {}, env);
    CHECK(o.status == 2);
    CHECK(contains(o.err, "definition of service \"qt_missing\" not found"));
}

TEST_CASE("turbopg-query: what it cannot run is refused before anything runs") {
    scratch s;
    auto script = s.file("meta.sql", "select 1;\n\\set x 1\nselect :x;\n");
    auto o = run_tool(test_url(), {"-f", script});
    CHECK(o.status == 1);
    CHECK(o.out.empty());
    CHECK(o.err == "turbopg-query:" + script +
                       ":2: error: psql meta-commands are not supported: \\set (nothing of this "
                       "script was run)\n");

    o = run_tool(test_url(), {"-c", "\\dt"});
    CHECK(o.status == 1);
    CHECK(contains(o.err, "psql meta-commands are not supported: \\dt"));

    // A missing file, like psql: status 1 after what ran before it.
    o = compare({"-c", "select 'ran'", "-f", s.path("missing.sql")});
    CHECK(o.out == "ran\n");
    CHECK(contains(o.err, "missing.sql: No such file or directory"));
}

TEST_CASE("turbopg-query: usage errors exit with status 1") {
    for (auto args : {std::vector<std::string>{"--bogus"}, {"-c"}, {"a", "b", "-c", "select 1"}}) {
        std::vector<std::string> argv{tool_path()};
        argv.insert(argv.end(), args.begin(), args.end());
        auto o = run_program(argv);
        CHECK(o.status == 1);
        CHECK(o.out.empty());
        CHECK(contains(o.err, "Try \"turbopg-query --help\""));
    }
    auto o = run_program({tool_path(), "--help"});
    CHECK(o.status == 0);
    CHECK(contains(o.out, "Usage:"));
}
