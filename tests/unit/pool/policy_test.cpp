#include "pool/policy.hpp"

#include <doctest/doctest.h>

using namespace turbopg::wire::detail;
using ms = std::chrono::milliseconds;

TEST_CASE("a limit of zero is never reached; otherwise from since + limit on") {
    auto t0 = pool_clock::time_point{} + std::chrono::hours(1);
    CHECK_FALSE(limit_reached(t0, ms{0}, t0 + std::chrono::hours(100)));
    CHECK_FALSE(limit_reached(t0, ms{100}, t0 + ms{99}));
    CHECK(limit_reached(t0, ms{100}, t0 + ms{100}));
    CHECK(limit_reached(t0, ms{100}, t0 + ms{101}));
    CHECK_FALSE(limit_reached(t0, ms::max(), t0 + std::chrono::hours(24 * 365)));
}

TEST_CASE("a healthy idle connection is reused") {
    auto v = judge_returned({});
    CHECK(v.action == return_action::reuse);
    CHECK(v.reason.empty());
}

TEST_CASE("a connection inside a transaction block is rolled back") {
    returned_connection in_tx;
    in_tx.transaction_status = 'T';
    auto v = judge_returned(in_tx);
    CHECK(v.action == return_action::roll_back);
    CHECK(v.reason == "returned inside a transaction block (status 'T')");
    in_tx.transaction_status = 'E';
    CHECK(judge_returned(in_tx).action == return_action::roll_back);
}

TEST_CASE("broken, doomed, old connections and any after close are discarded") {
    returned_connection broken;
    broken.open = false;
    broken.transaction_status = 'T';
    CHECK(judge_returned(broken).action == return_action::discard);
    CHECK(judge_returned(broken).reason == "the connection is broken");

    returned_connection doomed;
    doomed.discard_reason = "cannot execute INSERT in a read-only transaction (SQLSTATE 25006)";
    auto v = judge_returned(doomed);
    CHECK(v.action == return_action::discard);
    CHECK(v.reason == "the session saw: cannot execute INSERT in a read-only transaction "
                      "(SQLSTATE 25006)");

    returned_connection old;
    old.past_max_lifetime = true;
    old.transaction_status = 'E';
    CHECK(judge_returned(old).action == return_action::discard);
    CHECK(judge_returned(old).reason == "max_lifetime reached");

    returned_connection after_close;
    after_close.pool_closed = true;
    CHECK(judge_returned(after_close).action == return_action::discard);
    CHECK(judge_returned(after_close).reason == "the pool is closed");
}
