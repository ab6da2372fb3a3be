// When to poll the socket instead of sleeping until the kernel wakes the reader. A sleeping
// reader costs the server a wake-up for every answer it sends: on a VM, waking a process on
// another CPU takes an inter-processor interrupt (a VM exit), and the server pays it inside its
// send(). While requests await their answers, the reader may therefore poll for a while (config
// busy_poll, in microseconds) before it sleeps: a server on another CPU of the same machine
// answers within that time, and nobody pays for a wake-up.
//
// Polling that finds nothing helps nobody (a remote server, a long query, or a server sharing
// this CPU, which cannot run while we poll). After such a wait the reader sleeps at once for the
// next 1, 2, 4, ... up to 1024 waits; a poll that finds data after finding none starts over.
// Except when that data was sent from this thread's CPU: the server then shares the CPU and
// answered while this thread was preempted (with several connections on one thread, by the
// server it had just woken), so the wait counts as fruitless. Polling there only takes CPU time
// from the servers (pool-8 on one CPU: 36k ops/s polling, 40k not). For the same reason a
// backoff ends without a poll when the last answer came from this CPU: the wait that would have
// probed backs off again instead, so a server sharing the CPU costs no 200 us poll every 1025
// waits (point-seq on one CPU, alternating runs: 4% more queries per second, 4% less CPU each).
// Sans-io: the reader passes the clock's readings, and where the data came from, in.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace turbopg::wire::io {

class busy_poll {
public:
    using clock = std::chrono::steady_clock;
    static constexpr std::uint32_t max_backoff = 1024;

    explicit busy_poll(std::chrono::microseconds budget) noexcept
        : budget_(budget) {}

    // Whether a wait is being polled for (begin() said yes, and it has not ended).
    bool polling() const noexcept { return polling_; }

    // Whether the next begin() would end a backoff, so the reader should say whether the last
    // answer was sent from this thread's CPU (a question that costs it a system call).
    bool ends_backoff() const noexcept { return budget_.count() > 0 && skip_ == 0 && backoff_ > 0; }

    // A wait begins (nothing to read, requests await answers): whether to poll for it.
    // `last_answer_from_this_cpu`: as asked by ends_backoff() (false when not asked).
    bool begin(clock::time_point now, bool last_answer_from_this_cpu = false) noexcept {
        if (budget_.count() <= 0) return false;
        if (skip_ > 0) {
            --skip_;
            return false;
        }
        if (backoff_ > 0 && last_answer_from_this_cpu) {
            back_off();
            return false;
        }
        polling_ = true;
        found_none_ = false;
        since_ = now;
        return true;
    }

    // Whether found() would end a backoff, so the reader should say where the data came from
    // (a question that costs it a system call). Not after data found at once, which proves
    // nothing, nor while polling has not been backed off, which it would not change.
    bool needs_sender_cpu() const noexcept { return found_none_ && backoff_ > 0; }

    // A poll found data: the wait is over. `sent_from_this_cpu`: the data was sent from the CPU
    // this thread runs on, so polling did not catch it.
    void found(bool sent_from_this_cpu = false) noexcept {
        polling_ = false;
        if (!found_none_) return;
        if (sent_from_this_cpu)
            back_off();
        else
            backoff_ = 0; // polling is what caught it
    }

    // A poll found nothing: whether to poll again (else the reader sleeps, and the next waits
    // are not polled for a while).
    bool keep_polling(clock::time_point now) noexcept {
        found_none_ = true;
        if (now - since_ < budget_) return true;
        polling_ = false;
        back_off();
        return false;
    }

private:
    void back_off() noexcept {
        backoff_ = std::min(backoff_ == 0 ? 1 : 2 * backoff_, max_backoff);
        skip_ = backoff_;
    }

    std::chrono::microseconds budget_;
    clock::time_point since_{};
    std::uint32_t backoff_ = 0; // waits skipped after the last fruitless poll (0: none since
                                // polling last caught an answer)
    std::uint32_t skip_ = 0;    // waits still to sleep through without polling
    bool polling_ = false;
    bool found_none_ = false;
};

} // namespace turbopg::wire::io
