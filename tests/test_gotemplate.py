"""Go text/template: parsing, trim markers, execution, builtins, fmt printing and errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from atoll import gotemplate
from atoll.errors import AtollError
from atoll.gotemplate import TemplateError, parse, sprint, sprintf, sprintln


@dataclass
class File:
    name: str
    applied_count: int = 0
    tags: list = field(default_factory=list)

    def summary(self, indent: str) -> str:
        return f"{indent}{self.name}"

    def upper(self) -> str:
        return self.name.upper()


@dataclass
class Point:
    x: int
    y: str


class Named:
    def __str__(self) -> str:
        return "named!"


FUNCS = {
    "json": lambda v: json.dumps(v, separators=(",", ":")),
    "sql": lambda v, indent="": f"{indent}SQL({v})",
    "upper": lambda s: s.upper(),
    "two": lambda a, b: f"{a}{b}",
}

FILES = {"Files": [{"Name": "1.sql", "Count": 2}, {"Name": "2.sql", "Count": 0}],
         "Name": "dir", "Error": "", "Count": 3}


def render(text: str, data=None, funcs=None) -> str:
    return parse(text, {**FUNCS, **(funcs or {})}).execute(data)


# ---------------------------------------------------------------------------------------------
# text, trim markers, comments
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("hello", "hello"),
    ("", ""),
    ("a {{ 1 }} b", "a 1 b"),
    ("a {{- 1 -}} b", "a1b"),
    ("a\n\t {{- 1 }}\n", "a1\n"),
    ("{{ 1 -}}\n\n  x", "1x"),
    ("x  {{- 1 }}  y", "x1  y"),
    ("{{-3}}", "-3"),                      # no space after '-': a negative number, not a marker
    ("{{3 -}}  x", "3x"),
    ("{{ 3 -}}", "3"),
    ("a {{/* c */}} b", "a  b"),
    ("a {{- /* c */ -}} b", "ab"),
    ("a {{/* multi\nline */}}b", "a b"),
    ("{{ range .L -}}\n  {{ . }}\n{{- end }}", "12"),
    ("{{ if true -}}\n  yes\n{{- end }}", "yes"),
    ("{{\n  1\n}}", "1"),                  # newlines inside actions are spaces
    ("}} {", "}} {"),
])
def test_text_and_trim(text, want):
    assert render(text, {"L": [1, 2]}) == want


# ---------------------------------------------------------------------------------------------
# fields, variables, control structures
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, data, want", [
    # fields
    ("{{ .Name }}", FILES, "dir"),
    ("{{ .A.B.C }}", {"A": {"B": {"C": 3}}}, "3"),
    ("{{ . }}", "plain", "plain"),
    ("{{ range .Files }}{{ println .Name }}{{ end }}", FILES, "1.sql\n2.sql\n"),
    ("{{ len .Files | println }}", FILES, "2\n"),
    ("{{ printf \"%s: %d\" .Name .Count }}", FILES, "dir: 3"),
    ("{{ $.Name }}{{ range .Files }}/{{ $.Name }}{{ end }}", FILES, "dir/dir/dir"),
    ("{{ (index .Files 1).Name }}", FILES, "2.sql"),
    ("{{ (index .Files 1).Name | upper }}", FILES, "2.SQL"),
    ("{{ .Name | printf \"%s!\" }}", FILES, "dir!"),
    ("{{ .Name | printf \"%s-%s\" \"x\" }}", FILES, "x-dir"),
    # Python objects: attributes by Go name (exact or snake_case), methods with and without args
    ("{{ .Name }} {{ .AppliedCount }}", File("f.sql", 4), "f.sql 4"),
    ("{{ .Upper }}", File("f.sql"), "F.SQL"),
    ("{{ .Summary \">>\" }}", File("f.sql"), ">>f.sql"),
    ("{{ \"--\" | .Summary }}", File("f.sql"), "--f.sql"),
    ("{{ range . }}{{ .Name }};{{ end }}", [File("a"), File("b")], "a;b;"),
    ("{{ .applied_count }}", File("f", 9), "9"),
    ("{{ . }}", File("f", 1, ["t"]), "{f 1 [t]}"),
    ("{{ .x }}", {"x": 1}, "1"),
    ("{{ .AppliedCount }}", {"applied_count": 5}, "5"),
    # variables
    ("{{ $x := 1 }}{{ $x }}", None, "1"),
    ("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", None, "2"),
    ("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}", None, "21"),
    ("{{ $f := index .Files 0 }}{{ $f.Name }}", FILES, "1.sql"),
    ("{{ $ }}", 7, "7"),
    ("{{ $x := \"a\" }}{{ $y := $x }}{{ $x = \"b\" }}{{ $x }}{{ $y }}", None, "ba"),
    ("{{ ($x := 5) }} {{ $x }}", None, "5 5"),
    ("{{ $n := len .Files }}{{ $n }}", FILES, "2"),
    # if / else if / else
    ("{{ if eq .N 1 }}one{{ else if eq .N 2 }}two{{ else }}many{{ end }}", {"N": 1}, "one"),
    ("{{ if eq .N 1 }}one{{ else if eq .N 2 }}two{{ else }}many{{ end }}", {"N": 2}, "two"),
    ("{{ if eq .N 1 }}one{{ else if eq .N 2 }}two{{ else }}many{{ end }}", {"N": 3}, "many"),
    ("{{ if .Error }}E{{ end }}", FILES, ""),
    ("{{- if .Error }}err: {{ .Error }}{{ else }}ok{{ end -}}", {"Error": "boom"}, "err: boom"),
    ("{{ if $x := .Count }}{{ $x }}{{ end }}", FILES, "3"),
    ("{{ if and .Name (not .Error) }}fine{{ end }}", FILES, "fine"),
    # with
    ("{{ with .Files }}{{ len . }}{{ end }}", FILES, "2"),
    ("{{ with .Error }}{{ . }}{{ else }}none{{ end }}", FILES, "none"),
    ("{{ with $e := .Name }}{{ $e }}{{ . }}{{ end }}", FILES, "dirdir"),
    ("{{ with .A }}a{{ else with .B }}{{ . }}{{ else }}c{{ end }}", {"A": 0, "B": "b"}, "b"),
    ("{{ with .A }}a{{ else with .B }}{{ . }}{{ else }}c{{ end }}", {"A": 0, "B": ""}, "c"),
    ("{{ with .Changes }}{{ json .Applied }}{{ end }}", {"Changes": {"Applied": ["x"]}}, '["x"]'),
    # range
    ("{{ range $i, $e := .L }}{{ $i }}={{ $e }} {{ end }}", {"L": ["a", "b"]}, "0=a 1=b "),
    ("{{ range $e := .L }}{{ $e }}{{ end }}", {"L": ["a", "b"]}, "ab"),
    ("{{ range $k, $v := .M }}{{ $k }}:{{ $v }};{{ end }}", {"M": {"b": 2, "a": 1}}, "a:1;b:2;"),
    ("{{ range .M }}{{ . }}{{ end }}", {"M": {2: "two", 10: "ten", 1: "one"}}, "onetwoten"),
    ("{{ $i := 0 }}{{ $e := 0 }}{{ range $i, $e = .L }}{{ end }}{{ $i }}{{ $e }}",
     {"L": ["a", "b"]}, "1b"),
    ("{{ range 3 }}{{ . }}{{ end }}", None, "012"),
    ("{{ range $i := 3 }}{{ $i }}{{ end }}", None, "012"),
    ("{{ range 0 }}x{{ else }}none{{ end }}", None, "none"),
    ("{{ range .L }}x{{ else }}empty{{ end }}", {"L": []}, "empty"),
    ("{{ range .L }}x{{ else }}empty{{ end }}", {"L": None}, "empty"),
    ("{{ range .M }}x{{ else }}empty{{ end }}", {"M": {}}, "empty"),
    ("{{ range .L }}{{ if eq . 3 }}{{ break }}{{ end }}{{ . }}{{ end }}", {"L": [1, 2, 3, 4]},
     "12"),
    ("{{ range .L }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ . }}{{ end }}", {"L": [1, 2, 3]},
     "13"),
    ("{{ range .L }}{{ range . }}{{ if eq . 2 }}{{ break }}{{ end }}{{ . }}{{ end }};{{ end }}",
     {"L": [[1, 2, 3], [4]]}, "1;4;"),
    ("{{ range $i, $f := .Files }}{{ if $i }}, {{ end }}{{ $f.Name }}{{ end }}", FILES,
     "1.sql, 2.sql"),
    ("{{ range (slice .L 1) }}{{ . }}{{ end }}", {"L": [1, 2, 3]}, "23"),
    ("{{ range .T }}{{ . }}{{ end }}", {"T": (1, 2)}, "12"),
    # truthiness
    ("{{ if .V }}T{{ else }}F{{ end }}", {"V": 0}, "F"),
    ("{{ if .V }}T{{ else }}F{{ end }}", {"V": 0.0}, "F"),
    ("{{ if .V }}T{{ else }}F{{ end }}", {"V": -1}, "T"),
    ("{{ if .V }}T{{ else }}F{{ end }}", {"V": ""}, "F"),
    ("{{ if .V }}T{{ else }}F{{ end }}", {"V": "0"}, "T"),
    ("{{ if .V }}T{{ else }}F{{ end }}", {"V": []}, "F"),
    ("{{ if .V }}T{{ else }}F{{ end }}", {"V": [0]}, "T"),
    ("{{ if .V }}T{{ else }}F{{ end }}", {"V": {}}, "F"),
    ("{{ if .V }}T{{ else }}F{{ end }}", {"V": None}, "F"),
    ("{{ if .V }}T{{ else }}F{{ end }}", {"V": False}, "F"),
    ("{{ if .V }}T{{ else }}F{{ end }}", {"V": File("x")}, "T"),
    # define / template / block
    ('{{ define "T" }}<{{ . }}>{{ end }}{{ template "T" .Name }}{{ template "T" 1 }}', FILES,
     "<dir><1>"),
    ('{{ define "T" }}[{{ $ }}]{{ end }}{{ $x := 1 }}{{ template "T" "x" }}', None, "[x]"),
    ('{{ define "T" }}{{ if . }}x{{ else }}-{{ end }}{{ end }}{{ template "T" }}', None, "-"),
    ('{{ block "B" .Name }}default {{ . }}{{ end }}', FILES, "default dir"),
    (('{{ define "R" }}{{ if . }}{{ . }}{{ template "R" (slice . 1) }}{{ end }}{{ end }}'
      '{{ template "R" "abc" }}'), None, "abcbcc"),
])
def test_execute(text, data, want):
    assert render(text, data) == want


def test_defined_templates_and_execute_by_name():
    t = parse('main{{ define "a" }}A{{ . }}{{ end }}{{ define "b" }}B{{ end }}')
    assert t.templates == ["a", "b", "format"]
    assert t.execute() == "main"
    assert t.execute(1, name="a") == "A1"


def test_empty_define_does_not_replace():
    t = parse('{{ define "a" }}A{{ end }}{{ define "a" }}{{ end }}{{ template "a" }}')
    assert t.execute() == "A"


# ---------------------------------------------------------------------------------------------
# literals
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ('{{ "a\\tb" }}', "a\tb"),
    ('{{ "q\\"uote\\\\" }}', 'q"uote\\'),
    ("{{ `a\\tb` }}", "a\\tb"),
    ("{{ `multi\nline` }}", "multi\nline"),
    ('{{ "\\u00e9\\x41\\101\\U0001F600" }}', "éAA😀"),
    ("{{ 'a' }}", "97"),
    ("{{ '\\n' }}", "10"),
    ("{{ 0x1F }}", "31"),
    ("{{ 0o17 }} {{ 017 }} {{ 0b101 }}", "15 15 5"),
    ("{{ 1_000 }}", "1000"),
    ("{{ 1.5 }}", "1.5"),
    ("{{ 1.0 }}", "1"),
    ("{{ 1e3 }}", "1000"),
    ("{{ 1e6 }}", "1e+06"),
    ("{{ .5 }}", "0.5"),
    ("{{ -2 }} {{ +2 }}", "-2 2"),
    ("{{ true }} {{ false }}", "true false"),
    ("{{ 0x1p-2 }}", "0.25"),
    ("{{ 1+2i }}", "(1+2i)"),
    ("{{ print nil }}", "<nil>"),
])
def test_literals(text, want):
    assert render(text) == want


# ---------------------------------------------------------------------------------------------
# builtin functions
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, data, want", [
    ("{{ and 1 0 2 }}", None, "0"),
    ("{{ and 1 2 }}", None, "2"),
    ("{{ or 0 \"\" \"x\" }}", None, "x"),
    ("{{ or 0 \"\" }}", None, ""),
    ("{{ or 1 .Nope }}", {}, "1"),                      # short-circuit: .Nope never evaluated
    ("{{ and 0 (index .L 9) }}", {"L": []}, "0"),
    ("{{ 0 | or 1 }}", None, "1"),
    ("{{ 5 | and 1 }}", None, "5"),
    ("{{ not 0 }} {{ not \"x\" }}", None, "true false"),
    ("{{ len \"héllo\" }} {{ len .L }} {{ len .M }}", {"L": [1, 2], "M": {"a": 1}}, "6 2 1"),
    ("{{ index .M \"a\" }}", {"M": {"a": "A"}}, "A"),
    ("{{ index .L 1 }}", {"L": ["x", "y"]}, "y"),
    ("{{ index .N 1 0 }}", {"N": [[1], [2, 3]]}, "2"),
    ("{{ index .N \"k\" 1 }}", {"N": {"k": ["a", "b"]}}, "b"),
    ("{{ index \"abc\" 1 }}", None, "98"),
    ("{{ index .L }}", {"L": [1]}, "[1]"),
    ("{{ slice \"hello\" 1 3 }}", None, "el"),
    ("{{ slice \"hello\" 2 }}", None, "llo"),
    ("{{ slice .L 1 }}", {"L": ["a", "b", "c"]}, "[b c]"),
    ("{{ slice .L 0 2 3 }}", {"L": ["a", "b", "c"]}, "[a b]"),
    ("{{ slice .L }}", {"L": ["a"]}, "[a]"),
    ("{{ print 1 2 \"a\" \"b\" 3 }}", None, "1 2ab3"),
    ("{{ print \"a\" 1 2 \"b\" }}", None, "a1 2b"),
    ("{{ print .L .M }}", {"L": [1, "a"], "M": {"k": [True]}}, "[1 a] map[k:[true]]"),
    ("{{ println 1 \"a\" }}", None, "1 a\n"),
    ("{{ println }}", None, "\n"),
    ("{{ printf \"%05.1f|%-4d|%x|%q\" 3.14159 7 255 \"hi\" }}", None, '003.1|7   |ff|"hi"'),
    ("{{ printf \"%v %v\" .L .M }}", {"L": [1, None], "M": {"b": 2, "a": 1}}, "[1 <nil>] map[a:1 b:2]"),
    ("{{ eq 2 1 2 }} {{ eq 2 1 3 }}", None, "true false"),
    ("{{ eq \"a\" \"a\" }} {{ ne \"a\" \"b\" }} {{ ne 1 1 }}", None, "true true false"),
    ("{{ eq .X nil }}", {"X": None}, "true"),
    ("{{ eq .X .Y }}", {"X": None, "Y": "a"}, "false"),
    ("{{ eq 1.5 1.5 }} {{ eq true false }}", None, "true false"),
    ("{{ lt 1 2 }} {{ le 2 2 }} {{ gt 1 2 }} {{ ge 2 2 }}", None, "true true false true"),
    ("{{ lt \"a\" \"b\" }} {{ gt \"b\" \"a\" }} {{ lt 1.5 0.5 }}", None, "true true false"),
    ("{{ if gt (len .Files) 1 }}many{{ end }}", FILES, "many"),
    ("{{ html \"<a href='x'>&\\\"\" }}", None, "&lt;a href=&#39;x&#39;&gt;&amp;&#34;"),
    ("{{ html 1 \"<\" }}", None, "1&lt;"),
    ("{{ js \"it's <b>\\\"=\\n\" }}", None, "it\\'s \\u003Cb\\u003E\\\"\\u003D\\u000A"),
    ("{{ urlquery \"a b&c=d/é\" }}", None, "a+b%26c%3Dd%2F%C3%A9"),
    ("{{ \"a b\" | urlquery }}", None, "a+b"),
    ("{{ call .F 2 3 }}", {"F": lambda a, b: a * b}, "6"),
    ("{{ call .F }}", {"F": lambda: "z"}, "z"),
    ("{{ json . }}", {"a": [1, None]}, '{"a":[1,null]}'),
    ("{{ sql . \"  \" }}", "t", "  SQL(t)"),
    ("{{ sql . }}", "t", "SQL(t)"),
    ("{{ .Name | upper | printf \"<%s>\" }}", FILES, "<DIR>"),
    ("{{ two 1 2 }} {{ 2 | two 1 }}", None, "12 12"),
])
def test_builtins(text, data, want):
    assert render(text, data) == want


def test_funcs_at_execute_override_and_parse_check():
    t = parse("{{ upper . }}", {"upper": str.upper})
    assert t.execute("a") == "A"
    assert t.execute("a", funcs={"upper": lambda s: s + "!"}) == "a!"
    # a user function replaces a builtin of the same name
    assert parse("{{ len . }}", {"len": lambda v: "custom"}).execute([1]) == "custom"


def test_none_prints_as_go_nil():
    assert render("{{ .X }}", {"X": None}) == "<nil>"


# ---------------------------------------------------------------------------------------------
# fmt: Sprint, Sprintln, Sprintf
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, want", [
    ((1, 2), "1 2"),
    (("a", "b"), "ab"),
    (("a", 1, 2, "b"), "a1 2b"),
    ((1, None), "1 <nil>"),
    ((1.0, 1e6, 1234567.0, 100000.0, 0.0001, 1e-05, 3.14, 1e21, -0.5),
     "1 1e+06 1.234567e+06 100000 0.0001 1e-05 3.14 1e+21 -0.5"),
    ((float("inf"), float("-inf"), float("nan")), "+Inf -Inf NaN"),
    (([1, "a", None, [True, 2.5]],), "[1 a <nil> [true 2.5]]"),
    (({"b": 1, "a": {"z": []}},), "map[a:map[z:[]] b:1]"),
    (({},), "map[]"),
    ((Point(1, "a"),), "{1 a}"),
    ((Named(), ValueError("boom")), "named! boom"),
    ((b"hi",), "[104 105]"),
    (({3, 1, 2},), "[1 2 3]"),
])
def test_sprint(args, want):
    assert sprint(*args) == want


def test_sprintln():
    assert sprintln("a", 1, "b") == "a 1 b\n"
    assert sprintln() == "\n"


@pytest.mark.parametrize("fmt, args, want", [
    # integers
    ("%d", (42,), "42"),
    ("%5d|", (42,), "   42|"),
    ("%-5d|", (42,), "42   |"),
    ("%05d", (-42,), "-0042"),
    ("%+d % d", (5, 5), "+5  5"),
    ("%x %X %#x %x", (255, 255, 255, -255), "ff FF 0xff -ff"),
    ("%o %#o %O %b", (8, 8, 8, 5), "10 010 0o10 101"),
    ("%c %q %U %#U", (65, 65, 0x1F600, 65), "A 'A' U+1F600 U+0041 'A'"),
    ("%.3d", (7,), "007"),
    ("%08.3d|", (7,), "     007|"),
    ("%d", (True,), "%!d(bool=true)"),
    # strings
    ("%s|%10s|%-10s|", ("hi", "hi", "hi"), "hi|        hi|hi        |"),
    ("%.2s", ("hello",), "he"),
    ("%.3s|%5s|", ("日本語日本語", "日本"), "日本語|   日本|"),
    ("%q", ('a"b\n\x00é',), '"a\\"b\\n\\x00é"'),
    ("%+q", ("é",), '"\\u00e9"'),
    ("%#q %#q", ("ab", "a`b"), '`ab` "a`b"'),
    ("%x % x %X %#x", ("hi", "hi", "hi", "hi"), "6869 68 69 6869 0x6869"),
    ("%v %s", (b"hi", b"hi"), "[104 105] hi"),
    # floats
    ("%v %v %v", (1.0, 1e6, 1e-7), "1 1e+06 1e-07"),
    ("%f %.2f %8.3f|", (3.14159, 3.14159, 3.14159), "3.141590 3.14    3.142|"),
    ("%e %E %.2e", (1234.5678, 1234.5678, 1234.5678), "1.234568e+03 1.234568E+03 1.23e+03"),
    ("%g %g %.3g %G", (1234.5678, 1e21, 1234.5678, 1e-10), "1234.5678 1e+21 1.23e+03 1E-10"),
    ("%+.1f %06.2f %-7.2f|", (2.0, -1.5, 1.5), "+2.0 -01.50 1.50   |"),
    ("%08.3f", (3.14159,), "0003.142"),
    ("%.0f %.0f", (2.5, 3.5), "2 4"),
    ("%5.1f|%v", (float("inf"), float("nan")), " +Inf|NaN"),
    ("%v %.1f", (1 + 2j, 1.5 - 1j), "(1+2i) (1.5-1.0i)"),
    ("%x", (1.0,), "0x1p+00"),
    ("%b", (1.0,), "4503599627370496p-52"),
    # bools, nil, composites, types
    ("%t %v", (True, False), "true false"),
    ("%v %d %s", (None, None, None), "<nil> %!d(<nil>) %!s(<nil>)"),
    ("%v", ([1, "a", None],), "[1 a <nil>]"),
    ("%d", ([1, 2],), "[1 2]"),
    ("%q", (["a", "b"],), '["a" "b"]'),
    ("%s", ([1],), "[%!s(int=1)]"),
    ("%x", ([10, 255],), "[a ff]"),
    ("%5v|", ([1, 2],), "[    1     2]|"),
    ("%v", ({"b": 1, "a": 2},), "map[a:2 b:1]"),
    ("%v %+v", (Point(1, "a"), Point(1, "a")), "{1 a} {x:1 y:a}"),
    ("%s %q", (ValueError("boom"), Named()), 'boom "named!"'),
    ("%#v %#v", ("s", [1]), '"s" []interface {}{1}'),
    ("%T %T %T %T %T %T %T", ("s", 1, 1.5, [1], {"a": 1}, None, True),
     "string int float64 []interface {} map[string]interface {} <nil> bool"),
    # bad verbs, missing and extra arguments, indexes, star widths
    ("%d", ("x",), "%!d(string=x)"),
    ("%s", (5,), "%!s(int=5)"),
    ("%f", (5,), "%!f(int=5)"),
    ("%z", (1,), "%!z(int=1)"),
    ("%d %d", (1,), "1 %!d(MISSING)"),
    ("%d", (1, 2, "x"), "1%!(EXTRA int=2, string=x)"),
    ("x", (None,), "x%!(EXTRA <nil>)"),
    ("%", (), "%!(NOVERB)"),
    ("100%%", (), "100%"),
    ("%[2]d %[1]d", (1, 2), "2 1"),
    ("%[3]d", (1, 2), "%!d(BADINDEX)"),
    ("%*d|%-*d|", (5, 42, 4, 7), "   42|7   |"),
    ("%.*f", (2, 3.14159), "3.14"),
    ("%*d", ("x", 1), "%!(BADWIDTH)1"),
])
def test_sprintf(fmt, args, want):
    assert sprintf(fmt, *args) == want


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("{{ if .X }}", "template: format:1: unexpected EOF"),
    ("{{ range .X }}{{ else }}", "template: format:1: unexpected EOF"),
    ("a\n{{ if .X }}\nb", "template: format:3: unexpected EOF"),
    ("{{ end }}", "template: format:1: unexpected {{end}}"),
    ("{{ else }}", "template: format:1: unexpected {{else}}"),
    ("{{ if 1 }}{{ else }}{{ else }}{{ end }}", "template: format:1: expected end; found {{else}}"),
    ("{{ nope }}", 'template: format:1: function "nope" not defined'),
    ("{{ .A", "template: format:1: unclosed action"),
    ("{{ .A\n\n", "template: format:3: unclosed action started at format:1"),
    ("{{ $x }}", 'template: format:1: undefined variable "$x"'),
    ("{{ if 1 }}{{ $x := 1 }}{{ end }}{{ $x }}", 'template: format:1: undefined variable "$x"'),
    ("{{ break }}", "template: format:1: {{break}} outside {{range}}"),
    ("{{ continue }}", "template: format:1: {{continue}} outside {{range}}"),
    ("{{ range .L }}{{ else }}{{ break }}{{ end }}",
     "template: format:1: {{break}} outside {{range}}"),
    ('{{ "a" | "b" }}', "template: format:1: non executable command in pipeline stage 2"),
    ("{{/* x */ }}", "template: format:1: comment ends before closing delimiter"),
    ("{{/* x ", "template: format:1: unclosed comment"),
    ('{{ "abc }}', "template: format:1: unterminated quoted string"),
    ("{{ `abc }}", "template: format:1: unterminated raw quoted string"),
    ("{{ 'a }}", "template: format:1: unterminated character constant"),
    ("{{ .A!}}", "template: format:1: bad character U+0021 '!'"),
    ("{{ (1 }}", "template: format:1: unclosed left paren"),
    ("{{ 1) }}", "template: format:1: unexpected right paren"),
    ("{{ 08x }}", 'template: format:1: bad number syntax: "08x"'),
    ("{{ a := 1 }}", 'template: format:1: function "a" not defined'),
    ("{{ .A = 1 }}", 'template: format:1: unexpected "=" in operand'),
    ("{{ .A : 1 }}", "template: format:1: expected :="),
    ("{{ \\ }}", "template: format:1: unexpected \"\\\\\" in command"),
    ("{{}}", "template: format:1: missing value for command"),
    ("{{ if }}{{ end }}", "template: format:1: missing value for if"),
    ("{{ range $i, $e, $f := . }}{{ end }}", "template: format:1: too many declarations in range"),
    ("{{ $a, $b := 1 }}", "template: format:1: too many declarations in command"),
    ('{{ "x".Y }}', 'template: format:1: unexpected . after term "\\"x\\""'),
    ('{{ "\\q" }}', "template: format:1: invalid syntax"),
    ("{{ template .X }}", "template: format:1: unexpected \".X\" in template clause"),
    ("{{ template . }}", "template: format:1: unexpected <.> in template clause"),
    ('{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}',
     'template: format:1: template: multiple definition of template "a"'),
    ("{{ if 1 }}{{ define \"a\" }}{{ end }}{{ end }}",
     "template: format:1: unexpected <define> in command"),
    ("x\n{{ 1 | 2 }}", "template: format:2: non executable command in pipeline stage 2"),
])
def test_parse_errors(text, want):
    with pytest.raises(TemplateError) as exc:
        parse(text, FUNCS)
    assert str(exc.value) == want


def test_parse_error_is_atoll_error_and_named():
    with pytest.raises(AtollError, match=r"^template: log:1: unexpected EOF$"):
        parse("{{ with . }}", name="log")


def _boom(v):
    raise ValueError("bad input")


@pytest.mark.parametrize("text, data, want", [
    ("{{ .Nope }}", {"A": 1},
     ('template: format:1:3: executing "format" at <.Nope>: can\'t evaluate field Nope in type '
      "map[string]interface {}")),
    ("{{.Nope}}", File("f"),
     'template: format:1:2: executing "format" at <.Nope>: can\'t evaluate field Nope in type File'),
    ("{{ .Name.X }}", File("f"),
     ('template: format:1:8: executing "format" at <.Name.X>: can\'t evaluate field X in type '
      "string")),
    ("line\n  {{ .Nope }}", {},
     ('template: format:2:5: executing "format" at <.Nope>: can\'t evaluate field Nope in type '
      "map[string]interface {}")),
    ("{{ .A.B }}", {"A": None},
     'template: format:1:5: executing "format" at <.A.B>: nil pointer evaluating interface {}.B'),
    ("{{ len 3 }}", None,
     'template: format:1:3: executing "format" at <len 3>: error calling len: len of type int'),
    ("{{ len }}", None,
     ('template: format:1:3: executing "format" at <len>: wrong number of args for len: '
      "want 1 got 0")),
    ("{{ eq }}", None,
     ('template: format:1:3: executing "format" at <eq>: wrong number of args for eq: '
      "want at least 1 got 0")),
    ("{{ eq 1 }}", None,
     ('template: format:1:3: executing "format" at <eq 1>: error calling eq: missing argument for '
      "comparison")),
    ("{{ index .L 5 }}", {"L": [1]},
     ('template: format:1:3: executing "format" at <index .L 5>: error calling index: '
      "index out of range: 5")),
    ("{{ index .L \"a\" }}", {"L": [1]},
     ('template: format:1:3: executing "format" at <index .L "a">: error calling index: '
      "cannot index slice/array with type string")),
    ("{{ index 1 1 }}", None,
     ('template: format:1:3: executing "format" at <index 1 1>: error calling index: '
      "can't index item of type int")),
    ("{{ slice .L 2 1 }}", {"L": [1, 2]},
     ('template: format:1:3: executing "format" at <slice .L 2 1>: error calling slice: '
      "invalid slice index: 2 > 1")),
    ("{{ slice \"abc\" 1 2 3 }}", None,
     ('template: format:1:3: executing "format" at <slice "abc" 1 2 3>: error calling slice: '
      "cannot 3-index slice a string")),
    ('{{ eq 1 "a" }}', None,
     ('template: format:1:3: executing "format" at <eq 1 "a">: error calling eq: '
      "incompatible types for comparison: int and string")),
    ("{{ lt 1 1.5 }}", None,
     ('template: format:1:3: executing "format" at <lt 1 1.5>: error calling lt: '
      "incompatible types for comparison: int and float64")),
    ("{{ lt true false }}", None,
     ('template: format:1:3: executing "format" at <lt true false>: error calling lt: '
      "invalid type for comparison")),
    ("{{ 3 4 }}", None,
     'template: format:1:3: executing "format" at <3>: can\'t give argument to non-function 3'),
    ("{{ . 4 }}", None,
     'template: format:1:3: executing "format" at <.>: can\'t give argument to non-function .'),
    ("{{ nil }}", None,
     'template: format:1:3: executing "format" at <nil>: nil is not a command'),
    ("{{ (nil).X }}", None,
     'template: format:1:4: executing "format" at <nil>: nil is not a command'),
    ('{{ template "x" }}', None,
     'template: format:1:12: executing "format" at <{{template "x"}}>: template "x" not defined'),
    ("{{ printf 1 }}", None,
     ('template: format:1:10: executing "format" at <1>: wrong type for value; expected string; '
      "got int")),
    ('{{ range "abc" }}{{ end }}', None,
     'template: format:1:9: executing "format" at <"abc">: range can\'t iterate over abc'),
    ("{{ range $i, $e := 3 }}{{ end }}", None,
     ('template: format:1:19: executing "format" at <3>: can\'t use 3 to iterate over more than '
      "one variable")),
    ("{{ .A 1 }}", {"A": 2},
     'template: format:1:3: executing "format" at <.A>: A is not a method but has arguments'),
    ("{{ .Name 1 }}", File("f"),
     ('template: format:1:3: executing "format" at <.Name>: Name has arguments but cannot be '
      "invoked as function")),
    ("{{ .Summary }}", File("f"),
     ('template: format:1:3: executing "format" at <.Summary>: wrong number of args for Summary: '
      "want 1 got 0")),
    ("{{ boom 1 }}", None,
     'template: format:1:3: executing "format" at <boom 1>: error calling boom: bad input'),
    ("{{ two 1 }}", None,
     ('template: format:1:3: executing "format" at <two>: wrong number of args for two: '
      "want 2 got 1")),
    ("{{ 1 | two 2 3 }}", None,
     ('template: format:1:7: executing "format" at <two>: wrong number of args for two: '
      "want 2 got 3")),
    ("{{ call .F 1 }}", {"F": 3},
     ('template: format:1:3: executing "format" at <call .F 1>: error calling call: '
      "non-function .F of type int")),
    ("{{ call .F 1 }}", {"F": None},
     'template: format:1:3: executing "format" at <call .F 1>: error calling call: call of nil'),
    ("{{ call .F 1 }}", {"F": _boom},
     'template: format:1:3: executing "format" at <call .F 1>: error calling call: bad input'),
    ("{{ .F }}", {"F": _boom},
     'template: format:1:3: executing "format" at <{{.F}}>: can\'t print {{.F}} of type func'),
    ("{{ index .List 10 20 30 40 50 }}", {"List": []},
     ('template: format:1:3: executing "format" at <index .List 10 20 30...>: error calling '
      "index: index out of range: 10")),
    ('{{ define "T" }}{{ .X }}{{ end }}{{ template "T" 1 }}', None,
     'template: format:1:19: executing "T" at <.X>: can\'t evaluate field X in type int'),
    ("{{ $x := 1 }}{{ with 1 }}{{ $y := 2 }}{{ end }}{{ $x = .Q }}", {},
     ('template: format:1:55: executing "format" at <.Q>: can\'t evaluate field Q in type '
      "map[string]interface {}")),
])
def test_exec_errors(text, data, want):
    t = parse(text, {**FUNCS, "boom": _boom})
    with pytest.raises(TemplateError) as exc:
        t.execute(data)
    assert str(exc.value) == want


def test_recursion_is_reported():
    t = parse('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}')
    with pytest.raises(TemplateError, match="exceeded maximum template depth"):
        t.execute(1)


def test_unknown_template_name():
    with pytest.raises(TemplateError, match='no template "x" associated with template "format"'):
        parse("a").execute(name="x")


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, atoll.errors; before = set(sys.modules); import atoll.gotemplate; "
            "print(sorted(m for m in set(sys.modules) - before"
            " if not m.startswith('atoll.gotemplate')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(eval(out.stdout))
    assert loaded <= {"bisect", "_bisect", "math", "typing", "typing.io", "typing.re", "_typing"}
    assert gotemplate.__all__
