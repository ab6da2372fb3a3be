// The outcome of one authentication step: a value, or a failure with a client error code and a
// message in the style of libpq's ("invalid SCRAM response (nonce mismatch)").
//
// The sans-io auth code never throws for something the server sent; it returns a failure the
// startup state machine turns into its own error. value() on a failure throws turbopg::wire::error
// for callers that prefer exceptions.
#pragma once

#include <turbopg/wire/error.hpp>

#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace turbopg::wire::auth {

struct failure {
    std::error_code code; // an errc: auth_failed, protocol_violation, auth_method_unsupported, ...
    std::string message;  // what went wrong; never contains the password

    [[noreturn]] void raise() const { throw error(code, message); }
};

inline failure fail(errc e, std::string message) {
    return {make_error_code(e), std::move(message)};
}

template <class T>
class [[nodiscard]] outcome {
public:
    outcome(T value)
        : v_(std::in_place_index<0>, std::move(value)) {}
    outcome(failure f)
        : v_(std::in_place_index<1>, std::move(f)) {}

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & {
        check();
        return std::get<0>(v_);
    }
    const T& value() const& {
        check();
        return std::get<0>(v_);
    }
    T&& value() && {
        check();
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    // Precondition: !ok().
    const failure& error() const { return std::get<1>(v_); }

private:
    void check() const {
        if (!ok()) std::get<1>(v_).raise();
    }

    std::variant<T, failure> v_;
};

template <>
class [[nodiscard]] outcome<void> {
public:
    outcome() = default;
    outcome(failure f)
        : f_(std::move(f)) {}

    bool ok() const noexcept { return !f_; }
    explicit operator bool() const noexcept { return ok(); }
    void value() const {
        if (f_) f_->raise();
    }
    // Precondition: !ok().
    const failure& error() const { return *f_; }

private:
    std::optional<failure> f_;
};

} // namespace turbopg::wire::auth
