#include "io/busy_poll.hpp"

#include <doctest/doctest.h>

using turbopg::wire::io::busy_poll;
using namespace std::chrono_literals;

namespace {
// Runs one wait that polls `polls` times without finding data; `found` says whether the next
// poll found some (else the budget ran out). Returns whether the wait was polled at all.
bool wait_once(busy_poll& p, busy_poll::clock::time_point& now, int polls, bool found) {
    if (!p.begin(now)) return false;
    for (int i = 0; i < polls; ++i) {
        now += 10us;
        if (!p.keep_polling(now)) return true; // the budget ran out: the reader sleeps
    }
    REQUIRE(found);
    p.found();
    CHECK_FALSE(p.polling());
    return true;
}
} // namespace

TEST_CASE("busy_poll: polls until data comes or the budget runs out") {
    busy_poll p(50us);
    busy_poll::clock::time_point now{};
    REQUIRE(p.begin(now));
    CHECK(p.polling());
    for (int i = 1; i < 5; ++i)
        CHECK(p.keep_polling(now + i * 10us)); // 10..40 us: within the budget
    CHECK_FALSE(p.keep_polling(now + 50us));   // spent: sleep
    CHECK_FALSE(p.polling());
}

TEST_CASE("busy_poll: 0 never polls") {
    busy_poll p(0us);
    CHECK_FALSE(p.begin({}));
    CHECK_FALSE(p.polling());
}

TEST_CASE("busy_poll: fruitless polls back off 1, 2, 4 ... 1024 waits; a caught answer resets") {
    busy_poll p(50us);
    busy_poll::clock::time_point now{};
    // Each wait that polls and catches nothing skips twice as many following waits as the last.
    for (std::uint32_t skip : {1u, 2u, 4u, 8u, 16u, 32u, 64u, 128u, 256u, 512u, 1024u, 1024u}) {
        CAPTURE(skip);
        REQUIRE(wait_once(p, now, 10, false));
        for (std::uint32_t i = 0; i < skip; ++i)
            CHECK_FALSE(p.begin(now));
    }
    // Data that was there at once proves nothing: the backoff stays.
    REQUIRE(wait_once(p, now, 0, true));
    REQUIRE(wait_once(p, now, 10, false));
    for (int i = 0; i < 1024; ++i)
        CHECK_FALSE(p.begin(now));
    // Polling that catches an answer after finding none starts over: the next miss skips one.
    REQUIRE(wait_once(p, now, 2, true));
    REQUIRE(wait_once(p, now, 10, false));
    CHECK_FALSE(p.begin(now));
    CHECK(p.begin(now));
}

TEST_CASE("busy_poll: an answer sent from this thread's CPU is no catch: the backoff grows") {
    busy_poll p(50us);
    busy_poll::clock::time_point now{};
    // As the reader does: it says where the data came from only when asked.
    auto found_from_this_cpu = [&](bool this_cpu) { p.found(p.needs_sender_cpu() && this_cpu); };
    auto missed_once = [&] {
        REQUIRE(p.begin(now));
        now += 10us;
        REQUIRE(p.keep_polling(now));
    };
    // Before any backoff the question would change nothing: not asked.
    missed_once();
    CHECK_FALSE(p.needs_sender_cpu());
    found_from_this_cpu(true);
    CHECK(p.begin(now)); // not backed off
    now += 10us;
    REQUIRE(p.keep_polling(now));
    found_from_this_cpu(true);
    REQUIRE(wait_once(p, now, 10, false)); // a fruitless wait: the next one sleeps
    CHECK_FALSE(p.begin(now));
    // Data there at once: nothing to ask, nothing learned.
    REQUIRE(p.begin(now));
    CHECK_FALSE(p.needs_sender_cpu());
    found_from_this_cpu(true);
    // Found after misses, sent from this CPU: a fruitless wait, so the next two sleep.
    missed_once();
    CHECK(p.needs_sender_cpu());
    found_from_this_cpu(true);
    CHECK_FALSE(p.polling());
    CHECK_FALSE(p.begin(now));
    CHECK_FALSE(p.begin(now));
    // Found after misses, sent from another CPU: polling caught it and starts over.
    missed_once();
    CHECK(p.needs_sender_cpu());
    found_from_this_cpu(false);
    REQUIRE(wait_once(p, now, 10, false));
    CHECK_FALSE(p.begin(now));
    CHECK(p.begin(now));
}

TEST_CASE("busy_poll: a backoff ends without polling when the last answer came from this CPU") {
    busy_poll p(50us);
    busy_poll::clock::time_point now{};
    CHECK_FALSE(p.ends_backoff()); // no backoff yet: nothing to ask
    REQUIRE(wait_once(p, now, 10, false));
    CHECK_FALSE(p.ends_backoff()); // one wait to sleep through first
    CHECK_FALSE(p.begin(now));
    // The probe: a server sharing this CPU could not answer while we poll, so the wait sleeps
    // and the backoff doubles.
    CHECK(p.ends_backoff());
    CHECK_FALSE(p.begin(now, true));
    CHECK_FALSE(p.polling());
    CHECK_FALSE(p.ends_backoff());
    CHECK_FALSE(p.begin(now));
    CHECK_FALSE(p.begin(now));
    // The last answer came from another CPU: the probe polls, and a catch starts over.
    CHECK(p.ends_backoff());
    REQUIRE(p.begin(now, false));
    now += 10us;
    REQUIRE(p.keep_polling(now));
    p.found();
    CHECK_FALSE(p.ends_backoff());
    CHECK(p.begin(now, true)); // not backed off: where the last answer came from is not asked
}

TEST_CASE("busy_poll: with no budget there is no backoff to end") {
    busy_poll p(0us);
    CHECK_FALSE(p.ends_backoff());
    CHECK_FALSE(p.begin({}, true));
    CHECK_FALSE(p.ends_backoff());
}
