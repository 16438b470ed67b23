"""The line-at-a-time reader (hcl/fastparse.py) must give exactly the tree, and exactly the
error, that the general tokenizer and parser give: checked on generated files built from plain
lines, lines it must hand over (templates, heredocs, operators, comments, broken syntax) and
their mixtures, and on a few hand-picked edge cases."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atoll.errors import HCLError
from atoll.hcl.fastparse import parse_prefix
from atoll.hcl.parser import parse, parse_general


def outcome(fn, text: str):
    try:
        return ("ok", fn(text, "t.hcl"))
    except HCLError as e:
        return ("error", str(e))


def same(text: str) -> None:
    assert outcome(parse, text) == outcome(parse_general, text), text


IDENTS = ["a", "null", "true", "false", "for", "t_1", "é名", "my-col", "x0"]
STRINGS = ['"x"', '""', '"a b # c // d"', '"\\n\\"q\\""', '"\\u00e9"', '"$${x}"', '"%%{y}"',
           '"a$b%c"', '"(datetime(\'now\'))"', '"[1]"']
NUMBERS = ["0", "07", "1.5", "1e3", "2.5E-2", "-1", "-0.0"]
TRAVERSALS = ["column.id", "table.t.column.id", "a.b.c-d"]
PLAIN = IDENTS + STRINGS + NUMBERS + TRAVERSALS + [
    "varchar(255)", "decimal(10,2)", "decimal(10, 2,)", "f()", "f( )", 'sql("x()")', "[]",
    "[column.a, column.b]", "[1, 2,]", '["a]", -1]', "[for]"]
# Values the reader must hand over (or that are errors).
OTHER = ['"\\q"', '"${x}"', '"%{if a}b%{endif}"', '"unterminated', "- 1", "1.", "1.5.3",
         "5abc", "true.x", "a.0", "a . b", "a[0]", "f(,)", "f(a b)", "f(a...)", "f::g(1)",
         "[,]", "[for x in y: x]", "[\n  a,\n  b\n]", "{ a = 1 }", "1 + 2", "a ? b : c",
         "(a)", "<<EOT\nhello\nEOT", "<<-EOT\n  x ${y}\n  EOT", "", "= 1", "a\n  + b",
         "-a", "!true"]
ENDINGS = ["", "", "", " ", "  # note", " // note", "\t"]
OTHER_ENDINGS = [" /* c */", "\r", " x", ","]


def pick(draw, plain: list, other: list):
    return draw(st.sampled_from(plain if draw(st.integers(0, 11)) else other))


@st.composite
def lines(draw, depth: int = 0):
    kind = draw(st.integers(0, 9))
    if depth == 0 and kind <= 4 and draw(st.integers(0, 5)):
        kind = 5  # mostly blocks at the top, where an attribute ends the plain reading
    indent = draw(st.sampled_from(["", "  ", "    ", "\t"]))
    if kind <= 4:
        name = pick(draw, IDENTS, ["a = b", "1x", '"q"'])
        sep = pick(draw, [" = ", "=", "  =  "], [" == ", " "])
        return [indent + name + sep + pick(draw, PLAIN, OTHER) + pick(draw, ENDINGS,
                                                                       OTHER_ENDINGS)]
    if kind <= 7 and depth < 3:
        typ = draw(st.sampled_from(IDENTS))
        labels = [pick(draw, STRINGS + IDENTS[:3], ['"${x}"', "1"])
                  for _ in range(draw(st.integers(0, 2)))]
        head = indent + " ".join([typ] + labels) + pick(draw, [" {", "{", " { # c"], [" {x"])
        if draw(st.integers(0, 5)) == 0:
            return [head + pick(draw, ["}", " }"], [" a = 1 }"])]
        body = draw(st.lists(lines(depth + 1), max_size=4))
        close = pick(draw, ["}", "  }", "} # end"], ["}}", "} x", ""])
        return [head] + [ln for b in body for ln in b] + [indent + close]
    return [indent + pick(draw, ["", "# comment", "// c"],
                          ["/* b */", "/*\n*/", "}", "'x'", "a = 1, b = 2"])]


@st.composite
def files(draw):
    parts = draw(st.lists(lines(), max_size=6))
    text = "\n".join(ln for p in parts for ln in p)
    newline = pick(draw, ["\n"], ["\r\n"])
    text = text.replace("\n", newline)
    if draw(st.booleans()):
        text += newline
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_fast_reader_matches_general_parser(text):
    same(text)


@pytest.mark.parametrize("text", [
    'table "t" {\n  column "id" {\n    null = false\n    type = integer\n  }\n}\n',
    'schema "main" {\n}\n',
    'schema "main" {}\n',
    'a {\n  x = 1\n  x = 2\n}\n',  # redefined attribute: the general parser's error
    'a {\n  x = 1\n}\ntop = 1\n',  # top-level attribute after a plain block
    'a {\n  x = <<EOT\nhi\nEOT\n}\nb {\n  y = [1, 2]\n}\n',  # plain blocks after a heredoc
    'a {\n  x = 1\n',  # unclosed block
    'a {\n  x = "\\q"\n}\n',  # invalid escape
    'a "${x}" {\n}\n',
    '\ufeffa {\n  x = -1.5\n}',
    'a {\n  t = [column.a, "s", -2, 1e2,]\n  f = g("a, b", 1)\n}\n',
])
def test_edge_cases(text):
    same(text)


def test_plain_file_is_read_whole():
    text = 'table "t" {\n  schema = schema.main\n  column "c" {\n    type = varchar(9)\n  }\n}\n'
    items, offset, line = parse_prefix(text, "t.hcl")
    assert offset == len(text) and len(items) == 1
    assert parse(text, "t.hcl") == parse_general(text, "t.hcl")


def test_hand_over_starts_at_the_item():
    text = 'a {\n  x = 1\n}\n\nb {\n  y = 1 + 2\n}\n'
    items, offset, line = parse_prefix(text, "t.hcl")
    assert len(items) == 1 and text[offset:].startswith("b {") and line == 5
