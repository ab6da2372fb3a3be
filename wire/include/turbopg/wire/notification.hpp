// A NOTIFY delivered to a session that ran LISTEN (protocol docs, "Asynchronous Operations":
// NotificationResponse).
#pragma once

#include <cstdint>
#include <string>

namespace turbopg::wire {

struct notification {
    std::string channel;
    std::string payload;
    std::int32_t sender_pid = 0; // backend pid of the session that ran NOTIFY
};

} // namespace turbopg::wire
