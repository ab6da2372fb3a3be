#include "pool/backoff.hpp"

#include <doctest/doctest.h>

using namespace turbopg::wire::detail;
using ms = std::chrono::milliseconds;

TEST_CASE("reconnect backoff doubles from the initial delay up to the maximum") {
    CHECK(reconnect_delay(ms{100}, ms{1000}, 1) == ms{100});
    CHECK(reconnect_delay(ms{100}, ms{1000}, 2) == ms{200});
    CHECK(reconnect_delay(ms{100}, ms{1000}, 3) == ms{400});
    CHECK(reconnect_delay(ms{100}, ms{1000}, 4) == ms{800});
    CHECK(reconnect_delay(ms{100}, ms{1000}, 5) == ms{1000});
    CHECK(reconnect_delay(ms{100}, ms{1000}, 1'000'000'000) == ms{1000});
}

TEST_CASE("reconnect backoff with degenerate settings") {
    CHECK(reconnect_delay(ms{100}, ms{1000}, 0) == ms{100}); // no failure yet: the initial delay
    CHECK(reconnect_delay(ms{0}, ms{1000}, 1) == ms{1});     // never a busy loop
    CHECK(reconnect_delay(ms{0}, ms{0}, 7) == ms{1});
    CHECK(reconnect_delay(ms{5000}, ms{1000}, 1) == ms{1000}); // initial above max: max
    CHECK(reconnect_delay(ms::max(), ms::max(), 80) == ms::max());
}
