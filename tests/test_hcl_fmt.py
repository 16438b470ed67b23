"""``schema fmt`` formatting (hclwrite.Format rules)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from atoll.errors import HCLError
from atoll.hcl.fmt import format_hcl


@pytest.mark.parametrize("src, want", [
    # pinned by Atlas's TestFmt
    ('block  "x"  {\n x = 1\n    y     = 2\n}\n', 'block "x" {\n  x = 1\n  y = 2\n}\n'),
    # "=" aligned across consecutive single-line attributes, per nesting level
    ('table "t" {\n  a = 1\n  long_name = 2\n  column "c" {\n    null = true\n    type = int\n'
     '    auto_increment = true\n  }\n}\n',
     'table "t" {\n  a         = 1\n  long_name = 2\n  column "c" {\n    null           = true\n'
     '    type           = int\n    auto_increment = true\n  }\n}\n'),
    # a blank line or a block breaks the alignment run
    ("a = 1\nbbb = 2\n\ncccc = 3\nd = 4\n", "a   = 1\nbbb = 2\n\ncccc = 3\nd    = 4\n"),
    # multi-line values do not take part in the alignment
    ("a = [\n1,\n]\nbb = 2\n", "a = [\n  1,\n]\nbb = 2\n"),
    # comments are kept; trailing line comments are aligned
    ("# top\nx = 1 # one\nyyy = 2    // two\n/* block */\n",
     "# top\nx   = 1 # one\nyyy = 2 // two\n/* block */\n"),
    ("b {\n# inside\n    a = 1\n}\n", "b {\n  # inside\n  a = 1\n}\n"),
    # spacing normalised inside expressions
    ("x = [ a,b ,c ]\n", "x = [a, b, c]\n"),
    ("x = f( 1,2 )\n", "x = f(1, 2)\n"),
    ("x = {a=1,b=2}\n", "x = { a = 1, b = 2 }\n"),
    ("x = a -b\ny = -1\nz = ! c\nw = a-b\n", "x = a - b\ny = -1\nz = !c\nw = a-b\n"),
    ("x = a . b [ 0 ]\n", "x = a.b[0]\n"),
    ('x = "${ var.a }-${var.b}"\n', 'x = "${var.a}-${var.b}"\n'),
    ("x = c?1:2\n", "x = c ? 1 : 2\n"),
    ("x = [for k,v in m: k if v]\n", "x = [for k, v in m : k if v]\n"),
    ("x = {for k,v in m: k=>v...}\n", "x = { for k, v in m : k => v... }\n"),
    ("x = f(xs ...)\n", "x = f(xs...)\n"),
    # empty and single-line blocks
    ('schema "main"   {}\n', 'schema "main" {}\n'),
    ('schema "main" {\n}\n', 'schema "main" {\n}\n'),
    ("a { b = 1 }\n", "a { b = 1 }\n"),
    # heredoc bodies are left alone
    ("x = <<-EOT\n      keep   this\n    EOT\ny = 1\n", "x = <<-EOT\n      keep   this\n    EOT\ny = 1\n"),
    # trailing whitespace on lines goes, no final newline is added
    ("a = 1   \nb = 2", "a = 1\nb = 2"),
    ("a    =  1", "a = 1"),
    ("", ""),
])
def test_format(src, want):
    assert format_hcl(src, "t.hcl") == want


IDEMPOTENT = [
    'table "users" {\n  schema = schema.main\n  column "id" {\n    null = false\n    type = int\n  }\n'
    '  primary_key {\n    columns = [column.id]\n  }\n  index "idx" {\n    unique  = true\n'
    '    columns = [column.id]\n    where   = "id > 0"\n  }\n}\nschema "main" {\n}\n',
    'env "local" {\n  for_each = toset(var.urls)\n  url      = each.value\n  log {\n    migrate {\n'
    '      apply = format(\n        "{{ json . }}",\n        jsonencode({\n          Tenant : each.value\n'
    '        })\n      )\n    }\n  }\n}\n',
    "locals {\n  a  = 1 # c\n  bb = [for x in [1] : x]\n}\n",
]


@pytest.mark.parametrize("src", IDEMPOTENT)
def test_already_formatted_is_unchanged_and_idempotent(src):
    assert format_hcl(src, "t.hcl") == src
    messy = "\n".join("   " + line.strip() for line in src.split("\n"))
    once = format_hcl(messy, "t.hcl")
    assert format_hcl(once, "t.hcl") == once


@pytest.mark.parametrize("src, message", [
    ('table "t" {\n', "t.hcl:1,11-12: Unclosed configuration block"),
    ("a = 1 b = 2\n", "t.hcl:1,7-8: Missing newline after argument"),
    ('a = "x\n', "Invalid multi-line string"),
])
def test_format_rejects_broken_input(src, message):
    with pytest.raises(HCLError) as exc:
        format_hcl(src, "t.hcl")
    assert str(exc.value).startswith(message) or message in str(exc.value)


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not installed")
def test_format_matches_hclwrite_via_terraform():
    # terraform fmt runs hclwrite's formatter (and appends a final newline).
    src = (
        '# header\ntable "users" {\nschema = schema.main # the schema\n    column "id" {\n'
        '  type = int  // c\n      null=true # x\n    }\n  columns = [ column.a,column.b ]\n'
        '  x = -1\n  y = a - b\n  f = lower( "X" )\n  long_name = "a${ var.x }"\n'
        '  h = <<-EOT\n      keep   this ${ a }\n    EOT\n  o = { a = 1, b = 2 }\n'
        '  m = {\n  a = 1\n      bbb = 2 # c\n  }\n  s = a[*].b\n  c = x ? -1 : b-2\n'
        '  cmp = a>=b&&c!=d||!e\n  d = "%{ if a }x%{ else }y%{ endif }"\n}\n'
    )
    proc = subprocess.run(["terraform", "fmt", "-no-color", "-"], input=src, text=True,
                          capture_output=True, timeout=60)
    if proc.returncode != 0:
        pytest.skip("terraform fmt failed: " + proc.stderr)
    assert format_hcl(src, "t.tf") == proc.stdout


PG_SCHEMA = '''schema "public" {
 comment = "x"
}
table "users" {
schema = schema.public
  column "id" {
  type = bigint
  identity {
  generated = ALWAYS
  }
  }
  column "tags" {
    type = sql("text[]")
    null = true
  }
  index "idx" {
    type = GIN
  columns = [column.tags]
  }
}
materialized "tagged" {
  schema = schema.public
  as = <<-SQL
  SELECT id
     FROM users
  SQL
}
enum "status" {
  schema = schema.public
  values = ["a","b"]
}
'''


def test_format_postgres_schema_files():
    """``schema fmt`` knows no engine: PostgreSQL's blocks (identity, GIN, materialized,
    enum) format like any other, and the result is a fixed point."""
    out = format_hcl(PG_SCHEMA)
    assert '    type    = GIN\n    columns = [column.tags]\n' in out
    assert '    identity {\n      generated = ALWAYS\n    }\n' in out
    assert '  values = ["a", "b"]\n' in out
    assert '  as     = <<-SQL\n  SELECT id\n     FROM users\n  SQL\n' in out
    assert format_hcl(out) == out
