// expect: comparable_with
// Assigning a string to an int column.
#include "book.hpp"

int main() {
    auto a = orm::set(&Book::pages, "x");
    (void)a;
}
