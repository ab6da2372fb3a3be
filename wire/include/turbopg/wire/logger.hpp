// Logging: turbopg reports what it does (connection attempts, TLS and authentication choices,
// fallbacks, cancellations, broken connections) to a sink you install. Nothing is logged until
// you do. Messages never contain passwords or query parameter values.
//
//   turbopg::wire::log_to_spdlog();                         // the spdlog logger "turbopg"
//   turbopg::wire::set_log_sink(std::make_shared<my_sink>()); // or your own
#pragma once

#include <turbopg/wire/export.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace turbopg::wire {

enum class log_level { trace, debug, info, warn, error };

class log_sink {
public:
    virtual ~log_sink() = default;
    // Whether messages of `level` are wanted; messages are only formatted when this is true.
    virtual bool enabled(log_level level) const noexcept = 0;
    virtual void log(log_level level, std::string_view message) = 0;
};

// Installs `sink` for every connection (null = no logging). Thread-safe.
TURBOPG_WIRE_API void set_log_sink(std::shared_ptr<log_sink> sink);

// Routes turbopg's messages to the spdlog logger `logger_name` (created with a stderr sink if
// it does not exist), honouring that logger's level.
TURBOPG_WIRE_API void log_to_spdlog(const std::string& logger_name = "turbopg");

} // namespace turbopg::wire
