#include <turbopg/orm/explain.hpp>

#include <string>

namespace turbopg::orm {

namespace {
std::string_view format_keyword(explain_format f) {
    switch (f) {
    case explain_format::json:
        return "JSON";
    case explain_format::yaml:
        return "YAML";
    case explain_format::xml:
        return "XML";
    case explain_format::text:
        break;
    }
    return "TEXT";
}
} // namespace

sql_query compile_explain(const ast::select& q, const explain_options& o) {
    auto select = compile_select(q);
    std::string options;
    auto add = [&](bool on, std::string_view keyword) {
        if (!on) return;
        options += options.empty() ? "" : ", ";
        options += keyword;
    };
    add(o.analyze, "ANALYZE");
    add(o.verbose, "VERBOSE");
    add(o.buffers, "BUFFERS");
    add(o.format != explain_format::text, "FORMAT ");
    if (o.format != explain_format::text) options += format_keyword(o.format);
    sql_query out;
    out.sql = options.empty() ? "EXPLAIN " : "EXPLAIN (" + options + ") ";
    out.sql += select.sql;
    out.params = std::move(select.params);
    return out;
}

} // namespace turbopg::orm
