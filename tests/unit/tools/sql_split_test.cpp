// The statement splitter of turbopg-query -f: where psql's lexer ends a statement.
#include "../../../tools/sql_split.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using turbopg::tools::split_sql;

namespace {

std::vector<std::string> texts(std::string_view script) {
    auto r = split_sql(script);
    REQUIRE_FALSE(r.meta);
    std::vector<std::string> out;
    for (const auto& s : r.statements)
        out.emplace_back(s.text);
    return out;
}

using list = std::vector<std::string>;

} // namespace

TEST_CASE("sql_split: semicolons end statements, which keep their ';'") {
    CHECK(texts("select 1; select 2;") == list{"select 1;", "select 2;"});
    CHECK(texts("select 1;select 2") == list{"select 1;", "select 2"});
    CHECK(texts("  \n\t select\n  1\n;\n") == list{"select\n  1\n;"});
    CHECK(texts(";") == list{";"});
    CHECK(texts("select 1;;") == list{"select 1;", ";"});
    CHECK(texts("select 1") == list{"select 1"});
}

TEST_CASE("sql_split: empty scripts and scripts of whitespace and -- comments send nothing") {
    CHECK(texts("").empty());
    CHECK(texts(" \n\t\r\n").empty());
    CHECK(texts("-- only a comment").empty());
    CHECK(texts("-- one\n  -- two\n").empty());
    CHECK(texts("select 1; -- trailing comment\n") == list{"select 1;"});
}

TEST_CASE("sql_split: leading -- comments are dropped, later ones kept, /* */ always kept") {
    CHECK(texts("-- first\nselect 1; -- one\n-- two\nselect 2;") == list{"select 1;", "select 2;"});
    CHECK(texts("select -- a ; b\n 1;") == list{"select -- a ; b\n 1;"});
    CHECK(texts("/* c; */ select 1;") == list{"/* c; */ select 1;"});
    // A block comment alone is sent (the server answers with an empty query).
    CHECK(texts("select 1; /* end */") == list{"select 1;", "/* end */"});
}

TEST_CASE("sql_split: single-quoted strings with doubled quotes") {
    CHECK(texts("select 'a;b'; select 2;") == list{"select 'a;b';", "select 2;"});
    CHECK(texts("select 'it''s; fine';") == list{"select 'it''s; fine';"});
    CHECK(texts("select '';select 1") == list{"select '';", "select 1"});
    CHECK(texts("select 'a\\';' ;") == list{"select 'a\\';", "' ;"}); // no backslash escape
    CHECK(texts("select '--'; select '/*'; select 2") ==
          list{"select '--';", "select '/*';", "select 2"});
    CHECK(texts("select x'0f;', b'1;', n'x;', u&'d\\0061t;a';") ==
          list{"select x'0f;', b'1;', n'x;', u&'d\\0061t;a';"});
}

TEST_CASE("sql_split: E'' strings take backslash escapes") {
    CHECK(texts("select E'\\''; select 2;") == list{"select E'\\'';", "select 2;"});
    CHECK(texts("select e'a\\\\'; select 2;") == list{"select e'a\\\\';", "select 2;"});
    CHECK(texts("select E'x\\';y'';z'; select 2") == list{"select E'x\\';y'';z';", "select 2"});
    // Only a lone E before the quote makes an escape string.
    CHECK(texts("select note'\\'; select 2") == list{"select note'\\';", "select 2"});
    CHECK(texts("select 1e'\\'; select 2") == list{"select 1e'\\';", "select 2"});
}

TEST_CASE("sql_split: double-quoted identifiers") {
    CHECK(texts("select 1 as \"a;b\"; select 2") == list{"select 1 as \"a;b\";", "select 2"});
    CHECK(texts("select 1 as \"a\"\";'b\";") == list{"select 1 as \"a\"\";'b\";"});
    CHECK(texts("select 1 as \"it's\"; select 2;") == list{"select 1 as \"it's\";", "select 2;"});
}

TEST_CASE("sql_split: dollar quotes") {
    CHECK(texts("select $$a;b$$; select 2") == list{"select $$a;b$$;", "select 2"});
    CHECK(texts("select $tag$ ; $$ ; $x$ ; $tag$; select 2") ==
          list{"select $tag$ ; $$ ; $x$ ; $tag$;", "select 2"});
    CHECK(texts("select $a$ 'x;$ab$'; $a$;") == list{"select $a$ 'x;$ab$'; $a$;"});
    CHECK(texts("select $_1é$;$_1é$;") == list{"select $_1é$;$_1é$;"});
    // Closing delimiters are found wherever they start, even right after other text.
    CHECK(texts("select $q$x$q$; select 2") == list{"select $q$x$q$;", "select 2"});
    CHECK(texts("select $q$ $$q$; select 2") == list{"select $q$ $$q$;", "select 2"});
    const auto fn = "create function f() returns int language plpgsql as $body$\n"
                    "begin\n  raise notice 'a;b';\n  return 1;\nend;\n$body$;";
    CHECK(texts(std::string(fn) + "\nselect f();") == list{fn, "select f();"});
}

TEST_CASE("sql_split: $1 parameters, identifiers with $ and stray dollars are no quotes") {
    CHECK(texts("prepare p as select $1; execute p(1);") ==
          list{"prepare p as select $1;", "execute p(1);"});
    CHECK(texts("select $1$2; select 2") == list{"select $1$2;", "select 2"});
    CHECK(texts("select a$b$; select 2$") == list{"select a$b$;", "select 2$"});
    CHECK(texts("select $; select $ $") == list{"select $;", "select $ $"});
    // A number then a quote: 1$x$ starts one (PostgreSQL reads the number, then the $x$).
    CHECK(texts("select 1$x$;$x$; select 2") == list{"select 1$x$;$x$;", "select 2"});
}

TEST_CASE("sql_split: comments") {
    CHECK(texts("select /* ; */ 1; select 2") == list{"select /* ; */ 1;", "select 2"});
    CHECK(texts("select /* a /* b; */ c; */ 1; select 2") ==
          list{"select /* a /* b; */ c; */ 1;", "select 2"});
    CHECK(texts("select /* ' */ 1; select 2") == list{"select /* ' */ 1;", "select 2"});
    CHECK(texts("select 1 -- ' ; \"\n; select 2") == list{"select 1 -- ' ; \"\n;", "select 2"});
    CHECK(texts("select 1 /* unterminated ; ") == list{"select 1 /* unterminated ; "});
    CHECK(texts("select 1 -- $$\n; select 2") == list{"select 1 -- $$\n;", "select 2"});
    CHECK(texts("select 1 */ 2; select 3") == list{"select 1 */ 2;", "select 3"});
}

TEST_CASE("sql_split: parentheses hold semicolons (psql waits for the closing one)") {
    CHECK(texts("select (1;\n2); select 3") == list{"select (1;\n2);", "select 3"});
    CHECK(texts("select ((1); 2); select 3") == list{"select ((1); 2);", "select 3"});
    CHECK(texts("select 1); select 2;") == list{"select 1);", "select 2;"});
    CHECK(texts("select ')'; select '('; select 3") ==
          list{"select ')';", "select '(';", "select 3"});
}

TEST_CASE("sql_split: BEGIN ATOMIC bodies of SQL-standard functions and procedures") {
    const std::string f = "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\n"
                          "BEGIN ATOMIC\n  SELECT a + 1;\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 "
                          "END;\nEND;";
    CHECK(texts(f + "\nselect f(1);") == list{f, "select f(1);"});
    const std::string p = "create or replace procedure p() begin atomic insert into t values "
                          "(1); insert into t values (2); end;";
    CHECK(texts(p + " call p();") == list{p, "call p();"});
    // Elsewhere BEGIN and END are ordinary words.
    CHECK(texts("begin; select 1; end;") == list{"begin;", "select 1;", "end;"});
    CHECK(texts("select case when true then 1 end; select 2;") ==
          list{"select case when true then 1 end;", "select 2;"});
    CHECK(texts("create table begin_t (a int); select 1;") ==
          list{"create table begin_t (a int);", "select 1;"});
    CHECK(texts("create or replace view v as select 1; begin; end;") ==
          list{"create or replace view v as select 1;", "begin;", "end;"});
    // A function with a string body: no BEGIN block at the top level.
    CHECK(texts("create function g() returns int as 'select 1; select 2' language sql; select "
                "g();") ==
          list{"create function g() returns int as 'select 1; select 2' language sql;",
               "select g();"});
}

TEST_CASE("sql_split: the line of each statement's ';', or the last line for a trailing one") {
    auto r = split_sql("select 1;\nselect\n\n  2\n\n;select 3;\n\nselect 4\n\n");
    REQUIRE(r.statements.size() == 4);
    CHECK(r.statements[0].line == 1);
    CHECK(r.statements[1].line == 6);
    CHECK(r.statements[2].line == 6);
    CHECK(r.statements[3].line == 9);
    CHECK(split_sql("select 1;\nselect\nnope").statements[1].line == 3);
    CHECK(split_sql("select 'a\nb\n';").statements[0].line == 3);
}

TEST_CASE("sql_split: a backslash meta-command stops the split") {
    auto r = split_sql("select 1;\n\\set x 1\nselect :x;");
    REQUIRE(r.meta);
    CHECK(r.meta->name == "\\set");
    CHECK(r.meta->line == 2);
    REQUIRE(r.statements.size() == 1);
    CHECK(r.statements[0].text == "select 1;");

    r = split_sql("select 1 \\gset\n");
    REQUIRE(r.meta);
    CHECK(r.meta->name == "\\gset");
    CHECK(r.statements.empty());

    r = split_sql("\\! ls");
    REQUIRE(r.meta);
    CHECK(r.meta->name == "\\!");

    // Backslashes inside strings, identifiers, dollar quotes and comments are text.
    CHECK(texts("select '\\n', E'\\\\', \"a\\b\", $$\\x$$ /* \\q */ -- \\q\n;") ==
          list{"select '\\n', E'\\\\', \"a\\b\", $$\\x$$ /* \\q */ -- \\q\n;"});
}

TEST_CASE("sql_split: unterminated quotes run to the end of the script") {
    CHECK(texts("select 'abc; select 2;") == list{"select 'abc; select 2;"});
    CHECK(texts("select \"abc; select 2;") == list{"select \"abc; select 2;"});
    CHECK(texts("select $$abc; select 2;") == list{"select $$abc; select 2;"});
    CHECK(texts("select E'abc\\") == list{"select E'abc\\"});
}

TEST_CASE("sql_split: every prefix of a tricky script splits into ordered views of it") {
    const std::string_view script =
        "select 'a''b;', E'c\\';d', \"e\"\"f;\", $$g;$$, $t$h;$t$, $1 /* i /* j; */ */ -- k;\n"
        "; create or replace function f() returns int begin atomic select case when true then "
        "1 end; end; select (1;2); \\echo x\n";
    for (std::size_t n = 0; n <= script.size(); ++n) {
        auto prefix = script.substr(0, n);
        auto r = split_sql(prefix);
        const char* last = prefix.data();
        std::size_t last_line = 1;
        for (const auto& s : r.statements) {
            CHECK(s.text.data() >= last);
            CHECK(s.text.data() + s.text.size() <= prefix.data() + prefix.size());
            CHECK_FALSE(s.text.empty());
            CHECK(s.line >= last_line);
            last = s.text.data() + s.text.size();
            last_line = s.line;
        }
    }
}
