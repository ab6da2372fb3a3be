// expect: text_value
// A text function of an int column.
#include "book.hpp"

int main() {
    auto l = orm::Lower(orm::F(&Book::pages));
    (void)l;
}
