// Decoding rows straight into model structs: each selected column into its member, through the
// member's codec; no intermediate map, no allocation per row beyond the fields' own.
#pragma once

#include <turbopg/orm/model.hpp>
#include <turbopg/wire/result.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace turbopg::orm::detail {

template <class M>
using member_decoder = void (*)(M&, const wire::column_description&, wire::detail::raw_field);

template <class M, std::size_t I>
void decode_member(M& m, const wire::column_description& c, wire::detail::raw_field f) {
    wire::detail::decode_column(c, f, std::get<I>(tie_members(m)));
}

template <class M, std::size_t... I>
constexpr auto member_decoders(std::index_sequence<I...>) {
    return std::array<member_decoder<M>, sizeof...(I)>{&decode_member<M, I>...};
}

// Calls `f(M&&)` for each row; column i goes to member fields[i] (all members in order when
// `fields` is empty). Columns past the selected fields (annotations) are not decoded.
// Every row is decoded into the same object, which `f` may move from: a row whose fields all
// come from the query overwrites each member in place, so strings and vectors reuse the capacity
// the previous row left (no allocation per row once it has grown). With only some fields
// selected, the object is reset first so the others read as their defaults.
template <class M, class F>
class model_sink final : public wire::detail::result_sink {
public:
    model_sink(std::span<const std::size_t> fields, F& f)
        : fields_(fields)
        , partial_(!fields.empty() && !covers_every_member(fields))
        , f_(f) {}
    void on_columns(const wire::detail::column_list& c) override { columns_ = c; }
    std::error_code on_data_row(std::span<const wire::detail::raw_field> row) override {
        static constexpr auto decoders =
            member_decoders<M>(std::make_index_sequence<field_count<M>()>{});
        if (failure_) return failure_.code();
        try {
            if (partial_) row_ = M{};
            const auto& cols = *columns_;
            auto needed = fields_.empty() ? decoders.size() : fields_.size();
            if (row.size() < needed)
                throw wire::error(make_error_code(wire::errc::type_mismatch),
                                  "the query returned " + std::to_string(row.size()) +
                                      " columns, but the model has " + std::to_string(needed) +
                                      " fields to read");
            if (fields_.empty()) {
                for (std::size_t i = 0; i < decoders.size(); ++i)
                    decoders[i](row_, cols[i], row[i]);
            } else {
                for (std::size_t i = 0; i < fields_.size(); ++i)
                    decoders[fields_[i]](row_, cols[i], row[i]);
            }
            f_(std::move(row_));
            return {};
        } catch (...) {
            return failure_.keep_current();
        }
    }
    void on_command_complete(std::string_view tag) override { tag_ = tag; }
    // What stopped the rows (a decode error, or the callable's exception), rethrown by the query.
    const wire::detail::row_failure& failure() const noexcept { return failure_; }
    // The object the next row is decoded into, e.g. to swap in one whose buffers have grown.
    M& object() noexcept { return row_; }
    const std::string& tag() const noexcept { return tag_; }

private:
    static bool covers_every_member(std::span<const std::size_t> fields) noexcept {
        std::array<bool, field_count<M>()> seen{};
        for (auto f : fields)
            if (f < seen.size()) seen[f] = true;
        return std::find(seen.begin(), seen.end(), false) == seen.end();
    }

    std::span<const std::size_t> fields_;
    bool partial_;
    F& f_;
    M row_{};
    wire::detail::column_list columns_;
    wire::detail::row_failure failure_;
    std::string tag_;
};

} // namespace turbopg::orm::detail
