#include <turbopg/orm/ast.hpp>
#include <turbopg/orm/error.hpp>
#include <turbopg/orm/model.hpp>

namespace turbopg::orm {

const column_info* model_info::find(std::string_view name) const noexcept {
    for (const auto& c : columns)
        if (c.name == name) return &c;
    return nullptr;
}

std::size_t model_info::index_of(std::string_view name) const {
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (columns[i].name == name) return i;
    if (name == "pk" && this->pk) return *this->pk;
    throw field_error("cannot resolve field \"" + std::string(name) + "\" of " + cpp_name +
                      "; choices are: " + field_names_list());
}

const column_info& model_info::pk_column() const {
    if (!pk) throw error(cpp_name + " has no primary key (orm::primary_key<T>)");
    return columns[*pk];
}

std::string model_info::field_names_list() const {
    std::string out;
    for (const auto& c : columns) {
        if (!out.empty()) out += ", ";
        out += c.name;
    }
    return out;
}

namespace detail {

std::string sql_type_name(wire::oid_t type, std::size_t max_length) {
    if (max_length > 0) return "varchar(" + std::to_string(max_length) + ")";
    // Strings are sent untyped (OID 0, the server infers the type): their columns are text.
    if (type == 0) return "text";
    return wire::describe_type(type);
}

namespace {
std::vector<std::string> resolve_fields(const model_info& info, const field_list& fields) {
    std::vector<std::string> out;
    for (auto f : fields)
        if (!f.empty()) out.emplace_back(info.columns[info.index_of(f)].name);
    return out;
}

std::string default_name(const model_info& info, const std::vector<std::string>& fields,
                         std::string_view suffix) {
    std::string name = info.table;
    for (const auto& f : fields)
        name += "_" + f;
    return name + "_" + std::string(suffix);
}
} // namespace

void apply_meta(model_info& info, const model_meta& meta) {
    info.table = meta.table;
    if (info.table.empty()) info.table = snake_case(info.cpp_name);
    for (auto o : meta.ordering) {
        if (o.empty()) continue;
        bool desc = o.front() == '-';
        if (desc) o.remove_prefix(1);
        info.ordering.push_back({info.columns[info.index_of(o)].name, desc});
    }
    for (const auto& idx : meta.indexes) {
        auto fields = resolve_fields(info, idx.fields);
        if (fields.empty()) continue;
        info.index_names.push_back(idx.name.empty() ? default_name(info, fields, "idx")
                                                    : std::string(idx.name));
        info.indexes.push_back(std::move(fields));
    }
    for (const auto& u : meta.unique) {
        auto fields = resolve_fields(info, u.fields);
        if (fields.empty()) continue;
        info.unique_names.push_back(u.name.empty() ? default_name(info, fields, "key")
                                                   : std::string(u.name));
        info.unique.push_back(std::move(fields));
    }
    for (const auto& c : meta.checks)
        if (!c.sql.empty()) info.checks.emplace_back(std::string(c.name), std::string(c.sql));
    if (!meta.get_latest_by.empty())
        info.get_latest_by = info.columns[info.index_of(meta.get_latest_by)].name;
}

void finish_model_info(model_info& info) {
    if (info.table.empty()) info.table = snake_case(info.cpp_name);
    info.quoted_table = quote_identifier(info.table);
    info.column_nodes.clear();
    for (const auto& c : info.columns) {
        auto n = std::make_shared<ast::node>();
        n->k = ast::kind::column;
        n->text = c.name;
        n->table = info.table;
        info.column_nodes.push_back(std::move(n));
    }
}

} // namespace detail
} // namespace turbopg::orm
