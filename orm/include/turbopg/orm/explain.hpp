// EXPLAIN of a queryset's SELECT: queryset::explain({.analyze = true, .format = json}).
#pragma once

#include <turbopg/orm/compiler.hpp>

#include <cstdint>

namespace turbopg::orm {

enum class explain_format : std::uint8_t { text, json, yaml, xml };

// EXPLAIN's options (PostgreSQL's EXPLAIN page); ANALYZE runs the statement.
struct explain_options {
    bool analyze = false;
    bool verbose = false;
    bool buffers = false;
    explain_format format = explain_format::text;
};

// `EXPLAIN (options) SELECT ...`; the options are keywords from a fixed list, never user text.
TURBOPG_ORM_API sql_query compile_explain(const ast::select& q, const explain_options& options);

} // namespace turbopg::orm
