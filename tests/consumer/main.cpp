// Uses both layers through dependency('turbopg').
#include <turbopg/orm/identifier.hpp>
#include <turbopg/wire/error.hpp>

#include <iostream>

int main() {
    std::error_code ec = turbopg::wire::errc::timeout;
    std::cout << turbopg::orm::quote_identifier("book") << ' ' << ec.message() << '\n';
    return turbopg::orm::quote_identifier("book") == "\"book\"" ? 0 : 1;
}
