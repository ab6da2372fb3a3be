// The ORM: a model is a plain struct; querysets filter, order, slice, count, aggregate and write
// it, every call asynchronous, every filter type-checked by the compiler.
// Usage: orm_tour [CONNINFO]
#include <turbopg/orm/queryset.hpp>
#include <turbopg/orm/schema.hpp>

#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace orm = turbopg::orm;
using namespace asio::experimental::awaitable_operators;
using orm::F;
using orm::Q;

struct Book {
    orm::primary_key<> id{};        // int8 identity, set by the database
    orm::varchar<200> title{};      // varchar(200) NOT NULL
    std::string author{};           // text NOT NULL
    std::int32_t pages = 0;         // int4 NOT NULL
    std::optional<double> rating{}; // float8, NULL allowed
    orm::auto_now_add<> added{};    // timestamptz, set on insert
    static constexpr orm::model_meta meta{.ordering = {"title"},
                                          .indexes = {{.fields = {"author"}}}};
};

asio::awaitable<void> tour(orm::database db) {
    co_await orm::drop_table<Book>(db);
    co_await orm::create_table<Book>(db);
    auto books = orm::objects<Book>().using_(db);

    // (g++ 12 mishandles a braced argument inside a co_await expression: name it first.)
    Book herbert{.title = "Dune", .author = "Herbert", .pages = 412};
    auto dune = co_await books.create(herbert);
    std::vector<Book> more{{.title = "Emma", .author = "Austen", .pages = 474, .rating = 4.1},
                           {.title = "Persuasion", .author = "Austen", .pages = 249},
                           {.title = "Solaris", .author = "Lem", .pages = 204, .rating = 4.3}};
    co_await books.bulk_create(more);
    std::cout << "Dune has id " << *dune.id << '\n';

    // filter(pages > 300 OR author = "Lem"), ordered by meta.ordering (title).
    auto picked = books.filter((F(&Book::pages) > 300) | Q("author__iexact", "lem"));
    for (const auto& b : co_await picked.fetch())
        std::cout << b.title.value << " (" << b.pages << " pages)\n"; // Dune, Emma, Solaris
    std::cout << picked.to_string() << '\n';                          // the SQL and its parameters

    // A count and a page, awaited together: pipelined on one connection.
    auto austen = books.filter(F(&Book::author) == "Austen");
    auto page = austen.order_by(F(&Book::pages).desc()).slice(0, 1);
    auto [n, first_page] = co_await (austen.count() && page.fetch());
    std::cout << n << " by Austen, longest: " << first_page.at(0).title.value << '\n';

    auto [total, average] =
        co_await books.aggregate(orm::Sum(F(&Book::pages)), orm::Avg(F(&Book::rating)));
    std::cout << *total << " pages, average rating " << average.value_or(0) << '\n';

    co_await books.filter(F(&Book::rating).isnull()).update(orm::set(&Book::rating, 3.5));
    try {
        co_await books.get(F(&Book::title) == "Ulysses");
    } catch (const orm::does_not_exist& e) {
        std::cout << e.what() << '\n';
    }
    std::cout << co_await books.filter(F(&Book::pages) < 250).delete_() << " deleted\n";
    co_await orm::drop_table<Book>(db);
}

int main(int argc, char** argv) {
    asio::io_context ctx;
    asio::co_spawn(
        ctx,
        [conninfo = std::string(argc > 1 ? argv[1] : "")]() -> asio::awaitable<void> {
            auto conn = co_await turbopg::wire::connection::connect(
                co_await asio::this_coro::executor, conninfo);
            co_await tour(conn);
            co_await conn.close();
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    try {
        ctx.run();
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return 1;
    }
}
