// Django-style string lookups ("pages__gte", "published__year", "title__icontains") resolved
// against a model into the same AST nodes the typed expressions build.
#pragma once

#include <turbopg/orm/ast.hpp>

#include <string_view>

namespace turbopg::orm {

// "pages__gte" with its value node -> the lookup node; throws field_error naming an unknown field
// or lookup and listing the valid ones.
TURBOPG_ORM_API ast::expr resolve_lookup(const model_info& model, std::string_view path,
                                         ast::expr value);

// "title" or "pk" -> the column node (throws field_error).
TURBOPG_ORM_API ast::expr resolve_field(const model_info& model, std::string_view name);

// The same against a query: the names of its annotations come first (they compile to the
// annotation's expression, or to HAVING when it aggregates); field_error lists fields and
// annotations.
TURBOPG_ORM_API ast::expr resolve_name(const ast::select& q, std::string_view name);
TURBOPG_ORM_API ast::expr resolve_lookup(const ast::select& q, std::string_view path,
                                         ast::expr value);

// The lookup node for `lhs <lookup> value` (the typed expressions' entry point). Pattern
// lookups (contains, startswith, ...) turn a text parameter into an escaped LIKE pattern.
TURBOPG_ORM_API ast::expr make_lookup(std::string_view lookup, ast::expr lhs, ast::expr value);

// The transform a date part name designates (year, month, day, week_day, hour, minute, date), or
// nullptr when `name` is not one.
TURBOPG_ORM_API ast::expr make_transform(std::string_view name, ast::expr lhs);

} // namespace turbopg::orm
