#include "common/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

namespace turbopg::wire {
namespace {

std::mutex sink_mutex;
std::shared_ptr<log_sink> installed; // guarded by sink_mutex
std::atomic<bool> any_sink{false};   // lets the common case skip the mutex

spdlog::level::level_enum to_spdlog(log_level l) {
    switch (l) {
    case log_level::trace:
        return spdlog::level::trace;
    case log_level::debug:
        return spdlog::level::debug;
    case log_level::info:
        return spdlog::level::info;
    case log_level::warn:
        return spdlog::level::warn;
    case log_level::error:
        return spdlog::level::err;
    }
    return spdlog::level::info;
}

class spdlog_sink final : public log_sink {
public:
    explicit spdlog_sink(std::shared_ptr<spdlog::logger> l)
        : logger_(std::move(l)) {}
    bool enabled(log_level level) const noexcept override {
        return logger_->should_log(to_spdlog(level));
    }
    void log(log_level level, std::string_view message) override {
        logger_->log(to_spdlog(level), "{}", message);
    }

private:
    std::shared_ptr<spdlog::logger> logger_;
};

} // namespace

void set_log_sink(std::shared_ptr<log_sink> sink) {
    std::lock_guard lock(sink_mutex);
    any_sink = sink != nullptr;
    installed = std::move(sink);
}

void log_to_spdlog(const std::string& logger_name) {
    auto logger = spdlog::get(logger_name);
    if (!logger) logger = spdlog::stderr_color_mt(logger_name);
    set_log_sink(std::make_shared<spdlog_sink>(std::move(logger)));
}

namespace detail {
std::shared_ptr<log_sink> current_log_sink() noexcept {
    if (!any_sink.load(std::memory_order_relaxed)) return nullptr;
    std::lock_guard lock(sink_mutex);
    return installed;
}
} // namespace detail

} // namespace turbopg::wire
