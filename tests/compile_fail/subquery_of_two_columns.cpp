// expect: column_type
// A scalar subquery must select exactly one column.
#include "book.hpp"

int main() {
    auto s =
        orm::Subquery(orm::objects<Book>().values_list(orm::F(&Book::title), orm::F(&Book::pages)));
    (void)s;
}
