// Uses the protocol client alone through dependency('turbopg-wire').
#include <turbopg/wire/error.hpp>

int main() {
    turbopg::wire::error e(turbopg::wire::errc::bad_config, "port");
    return e.sqlstate().empty() ? 0 : 1;
}
