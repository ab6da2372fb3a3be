// Compile-time reflection of plain aggregate structs: member count, member names, the struct's
// own name, and which member a pointer-to-member designates. C++20, no macros, no generator.
//
// Names come from __PRETTY_FUNCTION__ of a function template instantiated with a pointer to one
// member of a fake object: a static member of a wrapper template, held in a union whose T member
// is never constructed. Only addresses of its members are ever taken, never a value read, so T
// needs no default constructor. It is defined (not just declared) because clang 14 refuses an
// undefined variable whose type has no linkage, e.g. a model in an anonymous namespace.
#pragma once

#include <turbopg/wire/detail/aggregate.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace turbopg::orm {

using wire::detail::field_count;
using wire::detail::tie_members;

namespace detail {

// Storage for a T that is never constructed: only the addresses of its members are taken.
template <class T>
union fake_storage {
    char nothing;
    T value;
    constexpr fake_storage() noexcept
        : nothing() {}
    ~fake_storage() {}
};

template <class T>
struct fake_object {
    static const fake_storage<T> storage; // defined below, never read
    static constexpr const T& value = storage.value;
};
template <class T>
const fake_storage<T> fake_object<T>::storage{};

// Pointers to subobjects are not valid template arguments by themselves (clang rejects them); a
// class wrapping one is.
template <class P>
struct pointer_wrapper {
    P pointer;
};
template <class P>
pointer_wrapper(P) -> pointer_wrapper<P>; // clang 14 has no aggregate deduction

template <auto Wrapped>
constexpr std::string_view pretty_name() noexcept {
    return __PRETTY_FUNCTION__;
}

template <class T>
constexpr std::string_view pretty_type() noexcept {
    return __PRETTY_FUNCTION__;
}

// The member's name in a pretty function name: g++ prints "...{(& fake_object<Book>::value.
// Book::title)}...", clang "...{&value.title}...": the last identifier of the qualified name
// after "value." (which may pass through "{anonymous}::" or "(anonymous namespace)::").
constexpr std::string_view member_name_from(std::string_view pretty) noexcept {
    constexpr std::string_view marker = "value.";
    auto at = pretty.find(marker) + marker.size();
    auto is_name_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == ':';
    };
    std::string_view name;
    while (at < pretty.size()) {
        auto rest = pretty.substr(at);
        if (rest.starts_with("{anonymous}")) {
            at += 11;
        } else if (rest.starts_with("(anonymous namespace)")) {
            at += 21;
        } else if (is_name_char(rest.front())) {
            auto end = at;
            while (end < pretty.size() && is_name_char(pretty[end]))
                ++end;
            name = pretty.substr(at, end - at);
            at = end;
            if (at >= pretty.size() || pretty[at] != '{') break;
        } else {
            break;
        }
    }
    if (auto colon = name.rfind(':'); colon != std::string_view::npos)
        name.remove_prefix(colon + 1);
    return name;
}

// "[with T = shop::Book; ...]" (g++) or "[T = shop::Book]" (clang) -> "shop::Book".
constexpr std::string_view type_name_from(std::string_view pretty) noexcept {
    auto begin = pretty.find("T = ") + 4;
    auto end = pretty.find_first_of(";]", begin);
    return pretty.substr(begin, end - begin);
}

template <class T, std::size_t I>
constexpr std::string_view member_name() noexcept {
    return member_name_from(
        pretty_name<pointer_wrapper{&std::get<I>(tie_members(fake_object<T>::value))}>());
}

template <class T, std::size_t... I>
constexpr auto member_names(std::index_sequence<I...>) noexcept {
    return std::array<std::string_view, sizeof...(I)>{member_name<T, I>()...};
}

} // namespace detail

// The names of T's members, in declaration order.
template <class T>
inline constexpr auto
    field_names = detail::member_names<T>(std::make_index_sequence<field_count<T>()>{});

// T's qualified name as the compiler spells it ("shop::Book").
template <class T>
inline constexpr std::string_view type_name = detail::type_name_from(detail::pretty_type<T>());

// The type of T's member number I.
template <class T, std::size_t I>
using field_type = std::remove_cvref_t<decltype(std::get<I>(tie_members(std::declval<T&>())))>;

// The index of the member `member` designates, among T's members: compares member addresses in
// the fake object (nothing is constructed or read).
template <class T, class F>
std::size_t field_index(F T::*member) noexcept {
    const T& sample = detail::fake_object<T>::value;
    const void* target = &(sample.*member);
    auto members = tie_members(sample);
    std::size_t found = field_count<T>();
    std::size_t i = 0;
    std::apply([&](const auto&... m) { ((found = (&m == target) ? i : found, ++i), ...); },
               members);
    return found;
}

} // namespace turbopg::orm
