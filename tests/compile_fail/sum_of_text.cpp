// expect: numeric_value
// Summing a text column.
#include "book.hpp"

int main() {
    auto s = orm::Sum(orm::F(&Book::title));
    (void)s;
}
