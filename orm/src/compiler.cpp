#include "compile_cache.hpp"

#include <turbopg/orm/compiler.hpp>
#include <turbopg/orm/error.hpp>
#include <turbopg/orm/identifier.hpp>
#include <turbopg/orm/lookup.hpp>

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace turbopg::orm {

namespace detail {
wire::bytes& param_scratch() noexcept {
    thread_local wire::bytes scratch;
    return scratch;
}
} // namespace detail

namespace ast {
expr make(kind k, std::string text, expr_list args) {
    auto n = std::make_shared<node>();
    n->k = k;
    n->text = std::move(text);
    n->args = std::move(args);
    return n;
}

expr make_param_node(param_value p) {
    auto n = std::make_shared<node>();
    n->k = kind::param;
    n->params.push_back(std::move(p));
    return n;
}
} // namespace ast

namespace {

using ast::kind;

// How the columns of a query on `m` are qualified: by its alias, if it has one, or its table.
std::string_view qualifier(const model_info& m, const std::string& alias) {
    return alias.empty() ? std::string_view(m.quoted_table) : std::string_view(alias);
}

// Whether `e` is a NULL value (`x = NULL` is written `x IS NULL`).
bool is_null_param(const ast::expr& e) {
    return e->k == kind::param && e->params[0].is_null();
}

// Where a SELECT is written. Its rows are read by what runs the statement (compile_select's,
// and COUNT(*) and EXISTS over them), which takes its own columns by position and leaves any
// after them; a part of a combination and a subquery must have their own columns alone.
enum class place : std::uint8_t { statement, part, subquery };

// Some SQL and the values it binds. Two expressions are one column when they write the same
// (Django's rule for an ORDER BY expression already selected).
struct piece {
    std::string sql;
    std::vector<param_value> params;
    bool operator==(const piece&) const = default;
};

// The columns select_list wrote, for the ORDER BY of a DISTINCT query (empty otherwise): where
// each one's expression stands in the SQL, and for each ordering item, the column it is.
struct selection {
    std::vector<std::pair<std::size_t, std::size_t>> columns; // [begin, end) in the SQL
    std::vector<std::size_t> order_columns;
    std::size_t extra = 0; // the columns after the query's own, for its ORDER BY
};

// Writes one statement: SQL into `out`, values into `params`, and where each value came from
// into `sources` (for the shape cache). `outer` is the enclosing query's model while a subquery
// is written (for OuterRef). A subquery on the table of the query it is in gets an alias (U0 one
// level down, U1 two, ..., as Django's U0), so that its own columns and the enclosing row's are
// told apart: `FROM "book" WHERE EXISTS(SELECT ... FROM "book" U0 WHERE U0."a" = "book"."a")`.
class writer {
public:
    writer(sql_query& q, detail::parameter_sources& sources)
        : out_(q.sql)
        , params_(q.params)
        , sources_(sources) {
        // Room for a typical statement at once rather than by doubling from 15 characters.
        out_.reserve(256);
        params_.reserve(4);
    }

    void select(const ast::select& q, place where = place::subquery);
    void combination(const ast::select& q);
    // The columns of `q`, and for DISTINCT the ordering's expressions that are not among them.
    selection select_list(const ast::select& q, std::span<const ast::order_item> order);
    void from_where(const ast::select& q);
    // `order`: what the query is ordered by (its columns are grouped by too).
    void group_having(const ast::select& q, std::span<const ast::order_item> order);
    // The columns `e` reads that GROUP BY needs for `e` to be written after it (Django's
    // get_group_by_cols): none for an aggregate or for a column `q` selects by name.
    void group_columns(const ast::select& q, const ast::expr& e, std::vector<ast::expr>& out);
    // Whether `q` has a GROUP BY: an aggregate among its values (or annotations on model rows),
    // or a filter on one.
    bool grouped(const ast::select& q);
    // What `q` is ordered by: its order_by(), else the model's ordering (but not in grouped
    // values, nor in an unsliced `part` of a combination).
    std::vector<ast::order_item> ordering(const ast::select& q, bool part);
    void order_limit_lock(const ast::select& q, std::span<const ast::order_item> order,
                          const selection& columns = {});
    // `split`: conditions on aggregates are left out (group_having writes them as HAVING).
    void where_of(const ast::select& q, bool split = false);
    // Whether a filter() of `q` is on an aggregate (and so needs GROUP BY/HAVING).
    bool filters_aggregate(const ast::select& q) {
        set_query(&q);
        for (const auto& w : q.where)
            if (has_aggregate(w)) return true;
        return false;
    }
    void expression(const ast::expr& e);
    // A value of the AST, held by node `holder`. Written again (an ordering grouped by, the two
    // bounds of a range array), it takes the same $n: PostgreSQL tells `lower(x) || $1` and
    // `lower(x) || $2` apart (42803 when one is in GROUP BY and the other in ORDER BY).
    void param(const ast::expr& holder, const param_value& p) {
        for (const auto& w : written_)
            if (w.value == &p) {
                number(w.n);
                return;
            }
        param(param_value(p), &p);
        written_.push_back({holder, &p, params_.size()});
    }
    // `source`: the AST's value that `p` stands for.
    void param(param_value&& p, const void* source) {
        sources_.push_back(source);
        params_.push_back(std::move(p));
        number(params_.size());
    }
    void number(std::size_t n) {
        out_ += '$';
        out_ += std::to_string(n);
    }
    // A column of the query being written.
    void column(const column_info& c) { qualified_column(*model_, alias_, c); }
    void qualified_column(const model_info& m, const std::string& alias, const column_info& c) {
        out_ += qualifier(m, alias);
        out_ += '.';
        out_ += c.quoted;
    }
    void name(std::string_view n) { append_quoted_identifier(out_, n); }
    std::string& out() { return out_; }
    void set_query(const ast::select* q) {
        query_ = q;
        model_ = q->model;
        visible_annotations_ = q->annotations.size();
    }
    void set_unqualified(bool on) { unqualified_ = on; }

private:
    // Calls `f(write, name, aliased)` for each column `q` selects: write() writes its
    // expression; `name` is its AS name (aliased) or a model column's own.
    template <class F>
    void each_column(const ast::select& q, F&& f);
    // What write() writes, taken back out of the statement: written at the same place, the
    // same expression gives the same SQL, its values the same $n.
    template <class F>
    piece trial(F&& write);
    // `SELECT "subquery"."a", ... FROM (` the SELECT written from `start` `) AS "subquery"`.
    void wrap(const ast::select& q, std::size_t start);
    void lookup(const ast::node& n);
    void write_lookup(const ast::node& n);
    // `e` as a column of the query's model that may be NULL, or nullptr.
    const column_info* nullable_column(const ast::expr& e) const;
    void conjunction(std::span<const ast::expr> parts, std::string_view op);
    void raw(const ast::expr& e);
    void subquery(const ast::select& q);
    // The annotation `name` may refer to (those annotated before the one being written), or
    // nullptr.
    const ast::named_expr* annotation(std::string_view name) const;
    // A values() column named `name` that is not a field of the model (values(named(...))).
    const ast::named_expr* named_value(std::string_view name) const;
    void annotation_expression(const ast::named_expr& a);
    // Whether `e` holds an aggregate (through annotations it names), outside subqueries.
    bool has_aggregate(const ast::expr& e);

    std::string& out_;
    std::vector<param_value>& params_;
    detail::parameter_sources& sources_;
    // The AST values written, each with its $n. Their nodes are held, so that no node made while
    // writing (a string lookup resolved) can take the address of one and pass for it.
    struct written_value {
        ast::expr holder;
        const param_value* value; // in holder->params
        std::size_t n;
    };
    std::vector<written_value> written_;
    const model_info* model_ = nullptr;  // the query being written
    const model_info* outer_ = nullptr;  // the enclosing query, inside a subquery
    std::string alias_, outer_alias_;    // the aliases of these two (empty: none)
    int depth_ = 0;                      // how many subqueries deep
    const ast::select* query_ = nullptr; // its annotations resolve F("name")
    std::size_t visible_annotations_ = 0;
    bool unqualified_ = false; // ORDER BY of a combined query: bare column names
    int negations_ = 0;        // the NOTs around the expression being written
};

const ast::named_expr* writer::annotation(std::string_view name) const {
    if (!query_) return nullptr;
    for (std::size_t i = 0; i < visible_annotations_; ++i)
        if (query_->annotations[i].name == name) return &query_->annotations[i];
    return nullptr;
}

const ast::named_expr* writer::named_value(std::string_view name) const {
    if (!query_ || model_->find(name)) return nullptr;
    for (const auto& v : query_->values)
        if (v.name == name) return &v;
    return nullptr;
}

void writer::annotation_expression(const ast::named_expr& a) {
    auto saved = visible_annotations_;
    visible_annotations_ = static_cast<std::size_t>(&a - query_->annotations.data());
    expression(a.e);
    visible_annotations_ = saved;
}

bool writer::has_aggregate(const ast::expr& e) {
    if (!e) return false;
    if (e->k == kind::aggregate) return true;
    if (e->k == kind::subquery || e->k == kind::exists) return false;
    if (e->k == kind::field || e->k == kind::path) {
        auto name = std::string_view(e->text).substr(0, e->text.find("__"));
        const auto* a = annotation(name);
        if (!a) {
            const auto* v = named_value(name);
            return v && has_aggregate(v->e);
        }
        auto saved = visible_annotations_;
        visible_annotations_ = static_cast<std::size_t>(a - query_->annotations.data());
        bool found = has_aggregate(a->e);
        visible_annotations_ = saved;
        return found;
    }
    for (const auto& a : e->args)
        if (has_aggregate(a)) return true;
    return false;
}

void writer::conjunction(std::span<const ast::expr> parts, std::string_view op) {
    if (parts.empty()) {
        out_ += op == " AND " ? "TRUE" : "FALSE";
        return;
    }
    if (parts.size() == 1) {
        expression(parts[0]);
        return;
    }
    out_ += '(';
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out_ += op;
        expression(parts[i]);
    }
    out_ += ')';
}

void writer::raw(const ast::expr& e) {
    const auto& n = *e;
    std::size_t next = 0;
    for (std::size_t i = 0; i < n.text.size(); ++i) {
        if (n.text[i] == '%' && i + 1 < n.text.size() && n.text[i + 1] == 's') {
            if (next >= n.params.size())
                throw error("RawSQL has more %s placeholders than parameters: " + n.text);
            param(e, n.params[next++]);
            ++i;
        } else if (n.text[i] == '%' && i + 1 < n.text.size() && n.text[i + 1] == '%') {
            out_ += '%';
            ++i;
        } else {
            out_ += n.text[i];
        }
    }
    if (next != n.params.size())
        throw error("RawSQL has fewer %s placeholders than parameters: " + n.text);
}

void writer::subquery(const ast::select& q) {
    auto saved_negations = std::exchange(negations_, 0);
    auto saved_model = model_;
    auto saved_outer = outer_;
    auto saved_query = query_;
    auto saved_visible = visible_annotations_;
    auto saved_outer_alias = std::exchange(outer_alias_, alias_);
    auto saved_alias = alias_;
    outer_ = model_;
    alias_ = q.model->table == model_->table ? "U" + std::to_string(depth_) : "";
    ++depth_;
    out_ += '(';
    select(q);
    out_ += ')';
    --depth_;
    alias_ = std::move(saved_alias);
    outer_alias_ = std::move(saved_outer_alias);
    model_ = saved_model;
    outer_ = saved_outer;
    query_ = saved_query;
    visible_annotations_ = saved_visible;
    negations_ = saved_negations;
}

const column_info* writer::nullable_column(const ast::expr& e) const {
    // A transform (published__year, published__date) is NULL where its column is, and Django
    // requires the column NOT NULL for it as for the column itself.
    if (e && (e->k == kind::extract || e->k == kind::cast) && e->args.size() == 1)
        return nullable_column(e->args[0]);
    if (!e || !model_ || (e->k != kind::column && e->k != kind::field) ||
        (!e->table.empty() && e->table != model_->table) ||
        (e->k == kind::field && annotation(e->text)))
        return nullptr;
    const auto* c = model_->find(e->text);
    return c && c->nullable ? c : nullptr;
}

// Django's rule for negated lookups (exclude(), ~Q): under an odd number of NOTs, a lookup on a
// NULLable column also requires it NOT NULL, so that rows where the column is NULL (where the
// lookup is unknown, and NOT of it too) are kept by the negation instead of dropped. The same for
// a NULLable column on the right. AND binds tighter than OR, so no parentheses are needed.
void writer::lookup(const ast::node& n) {
    write_lookup(n);
    if (negations_ % 2 == 0 || n.text == "isnull") return;
    if (is_null_param(n.args[1])) return; // IS [NOT] NULL
    for (const ast::expr* side : {&n.args[0], &n.args[1]})
        if (const auto* c = nullable_column(*side)) {
            out_ += " AND ";
            column(*c);
            out_ += " IS NOT NULL";
        }
}

void writer::write_lookup(const ast::node& n) {
    const auto& l = n.text;
    const auto& lhs = n.args[0];
    const auto& rhs = n.args[1];
    auto text_lhs = [&](bool upper) {
        out_ += upper ? "UPPER(" : "";
        expression(lhs);
        out_ += "::text";
        out_ += upper ? ")" : "";
    };
    // A pattern lookup whose right side is an expression: escape it in SQL, as Django does.
    auto pattern_rhs = [&](bool upper, bool any_start, bool any_end) {
        if (upper) out_ += "UPPER(";
        if (n.flag) {
            expression(rhs);
        } else {
            if (any_start) out_ += "'%' || ";
            out_ += "REPLACE(REPLACE(REPLACE((";
            expression(rhs);
            out_ += ")::text, E'\\\\', E'\\\\\\\\'), E'%', E'\\\\%'), E'_', E'\\\\_')";
            if (any_end) out_ += " || '%'";
        }
        if (upper) out_ += ")";
    };
    if (l == "exact" || l == "ne") {
        expression(lhs);
        if (is_null_param(rhs)) {
            out_ += l == "exact" ? " IS NULL" : " IS NOT NULL";
            return;
        }
        out_ += l == "exact" ? " = " : " <> ";
        expression(rhs);
    } else if (l == "iexact") {
        if (is_null_param(rhs)) { // as exact: Django reads iexact=None as IS NULL
            expression(lhs);
            out_ += " IS NULL";
            return;
        }
        text_lhs(true);
        out_ += " = UPPER(";
        expression(rhs);
        out_ += ")";
    } else if (l == "gt" || l == "gte" || l == "lt" || l == "lte") {
        expression(lhs);
        out_ += l == "gt" ? " > " : l == "gte" ? " >= " : l == "lt" ? " < " : " <= ";
        expression(rhs);
    } else if (l.ends_with("contains") || l.ends_with("startswith") || l.ends_with("endswith")) {
        bool upper = l.front() == 'i';
        text_lhs(upper);
        out_ += " LIKE ";
        pattern_rhs(upper, !l.ends_with("startswith"), !l.ends_with("endswith"));
    } else if (l == "in") {
        if (rhs->k == kind::subquery) {
            expression(lhs);
            out_ += " IN ";
            expression(rhs);
            return;
        }
        // Django drops None from the values: a NULL among them, where no other value matches,
        // makes ANY() NULL instead of false, and NOT of that would drop the row from exclude().
        // Under a NOT, unknown is read as false (elsewhere the two select the same rows).
        bool negated = negations_ % 2 != 0;
        out_ += negated ? "COALESCE(" : "";
        expression(lhs);
        out_ += " = ANY(";
        expression(rhs);
        out_ += negated ? "), FALSE)" : ")";
    } else if (l == "isnull") {
        expression(lhs);
        out_ += n.flag ? " IS NULL" : " IS NOT NULL";
    } else if (l == "range") {
        expression(lhs);
        out_ += " BETWEEN ";
        if (n.args.size() == 3) {
            expression(rhs);
            out_ += " AND ";
            expression(n.args[2]);
        } else { // "x__range" with an array of the two bounds (make_lookup checked it)
            out_ += '(';
            expression(rhs);
            out_ += ")[1] AND (";
            expression(rhs);
            out_ += ")[2]";
        }
    } else if (l == "regex" || l == "iregex") {
        text_lhs(false);
        out_ += l == "regex" ? " ~ " : " ~* ";
        expression(rhs);
    } else {
        throw field_error("unsupported lookup \"" + l + "\"");
    }
}

void writer::expression(const ast::expr& e) {
    const auto& n = *e;
    switch (n.k) {
    case kind::column:
        if (!unqualified_) {
            if (n.table.empty() || n.table == model_->table)
                out_ += qualifier(*model_, alias_);
            else
                append_quoted_identifier(out_, n.table);
            out_ += '.';
        }
        append_quoted_identifier(out_, n.text);
        break;
    case kind::field:
        // An annotation's name, or a field's; over a subquery or in the ORDER BY of a combined
        // query, the name of the result column.
        if (const auto* a = annotation(n.text)) {
            if (unqualified_)
                name(a->name);
            else
                annotation_expression(*a);
        } else if (const auto* v = named_value(n.text)) {
            if (unqualified_)
                name(v->name);
            else
                expression(v->e);
        } else {
            expression(resolve_field(*model_, n.text));
        }
        break;
    case kind::path:
        expression(query_ && query_->model == model_ ? resolve_lookup(*query_, n.text, n.args[0])
                                                     : resolve_lookup(*model_, n.text, n.args[0]));
        break;
    case kind::outer_ref:
        if (!outer_) throw error("OuterRef(\"" + n.text + "\") outside a subquery");
        qualified_column(*outer_, outer_alias_, outer_->columns[outer_->index_of(n.text)]);
        break;
    case kind::param:
        param(e, n.params[0]);
        break;
    case kind::raw:
        out_ += '(';
        raw(e);
        out_ += ')';
        break;
    case kind::func:
        out_ += n.text;
        out_ += '(';
        for (std::size_t i = 0; i < n.args.size(); ++i) {
            if (i) out_ += ", ";
            expression(n.args[i]);
        }
        out_ += ')';
        break;
    case kind::op:
        out_ += '(';
        expression(n.args[0]);
        out_ += ' ';
        out_ += n.text;
        out_ += ' ';
        expression(n.args[1]);
        out_ += ')';
        break;
    case kind::cast:
        out_ += '(';
        expression(n.args[0]);
        out_ += ")::";
        out_ += n.text;
        break;
    case kind::extract:
        // EXTRACT gives numeric (PostgreSQL 14+); the ORM reads date parts as integers. Django's
        // week_day counts from Sunday = 1, PostgreSQL's DOW from Sunday = 0. SECOND has the
        // fraction too, which a cast would round (59.7 to 60): truncated, as Django does.
        out_ += n.text == "SECOND" ? "(FLOOR(EXTRACT(" : "(EXTRACT(";
        out_ += n.text;
        out_ += " FROM ";
        expression(n.args[0]);
        out_ += n.text == "DOW" ? ") + 1)::int4" : n.text == "SECOND" ? ")))::int4" : "))::int4";
        break;
    case kind::lookup:
        lookup(n);
        break;
    case kind::and_:
        conjunction(n.args, " AND ");
        break;
    case kind::or_:
        conjunction(n.args, " OR ");
        break;
    case kind::not_:
        out_ += "NOT (";
        ++negations_;
        expression(n.args[0]);
        --negations_;
        out_ += ')';
        break;
    case kind::case_: {
        out_ += "CASE";
        std::size_t pairs = n.args.size() / 2;
        for (std::size_t i = 0; i < pairs; ++i) {
            out_ += " WHEN ";
            expression(n.args[2 * i]);
            out_ += " THEN ";
            expression(n.args[2 * i + 1]);
        }
        if (n.flag) {
            out_ += " ELSE ";
            expression(n.args.back());
        }
        out_ += " END";
        break;
    }
    case kind::aggregate:
        out_ += n.text;
        out_ += '(';
        if (n.distinct) out_ += "DISTINCT ";
        expression(n.args[0]);
        out_ += ')';
        if (n.args.size() > 1 && n.args[1]) {
            out_ += " FILTER (WHERE ";
            expression(n.args[1]);
            out_ += ')';
        }
        break;
    case kind::subquery:
        subquery(*n.query);
        break;
    case kind::exists:
        out_ += "EXISTS";
        subquery(*n.query);
        break;
    case kind::star:
        out_ += '*';
        break;
    case kind::empty:
        out_ += "FALSE";
        break;
    }
}

template <class F>
void writer::each_column(const ast::select& q, F&& f) {
    if (q.values_mode) {
        for (const auto& v : q.values)
            f([&] { expression(v.e); }, std::string_view(v.name), true);
        return; // values() name the annotations they show
    }
    const auto& m = *q.model;
    auto model_column = [&](const column_info& c) {
        f([&] { column(c); }, std::string_view(c.name), false);
    };
    if (q.fields.empty()) {
        for (const auto& c : m.columns)
            model_column(c);
    } else {
        for (auto i : q.fields)
            model_column(m.columns[i]);
    }
    for (const auto& a : q.annotations)
        f([&] { annotation_expression(a); }, std::string_view(a.name), true);
}

template <class F>
piece writer::trial(F&& write) {
    auto text = out_.size();
    auto values = params_.size();
    auto sources = sources_.size();
    auto written = written_.size();
    write();
    piece p{out_.substr(text),
            {params_.begin() + static_cast<std::ptrdiff_t>(values), params_.end()}};
    out_.resize(text);
    params_.resize(values);
    sources_.resize(sources);
    written_.resize(written);
    return p;
}

selection writer::select_list(const ast::select& q, std::span<const ast::order_item> order) {
    // PostgreSQL requires a DISTINCT query's ORDER BY expressions among its columns (42P10).
    // As Django (SQLCompiler.get_extra_select), each one that is not a column already is
    // selected too, after them; the rows read leave it out. Not for DISTINCT ON, whose ORDER BY
    // starts with its own expressions.
    selection s;
    std::vector<const ast::expr*> extra;
    if (q.distinct && q.distinct_on.empty() && !order.empty()) {
        std::vector<piece> columns;
        each_column(q,
                    [&](auto write, std::string_view, bool) { columns.push_back(trial(write)); });
        for (const auto& o : order) {
            auto p = trial([&] { expression(o.e); });
            auto at = std::find(columns.begin(), columns.end(), p);
            s.order_columns.push_back(static_cast<std::size_t>(at - columns.begin()));
            if (at == columns.end()) {
                columns.push_back(std::move(p));
                extra.push_back(&o.e);
            }
        }
    }
    bool first = true;
    auto add = [&](auto write) {
        if (!first) out_ += ", ";
        first = false;
        auto begin = out_.size();
        write();
        if (!s.order_columns.empty()) s.columns.emplace_back(begin, out_.size());
    };
    each_column(q, [&](auto write, std::string_view alias, bool aliased) {
        add(write);
        if (aliased) {
            out_ += " AS ";
            name(alias);
        }
    });
    for (const auto* e : extra)
        add([&] { expression(*e); });
    s.extra = extra.size();
    return s;
}

void writer::wrap(const ast::select& q, std::size_t start) {
    std::string head = "SELECT ";
    bool first = true;
    each_column(q, [&](auto, std::string_view column, bool) {
        if (!first) head += ", ";
        first = false;
        head += "\"subquery\".";
        append_quoted_identifier(head, column);
    });
    head += " FROM (";
    out_.insert(start, head);
    out_ += ") AS \"subquery\"";
}

void writer::where_of(const ast::select& q, bool split) {
    // none() as a part of a combination or a subquery (alone, it is not sent): no row.
    if (q.empty) out_ += " WHERE FALSE";
    bool first = !q.empty;
    for (const auto& w : q.where) {
        if (split && has_aggregate(w)) continue;
        out_ += first ? " WHERE " : " AND ";
        first = false;
        expression(w);
    }
}

void writer::from_where(const ast::select& q) {
    out_ += " FROM ";
    out_ += q.model->quoted_table;
    if (!alias_.empty()) {
        out_ += ' ';
        out_ += alias_;
    }
    where_of(q, true);
}

void writer::group_columns(const ast::select& q, const ast::expr& e, std::vector<ast::expr>& out) {
    const auto& n = *e;
    switch (n.k) {
    case kind::column:
    case kind::raw:
        out.push_back(e);
        return;
    case kind::field: {
        auto selected = [&](const ast::named_expr& v) { return v.name == n.text; };
        if (std::any_of(q.values.begin(), q.values.end(), selected)) return;
        if (const auto* a = annotation(n.text))
            group_columns(q, a->e, out);
        else
            out.push_back(resolve_field(*model_, n.text));
        return;
    }
    case kind::path:
        group_columns(q, resolve_lookup(q, n.text, n.args[0]), out);
        return;
    case kind::aggregate:
    case kind::subquery:
    case kind::exists:
    case kind::outer_ref:
    case kind::param:
        return;
    default:
        for (const auto& a : n.args)
            if (a) group_columns(q, a, out);
    }
}

void writer::group_having(const ast::select& q, std::span<const ast::order_item> order) {
    // filter() on an aggregate (directly or through an annotation's name) goes to HAVING.
    std::vector<ast::expr> having;
    for (const auto& w : q.where)
        if (has_aggregate(w)) having.push_back(w);
    having.insert(having.end(), q.having.begin(), q.having.end());
    if (grouped(q)) {
        // values(...).annotate(Count(...)): group by the values, named by their position in the
        // select list (written again, a value's parameters would get new $n, a different
        // expression to PostgreSQL: 42803); annotate on model rows: by the primary key
        // (PostgreSQL then allows every column of the table).
        std::string_view group_by = " GROUP BY ";
        out_ += group_by;
        bool first = true;
        if (q.values_mode) {
            // As Django (SQLCompiler.get_group_by), the columns an ordering reads are grouped by
            // too, so that values("a").annotate(Count(...)).order_by("b") groups by a and b
            // rather than fail with 42803.
            std::vector<ast::expr> ordered;
            for (const auto& o : order)
                if (!has_aggregate(o.e)) group_columns(q, o.e, ordered);
            std::vector<piece> grouped; // what is grouped by, to group by an ordered column once
            for (std::size_t i = 0; i < q.values.size(); ++i) {
                if (has_aggregate(q.values[i].e)) continue;
                if (!first) out_ += ", ";
                first = false;
                out_ += std::to_string(i + 1);
                if (!ordered.empty()) grouped.push_back(trial([&] { expression(q.values[i].e); }));
            }
            for (const auto& c : ordered) {
                auto p = trial([&] { expression(c); });
                if (std::find(grouped.begin(), grouped.end(), p) != grouped.end()) continue;
                if (!first) out_ += ", ";
                first = false;
                expression(c);
                grouped.push_back(std::move(p));
            }
        } else {
            const auto& m = *q.model;
            if (m.pk) {
                column(m.columns[*m.pk]);
            } else {
                for (const auto& c : m.columns) {
                    if (!first) out_ += ", ";
                    first = false;
                    column(c);
                }
            }
            first = false;
        }
        if (first) out_.resize(out_.size() - group_by.size());
    }
    if (!having.empty()) {
        out_ += " HAVING ";
        for (std::size_t i = 0; i < having.size(); ++i) {
            if (i) out_ += " AND ";
            expression(having[i]);
        }
    }
}

bool writer::grouped(const ast::select& q) {
    if (!q.having.empty()) return true;
    for (const auto& w : q.where)
        if (has_aggregate(w)) return true;
    if (q.values_mode) {
        for (const auto& v : q.values)
            if (has_aggregate(v.e)) return true;
    } else {
        for (const auto& a : q.annotations)
            if (has_aggregate(a.e)) return true;
    }
    return false;
}

std::vector<ast::order_item> writer::ordering(const ast::select& q, bool part) {
    // (Descending when reversed: reverse() leaves `ORDER BY RANDOM()` as it is.)
    if (q.random_order) return {{ast::make(kind::func, "RANDOM"), q.reversed}};
    std::vector<ast::order_item> order = q.order;
    // Meta.ordering is left out of grouped values() (as Django does since 3.1): its columns are
    // not among what is grouped by. And out of a part of a combination that is not sliced: there
    // it cannot change which rows the combination has.
    bool sliced = q.limit || q.offset;
    if (!q.order_set && !(q.values_mode && grouped(q)) && (!part || sliced)) {
        for (const auto& o : q.model->ordering)
            order.push_back({ast::make(kind::field, o.field), o.descending});
    }
    return order;
}

void writer::order_limit_lock(const ast::select& q, std::span<const ast::order_item> order,
                              const selection& columns) {
    if (!order.empty()) {
        out_ += " ORDER BY ";
        for (std::size_t i = 0; i < order.size(); ++i) {
            if (i) out_ += ", ";
            const auto& o = order[i];
            if (columns.order_columns.empty()) {
                expression(o.e);
            } else {
                // The column's own SQL: written again, a value in it would be another $n, and
                // the expression another one to PostgreSQL than the column.
                auto [begin, end] = columns.columns[columns.order_columns[i]];
                out_ += out_.substr(begin, end - begin);
            }
            bool desc = o.descending != q.reversed;
            if (desc) out_ += " DESC";
            auto nulls = o.null_order;
            if (q.reversed && nulls != ast::nulls::unspecified)
                nulls = nulls == ast::nulls::first ? ast::nulls::last : ast::nulls::first;
            if (nulls == ast::nulls::first) out_ += " NULLS FIRST";
            if (nulls == ast::nulls::last) out_ += " NULLS LAST";
        }
    }
    if (q.limit) {
        out_ += " LIMIT ";
        param(make_param(*q.limit), &*q.limit);
    }
    if (q.offset) {
        out_ += " OFFSET ";
        param(make_param(*q.offset), &*q.offset);
    }
    if (q.lock.enabled) {
        out_ += q.lock.share ? " FOR SHARE" : q.lock.no_key ? " FOR NO KEY UPDATE" : " FOR UPDATE";
        if (!q.lock.of.empty()) {
            out_ += " OF ";
            for (std::size_t i = 0; i < q.lock.of.size(); ++i) {
                if (i) out_ += ", ";
                // Django's "self": the query's own table, by the name FROM gives it.
                if (q.lock.of[i] == "self")
                    out_ += qualifier(*model_, alias_);
                else
                    name(q.lock.of[i]);
            }
        }
        if (q.lock.nowait) out_ += " NOWAIT";
        if (q.lock.skip_locked) out_ += " SKIP LOCKED";
    }
}

void writer::select(const ast::select& q, place where) {
    if (q.first) {
        combination(q);
        return;
    }
    set_query(&q);
    auto start = out_.size();
    out_ += "SELECT ";
    if (q.distinct) {
        if (q.distinct_on.empty()) {
            out_ += "DISTINCT ";
        } else {
            out_ += "DISTINCT ON (";
            for (std::size_t i = 0; i < q.distinct_on.size(); ++i) {
                if (i) out_ += ", ";
                expression(q.distinct_on[i]);
            }
            out_ += ") ";
        }
    }
    auto order = ordering(q, where == place::part);
    auto columns = select_list(q, order);
    from_where(q);
    group_having(q, order);
    order_limit_lock(q, order, columns);
    if (columns.extra > 0 && where != place::statement) wrap(q, start);
}

// `(first) UNION (other) ...`: each part in parentheses with its own ORDER BY, LIMIT and OFFSET
// (PostgreSQL allows them there), then the combination's own.
void writer::combination(const ast::select& q) {
    out_ += '(';
    select(*q.first, place::part);
    out_ += ')';
    for (const auto& c : q.combinations) {
        out_ += c.op == ast::set_op::union_      ? " UNION "
                : c.op == ast::set_op::intersect ? " INTERSECT "
                                                 : " EXCEPT ";
        if (c.all) out_ += "ALL ";
        out_ += '(';
        select(*c.other, place::part);
        out_ += ')';
    }
    set_query(&q);
    unqualified_ = true; // ORDER BY of a combination names its result columns
    order_limit_lock(q, ordering(q, false));
    unqualified_ = false;
}

bool needs_subquery(const ast::select& q) {
    return q.distinct || q.limit || q.offset || !q.combinations.empty() || q.values_mode ||
           !q.annotations.empty() || !q.having.empty();
}

// The query's rows as a subquery: `FROM (SELECT ...) AS "subquery"`.
void from_subquery(writer& w, const ast::select& q, place where = place::subquery) {
    w.out() += " FROM (";
    w.select(q, where);
    w.out() += ") AS \"subquery\"";
}

// `q` whose rows are only counted or tested for (count, exists): unless it is sliced (the
// slice takes the first rows in its order), its ordering changes neither and is left out, as
// Django's clear_ordering does.
ast::select unordered(const ast::select& q) {
    ast::select out = q;
    if (!q.limit && !q.offset) {
        out.order.clear();
        out.order_set = true;
        out.random_order = false;
    }
    return out;
}

// Whether the rows of `q` can be named by its WHERE alone in an UPDATE or DELETE; else by
// primary key through a subquery (LIMIT, OFFSET, DISTINCT and set operations exist only in a
// SELECT, and a condition on an aggregate needs the SELECT's GROUP BY).
bool rows_by_where(writer& w, const ast::select& q) {
    return !q.limit && !q.offset && !q.distinct && q.combinations.empty() && q.having.empty() &&
           !w.filters_aggregate(q);
}

// `keyword` pk IN (SELECT pk FROM ... the rows of q). The key is its one value, so the
// annotations stay resolvable by name for the filters that use them. Not for a combination,
// whose parts have their own columns (Django refuses update() and delete() after union()).
void pk_in(writer& w, const ast::select& q, std::string_view keyword) {
    if (q.first)
        throw error("cannot update or delete the rows of a combined queryset (union_, "
                    "intersection, difference)");
    const auto& m = *q.model;
    const auto& pk = m.pk_column();
    w.out() += keyword;
    w.column(pk);
    w.out() += " IN (";
    ast::select inner = q;
    inner.values_mode = true;
    inner.values = {{pk.name, ast::make(kind::column, pk.name)}};
    w.select(inner);
    w.out() += ')';
}

// Whether the aggregates over `q` as a subquery need its fields that only() or defer() left out
// (they may read any). Selecting them all keeps the same rows: the primary key is among the
// fields only() keeps, so DISTINCT merges no more rows with the rest.
bool deferred_fields(const ast::select& q) {
    return !q.fields.empty() && !q.values_mode && !q.first && q.model->pk;
}

} // namespace

detail::statement detail::select_statement(const ast::select& q) {
    return cached_statement({statement_kind::select, q}, [&](auto& sources) {
        sql_query out;
        writer w(out, sources);
        w.select(q, place::statement);
        return out;
    });
}

sql_query compile_select(const ast::select& q) {
    return detail::to_query(detail::select_statement(q));
}

sql_query compile_count(const ast::select& q) {
    return detail::to_query(detail::count_statement(q));
}

detail::statement detail::count_statement(const ast::select& q) {
    return cached_statement({statement_kind::count, q}, [&](auto& sources) {
        sql_query out;
        writer w(out, sources);
        out.sql = "SELECT COUNT(*)";
        if (needs_subquery(q) || w.filters_aggregate(q)) {
            // Grouped values() have a row per group of the values and of the columns the
            // ordering reads: the count keeps the ordering, to count the rows fetch() returns.
            w.set_query(&q); // grouped() resolves annotation names against it
            if (q.values_mode && !q.order.empty() && w.grouped(q))
                from_subquery(w, q, place::statement);
            else
                from_subquery(w, unordered(q), place::statement);
        } else {
            w.set_query(&q);
            w.from_where(q);
        }
        return out;
    });
}

sql_query compile_exists(const ast::select& q) {
    return detail::to_query(detail::exists_statement(q));
}

detail::statement detail::exists_statement(const ast::select& q) {
    return cached_statement({statement_kind::exists, q}, [&](auto& sources) {
        sql_query out;
        writer w(out, sources);
        out.sql = "SELECT EXISTS(";
        w.select(unordered(q), place::statement);
        out.sql += ')';
        return out;
    });
}

sql_query compile_aggregate(const ast::select& q, const std::vector<ast::named_expr>& aggregates) {
    detail::statement_input in{detail::statement_kind::aggregate, q, aggregates};
    return detail::compile_cached(in, [&](auto& sources) {
        sql_query out;
        writer w(out, sources);
        out.sql = "SELECT ";
        w.set_query(&q);
        // Over a sliced, distinct or combined query the aggregates read the subquery's columns,
        // by their bare names.
        bool over_subquery = needs_subquery(q) || w.filters_aggregate(q);
        w.set_unqualified(over_subquery);
        for (std::size_t i = 0; i < aggregates.size(); ++i) {
            if (i) out.sql += ", ";
            w.expression(aggregates[i].e);
            out.sql += " AS ";
            w.name(aggregates[i].name);
        }
        w.set_unqualified(false);
        if (over_subquery && deferred_fields(q)) {
            ast::select inner = q;
            inner.fields.clear();
            from_subquery(w, inner);
        } else if (over_subquery) {
            from_subquery(w, q);
        } else {
            w.from_where(q);
        }
        return out;
    });
}

sql_query compile_update(const ast::select& q, const std::vector<assignment>& set) {
    if (set.empty()) throw error("update() needs at least one field to set");
    detail::statement_input in{detail::statement_kind::update, q, {}, set};
    return detail::compile_cached(in, [&](auto& sources) {
        sql_query out;
        writer w(out, sources);
        w.set_query(&q);
        out.sql = "UPDATE ";
        w.name(q.model->table);
        out.sql += " SET ";
        for (std::size_t i = 0; i < set.size(); ++i) {
            if (i) out.sql += ", ";
            w.name(set[i].column);
            out.sql += " = ";
            w.expression(set[i].value);
        }
        if (rows_by_where(w, q))
            w.where_of(q);
        else
            pk_in(w, q, " WHERE ");
        return out;
    });
}

sql_query compile_delete(const ast::select& q) {
    return detail::compile_cached({detail::statement_kind::delete_, q}, [&](auto& sources) {
        sql_query out;
        writer w(out, sources);
        w.set_query(&q);
        out.sql = "DELETE FROM ";
        w.name(q.model->table);
        if (rows_by_where(w, q))
            w.where_of(q);
        else
            pk_in(w, q, " WHERE ");
        return out;
    });
}

namespace detail {

void and_rows_of(sql_query& out, const ast::select& q) {
    parameter_sources sources; // a statement with this part is not cached
    writer w(out, sources);
    w.set_query(&q);
    if (!rows_by_where(w, q)) {
        pk_in(w, q, " AND ");
        return;
    }
    for (const auto& e : q.where) {
        out.sql += " AND ";
        w.expression(e);
    }
}

} // namespace detail

} // namespace turbopg::orm
