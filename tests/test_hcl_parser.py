"""Parser: structure, every expression form, comments, positions and syntax errors."""

from __future__ import annotations

import pytest

from atoll.errors import HCLError, SourcePos
from atoll.hcl import ast
from atoll.hcl.lexer import tokenize
from atoll.hcl.parser import parse, parse_expression


def expr_of(src: str) -> ast.Expr:
    body = parse(f"x = {src}\n", "t.hcl")
    (attr,) = body.items
    assert isinstance(attr, ast.Attribute)
    return attr.expr


# ---------------------------------------------------------------------------------------------
# Structure


def test_blocks_attributes_labels_and_order():
    body = parse(
        'schema "main" {}\n'
        'table "users" {\n'
        '  schema = schema.main\n'
        '  column "id" {\n'
        '    type = int\n'
        '  }\n'
        '  primary_key {\n'
        '    columns = [column.id]\n'
        '  }\n'
        '}\n'
        'table "main" "pets" {\n'
        '}\n'
        'bare label {\n'
        '}\n'
        'top = 1\n',
        "s.hcl",
    )
    kinds = [(type(i).__name__, getattr(i, "type", getattr(i, "name", None))) for i in body.items]
    assert kinds == [("Block", "schema"), ("Block", "table"), ("Block", "table"),
                     ("Block", "bare"), ("Attribute", "top")]
    schema, users, pets, bare, top = body.items
    assert schema.labels == ["main"] and schema.body.items == []
    assert users.labels == ["users"]
    assert [type(i).__name__ for i in users.body.items] == ["Attribute", "Block", "Block"]
    assert users.body.items[1].labels == ["id"]
    assert users.body.items[2].type == "primary_key" and users.body.items[2].labels == []
    assert pets.labels == ["main", "pets"]
    assert bare.labels == ["label"]  # bare identifiers are labels too
    assert top.name == "top"


def test_positions_are_kept():
    body = parse('table "users" {\n  column "id" {\n    type = int\n  }\n}\n', "s.hcl")
    table = body.items[0]
    assert table.pos == SourcePos("s.hcl", 1, 1)
    column = table.body.items[0]
    assert column.pos == SourcePos("s.hcl", 2, 3)
    attr = column.body.items[0]
    assert attr.pos == SourcePos("s.hcl", 3, 5)
    assert attr.expr.pos == SourcePos("s.hcl", 3, 12)
    assert str(attr.range) == "s.hcl:3,5-15"


def test_single_line_block_forms():
    body = parse('a {}\nb "x" { y = 1 }\nc "x" {\n}\n', "t")
    a, b, c = body.items
    assert a.body.items == [] and c.body.items == []
    assert b.body.items[0].name == "y"


def test_trailing_comma_multiline_tuple():
    e = expr_of("[\n  a,\n  b,\n]")
    assert isinstance(e, ast.Tuple) and [i.name for i in e.items] == ["a", "b"]


def test_file_without_final_newline_and_crlf():
    body = parse("a = 1\r\nb {\r\n  c = 2\r\n}", "t")
    assert [i.pos.line for i in body.items] == [1, 2]


def test_utf8_bom_and_unicode_identifiers():
    body = parse('\ufeffnäme = "ü"\n', "t")
    assert body.items[0].name == "näme"


# ---------------------------------------------------------------------------------------------
# Comments


@pytest.mark.parametrize("src", [
    "# hash\na = 1 # trailing\n",
    "// slash\na = 1 // trailing\n",
    "/* block */ a = 1 /* inline */\n",
    "/* multi\n line */\na = 1\n",
    "a = [ # inside a tuple\n  1, /* x */ 2,\n]\n",
    "b {\n  # inside a block\n  a = 1\n}\n",
    "a = 1\n# at the end without newline",
])
def test_comments_are_ignored(src):
    body = parse(src, "t")
    assert body.items


def test_comments_as_tokens():
    kinds = [t[0] for t in tokenize("# a\nx = 1 // b\n/* c */\n", "t", keep_comments=True)]
    assert kinds == ["COMMENT", "IDENT", "=", "NUMBER", "COMMENT", "COMMENT", "NL", "EOF"]


# ---------------------------------------------------------------------------------------------
# Expression forms


@pytest.mark.parametrize("src, cls, check", [
    ("1", ast.Literal, lambda e: e.value == 1 and type(e.value) is int),
    ("1.5", ast.Literal, lambda e: e.value == 1.5),
    ("1e3", ast.Literal, lambda e: e.value == 1000 and type(e.value) is int),
    ("-3", ast.Literal, lambda e: e.value == -3),
    ("true", ast.Literal, lambda e: e.value is True),
    ("false", ast.Literal, lambda e: e.value is False),
    ("null", ast.Literal, lambda e: e.value is None),
    ('"hi"', ast.Literal, lambda e: e.value == "hi"),
    ('""', ast.Literal, lambda e: e.value == ""),
    (r'"a\nb\t\"c\"\\ \u00e9 \U0001F600"', ast.Literal,
     lambda e: e.value == 'a\nb\t"c"\\ é \U0001F600'),
    ('"$${x} %%{y}"', ast.Literal, lambda e: e.value == "${x} %{y}"),
    ('"$5 and 100%"', ast.Literal, lambda e: e.value == "$5 and 100%"),
    ('"a${b}c"', ast.Template, lambda e: e.parts[0] == "a" and e.parts[2] == "c"),
    ('"${b}"', ast.TemplateWrap, lambda e: isinstance(e.expr, ast.Variable)),
    ("foo", ast.Variable, lambda e: e.name == "foo"),
    ("a.b", ast.GetAttr, lambda e: e.name == "b" and e.obj.name == "a"),
    ('a["b c"]', ast.Index, lambda e: e.key.value == "b c"),
    ("a.0", ast.Index, lambda e: e.key.value == 0),
    ("a[*].b", ast.Splat, lambda e: isinstance(e.each, ast.GetAttr)),
    ("a.*.b", ast.Splat, lambda e: isinstance(e.each, ast.GetAttr)),
    ("[1, 2]", ast.Tuple, lambda e: len(e.items) == 2),
    ("[]", ast.Tuple, lambda e: e.items == []),
    ("{ a = 1, b : 2 }", ast.Object, lambda e: [k.value for k, _ in e.items] == ["a", "b"]),
    ("{\n  a = 1\n  b = 2\n}", ast.Object, lambda e: len(e.items) == 2),
    ('{ (k) = 1, "q" = 2 }', ast.Object,
     lambda e: isinstance(e.items[0][0], ast.Parens) and e.items[1][0].value == "q"),
    ("f()", ast.Call, lambda e: e.name == "f" and e.args == []),
    ("f(1, 2,)", ast.Call, lambda e: len(e.args) == 2 and not e.expand),
    ("f(xs...)", ast.Call, lambda e: e.expand),
    ("provider::ns::f(1)", ast.Call, lambda e: e.name == "provider::ns::f"),
    ("!a", ast.Unary, lambda e: e.op == "!"),
    ("-a", ast.Unary, lambda e: e.op == "-"),
    ("a ? b : c", ast.Conditional, lambda e: e.then.name == "b"),
    ("(a)", ast.Parens, lambda e: e.expr.name == "a"),
    ("[for x in xs : x]", ast.ForExpr, lambda e: not e.is_object and e.value_var == "x"),
    ("[for i, x in xs : x if i > 0]", ast.ForExpr,
     lambda e: e.key_var == "i" and e.cond is not None),
    ("{for k, v in m : k => v...}", ast.ForExpr, lambda e: e.is_object and e.group),
    ('"%{ if a }x%{ else }y%{ endif }"', ast.Template,
     lambda e: isinstance(e.parts[0], ast.TemplateIf)),
    ('"%{ for x in xs }${x}%{ endfor }"', ast.Template,
     lambda e: isinstance(e.parts[0], ast.TemplateFor)),
    ("<<EOT\nhi ${x}\nEOT", ast.Template, lambda e: e.heredoc and e.parts[0] == "hi "),
])
def test_expression_forms(src, cls, check):
    e = expr_of(src)
    assert isinstance(e, cls), e
    assert check(e)


@pytest.mark.parametrize("src, tree", [
    ("1 + 2 * 3", ("+", 1, ("*", 2, 3))),
    ("1 * 2 + 3", ("+", ("*", 1, 2), 3)),
    ("1 - 2 - 3", ("-", ("-", 1, 2), 3)),
    ("a || b && c", ("||", "a", ("&&", "b", "c"))),
    ("a == b || c != d", ("||", ("==", "a", "b"), ("!=", "c", "d"))),
    ("a < b == c >= d", ("==", ("<", "a", "b"), (">=", "c", "d"))),
    ("1 + 2 < 3 * 4", ("<", ("+", 1, 2), ("*", 3, 4))),
    ("a % b / c", ("/", ("%", "a", "b"), "c")),
])
def test_operator_precedence(src, tree):
    def shape(e):
        if isinstance(e, ast.Binary):
            return (e.op, shape(e.left), shape(e.right))
        if isinstance(e, ast.Literal):
            return e.value
        return e.name

    assert shape(expr_of(src)) == tree


def test_conditional_is_lowest_and_right_associative():
    e = expr_of("a ? b : c ? d : e")
    assert isinstance(e.else_, ast.Conditional)
    e = expr_of("a || b ? 1 : 2")
    assert isinstance(e.cond, ast.Binary)


def test_newlines_inside_brackets_are_ignored():
    e = expr_of("f(\n  1,\n  [\n    2\n  ]\n)")
    assert isinstance(e, ast.Call) and len(e.args) == 2
    e = expr_of("(\n 1 +\n 2\n)")
    assert isinstance(e.expr, ast.Binary)


def test_heredoc_flush_and_plain():
    e = expr_of("<<-EOT\n  hello\n  world\nEOT")
    assert isinstance(e, ast.Literal) and e.value == "hello\nworld\n"
    e = expr_of("<<EOT\n  hello\n  world\n  EOT")
    assert e.value == "  hello\n  world\n"
    e = expr_of("<<-EOT\n    a\n\n  b\n  EOT")
    assert e.value == "  a\n\nb\n"
    e = expr_of('<<EOT\nback\\slash "q" $${x}\nEOT')
    assert e.value == 'back\\slash "q" ${x}\n'


def test_template_strip_markers():
    e = expr_of('"a  ${~ b ~}  c"')
    assert e.parts == ["a", e.parts[1], "c"]


def test_parse_expression_standalone():
    e = parse_expression("var.a + 1")
    assert isinstance(e, ast.Binary)
    with pytest.raises(HCLError, match="Extra characters after expression"):
        parse_expression("a b")


def test_traversal_path_helper():
    assert ast.traversal_path(expr_of('table.users.column["first name"]')) == [
        "table", "users", "column", "first name"]
    assert ast.traversal_path(expr_of("f(x)")) is None


# ---------------------------------------------------------------------------------------------
# Syntax errors


@pytest.mark.parametrize("src, message", [
    ('table "u" {\n  a = 1\n',
     "schema.hcl:1,11-12: Unclosed configuration block; There is no closing brace for this "
     "block before the end of the file. This may be caused by incorrect brace nesting elsewhere "
     "in this file."),
    ('table "u" {\n  column "id" {\n    type integer\n  }\n}\n',
     'schema.hcl:3,17-4,1: Invalid block definition; A block definition must have block content '
     'delimited by "{" and "}", starting on the same line as the block header.'),
    ("a\n",
     "schema.hcl:1,1-2: Argument or block definition required; An argument or block definition "
     'is required here. To set an argument, use the equals sign "=" to introduce the argument '
     "value."),
    ('table "u" { a = 1 b = 2 }\n',
     "schema.hcl:1,19-20: Invalid single-argument block definition; A single-line block "
     "definition must end with a closing brace immediately after its single argument "
     "definition."),
    ("a = 1 b = 2\n",
     "schema.hcl:1,7-8: Missing newline after argument; An argument definition must end with a "
     "newline."),
    ("a = 1, b = 2\n", "schema.hcl:1,6-7: Unexpected comma after argument"),
    ("a {\n  b = 1 }\n", "schema.hcl:2,9-10: Missing newline after argument"),
    ("a = 1 @ 2\n",
     "schema.hcl:1,7-8: Invalid character; This character is not used within the language."),
    ("a = 'x'\n", "schema.hcl:1,5-6: Invalid character; Single quotes are not valid."),
    ("a = 1\nb = 2\na = 3\n",
     'schema.hcl:3,1-2: Attribute redefined; The argument "a" was already set at '
     "schema.hcl:1,1-2. Each argument may be set only once."),
    ("b {\n  a = 1\n  a = 1\n}\n", "schema.hcl:3,3-4: Attribute redefined"),
    ('"a" = 1\n', "schema.hcl:1,1-4: Invalid argument name; Argument names must not be quoted."),
    ('a "x" = {}\n', "schema.hcl:1,7-8: Invalid block definition; The equals sign"),
    ("a = )\n", "schema.hcl:1,5-6: Invalid expression; Expected the start of an expression"),
    ("a =", "schema.hcl:1,4-4: Missing expression; Expected the start of an expression, but "
     "found the end of the file."),
    ("a = [1 2]\n", "schema.hcl:1,8-9: Missing item separator"),
    ("a = [1,\n", "schema.hcl:1,5-6: Unterminated tuple constructor expression"),
    ("a = {x = 1 y = 2}\n", "schema.hcl:1,12-13: Missing attribute separator"),
    ("a = {x 1}\n", "schema.hcl:1,8-9: Missing key/value separator"),
    ("a = f(1 2)\n", "schema.hcl:1,9-10: Missing argument separator"),
    ("a = f(1\n", "schema.hcl:1,5-7: Unterminated function call"),
    ("a = (1\n", "schema.hcl:2,1-1: Unbalanced parentheses"),
    ("a = x ? 1\n", "schema.hcl:1,10-2,1: Missing false expression in conditional"),
    ('a = "abc\n', "schema.hcl:1,9-2,1: Invalid multi-line string"),
    ('a = "abc', "schema.hcl:1,9-9: Unterminated template string"),
    ('a = "\\q"\n', 'Invalid escape sequence; The symbol "q" is not a valid escape sequence'),
    ("a = <<EOT\nabc\n", "schema.hcl:3,1-1: Unterminated template string"),
    ("a = 1 /* x\n", "schema.hcl:1,7-9: Unterminated comment"),
    ('a = "%{ if x }y"\n', "Unexpected end of template; The if directive at"),
    ('a = "%{ endif }"\n', "Unexpected endif directive"),
    ('a = "%{ bogus }"\n', 'Invalid template control keyword; "bogus" is not a valid'),
    ('a "${x}" {}\n', "schema.hcl:1,4-6: Invalid string literal; Template sequences are not "
     "allowed in this string."),
    ("a = [for x in y]\n", "Invalid 'for' expression; For expression requires a colon"),
    ("a = [for x in y : k => x]\n",
     "Invalid 'for' expression; Key expression is not valid when building a tuple."),
    ("a = {for x in y : x}\n",
     "Invalid 'for' expression; Key expression is required when building an object."),
    ("a = x.\n", "schema.hcl:1,7-2,1: Invalid attribute name"),
    ("a = x[1\n", "Missing close bracket on index"),
])
def test_syntax_errors(src, message):
    with pytest.raises(HCLError) as exc:
        parse(src, "schema.hcl")
    text = str(exc.value)
    if message.startswith("schema.hcl:"):
        assert text.startswith(message), text
    else:
        assert text.startswith("schema.hcl:") and message in text, text


def test_error_has_structured_position():
    with pytest.raises(HCLError) as exc:
        parse("a = 1\n\n  b c d\n", "f.hcl")
    assert exc.value.pos.filename == "f.hcl"
    assert (exc.value.pos.line, exc.value.pos.column) == (3, 8)
    assert exc.value.bare_message.startswith("Invalid block definition")


def test_empty_filename_matches_atlas_bytes_diagnostics():
    with pytest.raises(HCLError) as exc:
        parse("a = ", "")
    assert str(exc.value).startswith(":1,5-5: Missing expression")


def test_error_range_compares_with_plain_position():
    with pytest.raises(HCLError) as exc:
        parse("a = 1 @\n", "f.hcl")
    assert exc.value.pos == SourcePos("f.hcl", 1, 7)
    assert str(exc.value.pos) == "f.hcl:1,7-8"


def test_long_string_with_a_template_parses():
    # A quoted string whose template starts after a long run of text once sent the lexer into
    # exponential backtracking (the guide's shard URLs are such strings).
    prefix = "sqlite://server/data/" + "x" * 80 + "/sharding_db_"
    body = parse(f'url = "{prefix}${{each.value}}.db?_fk=1"\n', "atlas.hcl")
    assert body.items[0].name == "url"
