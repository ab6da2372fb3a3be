// A collected query result: every row of one statement, with its columns and command tag.
//
// Rows are stored in one contiguous buffer (one allocation grows for all rows), which the
// results of one request share: all statements of a batch or of a simple query keep their rows
// and column descriptions in one block, reference-counted, so each result stays valid on its own
// (after the vector that held it is moved or destroyed, or the other results are); copying a
// result shares it too. `row` and `field` are cheap views into it, valid while the result (or a
// copy) lives. Values decode through codec<T> (codec.hpp); a type that cannot hold a column's value
// throws `error` naming the column, the PostgreSQL type and the C++ type.
#pragma once

#include <turbopg/wire/codec.hpp>
#include <turbopg/wire/column.hpp>
#include <turbopg/wire/detail/aggregate.hpp>
#include <turbopg/wire/detail/result_sink.hpp>
#include <turbopg/wire/error.hpp>
#include <turbopg/wire/export.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
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

namespace detail {
// What the results of one request share: each value's bytes in `data`, where they lie in
// `fields` (row-major; a result is a range of `fields`), and the results' column descriptions.
// A list that consecutive results share is held once: the results of a batch repeating a
// statement cost one reference count each, not one for their rows and one for their columns.
struct result_rows {
    struct slot {
        std::size_t offset; // in data (offsets, so growing the buffer is safe)
        std::int32_t size;  // -1 = NULL
    };
    std::vector<std::byte> data;
    std::vector<slot> fields;
    column_list columns;                    // the first list (a single query has only one)
    std::vector<column_list> other_columns; // the others
};
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
    // Throws std::out_of_range for a column past the last.
    field operator[](std::size_t column) const;
    // By column name; throws std::out_of_range naming it.
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
    [[noreturn]] void throw_no_column(std::size_t column) const;

    const result* result_;
    std::size_t index_;
};

class TURBOPG_WIRE_API result {
public:
    result() = default;

    std::size_t size() const noexcept { return rows_; }
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
    // Rows affected or returned, as libpq's PQcmdTuples reads the tag (read from it on each call).
    std::uint64_t rows_affected() const noexcept;

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

    const std::vector<column_description>* columns_ = nullptr; // owned by rows_data_
    std::shared_ptr<const detail::result_rows> rows_data_;     // null when no columns
    std::size_t first_ = 0;                                    // its first field in rows_data_
    std::size_t ncols_ = 0;
    std::size_t rows_ = 0;
    std::string tag_;
};

// Collects one statement's rows into a result (a result_sink for the connection).
class TURBOPG_WIRE_API result_builder final : public detail::result_sink {
public:
    void on_columns(const detail::column_list& columns) override;
    std::error_code on_data_row(std::span<const detail::raw_field> fields) override;
    void on_command_complete(std::string_view tag) override;
    void on_empty_query() override;

    // For a simple query or a batch: the results completed so far, one per statement (they
    // share one row buffer).
    std::vector<result>& results() noexcept { return done_; }
    // The single result of an extended query.
    result take();
    // The rows expected in all, to size the row buffer when the first row arrives (a batch
    // expects about one per statement; a single statement starts small).
    void expect_rows(std::size_t rows) noexcept { expected_rows_ = rows; }

private:
    // The result being read: its columns and its rows so far, both in rows_data_.
    struct pending {
        const std::vector<column_description>* columns = nullptr;
        std::size_t first = 0, ncols = 0, rows = 0;
    };
    // Moves the pending result into `out`, leaving none pending.
    void finish_into(result& out, std::string_view tag);

    pending current_;
    std::vector<result> done_;
    std::shared_ptr<detail::result_rows> rows_data_; // of every result of this builder
    std::size_t expected_rows_ = 0;
};

inline std::size_t row::size() const noexcept {
    return result_->ncols_;
}
inline std::span<const column_description> row::columns() const noexcept {
    return result_->columns();
}
// Inline, with the check's throw out of line: reading a value is the hot path of a result.
inline field row::operator[](std::size_t column) const {
    if (column >= size()) throw_no_column(column);
    return field((*result_->columns_)[column], raw(column));
}
inline std::span<const column_description> result::columns() const noexcept {
    return columns_ ? std::span<const column_description>(*columns_)
                    : std::span<const column_description>();
}
inline detail::raw_field row::raw(std::size_t column) const noexcept {
    auto& rows = *result_->rows_data_;
    auto& s = rows.fields[result_->first_ + index_ * result_->ncols_ + column];
    return {s.size < 0 ? nullptr : rows.data.data() + s.offset, s.size};
}

} // namespace turbopg::wire
