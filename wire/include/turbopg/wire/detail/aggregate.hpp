// Aggregates as tuples: how many members a plain struct has, and a tuple of references to
// them, so rows decode straight into user structs (C++20, no macros: the member count comes from
// probing aggregate initialisation, the references from structured bindings). Used by the wire
// layer for rows and by the ORM for models. Supports up to 32 members.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace turbopg::wire::detail {

// Converts to anything: a stand-in for one initializer in the probes below.
struct any_initializer {
    template <class T>
    operator T() const; // declared only; used in unevaluated contexts
};

template <class T, std::size_t... I>
constexpr bool brace_constructible(std::index_sequence<I...>) {
    return requires {
        T{(void(I), any_initializer{})...};
    };
}

// The number of members of an aggregate: the largest N such that T{x1..xN} is valid. (A member
// that is itself an aggregate would also accept brace elision; turbopg's models and row structs
// hold scalars, strings, optionals and vectors, which do not.)
template <class T, std::size_t N = 0>
constexpr std::size_t field_count() {
    static_assert(std::is_aggregate_v<T>, "rows and models must be aggregate structs");
    if constexpr (N > 32) {
        static_assert(N <= 32, "aggregates of more than 32 members are not supported");
        return 0;
    } else if constexpr (brace_constructible<T>(std::make_index_sequence<N + 1>{})) {
        return field_count<T, N + 1>();
    } else {
        return N;
    }
}

template <class T>
concept tuple_like = requires {
    std::tuple_size<std::remove_cvref_t<T>>::value;
};

// A tuple of references to the members of `value`, in declaration order.
template <class T>
constexpr auto tie_members(T& value) {
    constexpr std::size_t n = field_count<std::remove_const_t<T>>();

    if constexpr (n == 0) {
        return std::tie();
    } else if constexpr (n == 1) {
        auto& [m0] = value;
        return std::tie(m0);
    } else if constexpr (n == 2) {
        auto& [m0, m1] = value;
        return std::tie(m0, m1);
    } else if constexpr (n == 3) {
        auto& [m0, m1, m2] = value;
        return std::tie(m0, m1, m2);
    } else if constexpr (n == 4) {
        auto& [m0, m1, m2, m3] = value;
        return std::tie(m0, m1, m2, m3);
    } else if constexpr (n == 5) {
        auto& [m0, m1, m2, m3, m4] = value;
        return std::tie(m0, m1, m2, m3, m4);
    } else if constexpr (n == 6) {
        auto& [m0, m1, m2, m3, m4, m5] = value;
        return std::tie(m0, m1, m2, m3, m4, m5);
    } else if constexpr (n == 7) {
        auto& [m0, m1, m2, m3, m4, m5, m6] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6);
    } else if constexpr (n == 8) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7);
    } else if constexpr (n == 9) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8);
    } else if constexpr (n == 10) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9);
    } else if constexpr (n == 11) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10);
    } else if constexpr (n == 12) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11);
    } else if constexpr (n == 13) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12);
    } else if constexpr (n == 14) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13);
    } else if constexpr (n == 15) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14);
    } else if constexpr (n == 16) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15);
    } else if constexpr (n == 17) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16);
    } else if constexpr (n == 18) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17] =
            value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17);
    } else if constexpr (n == 19) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17,
               m18] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18);
    } else if constexpr (n == 20) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19);
    } else if constexpr (n == 21) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19, m20] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19, m20);
    } else if constexpr (n == 22) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19, m20, m21] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19, m20, m21);
    } else if constexpr (n == 23) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19, m20, m21, m22] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19, m20, m21, m22);
    } else if constexpr (n == 24) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19, m20, m21, m22, m23] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19, m20, m21, m22, m23);
    } else if constexpr (n == 25) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19, m20, m21, m22, m23, m24] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19, m20, m21, m22, m23, m24);
    } else if constexpr (n == 26) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19, m20, m21, m22, m23, m24, m25] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19, m20, m21, m22, m23, m24, m25);
    } else if constexpr (n == 27) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19, m20, m21, m22, m23, m24, m25, m26] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19, m20, m21, m22, m23, m24, m25, m26);
    } else if constexpr (n == 28) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19, m20, m21, m22, m23, m24, m25, m26, m27] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19, m20, m21, m22, m23, m24, m25, m26, m27);
    } else if constexpr (n == 29) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19, m20, m21, m22, m23, m24, m25, m26, m27, m28] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19, m20, m21, m22, m23, m24, m25, m26, m27, m28);
    } else if constexpr (n == 30) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19, m20, m21, m22, m23, m24, m25, m26, m27, m28, m29] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19, m20, m21, m22, m23, m24, m25, m26, m27, m28, m29);
    } else if constexpr (n == 31) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19, m20, m21, m22, m23, m24, m25, m26, m27, m28, m29, m30] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19, m20, m21, m22, m23, m24, m25, m26, m27, m28, m29, m30);
    } else if constexpr (n == 32) {
        auto& [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18,
               m19, m20, m21, m22, m23, m24, m25, m26, m27, m28, m29, m30, m31] = value;
        return std::tie(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                        m17, m18, m19, m20, m21, m22, m23, m24, m25, m26, m27, m28, m29, m30, m31);
    }
}

} // namespace turbopg::wire::detail
