// Raw SQL whose rows are models (Django's Manager.raw): columns map onto fields by NAME, so
// their order does not matter; a column the model lacks, or a field no column gives, is a
// field_error naming them.
//
//   auto books = co_await orm::raw<Book>("SELECT * FROM book WHERE pages > $1", 100).fetch();
//
// The SQL is sent as written, with $n placeholders bound to `params` (binary, as every query).
#pragma once

#include <turbopg/orm/compiler.hpp>
#include <turbopg/orm/database.hpp>
#include <turbopg/orm/error.hpp>
#include <turbopg/orm/model_sink.hpp>

#include <asio/awaitable.hpp>

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace turbopg::orm {

namespace detail {

// The model field of each result column; an empty vector and `problem` set when a column is not
// a field or a field has no column.
TURBOPG_ORM_API std::vector<std::size_t>
raw_fields(const model_info& model, std::span<const wire::column_description> columns,
           std::string& problem);

// A model_sink whose column-to-field map comes from the result's column names.
template <class M, class F>
class raw_model_sink final : public wire::detail::result_sink {
public:
    explicit raw_model_sink(F& f)
        : f_(f) {}
    void on_columns(const wire::detail::column_list& c) override {
        fields_ = raw_fields(model_of<M>(), *c, problem_);
        if (problem_.empty()) {
            rows_.emplace(fields_, f_);
            rows_->on_columns(c);
        }
    }
    std::error_code on_data_row(std::span<const wire::detail::raw_field> row) override {
        if (!rows_) return wire::errc::type_mismatch;
        return rows_->on_data_row(row);
    }
    void on_command_complete(std::string_view tag) override { tag_ = tag; }

    // After the query: the mapping problem as field_error, or what stopped the rows.
    void check() const {
        if (!problem_.empty()) throw field_error(problem_);
        if (rows_) rows_->failure().rethrow();
    }
    const std::string& tag() const noexcept { return tag_; }

private:
    F& f_;
    std::vector<std::size_t> fields_;
    std::string problem_;
    std::optional<model_sink<M, F>> rows_;
    std::string tag_;
};

} // namespace detail

template <class M>
class raw_queryset {
public:
    explicit raw_queryset(sql_query q)
        : q_(std::move(q)) {}

    raw_queryset using_(database db) const {
        raw_queryset r = *this;
        r.db_ = db;
        return r;
    }
    raw_queryset using_(std::string_view name) const { return using_(database::named(name)); }

    asio::awaitable<std::vector<M>> fetch() const {
        std::vector<M> out;
        co_await for_each([&](M&& m) { out.push_back(std::move(m)); });
        co_return out;
    }
    // Calls `f(M&&)` per row; completes with the row count.
    template <class F>
    asio::awaitable<std::uint64_t> for_each(F&& f) const {
        detail::raw_model_sink<M, std::remove_reference_t<F>> sink(f);
        auto db = db_ ? *db_ : database::named("default");
        try {
            co_await run_on(db, q_, sink);
        } catch (const wire::error&) {
            sink.check();
            throw;
        }
        sink.check();
        co_return wire::detail::rows_in_tag(sink.tag());
    }

    const sql_query& sql() const noexcept { return q_; }

private:
    sql_query q_;
    std::optional<database> db_;
};

// Raw SQL with $1.. bound to `params`, its rows read into M by column name.
template <class M, class... P>
raw_queryset<M> raw(std::string sql, const P&... params) {
    return raw_queryset<M>(sql_query{std::move(sql), {make_param(params)...}});
}

} // namespace turbopg::orm
