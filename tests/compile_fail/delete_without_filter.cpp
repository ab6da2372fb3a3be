// expect: delete_
// A table-wide DELETE without filter() or all().
#include "book.hpp"

int main() {
    auto n = orm::objects<Book>().delete_();
    (void)n;
}
