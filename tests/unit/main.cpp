#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <turbopg/orm/compiler.hpp>

int main(int argc, char** argv) {
    // Every statement the tests take from the ORM's cache of compiled query shapes is compared
    // with a fresh compile of it (a difference throws).
    turbopg::orm::detail::check_compile_cache(true);
    return doctest::Context(argc, argv).run();
}
