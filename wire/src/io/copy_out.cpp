// COPY TO STDOUT (protocol docs, "COPY Operations"): CopyData handed to the caller as it arrives.
#include "io/connection_impl.hpp"

#include <turbopg/wire/connection.hpp>

#include <exception>

namespace turbopg::wire {

namespace {

class copy_out_sink final : public detail::result_sink {
public:
    explicit copy_out_sink(detail::function_ref<void(std::span<const std::byte>)> on_data) noexcept
        : on_data_(on_data) {}

    const char* on_copy_in(std::int8_t, std::span<const std::int16_t>) override {
        return "copy_out needs a COPY ... TO STDOUT statement, not COPY FROM STDIN";
    }
    const char* on_copy_out(std::int8_t, std::span<const std::int16_t>) override {
        started_ = true;
        return nullptr;
    }
    std::error_code on_copy_data(std::span<const std::byte> data) override {
        try {
            on_data_(data);
            return {};
        } catch (...) {
            return failure_.keep_current(); // rethrown once the COPY has been drained
        }
    }
    void on_command_complete(std::string_view tag) override { tag_ = tag; }

    bool started() const noexcept { return started_; }
    const detail::row_failure& failure() const noexcept { return failure_; }
    const std::string& tag() const noexcept { return tag_; }

private:
    detail::function_ref<void(std::span<const std::byte>)> on_data_;
    bool started_ = false;
    detail::row_failure failure_;
    std::string tag_;
};

} // namespace

asio::awaitable<std::uint64_t>
connection::copy_out_erased(std::string_view sql,
                            detail::function_ref<void(std::span<const std::byte>)> on_data) {
    copy_out_sink sink(on_data);
    try {
        // Corked: should the statement be a COPY FROM STDIN after all, its refusal (CopyFail)
        // must reach the server before anything queued after it.
        co_await impl_->run(
            sink, [&](proto::byte_writer& w) { proto::encode_query(w, sql); },
            io::request::cork_kind::simple);
    } catch (const error&) {
        sink.failure().rethrow();
        throw;
    }
    if (!sink.started())
        throw error(make_error_code(errc::copy_mismatch),
                    "copy_out needs a COPY ... TO STDOUT statement, but the server ran \"" +
                        sink.tag() + "\"");
    co_return proto::rows_affected(sink.tag());
}

} // namespace turbopg::wire
