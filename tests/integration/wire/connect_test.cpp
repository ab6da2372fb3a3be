#include "support/server.hpp"

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;

TEST_CASE("connect and run a first query") {
    auto [value, version, pid] = run([]() -> awaitable<std::tuple<std::int32_t, std::string, int>> {
        auto conn = co_await connection::connect(co_await asio::this_coro::executor, test_url());
        auto v = co_await conn.query_value<std::int32_t>("select $1::int4 + 1", std::int32_t{41});
        auto version = conn.parameter("server_version");
        auto pid = conn.backend_pid();
        co_await conn.close();
        co_return std::tuple{v, version, pid};
    });
    CHECK(value == 42);
    CHECK_FALSE(version.empty());
    CHECK(pid > 0);
}
