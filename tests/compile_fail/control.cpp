// expect: compiles
// The correct forms of every misuse in this folder: if this fails, the others prove nothing.
#include "book.hpp"

int main() {
    using orm::F;
    auto scoped = orm::objects<Book>().filter(F(&Book::pages) == 10);
    auto update = scoped.update(orm::set(&Book::pages, 1));
    auto everything = orm::objects<Book>().all().delete_();
    auto sum = orm::Sum(F(&Book::pages));
    (void)update;
    (void)everything;
    (void)sum;
}
