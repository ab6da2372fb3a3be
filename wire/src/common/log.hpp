// Internal logging helpers: format only when the installed sink wants the level.
#pragma once

#include <turbopg/wire/logger.hpp>

#include <memory>
#include <string>

namespace turbopg::wire::detail {

std::shared_ptr<log_sink> current_log_sink() noexcept;

// log(level, [&] { return "message"; }): the lambda runs only when the level is enabled.
template <class MakeMessage>
void log(log_level level, MakeMessage&& make) {
    auto sink = current_log_sink();
    if (sink && sink->enabled(level)) sink->log(level, make());
}

} // namespace turbopg::wire::detail
