// A vector whose first N elements live inside it. An AST node has one or two children and at
// most one value in nearly every query; held inline, they cost no allocation of their own.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <utility>
#include <vector>

namespace turbopg::orm::detail {

// Elements are in `inline_` while there are at most N of them, else all of them are in `heap_`.
// Contiguous either way: a std::span can view it.
template <class T, std::size_t N>
class small_vector {
public:
    small_vector() = default;
    small_vector(std::initializer_list<T> init) {
        for (const auto& v : init)
            push_back(v);
    }
    // Takes the elements of `v` (its storage too, when they do not fit inline).
    small_vector(std::vector<T>&& v) {
        if (v.size() > N) {
            heap_ = std::move(v);
        } else {
            for (auto& e : v)
                push_back(std::move(e));
        }
    }
    small_vector(const small_vector&) = default;
    small_vector& operator=(const small_vector&) = default;
    small_vector(small_vector&& o) noexcept
        : inline_(std::move(o.inline_))
        , heap_(std::move(o.heap_))
        , inline_size_(std::exchange(o.inline_size_, 0)) {}
    small_vector& operator=(small_vector&& o) noexcept {
        inline_ = std::move(o.inline_);
        heap_ = std::move(o.heap_);
        inline_size_ = std::exchange(o.inline_size_, 0);
        return *this;
    }

    void push_back(T v) {
        if (heap_.empty() && inline_size_ < N) {
            inline_[inline_size_++] = std::move(v);
            return;
        }
        if (heap_.empty()) {
            heap_.reserve(2 * N + 1);
            for (std::size_t i = 0; i < inline_size_; ++i)
                heap_.push_back(std::exchange(inline_[i], T{}));
            inline_size_ = 0;
        }
        heap_.push_back(std::move(v));
    }

    T* data() noexcept { return heap_.empty() ? inline_.data() : heap_.data(); }
    const T* data() const noexcept { return heap_.empty() ? inline_.data() : heap_.data(); }
    std::size_t size() const noexcept { return heap_.empty() ? inline_size_ : heap_.size(); }
    bool empty() const noexcept { return size() == 0; }
    T* begin() noexcept { return data(); }
    T* end() noexcept { return data() + size(); }
    const T* begin() const noexcept { return data(); }
    const T* end() const noexcept { return data() + size(); }
    T& operator[](std::size_t i) noexcept { return data()[i]; }
    const T& operator[](std::size_t i) const noexcept { return data()[i]; }
    const T& back() const noexcept { return data()[size() - 1]; }

private:
    std::array<T, N> inline_{};
    std::vector<T> heap_;
    std::size_t inline_size_ = 0;
};

} // namespace turbopg::orm::detail
