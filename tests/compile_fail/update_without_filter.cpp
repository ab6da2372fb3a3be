// expect: update
// A table-wide UPDATE without filter() or all().
#include "book.hpp"

int main() {
    auto n = orm::objects<Book>().update(orm::set(&Book::pages, 1));
    (void)n;
}
