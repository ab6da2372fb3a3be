// The client's private key file must not be open to group or others, as libpq requires ("SSL
// Support", Client Certificates): u=rw (0600) or less, or u=rw,g=r (0640) or less when root
// owns it.
#include "config/config_support.hpp"
#include "io/tls.hpp"
#include "support/test_certificate.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

using namespace turbopg::wire;
using namespace turbopg::test;

namespace {

// The message of the error make_tls_context() throws for a key file with `mode`, or "".
std::string context_error(mode_t mode, uid_t owner = ::geteuid()) {
    auto pem = make_test_certificate("client");
    temp_file cert(pem.cert_pem, 0644);
    temp_file key(pem.key_pem, mode);
    REQUIRE(::chown(key.path().c_str(), owner, static_cast<gid_t>(-1)) == 0);
    auto cfg = parse("sslmode=require sslcert=" + cert.path() + " sslkey=" + key.path());
    try {
        io::make_tls_context(cfg);
    } catch (const error& e) {
        CHECK(e.code() == errc::bad_config);
        std::string what = e.what();
        CHECK(what.find(key.path()) != std::string::npos);
        return what;
    }
    return "";
}

} // namespace

TEST_CASE("a private key that is not a regular file is refused before it is opened") {
    auto pem = make_test_certificate("client");
    temp_file cert(pem.cert_pem, 0644);
    auto cfg = parse("sslmode=require sslcert=" + cert.path() + " sslkey=/tmp");
    CHECK_THROWS_WITH_AS(io::make_tls_context(cfg),
                         doctest::Contains("private key file \"/tmp\" is not a regular file"),
                         error);
}

TEST_CASE("a private key file open to group or others is refused") {
    CHECK(context_error(0600) == "");
    CHECK(context_error(0400) == "");
    CHECK(context_error(0644).find("has group or world access") != std::string::npos);
    CHECK(context_error(0604) != "");
    if (::geteuid() == 0) {
        // root's files may be group-readable, for keys an OS package manages; others' may not.
        CHECK(context_error(0640, 0) == "");
        CHECK(context_error(0660, 0) != "");
        CHECK(context_error(0640, 1) != "");
    } else {
        CHECK(context_error(0640) != "");
    }
}
