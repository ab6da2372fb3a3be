// LISTEN/NOTIFY as a stream: listen to a channel, NOTIFY it from another session, print what
// arrives. The listener reconnects by itself and says so in the stream.
// Usage: listen [CONNINFO]   (libpq syntax; PG* environment variables apply)
#include <turbopg/wire/listener.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <iostream>
#include <string>

namespace pg = turbopg::wire;

asio::awaitable<void> run(std::string conninfo) {
    auto ex = co_await asio::this_coro::executor;
    auto listener = co_await pg::listener::connect(ex, conninfo);
    co_await listener.listen("Order Events"); // taken literally: case and spaces kept

    auto sender = co_await pg::connection::connect(ex, conninfo);
    co_await sender.execute("select pg_notify($1, $2)", "Order Events", "order 42 shipped");

    auto event = co_await listener.next();
    if (auto* n = std::get_if<pg::notification>(&event))
        std::cout << n->channel << ": " << n->payload << " (from backend " << n->sender_pid
                  << ")\n";
    else // pg::reconnected: notifications sent while disconnected are lost; re-read the state
        std::cout << "reconnected: " << std::get<pg::reconnected>(event).reason << '\n';

    co_await sender.close();
    co_await listener.close();
}

int main(int argc, char** argv) {
    asio::io_context ctx;
    asio::co_spawn(ctx, run(argc > 1 ? argv[1] : ""), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    try {
        ctx.run();
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return 1;
    }
}
