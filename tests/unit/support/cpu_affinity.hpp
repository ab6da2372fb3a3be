// Placing test threads on CPUs (Linux affinity), for tests of what depends on which CPU sends.
#pragma once

#include <sched.h>

#include <vector>

namespace turbopg::test {

// The CPUs this thread may run on.
inline std::vector<int> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set)) cpus.push_back(c);
    return cpus;
}

// Pins this thread to `cpu`; false if that failed.
inline bool pin_this_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0;
}

// Pins this thread to one CPU for its lifetime, then gives it back the CPUs it had.
class pinned_thread {
public:
    explicit pinned_thread(int cpu) {
        restore_ = sched_getaffinity(0, sizeof before_, &before_) == 0;
        pinned_ = pin_this_thread(cpu);
    }
    ~pinned_thread() {
        if (restore_) sched_setaffinity(0, sizeof before_, &before_);
    }
    pinned_thread(const pinned_thread&) = delete;
    pinned_thread& operator=(const pinned_thread&) = delete;
    bool pinned() const noexcept { return pinned_; }

private:
    cpu_set_t before_;
    bool restore_ = false;
    bool pinned_ = false;
};

} // namespace turbopg::test
