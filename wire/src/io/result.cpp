#include <turbopg/wire/result.hpp>

#include "proto/backend.hpp"

#include <algorithm>
#include <stdexcept>

namespace turbopg::wire {

namespace detail {
std::error_code row_failure::keep_current() noexcept {
    exception_ = std::current_exception();
    try {
        throw;
    } catch (const error& e) {
        code_ = e.code();
    } catch (...) {
        code_ = make_error_code(errc::cancelled);
    }
    return code_;
}

void check_row_arity(std::size_t columns, std::size_t members) {
    if (columns != members)
        throw error(make_error_code(errc::type_mismatch),
                    "the query returned " + std::to_string(columns) +
                        " columns, but the row type has " + std::to_string(members) + " members");
}
} // namespace detail

void row::throw_no_column(std::size_t column) const {
    throw std::out_of_range("column index " + std::to_string(column) + " out of range (" +
                            std::to_string(size()) + " columns)");
}

field row::operator[](std::string_view name) const {
    return (*this)[result_->column_index(name)];
}

row result::at(std::size_t i) const {
    if (i >= size())
        throw std::out_of_range("row " + std::to_string(i) + " out of range (" +
                                std::to_string(size()) + " rows)");
    return row(*this, i);
}

std::size_t result::column_index(std::string_view name) const {
    auto cols = columns();
    for (std::size_t i = 0; i < cols.size(); ++i)
        if (cols[i].name == name) return i;
    throw std::out_of_range("no column named \"" + std::string(name) + "\" in the result");
}

std::uint64_t result::rows_affected() const noexcept {
    return proto::rows_affected(tag_);
}

void result_builder::on_columns(const detail::column_list& columns) {
    current_.columns = columns.get();
    current_.ncols = columns ? columns->size() : 0;
    if (!columns) return;
    if (!rows_data_) rows_data_ = std::make_shared<detail::result_rows>();
    auto& block = *rows_data_;
    if (!block.columns)
        block.columns = columns;
    else if (block.columns != columns &&
             (block.other_columns.empty() || block.other_columns.back() != columns))
        block.other_columns.push_back(columns);
}

std::error_code result_builder::on_data_row(std::span<const detail::raw_field> fields) {
    // No columns (and so no block yet) means no RowDescription: a protocol violation.
    if (fields.size() != current_.ncols || !current_.columns)
        return make_error_code(errc::protocol_violation);
    auto& rows = *rows_data_;
    if (rows.fields.capacity() == 0) {
        // Room for the expected rows of small values, so that a typical result (or batch)
        // allocates its buffer once; larger ones grow geometrically from there.
        auto slots = std::max<std::size_t>(16, expected_rows_ * fields.size());
        rows.fields.reserve(slots);
        rows.data.reserve(slots * 8);
    }
    if (current_.rows == 0) current_.first = rows.fields.size();
    for (auto& f : fields) {
        rows.fields.push_back({rows.data.size(), f.size});
        if (f.size > 0) rows.data.insert(rows.data.end(), f.data, f.data + f.size);
    }
    ++current_.rows;
    return {};
}

void result_builder::on_command_complete(std::string_view tag) {
    // Built in place: a batch completes one result per statement.
    finish_into(done_.emplace_back(), tag);
}

void result_builder::on_empty_query() {
    finish_into(done_.emplace_back(), {});
}

void result_builder::finish_into(result& out, std::string_view tag) {
    out.columns_ = current_.columns;
    if (current_.columns) out.rows_data_ = rows_data_;
    out.first_ = current_.first;
    out.ncols_ = current_.ncols;
    out.rows_ = current_.rows;
    out.tag_ = tag;
    current_ = pending();
}

result result_builder::take() {
    // Rows collected after this would go to a new block: the one taken is the result's alone. A
    // result announced since the last one completed goes with the old block (its columns live
    // there), so rows after this need a new RowDescription.
    result out;
    if (done_.empty())
        finish_into(out, {});
    else
        out = std::move(done_.back());
    rows_data_.reset();
    current_ = pending();
    return out;
}

} // namespace turbopg::wire
