// Which requests are corked for COPY FROM STDIN: any statement mentioning COPY, in any case.
#include "io/connection_impl.hpp"

#include <doctest/doctest.h>

using turbopg::wire::io::copy_cork;
using kind = turbopg::wire::io::request::cork_kind;

TEST_CASE("copy_cork: a statement that mentions COPY in any case is corked") {
    CHECK(copy_cork("COPY t FROM STDIN", kind::simple) == kind::simple);
    CHECK(copy_cork("copy t from stdin", kind::extended) == kind::extended);
    CHECK(copy_cork("/* x */ CoPy t FROM STDIN", kind::simple) == kind::simple);
    CHECK(copy_cork("select 1; copY", kind::simple) == kind::simple);
}

TEST_CASE("copy_cork: other statements are not, whatever their bytes") {
    CHECK(copy_cork("SELECT 1", kind::extended) == kind::none);
    CHECK(copy_cork("", kind::simple) == kind::none);
    CHECK(copy_cork("cop", kind::simple) == kind::none);
    // Characters that fold onto the letters with `| 0x20` only for C, O, P and Y themselves.
    CHECK(copy_cork("#/0y COP9", kind::simple) == kind::none);
    CHECK(copy_cork("c\x0fpy", kind::simple) == kind::none);
}
