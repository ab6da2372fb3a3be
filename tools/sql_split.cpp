#include "sql_split.hpp"

namespace turbopg::tools {
namespace {

constexpr auto npos = std::string_view::npos;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// PostgreSQL's identifier characters (scan.l): ASCII letters, '_' and every byte of a multibyte
// character; '$' and digits may follow the first one.
bool is_ident_start(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}
bool is_ident_cont(char c) {
    return is_ident_start(c) || is_digit(c) || c == '$';
}
// A dollar-quote tag is an identifier without '$'.
bool is_tag_cont(char c) {
    return is_ident_start(c) || is_digit(c);
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// ASCII case-insensitive comparison with a lower-case keyword.
bool is_keyword(std::string_view word, std::string_view keyword) {
    if (word.size() != keyword.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        char c = word[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != keyword[i]) return false;
    }
    return true;
}

// The opening delimiter ($$ or $tag$) that starts at s[i] == '$', or an empty view when the
// dollar sign starts none (a parameter such as $1, or a lone '$').
std::string_view dollar_delimiter(std::string_view s, std::size_t i) {
    std::size_t j = i + 1;
    if (j < s.size() && is_ident_start(s[j])) {
        ++j;
        while (j < s.size() && is_tag_cont(s[j]))
            ++j;
    }
    if (j < s.size() && s[j] == '$') return s.substr(i, j + 1 - i);
    return {};
}

// psql's heuristic for SQL-standard routine bodies: in a statement that starts with CREATE [OR
// REPLACE] FUNCTION|PROCEDURE, BEGIN opens a block, CASE nests inside one and END closes one
// (outside parentheses); a `;` inside a block does not end the statement.
class routine_body {
public:
    void word(std::string_view w, int paren_depth) {
        switch (words_++) {
        case 0:
            create_ = is_keyword(w, "create");
            break;
        case 1:
            if (create_ && is_routine(w))
                routine_ = true;
            else
                or_ = create_ && is_keyword(w, "or");
            break;
        case 2:
            or_replace_ = or_ && is_keyword(w, "replace");
            break;
        case 3:
            if (or_replace_ && is_routine(w)) routine_ = true;
            break;
        default:
            break;
        }
        if (!routine_ || paren_depth != 0) return;
        if (is_keyword(w, "begin"))
            ++depth_;
        else if (is_keyword(w, "case") && depth_ > 0)
            ++depth_;
        else if (is_keyword(w, "end") && depth_ > 0)
            --depth_;
    }
    bool inside() const noexcept { return depth_ > 0; }

private:
    static bool is_routine(std::string_view w) {
        return is_keyword(w, "function") || is_keyword(w, "procedure");
    }

    std::size_t words_ = 0;
    bool create_ = false;
    bool or_ = false;
    bool or_replace_ = false;
    bool routine_ = false;
    int depth_ = 0;
};

class splitter {
public:
    explicit splitter(std::string_view script)
        : s_(script) {}

    sql_split_result run() {
        while (i_ < s_.size()) {
            char c = s_[i_];
            if (is_space(c)) {
                ++i_;
            } else if (c == '-' && peek(1) == '-') {
                skip_line_comment();
            } else if (c == '\\') {
                out_.meta = meta_at(i_);
                return std::move(out_);
            } else {
                if (start_ == npos) start_ = i_;
                token(c);
            }
        }
        if (start_ != npos) {
            out_.statements.push_back({s_.substr(start_), last_line()});
        }
        return std::move(out_);
    }

private:
    char peek(std::size_t ahead) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }

    // One token that is not whitespace, a -- comment or a backslash.
    void token(char c) {
        if (c == '/' && peek(1) == '*') {
            skip_block_comment();
        } else if (c == '\'') {
            skip_quoted('\'', false);
        } else if (c == '"') {
            skip_quoted('"', false);
        } else if (c == '$') {
            skip_dollar();
        } else if (is_ident_start(c)) {
            word();
        } else if (is_digit(c)) {
            // A number, including the letters of 1e5 or junk such as 1e'x' (PostgreSQL reads
            // that as a number and a plain string, never as an E'' string).
            while (i_ < s_.size() && (is_tag_cont(s_[i_]) || s_[i_] == '.'))
                ++i_;
        } else if (c == '(') {
            ++paren_;
            ++i_;
        } else if (c == ')') {
            if (paren_ > 0) --paren_;
            ++i_;
        } else if (c == ';') {
            ++i_;
            if (paren_ == 0 && !body_.inside()) end_statement();
        } else {
            ++i_;
        }
    }

    void skip_line_comment() {
        auto nl = s_.find('\n', i_);
        i_ = nl == npos ? s_.size() : nl;
    }

    // /* ... */, which nests in PostgreSQL.
    void skip_block_comment() {
        int depth = 0;
        while (i_ < s_.size()) {
            if (s_[i_] == '/' && peek(1) == '*') {
                ++depth;
                i_ += 2;
            } else if (s_[i_] == '*' && peek(1) == '/') {
                i_ += 2;
                if (--depth == 0) return;
            } else {
                ++i_;
            }
        }
    }

    // From the opening quote past the closing one; a doubled quote stands for itself and, in
    // an E'' string, a backslash escapes the next character.
    void skip_quoted(char quote, bool backslash_escapes) {
        ++i_;
        while (i_ < s_.size()) {
            char c = s_[i_];
            if (backslash_escapes && c == '\\') {
                i_ += 2;
            } else if (c == quote) {
                if (peek(1) != quote) {
                    ++i_;
                    return;
                }
                i_ += 2;
            } else {
                ++i_;
            }
        }
        i_ = s_.size();
    }

    // $tag$ ... $tag$: the body ends at the first occurrence of the same delimiter.
    void skip_dollar() {
        auto delim = dollar_delimiter(s_, i_);
        if (delim.empty()) {
            ++i_;
            return;
        }
        auto end = s_.find(delim, i_ + delim.size());
        i_ = end == npos ? s_.size() : end + delim.size();
    }

    // An identifier or key word; E'...' is an escape string.
    void word() {
        auto begin = i_;
        while (i_ < s_.size() && is_ident_cont(s_[i_]))
            ++i_;
        auto w = s_.substr(begin, i_ - begin);
        if (i_ < s_.size() && s_[i_] == '\'' && (w == "E" || w == "e")) {
            skip_quoted('\'', true);
            return;
        }
        body_.word(w, paren_);
    }

    void end_statement() {
        out_.statements.push_back({s_.substr(start_, i_ - start_), line_of(i_ - 1)});
        start_ = npos;
        paren_ = 0;
        body_ = routine_body{};
    }

    meta_command meta_at(std::size_t pos) {
        std::size_t end = pos + 1;
        while (end < s_.size() && (is_ident_start(s_[end]) || is_digit(s_[end])))
            ++end;
        if (end == pos + 1 && end < s_.size() && !is_space(s_[end])) ++end; // \! or \?
        return {s_.substr(pos, end - pos), line_of(pos)};
    }

    // Positions only grow, so lines are counted once.
    std::size_t line_of(std::size_t pos) {
        for (; counted_ < pos; ++counted_)
            if (s_[counted_] == '\n') ++line_;
        return line_;
    }

    std::size_t last_line() {
        auto n = line_of(s_.size());
        return s_.back() == '\n' ? n - 1 : n;
    }

    std::string_view s_;
    std::size_t i_ = 0;
    std::size_t start_ = npos; // where the current statement began
    int paren_ = 0;
    routine_body body_;
    std::size_t counted_ = 0; // line_ is the line of s_[counted_]
    std::size_t line_ = 1;
    sql_split_result out_;
};

} // namespace

sql_split_result split_sql(std::string_view script) {
    return splitter(script).run();
}

} // namespace turbopg::tools
