// Logging reaches an installed sink and never carries passwords or parameter values.
#include "support/server.hpp"

#include <turbopg/wire/logger.hpp>

#include <mutex>
#include <vector>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;

namespace {
struct capture final : log_sink {
    std::mutex m;
    std::vector<std::string> lines;
    bool enabled(log_level) const noexcept override { return true; }
    void log(log_level, std::string_view message) override {
        std::lock_guard lock(m);
        lines.emplace_back(message);
    }
};
} // namespace

TEST_CASE("log sink: connection events logged, secrets never") {
    if (!have_cluster()) return;
    auto sink = std::make_shared<capture>();
    set_log_sink(sink);
    run([]() -> awaitable<void> {
        auto c = co_await connection::connect(
            co_await asio::this_coro::executor,
            cluster_conninfo("user=turbopg_scram password=scram_pw sslmode=prefer"));
        co_await c.query_value<std::string>("select $1::text", std::string("s3cr3t-param"));
        co_await c.close();
        try {
            co_await connection::connect(co_await asio::this_coro::executor,
                                         cluster_conninfo("user=turbopg_scram password=wrong_pw"));
        } catch (const error&) {
        }
    });
    set_log_sink(nullptr);
    std::string all;
    for (auto& l : sink->lines)
        all += l + "\n";
    INFO(all);
    CHECK(all.find("connected to 127.0.0.1") != std::string::npos);
    CHECK(all.find("password authentication failed") != std::string::npos);
    CHECK(all.find("scram_pw") == std::string::npos);
    CHECK(all.find("wrong_pw") == std::string::npos);
    CHECK(all.find("s3cr3t-param") == std::string::npos);
}
