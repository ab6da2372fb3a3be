// expect: operator==
// An int column compared with a string.
#include "book.hpp"

int main() {
    auto qs = orm::objects<Book>().filter(orm::F(&Book::pages) == "ten");
    (void)qs;
}
