// Which requests are corked for COPY FROM STDIN: a simple query mentioning COPY in any case, an
// extended query (one statement) whose first keyword is COPY.
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

TEST_CASE("copy_cork: an extended query is corked only when its first keyword is COPY") {
    CHECK(copy_cork("  \n\tCOPY t FROM STDIN", kind::extended) == kind::extended);
    CHECK(copy_cork("-- load it\ncopy t from stdin", kind::extended) == kind::extended);
    CHECK(copy_cork("/* a /* nested */ comment */ Copy t FROM STDIN", kind::extended) ==
          kind::extended);
    CHECK(copy_cork("/* unterminated copy", kind::extended) == kind::none);
    CHECK(copy_cork("-- copy", kind::extended) == kind::none);
    CHECK(copy_cork("SELECT \"copy\", score FROM t -- copy", kind::extended) == kind::none);
    CHECK(copy_cork("/* copy */ select 1", kind::extended) == kind::none);
    // The same texts as simple queries, which may hold a COPY further on, are corked.
    CHECK(copy_cork("SELECT \"copy\", score FROM t -- copy", kind::simple) == kind::simple);
    CHECK(copy_cork("/* copy */ select 1", kind::simple) == kind::simple);
}
