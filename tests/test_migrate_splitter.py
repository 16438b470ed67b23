"""Statement splitting (Atlas's lex.go rules) and in-file directives."""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "migrate"))
from migsupport import FIXTURES

from atoll.errors import MigrationError
from atoll.migrate.directives import file_directives, stmt_directives, txmode_directive
from atoll.migrate.directory import MigrationFile
from atoll.migrate.splitter import (
    GENERIC,
    SQLITE,
    ScanError,
    ScannerOptions,
    scan_statements,
    split_statements,
)

LEX = ScannerOptions(match_begin=True, match_begin_atomic=True, match_dollar_quote=True,
                     backslash_escapes=True, escaped_string_ext=True, hash_comments=True)


def _golden(folder: str, options_for) -> list:
    out = []
    for p in sorted((FIXTURES / folder).iterdir()):
        if not p.name.endswith(".golden"):
            out.append(pytest.param(p, options_for(p.name), id=f"{folder}/{p.name}"))
    return out


GOLDEN = (
    _golden("lex", lambda n: ScannerOptions(
        match_begin=True, match_begin_atomic=True, match_dollar_quote=True,
        backslash_escapes=True, escaped_string_ext=True, hash_comments="_pg" not in n,
        go_command="_ms" in n))
    + _golden("lexgroup", lambda n: ScannerOptions(match_begin=True))
    + _golden("lexbegintry", lambda n: ScannerOptions(
        match_begin=True, match_begin_atomic=True, match_begin_try_catch=True,
        match_dollar_quote=True, backslash_escapes=True, escaped_string_ext=True))
    + _golden("sqlserver", lambda n: ScannerOptions(match_begin=True,
                                                    begin_end_terminator=True))
    + [pytest.param(FIXTURES / "lexescaped" / "1.my.sql", ScannerOptions(backslash_escapes=True),
                    id="lexescaped/1.my.sql"),
       pytest.param(FIXTURES / "lexescaped" / "2.pg.sql", ScannerOptions(escaped_string_ext=True),
                    id="lexescaped/2.pg.sql")]
)


def test_all_golden_files_collected():
    assert len(GOLDEN) == 28


@pytest.mark.parametrize("path,options", GOLDEN)
def test_atlas_golden_files(path, options):
    text = path.read_text(encoding="utf-8")
    expected = Path(str(path) + ".golden").read_text(encoding="utf-8")
    assert "\n-- end --\n".join(split_statements(text, options)) == expected


def test_sqlite_trigger_golden_with_sqlite_options():
    text = (FIXTURES / "lexgroup" / "1_trigger.sql").read_text()
    expected = (FIXTURES / "lexgroup" / "1_trigger.sql.golden").read_text()
    assert "\n-- end --\n".join(split_statements(text)) == expected


def test_escaped_string_errors():
    # Atlas's TestScanner_EscapedStrings.
    with pytest.raises(ScanError, match=r"^4:40: unclosed quote '\\''$"):
        split_statements((FIXTURES / "lexescaped" / "2.pg.sql").read_text(),
                         ScannerOptions(backslash_escapes=True))
    with pytest.raises(ScanError, match=r"^4:42: unclosed quote '\\''$"):
        split_statements((FIXTURES / "lexescaped" / "1.my.sql").read_text(),
                         ScannerOptions(escaped_string_ext=True))


@pytest.mark.parametrize("text,err", [
    ("'this quote is unclosed at 1:1", "1:1: unclosed quote '\\''"),
    ("12345'this quote is unclosed at pos 7", "1:6: unclosed quote '\\''"),
    ("unclosed '", "1:10: unclosed quote '\\''"),
    ('"unclosed double', "1:1: unclosed quote '\"'"),
    ('unclosed double at 2:2\n "', "2:2: unclosed quote '\"'"),
    ('unclosed double at 2:2\n\n\n\n1234"', "5:5: unclosed quote '\"'"),
    ("(unclosed parentheses", "1:1: unclosed '('"),
    ("()(unclosed parentheses", "1:3: unclosed '('"),
    ("1234)6789", "1:5: unexpected ')'"),
    ("SELECT 'abc", "1:8: unclosed quote '\\''"),
    ("SELECT (1;", "1:8: unclosed '('"),
    ("SELECT 1); SELECT 2;", "1:9: unexpected ')'"),
    ("SELECT `x", "1:8: unclosed quote '`'"),
    ("SELECT é, 'x", "1:12: unclosed quote '\\''"),  # columns count bytes
    ("x;\né 'y", "2:4: unclosed quote '\\''"),
    ("-- atlas:delimiter //", '1:0: no input found after delimiter "//"'),
    ("-- atlas:delimiter\nSELECT 1", "empty delimiter"),
])
def test_errors(text, err):
    for options in (SQLITE, GENERIC):
        with pytest.raises(ScanError) as e:
            split_statements(text, options)
        assert str(e.value) == err
        assert isinstance(e.value, MigrationError)


@pytest.mark.parametrize("text,stmts", [
    ("CREATE TABLE a(x);\nCREATE TABLE b(y);", ["CREATE TABLE a(x);", "CREATE TABLE b(y);"]),
    ("SELECT 1", ["SELECT 1"]),
    ("INSERT INTO a VALUES ('x;y'), (\"q;\"), (`z;`);",
     ["INSERT INTO a VALUES ('x;y'), (\"q;\"), (`z;`);"]),
    ("SELECT 'it''s; ok';", ["SELECT 'it''s; ok';"]),
    ("SELECT 1 -- c ; x\n; SELECT 2;", ["SELECT 1 -- c ; x\n;", "SELECT 2;"]),
    ("-- only a comment\n", []),
    ("-- only a comment", ["-- only a comment"]),
    ("SELECT 1; -- trailing comment", ["SELECT 1;", "-- trailing comment"]),
    ("SELECT 1;;SELECT 2", ["SELECT 1;", ";", "SELECT 2"]),
    ("CREATE TRIGGER t AFTER INSERT ON a BEGIN\n SELECT 1;\n UPDATE b SET c = 1;\nEND;",
     ["CREATE TRIGGER t AFTER INSERT ON a BEGIN\n SELECT 1;\n UPDATE b SET c = 1;\nEND;"]),
    ("BEGIN TRANSACTION;\nCREATE TABLE a(x);\nCOMMIT;",
     ["BEGIN TRANSACTION;", "CREATE TABLE a(x);", "COMMIT;"]),
    ("BEGIN;\nSELECT 1;\nEND;", ["BEGIN;", "SELECT 1;", "END;"]),
    ("-- atlas:delimiter //\nCREATE TABLE a(x)//\nCREATE TABLE b(y)//",
     ["CREATE TABLE a(x)", "CREATE TABLE b(y)"]),
    ("-- atlas:delimiter \\n\\n\n\nCREATE INDEX i1 ON t1(c1)\n\nCREATE INDEX i2 ON t2(c2)",
     ["CREATE INDEX i1 ON t1(c1)", "CREATE INDEX i2 ON t2(c2)"]),
    ("SELECT 1;\r\nSELECT 2;\r\n", ["SELECT 1;", "SELECT 2;"]),
    ("CREATE TABLE kw (begin text, end text);\nSELECT begin FROM kw;\nSELECT 2;",
     ["CREATE TABLE kw (begin text, end text);", "SELECT begin FROM kw;", "SELECT 2;"]),
    ("DELIMITER //\nCREATE TRIGGER x BEGIN SELECT 1; END//\nDELIMITER ;\nSELECT 1;",
     ["CREATE TRIGGER x BEGIN SELECT 1; END", "SELECT 1;"]),
    ("/* a */ SELECT 1; /* unclosed", ["SELECT 1;", "/* unclosed"]),
])
def test_spec_examples(text, stmts):
    assert split_statements(text) == stmts


def test_comments_and_positions():
    # Atlas's TestExecutor: 1.a_sub.up.sql.
    text = (FIXTURES / "sums" / "sm-migrate" / "sub" / "1.a_sub.up.sql").read_text()
    got = scan_statements(text)
    assert [(s.pos, s.text, s.comments) for s in got] == [
        (24, "CREATE TABLE t_sub(c int);", ['-- create table "t_sub"\n']),
        (68, "ALTER TABLE t_sub ADD c1 int;", ["-- add c1 column\n"])]
    got = scan_statements("-- c1\n\nCREATE TABLE a(x);\n-- c2\nCREATE TABLE b(y);")
    assert [(s.text, s.comments) for s in got] == [("CREATE TABLE a(x);", []),
                                                   ("CREATE TABLE b(y);", ["-- c2\n"])]
    # Positions are relative to the text after a delimiter line.
    got = scan_statements("-- atlas:delimiter //\nA//\n  B//")
    assert [(s.pos, s.text) for s in got] == [(0, "A"), (6, "B")]


def test_stmt_decls_and_statement_directives():
    # Atlas's TestLocalFile_StmtDecls.
    f = ("cmd0;\n-- test\ncmd1;\n\n-- hello\n-- world\ncmd2;\n\n-- skip\n-- this\n# comment\n\n"
         "/* Skip this as well */\n\n# Skip this\n/* one */\n\n# command\ncmd3;\n\n"
         "/* comment1 */\n/* comment2 */\ncmd4;\n\n--atlas:nolint\n-- atlas:nolint destructive\n"
         "cmd5;\n\n#atlas:lint error\n/*atlas:nolint DS101*/\n/* atlas:lint not a directive */\n"
         "/*\natlas:lint not a directive\n*/\ncmd6;\n\n-- atlas:nolint\ncmd7;\n")
    stmts = scan_statements(f, LEX)
    assert [s.text for s in stmts] == [f"cmd{i};" for i in range(8)]
    assert [s.pos for s in stmts] == [f.index(f"cmd{i};") for i in range(8)]
    assert stmts[1].comments == ["-- test\n"]
    assert stmts[2].comments == ["-- hello\n", "-- world\n"]
    assert stmts[3].comments == ["# command\n"]
    assert stmts[4].comments == ["/* comment1 */", "/* comment2 */"]
    assert stmts[5].directive("nolint") == ["", "destructive"]
    assert stmts[6].directive("lint") == ["error"]
    assert stmts[6].directive("nolint") == ["DS101"]
    assert stmts[7].directive("nolint") == [""]
    assert stmt_directives(["/* atlas:nolint */"], "nolint") == []


@pytest.mark.parametrize("text,name,expected", [
    ("-- atlas:lint ignore\nalter table t1 add column c int;", "lint", []),
    ("-- atlas:lint ignore\n\nalter table t1 add column c int;", "lint", ["ignore"]),
    ("-- atlas:lint ignore\n-- atlas:txmode none\n\nalter", "lint", ["ignore"]),
    ("-- atlas:lint ignore\n-- atlas:txmode none\n\nalter", "txmode", ["none"]),
    ("-- atlas:nolint\n\nalter", "nolint", [""]),
    ("", "lint", []),
    ("-- atlas:lint ignore", "lint", []),
    ("-- atlas:lint ignore\n", "lint", ["ignore"]),
    ("-- atlas:lint ignore\n\n", "lint", ["ignore"]),
    ("# atlas:txmode none\n\nx", "txmode", ["none"]),
    ("-- note atlas:txmode none\n\nx", "txmode", ["none"]),
    ("-- atlas:txmode none\r\n\r\nx", "txmode", []),
    ("  -- atlas:txmode none\n\nx", "txmode", []),
    ("/* atlas:txmode none */\n\nx", "txmode", []),
    (("-- atlas:import foo\n-- atlas:import\n-- atlas:import bar baz\n-- atlas:import qux\n"
      "-- atlas:import files_📄\n\n"), "import", ["foo", "", "bar baz", "qux", "files_📄"]),
])
def test_file_directives(text, name, expected):
    assert file_directives(text, name) == expected


def test_checkpoint_and_txmode_directives():
    assert not MigrationFile("1.sql", b"-- atlas:checkpoint\nSELECT 1;").is_checkpoint
    f = MigrationFile("1.sql", b"-- atlas:checkpoint\n\nSELECT 1;")
    assert f.is_checkpoint and f.checkpoint_tag == ""
    assert MigrationFile("1.sql", b"-- atlas:checkpoint tag\n\nSELECT 1;").checkpoint_tag == "tag"
    assert txmode_directive("a.sql", "-- atlas:txmode none\n\nx") == "none"
    assert txmode_directive("a.sql", "x") == ""
    with pytest.raises(MigrationError, match=r'^txmode "all" is not allowed in file directive '
                                             r'"a.sql". Use "file" instead$'):
        txmode_directive("a.sql", "-- atlas:txmode all\n\nx")
    with pytest.raises(MigrationError, match=r'^unknown txmode "unknown" found in file '
                                             r'directive "a.sql"$'):
        txmode_directive("a.sql", "-- atlas:txmode unknown\n\nx")
    with pytest.raises(MigrationError, match=r'^multiple txmode values found in file "a.sql": '
                                             r'\["none" "file"\]$'):
        txmode_directive("a.sql", "-- atlas:txmode none\n-- atlas:txmode file\n\nx")


# -- oracle: SQLite's own tokenizer ------------------------------------------------------------


def oracle_split(text: str) -> list[str]:
    """Statements by sqlite3.complete_statement on growing prefixes."""
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch == ";" and sqlite3.complete_statement(text[start:i + 1]):
            out.append(text[start:i + 1])
            start = i + 1
    if text[start:].strip():
        out.append(text[start:])
    return out


_LEADING = re.compile(r"\A(?:\s+|--[^\n]*\n|/\*.*?\*/)+", re.DOTALL)


def _norm(stmts: list[str]) -> list[str]:
    out = []
    for s in stmts:
        s = _LEADING.sub("", s).strip()
        if s and s != ";":
            out.append(s)
    return out


FRAGMENTS = [
    "CREATE TABLE t{i} (a int, b text DEFAULT 'x;y', c text DEFAULT \"q;\", `d;e` int)",
    "INSERT INTO t VALUES ('it''s; fine', 2)",
    "SELECT 1 /* ; inside */ + 2",
    "SELECT 2 -- ; comment\n + 3",
    ("CREATE TRIGGER tr{i} AFTER INSERT ON t BEGIN\n  UPDATE t SET a = 1;\n"
     "  SELECT CASE WHEN new.a = 1 THEN RAISE(ABORT, 'x;') END;\nEND"),
    ("CREATE TEMP TRIGGER IF NOT EXISTS tt{i} BEFORE DELETE ON t FOR EACH ROW\nBEGIN\n"
     "  -- END;\n  INSERT INTO log VALUES (old.a);\nEND"),
    "BEGIN TRANSACTION",
    "COMMIT",
    "CREATE TABLE kw{i} (begin text, end text)",
    "SELECT begin FROM kw WHERE x IN (1, (2), ';')",
    "CREATE VIEW v{i} AS SELECT (a + (b * 2)) AS c FROM t",
    "UPDATE t SET b = 'BEGIN ' || b WHERE a = 1",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(FRAGMENTS),
                          st.sampled_from(["", "-- lead\n", "/* lead; */ ", "\n\n"]),
                          st.sampled_from([";\n", ";", " ;\n\n", ";\r\n"])),
                min_size=1, max_size=12))
def test_oracle_sqlite_complete_statement(parts):
    text = "".join(lead + frag.format(i=i) + end for i, (frag, lead, end) in enumerate(parts))
    ours = split_statements(text)
    assert _norm(ours) == _norm(oracle_split(text))
    for s in ours:
        assert sqlite3.complete_statement(s)


def test_oracle_on_fixture_trigger_file():
    text = (FIXTURES / "lexgroup" / "1_trigger.sql").read_text()
    # The last trigger nests BEGIN … END, which is not SQLite syntax (Atlas keeps it whole).
    text = text[:text.index("CREATE TRIGGER errorHandlingTrigger")]
    assert _norm(split_statements(text)) == _norm(oracle_split(text))


def test_statements_execute_in_sqlite():
    text = (FIXTURES / "lexgroup" / "1_trigger.sql").read_text()
    db = sqlite3.connect(":memory:")
    db.executescript("CREATE TABLE tbl(a,b,c); CREATE TABLE tbl2(a,b,c); CREATE TABLE test(id,a,b);"
                     "CREATE VIEW vtest AS SELECT * FROM test; CREATE TABLE t3(c);"
                     "CREATE TABLE t1(a); CREATE TABLE tbl10(f); CREATE TABLE tbl11(f);"
                     "CREATE TABLE tbl12(g); CREATE TABLE tbl13(g);")
    for s in split_statements(text):
        s = s.replace("instead of insert on test", "instead of insert on vtest")
        try:
            db.execute(s)
        except sqlite3.OperationalError as e:
            # Two triggers of the fixture (nested BEGIN … END, SAVEPOINT in a body) are not
            # SQLite syntax; Atlas still keeps each one whole.
            assert "errorHandlingTrigger" in s or "transactionTrigger" in s, (s, e)
