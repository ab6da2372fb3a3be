// A collected query result: every row of one statement, with its columns and command tag.
//
// Rows are stored in one contiguous buffer (one allocation grows for all rows); `row` and
// `field` are cheap views into it, valid while the result lives. Values decode through
// codec<T> (codec.hpp); a type that cannot hold a column's value throws `error` naming the
// column, the PostgreSQL type and the C++ type.
#pragma once

#include <turbopg/wire/codec.hpp>
#include <turbopg/wire/column.hpp>
#include <turbopg/wire/detail/aggregate.hpp>
#include <turbopg/wire/detail/result_sink.hpp>
#include <turbopg/wire/error.hpp>
#include <turbopg/wire/export.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace turbopg::wire {

class result;

namespace detail {
// Decodes `raw` (a value of `column`) into `out`, or throws `error` naming the column, its type
// and the C++ type.
template <class T>
void decode_column(const column_description& column, raw_field raw, T& out) {
    std::optional<std::span<const std::byte>> value;
    if (!raw.is_null()) value = raw.bytes();
    if (auto ec = decode_field(value, column.type_oid, static_cast<format>(column.format), out))
        throw error(ec, describe_field_error<T>(ec, column.name, column.type_oid));
}

// Decodes a row's fields into a tuple-like or aggregate `out`; the column count must match.
TURBOPG_WIRE_API void check_row_arity(std::size_t columns, std::size_t members);

// `field_at(i)` returns the raw_field of column i.
template <class Row, class FieldAt>
void decode_row(std::span<const column_description> columns, FieldAt&& field_at, Row& out) {
    auto decode_all = [&](auto&... members) {
        check_row_arity(columns.size(), sizeof...(members));
        std::size_t i = 0;
        ((decode_column(columns[i], field_at(i), members), ++i), ...);
    };
    if constexpr (tuple_like<Row>)
        std::apply(decode_all, out);
    else
        std::apply(decode_all, tie_members(out));
}
} // namespace detail

// One value of a row.
class field {
public:
    field(const column_description& column, detail::raw_field raw) noexcept
        : column_(&column)
        , raw_(raw) {}

    bool is_null() const noexcept { return raw_.is_null(); }
    // The raw bytes in the column's format (binary or text); empty for NULL.
    std::span<const std::byte> bytes() const noexcept { return raw_.bytes(); }
    const column_description& column() const noexcept { return *column_; }

    template <class T>
    T as() const {
        T value{};
        detail::decode_column(*column_, raw_, value);
        return value;
    }

private:
    const column_description* column_;
    detail::raw_field raw_;
};

// One row of a result.
class TURBOPG_WIRE_API row {
public:
    row(const result& r, std::size_t index) noexcept
        : result_(&r)
        , index_(index) {}

    std::size_t size() const noexcept;
    field operator[](std::size_t column) const;
    // By column name; throws `error(errc::bad_config...)`-free std::out_of_range naming it.
    field operator[](std::string_view name) const;

    template <class T>
    T get(std::size_t column) const {
        return (*this)[column].template as<T>();
    }
    template <class T>
    T get(std::string_view name) const {
        return (*this)[name].template as<T>();
    }
    // The whole row as a std::tuple or a plain aggregate struct (members in column order).
    template <class Row>
    Row as() const {
        Row out{};
        detail::decode_row(
            columns(), [this](std::size_t i) { return raw(i); }, out);
        return out;
    }

    std::span<const column_description> columns() const noexcept;

private:
    detail::raw_field raw(std::size_t column) const noexcept;

    const result* result_;
    std::size_t index_;
};

class TURBOPG_WIRE_API result {
public:
    result() = default;

    std::size_t size() const noexcept { return ncols_ == 0 ? rows_ : fields_.size() / ncols_; }
    bool empty() const noexcept { return size() == 0; }
    row operator[](std::size_t i) const noexcept { return row(*this, i); }
    // Throws std::out_of_range.
    row at(std::size_t i) const;

    class iterator {
    public:
        using value_type = row;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        iterator(const result* r, std::size_t i) noexcept
            : r_(r)
            , i_(i) {}
        row operator*() const noexcept { return row(*r_, i_); }
        iterator& operator++() noexcept {
            ++i_;
            return *this;
        }
        iterator operator++(int) noexcept {
            auto old = *this;
            ++i_;
            return old;
        }
        bool operator==(const iterator&) const = default;

    private:
        const result* r_ = nullptr;
        std::size_t i_ = 0;
    };
    iterator begin() const noexcept { return {this, 0}; }
    iterator end() const noexcept { return {this, size()}; }

    std::span<const column_description> columns() const noexcept;
    // The index of the column called `name`; throws std::out_of_range naming it.
    std::size_t column_index(std::string_view name) const;
    // The command tag, e.g. "SELECT 3", "INSERT 0 1"; empty for an empty query.
    const std::string& command_tag() const noexcept { return tag_; }
    // Rows affected or returned, as libpq's PQcmdTuples reads the tag.
    std::uint64_t rows_affected() const noexcept { return rows_affected_; }

    // Typed rows: each row as a tuple or aggregate.
    template <class Row>
    std::vector<Row> as() const {
        std::vector<Row> out;
        out.reserve(size());
        for (auto r : *this)
            out.push_back(r.template as<Row>());
        return out;
    }

private:
    friend class row;
    friend class result_builder;

    // Where a value lies in data_ (offsets, so copying or growing the buffer is safe).
    struct slot {
        std::size_t offset;
        std::int32_t size; // -1 = NULL
    };

    detail::column_list columns_;
    std::vector<std::byte> data_;
    std::vector<slot> fields_; // row-major, ncols_ per row
    std::size_t ncols_ = 0;
    std::size_t rows_ = 0; // rows of a result with no columns (never > 0 in practice)
    std::string tag_;
    std::uint64_t rows_affected_ = 0;
};

// Collects one statement's rows into a result (a result_sink for the connection).
class TURBOPG_WIRE_API result_builder final : public detail::result_sink {
public:
    void on_columns(detail::column_list columns) override;
    std::error_code on_data_row(std::span<const detail::raw_field> fields) override;
    void on_command_complete(std::string_view tag) override;
    void on_empty_query() override;

    // For a simple query: the results completed so far, one per statement.
    std::vector<result>& results() noexcept { return done_; }
    // The single result of an extended query.
    result take();

private:
    void finish();
    result current_;
    std::vector<result> done_;
};

inline std::size_t row::size() const noexcept {
    return result_->ncols_;
}
inline std::span<const column_description> row::columns() const noexcept {
    return result_->columns();
}
inline detail::raw_field row::raw(std::size_t column) const noexcept {
    auto& s = result_->fields_[index_ * result_->ncols_ + column];
    return {s.size < 0 ? nullptr : result_->data_.data() + s.offset, s.size};
}

} // namespace turbopg::wire
