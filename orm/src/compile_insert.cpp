#include <turbopg/orm/error.hpp>
#include <turbopg/orm/identifier.hpp>
#include <turbopg/orm/lookup.hpp>
#include <turbopg/orm/write_compiler.hpp>

#include <algorithm>
#include <string>

namespace turbopg::orm {

namespace {

constexpr std::size_t max_bind_parameters = 65535; // Bind's parameter count is an Int16

bool is_auto(const column_info& c) {
    return c.auto_now_add || c.auto_now;
}

class statement {
public:
    explicit statement(sql_query& q)
        : q_(q) {}
    statement& operator<<(std::string_view text) {
        q_.sql += text;
        return *this;
    }
    void name(std::string_view n) { append_quoted_identifier(q_.sql, n); }
    void column(const model_info& m, const column_info& c) {
        name(m.table);
        q_.sql += '.';
        name(c.name);
    }
    void param(const param_value& p) {
        q_.params.push_back(p);
        q_.sql += '$';
        q_.sql += std::to_string(q_.params.size());
    }
    void returning(const model_info& m) { append_returning(q_, m); }

private:
    sql_query& q_;
};

const param_value& pk_value(const model_info& m, const row_values& row) {
    const auto& pk = m.pk_column();
    if (!row[*m.pk])
        throw error("the " + m.cpp_name + " has no primary key value (" + pk.name +
                    "): it is not saved");
    return *row[*m.pk];
}

} // namespace

sql_query compile_insert(const model_info& m, std::span<const row_values> rows, insert_options o) {
    if (rows.empty()) throw error("an INSERT of " + m.cpp_name + " needs at least one row");
    // A column is listed unless the database fills it in for every row.
    std::vector<std::size_t> listed;
    for (std::size_t i = 0; i < m.columns.size(); ++i) {
        bool given = is_auto(m.columns[i]) ||
                     std::any_of(rows.begin(), rows.end(), [&](const auto& r) { return !!r[i]; });
        if (given) listed.push_back(i);
    }
    sql_query out;
    statement s(out);
    s << "INSERT INTO ";
    s.name(m.table);
    if (listed.empty()) {
        // Every column has its default: one row per statement is all PostgreSQL can say.
        if (rows.size() != 1)
            throw error("an INSERT of several " + m.cpp_name + " rows needs a column to write");
        s << " DEFAULT VALUES";
    } else {
        s << " (";
        for (std::size_t k = 0; k < listed.size(); ++k) {
            if (k) s << ", ";
            s.name(m.columns[listed[k]].name);
        }
        s << ") VALUES ";
        for (std::size_t r = 0; r < rows.size(); ++r) {
            s << (r ? ", (" : "(");
            for (std::size_t k = 0; k < listed.size(); ++k) {
                if (k) s << ", ";
                auto i = listed[k];
                if (is_auto(m.columns[i]))
                    s << "NOW()";
                else if (rows[r][i])
                    s.param(*rows[r][i]);
                else
                    s << "DEFAULT";
            }
            s << ")";
        }
    }
    if (o.ignore_conflicts) s << " ON CONFLICT DO NOTHING";
    s.returning(m);
    return out;
}

sql_query compile_update_by_pk(const model_info& m, const row_values& row,
                               std::span<const std::size_t> columns) {
    const auto& pk = pk_value(m, row);
    sql_query out;
    statement s(out);
    s << "UPDATE ";
    s.name(m.table);
    s << " SET ";
    bool first = true;
    auto set = [&](const column_info& c) -> statement& {
        if (!first) s << ", ";
        first = false;
        s.name(c.name);
        return s << " = ";
    };
    for (auto i : columns) {
        const auto& c = m.columns[i];
        if (c.auto_now) continue; // below
        if (!row[i]) throw error("no value for " + m.cpp_name + "." + c.name + " to save");
        set(c).param(*row[i]);
    }
    for (const auto& c : m.columns)
        if (c.auto_now) set(c) << "NOW()";
    if (first) throw error("nothing to update in " + m.cpp_name);
    s << " WHERE ";
    s.column(m, m.pk_column());
    s << " = ";
    s.param(pk);
    s.returning(m);
    return out;
}

sql_query compile_bulk_update(const ast::select& rows, std::span<const std::size_t> columns,
                              std::vector<param_value> arrays) {
    const auto& m = *rows.model;
    const auto& pk = m.pk_column();
    std::vector<const column_info*> from_arrays; // the unnest columns after the key
    for (auto i : columns)
        if (!m.columns[i].auto_now) from_arrays.push_back(&m.columns[i]);
    if (arrays.size() != from_arrays.size() + 1)
        throw error("bulk_update of " + m.cpp_name + ": " + std::to_string(arrays.size()) +
                    " arrays for " + std::to_string(from_arrays.size() + 1) + " columns");
    bool any_auto_now = std::any_of(m.columns.begin(), m.columns.end(),
                                    [](const column_info& c) { return c.auto_now; });
    if (from_arrays.empty() && !any_auto_now)
        throw error("bulk_update of " + m.cpp_name + " needs at least one field to set");

    sql_query out;
    statement s(out);
    constexpr std::string_view source = "u";
    s << "UPDATE ";
    s.name(m.table);
    s << " SET ";
    bool first = true;
    for (const auto* c : from_arrays) {
        s << (first ? "" : ", ");
        first = false;
        s.name(c->name);
        s << " = ";
        s.name(source);
        s << ".";
        s.name(c->name);
    }
    for (const auto& c : m.columns) {
        if (!c.auto_now) continue;
        s << (first ? "" : ", ");
        first = false;
        s.name(c.name);
        s << " = NOW()";
    }
    // Each array is cast to its column's type, so the statement reads the same whatever the
    // parameters' own types are (text[] for varchar columns). An object given twice would join
    // its row twice, and UPDATE would then take either; DISTINCT ON keeps the first, as Django
    // does (with ordinality: the position in the batch, named apart from the columns).
    std::vector<const column_info*> all{&pk};
    all.insert(all.end(), from_arrays.begin(), from_arrays.end());
    std::string position = "ordinality";
    while (std::any_of(all.begin(), all.end(),
                       [&](const column_info* c) { return c->name == position; }))
        position += '_';
    s << " FROM (SELECT DISTINCT ON (";
    s.name(pk.name);
    s << ") * FROM unnest(";
    for (std::size_t k = 0; k < all.size(); ++k) {
        if (k) s << ", ";
        s.param(arrays[k]);
        s << "::" << all[k]->sql_type << "[]";
    }
    s << ") WITH ORDINALITY AS ";
    s.name(source);
    s << "(";
    for (const auto* c : all) {
        s.name(c->name);
        s << ", ";
    }
    s.name(position);
    s << ") ORDER BY ";
    s.name(pk.name);
    s << ", ";
    s.name(position);
    s << ") AS ";
    s.name(source);
    s << " WHERE ";
    s.column(m, pk);
    s << " = ";
    s.name(source);
    s << ".";
    s.name(pk.name);
    detail::and_rows_of(out, rows);
    return out;
}

void append_returning(sql_query& q, const model_info& m) {
    q.sql += " RETURNING ";
    for (std::size_t i = 0; i < m.columns.size(); ++i) {
        if (i) q.sql += ", ";
        append_quoted_identifier(q.sql, m.table);
        q.sql += '.';
        append_quoted_identifier(q.sql, m.columns[i].name);
    }
}

std::string compile_copy_in(const model_info& m, std::span<const std::size_t> columns) {
    std::string out = "COPY ";
    append_quoted_identifier(out, m.table);
    out += " (";
    for (std::size_t k = 0; k < columns.size(); ++k) {
        if (k) out += ", ";
        append_quoted_identifier(out, m.columns[columns[k]].name);
    }
    out += ") FROM STDIN (FORMAT binary)";
    return out;
}

ast::select select_by_pk(const model_info& m, param_value pk) {
    ast::select q;
    q.model = &m;
    q.order_set = true; // one row: no ORDER BY
    q.where.push_back(make_lookup("exact", resolve_field(m, m.pk_column().name),
                                  ast::make_param_node(std::move(pk))));
    return q;
}

std::size_t max_rows_per_insert(std::size_t params_per_row) noexcept {
    return params_per_row == 0 ? 1 : max_bind_parameters / params_per_row;
}

} // namespace turbopg::orm
