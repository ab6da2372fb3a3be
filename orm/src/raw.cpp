#include <turbopg/orm/raw.hpp>

namespace turbopg::orm::detail {

std::vector<std::size_t> raw_fields(const model_info& model,
                                    std::span<const wire::column_description> columns,
                                    std::string& problem) {
    std::vector<std::size_t> fields;
    std::vector<bool> given(model.columns.size(), false);
    std::string unknown;
    for (const auto& c : columns) {
        const auto* column = model.find(c.name);
        if (!column) {
            unknown += (unknown.empty() ? "\"" : ", \"") + c.name + "\"";
            continue;
        }
        auto i = static_cast<std::size_t>(column - model.columns.data());
        given[i] = true;
        fields.push_back(i);
    }
    std::string missing;
    for (std::size_t i = 0; i < given.size(); ++i)
        if (!given[i]) missing += (missing.empty() ? "" : ", ") + model.columns[i].name;
    if (!unknown.empty())
        problem = "raw query column " + unknown + " is not a field of " + model.cpp_name +
                  "; fields are: " + model.field_names_list();
    else if (!missing.empty())
        problem = "raw query gives no column for " + model.cpp_name + "'s " + missing +
                  " (every field needs a column of its name)";
    if (!problem.empty()) fields.clear();
    return fields;
}

} // namespace turbopg::orm::detail
