#include <turbopg/wire/connection.hpp>

#include "io/cancel.hpp"
#include "io/connect.hpp"
#include "io/connection_impl.hpp"
#include "proto/backend.hpp"

namespace turbopg::wire {

namespace detail {
std::uint64_t rows_in_tag(std::string_view tag) noexcept {
    return proto::rows_affected(tag);
}

void check_param_types(std::span<const oid_t> expected, std::span<const oid_t> given,
                       std::span<const std::string_view> cpp_names) {
    if (expected.size() != given.size())
        throw error(make_error_code(errc::type_mismatch),
                    "the statement has " + std::to_string(expected.size()) + " parameters, but " +
                        std::to_string(given.size()) + " arguments were given");
    for (std::size_t i = 0; i < expected.size(); ++i)
        if (given[i] != 0 && given[i] != expected[i])
            throw error(make_error_code(errc::type_mismatch),
                        "parameter $" + std::to_string(i + 1) + " is of type " +
                            describe_type(expected[i]) + ", but the argument is " +
                            std::string(cpp_names[i]) + " (" + describe_type(given[i]) + ")");
}

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

connection::executor_type connection::get_executor() const {
    return impl_->get_executor();
}

asio::awaitable<void> connection::run_extended_erased(std::string_view sql,
                                                      std::span<const oid_t> types,
                                                      std::span<const std::int16_t> formats,
                                                      detail::function_ref<void(bytes&)> write,
                                                      detail::result_sink& sink) {
    return impl_->execute(sql, types, formats, write, sink);
}

asio::awaitable<prepared_statement> connection::prepare_erased(std::string_view sql,
                                                               std::span<const oid_t> types) {
    auto d = co_await impl_->prepare_named(sql, types);
    co_return prepared_statement{d->name, std::string(sql), d->param_types, d->columns,
                                 d->result_formats};
}

asio::awaitable<void> connection::run_prepared_erased(const prepared_statement& s,
                                                      std::span<const std::int16_t> formats,
                                                      detail::function_ref<void(bytes&)> write,
                                                      detail::result_sink& sink) {
    return impl_->execute_prepared(s.name, s.param_types.size(), s.columns, s.result_formats,
                                   formats, write, sink);
}

asio::awaitable<void> connection::deallocate(const prepared_statement& statement) {
    co_await impl_->close_statement(statement.name);
}

asio::awaitable<std::vector<result>> connection::run(const batch& b) {
    return impl_->run_batch(b.data_);
}

asio::awaitable<std::vector<result>> connection::simple_query(std::string_view sql) {
    result_builder b;
    co_await impl_->run(
        b, [&](proto::byte_writer& w) { proto::encode_query(w, sql); },
        io::copy_cork(sql, io::request::cork_kind::simple));
    co_return std::move(b.results());
}

asio::awaitable<void> connection::cancel() {
    co_await io::send_cancel_request(impl_->get_executor(), impl_->get_cancel_target(),
                                     impl_->key_data());
}

asio::awaitable<void> connection::close() {
    co_await impl_->close();
}

bool connection::is_open() const noexcept {
    return impl_ && impl_->is_open();
}
char connection::transaction_status() const noexcept {
    return impl_->transaction_status();
}
std::string connection::parameter(std::string_view name) const {
    return impl_->parameter(name);
}
std::int32_t connection::backend_pid() const noexcept {
    return impl_->key_data().pid;
}
bool connection::tls_in_use() const noexcept {
    return impl_->get_transport().is_tls();
}
void connection::set_query_timeout(std::chrono::milliseconds timeout) noexcept {
    impl_->set_query_timeout(timeout);
}
void connection::set_max_in_flight(std::size_t n) noexcept {
    impl_->set_max_in_flight(n);
}
void connection::set_notification_handler(std::function<void(notification&&)> handler) {
    impl_->set_notification_handler(std::move(handler));
}

void connection::set_notice_handler(std::function<void(const server_diagnostics&)> handler) {
    impl_->set_notice_handler(std::move(handler));
}

} // namespace turbopg::wire
