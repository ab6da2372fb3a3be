// A non-owning reference to a callable: lets templates hand work to compiled code without
// allocating (std::function may allocate; this never does). The callable must outlive the call.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace turbopg::wire::detail {

template <class Signature>
class function_ref;

template <class R, class... Args>
class function_ref<R(Args...)> {
public:
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, function_ref> &&
             std::is_invocable_r_v<R, F&, Args...>) function_ref(F&& f)
    noexcept // NOLINT: implicit by design
        : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(f))))
        , call_([](void* obj, Args... args) -> R {
            return (*static_cast<std::remove_reference_t<F>*>(obj))(std::forward<Args>(args)...);
        }) {}

    R operator()(Args... args) const { return call_(obj_, std::forward<Args>(args)...); }

private:
    void* obj_;
    R (*call_)(void*, Args...);
};

} // namespace turbopg::wire::detail
