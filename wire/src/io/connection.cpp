#include <turbopg/wire/connection.hpp>

#include "io/cancel.hpp"
#include "io/connect.hpp"
#include "io/connection_impl.hpp"
#include "proto/backend.hpp"

namespace turbopg::wire {

namespace detail {
std::uint64_t rows_in_tag(std::string_view tag) noexcept { return proto::rows_affected(tag); }
} // namespace detail

connection::connection(std::shared_ptr<io::connection_impl> impl) noexcept
    : impl_(std::move(impl)) {}
connection::connection(connection&&) noexcept = default;
connection& connection::operator=(connection&&) noexcept = default;
connection::~connection() {
    // The reader and writer keep the engine alive while they run; closing the socket ends them,
    // so dropping a connection never leaves a coroutine (or a socket) behind.
    if (impl_) impl_->abandon();
}

asio::awaitable<connection> connection::connect(executor_type ex, const config& cfg) {
    co_return connection(co_await io::connect(std::move(ex), cfg));
}

asio::awaitable<connection> connection::connect(executor_type ex, std::string_view conninfo) {
    auto cfg = parse_config(conninfo);
    co_return connection(co_await io::connect(std::move(ex), cfg));
}

connection::executor_type connection::get_executor() const { return impl_->get_executor(); }

asio::awaitable<void> connection::run_extended_erased(std::string_view sql,
                                                      std::span<const oid_t> types,
                                                      std::span<const std::int16_t> formats,
                                                      detail::function_ref<void(bytes&)> write,
                                                      detail::result_sink& sink) {
    co_await impl_->execute(sql, types, formats, write, sink);
}

asio::awaitable<std::vector<result>> connection::simple_query(std::string_view sql) {
    result_builder b;
    co_await impl_->run(b, [&](proto::byte_writer& w) { proto::encode_query(w, sql); });
    co_return std::move(b.results());
}

asio::awaitable<void> connection::cancel() {
    co_await io::send_cancel_request(impl_->get_executor(), impl_->get_cancel_target(),
                                     impl_->key_data());
}

asio::awaitable<void> connection::close() { co_await impl_->close(); }

bool connection::is_open() const noexcept { return impl_ && impl_->is_open(); }
char connection::transaction_status() const noexcept { return impl_->transaction_status(); }
std::string connection::parameter(std::string_view name) const { return impl_->parameter(name); }
std::int32_t connection::backend_pid() const noexcept { return impl_->key_data().pid; }
bool connection::tls_in_use() const noexcept { return impl_->get_transport().is_tls(); }
void connection::set_query_timeout(std::chrono::milliseconds timeout) noexcept {
    impl_->set_query_timeout(timeout);
}
void connection::set_notice_handler(std::function<void(const server_diagnostics&)> handler) {
    impl_->set_notice_handler(std::move(handler));
}

} // namespace turbopg::wire
