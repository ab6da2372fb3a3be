// expect: needs the column types
// values_list of field names cannot know the columns' C++ types.
#include "book.hpp"

int main() {
    auto v = orm::objects<Book>().values_list("title", "pages");
    (void)v;
}
