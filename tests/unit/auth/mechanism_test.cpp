#include "auth/mechanism.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

using namespace turbopg::wire;
using namespace turbopg::wire::auth;

namespace {

const std::vector<std::string_view> plain_only{"SCRAM-SHA-256"};
const std::vector<std::string_view> both{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"};

struct expected {
    std::optional<errc> error;
    std::string_view mechanism = {};
    cbind_flag flag = cbind_flag::not_supported;
};

const char* name(channel_binding_mode m) {
    switch (m) {
    case channel_binding_mode::disable:
        return "disable";
    case channel_binding_mode::prefer:
        return "prefer";
    case channel_binding_mode::require:
        return "require";
    }
    return "?";
}

} // namespace

TEST_SUITE("auth: mechanism selection") {

    TEST_CASE("mechanism selection: channel_binding x -PLUS offered x TLS") {
        using m = channel_binding_mode;
        const expected plain_n{std::nullopt, scram_sha_256, cbind_flag::not_supported};
        const expected plain_y{std::nullopt, scram_sha_256, cbind_flag::supported_not_used};
        const expected plus_p{std::nullopt, scram_sha_256_plus, cbind_flag::tls_server_end_point};
        const expected violation{errc::protocol_violation};
        const expected required{errc::channel_binding_required};

        struct row {
            m mode;
            bool plus_offered;
            bool tls;
            expected want;
        };
        const row rows[] = {
            {m::disable, true, true, plain_n},    {m::disable, false, true, plain_n},
            {m::disable, true, false, violation}, {m::disable, false, false, plain_n},
            {m::prefer, true, true, plus_p},      {m::prefer, false, true, plain_y},
            {m::prefer, true, false, violation},  {m::prefer, false, false, plain_n},
            {m::require, true, true, plus_p},     {m::require, false, true, required},
            {m::require, true, false, violation}, {m::require, false, false, required},
        };
        for (const auto& r : rows) {
            CAPTURE(name(r.mode));
            CAPTURE(r.plus_offered);
            CAPTURE(r.tls);
            auto got = select_mechanism(r.plus_offered ? both : plain_only, r.mode, r.tls, r.tls);
            if (r.want.error) {
                REQUIRE_FALSE(got.ok());
                CHECK(got.error().code == *r.want.error);
            } else {
                REQUIRE(got.ok());
                CHECK(got->mechanism == r.want.mechanism);
                CHECK(got->binding == r.want.flag);
            }
        }
    }

    TEST_CASE("mechanism selection: TLS without a computable certificate hash") {
        auto prefer = select_mechanism(both, channel_binding_mode::prefer, true, false);
        REQUIRE(prefer.ok());
        CHECK(prefer->mechanism == scram_sha_256);
        CHECK(prefer->binding == cbind_flag::not_supported);

        auto require = select_mechanism(both, channel_binding_mode::require, true, false);
        REQUIRE_FALSE(require.ok());
        CHECK(require.error().code == errc::channel_binding_required);

        auto plain = select_mechanism(plain_only, channel_binding_mode::prefer, true, false);
        REQUIRE(plain.ok());
        CHECK(plain->binding == cbind_flag::not_supported);
    }

    TEST_CASE("mechanism selection: nothing usable lists what the server offered") {
        const std::vector<std::string_view> others{"OAUTHBEARER", "SCRAM-SHA-1"};
        auto r = select_mechanism(others, channel_binding_mode::prefer, true, true);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == errc::auth_method_unsupported);
        CHECK(r.error().message.find("OAUTHBEARER, SCRAM-SHA-1") != std::string::npos);

        auto none = select_mechanism({}, channel_binding_mode::prefer, false, false);
        REQUIRE_FALSE(none.ok());
        CHECK(none.error().code == errc::auth_method_unsupported);

        // Only -PLUS offered, and channel binding disabled.
        const std::vector<std::string_view> plus_only{"SCRAM-SHA-256-PLUS"};
        auto disabled = select_mechanism(plus_only, channel_binding_mode::disable, true, true);
        REQUIRE_FALSE(disabled.ok());
        CHECK(disabled.error().code == errc::auth_method_unsupported);
        CHECK(disabled.error().message.find("SCRAM-SHA-256-PLUS") != std::string::npos);

        // Unknown mechanisms next to a known one are skipped.
        const std::vector<std::string_view> mixed{"FUTURE-MECH", "SCRAM-SHA-256"};
        auto ok = select_mechanism(mixed, channel_binding_mode::prefer, false, false);
        REQUIRE(ok.ok());
        CHECK(ok->mechanism == scram_sha_256);
    }

} // TEST_SUITE
