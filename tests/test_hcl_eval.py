"""Evaluator, standard functions and Atlas schema-file semantics."""

from __future__ import annotations

import os

import pytest

from atoll.errors import HCLError, SourcePos
from atoll.hcl.document import RawSQL, Ref, TypeCall, Word
from atoll.hcl.evaluate import Lazy, Scope, SetValue, eval_expr
from atoll.hcl.functions import STANDARD_FUNCTIONS, hcl_function
from atoll.hcl.parser import parse, parse_expression
from atoll.hcl.schema_eval import evaluate_schema_files


def ev(src: str, **variables):
    return eval_expr(parse_expression(src, "e.hcl"), Scope(variables))


VARS = {
    "var": {"name": "app", "n": 3, "l": [1, 2, 3], "m": {"b": 2, "a": 1}, "empty": "",
            "objs": [{"id": 1, "tags": ["x"]}, {"id": 2, "tags": ["y", "z"]}], "t": True,
            "f": 1.5},
}


# ---------------------------------------------------------------------------------------------
# Expressions


@pytest.mark.parametrize("src, want", [
    # literals
    ("1", 1), ("1.5", 1.5), ("1e3", 1000), ("-3", -3), ("true", True), ("null", None),
    ('"a\\tb"', "a\tb"), ('"\\u00e9"', "é"),
    # arithmetic keeps integers integral
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("7 / 2", 3.5), ("8 / 2", 4), ("7 % 3", 1),
    ("-7 % 3", -1), ("0.1 + 0.2", 0.3), ("var.f * 2", 3), ('"2" + 1', 3), ("-var.n", -3),
    # comparison and logic
    ("1 < 2", True), ("2 <= 1", False), ("3 >= 3", True), ("1 == 1.0", True),
    ('1 == "1"', False), ('"a" != "b"', True), ("[1, 2] == [1, 2]", True),
    ("{a = 1} == {a = 1}", True), ("null == null", True), ("true && false", False),
    ("true || false", True), ("!true", False), ('"true" && true', True),
    # conditionals (the branch not taken is not evaluated)
    ('var.n > 2 ? "big" : "small"', "big"), ("false ? nope.x : 2", 2),
    # collections and traversals
    ("[1, [2, 3]]", [1, [2, 3]]), ("{a = 1, \"b c\" = 2}", {"a": 1, "b c": 2}),
    ("{(var.name) = 1}", {"app": 1}), ("{a : 1}", {"a": 1}), ("var.l[1]", 2),
    ('var.m["b"]', 2), ("var.objs[1].tags[0]", "y"), ("var.objs.0.id", 1),
    ("var.objs[*].id", [1, 2]), ("var.objs.*.id", [1, 2]), ("var.objs[*].tags[0]", ["x", "y"]),
    ("var.n[*]", [3]), ("null[*]", []),
    # for expressions
    ("[for x in var.l : x * 2]", [2, 4, 6]), ("[for i, x in var.l : i if x > 1]", [1, 2]),
    ("{for k, v in var.m : k => v + 1}", {"a": 2, "b": 3}),
    ("[for k, v in var.m : k]", ["a", "b"]),  # objects iterate in key order
    ('{for x in ["a", "b", "a"] : x => x...}', {"a": ["a", "a"], "b": ["b"]}),
    ("[for x in toset([3, 1, 3]) : x]", [1, 3]),
    # templates
    ('"${var.name}_users"', "app_users"), ('"n=${var.n} t=${var.t} f=${var.f}"', "n=3 t=true f=1.5"),
    ('"${var.l}"', [1, 2, 3]),  # a lone interpolation keeps the value
    ('"$${literal} %%{x}"', "${literal} %{x}"),
    ('"%{ if var.t }yes%{ else }no%{ endif }"', "yes"),
    ('"%{ for x in var.l }${x},%{ endfor }"', "1,2,3,"),
    ('"%{ for k, v in var.m }${k}=${v};%{ endfor }"', "a=1;b=2;"),
    ('"a  ${~ "b" ~}  c"', "abc"),
    ("<<EOT\nhello ${var.name}\nEOT", "hello app\n"),
    ("<<-EOT\n  hello\n  world\nEOT", "hello\nworld\n"),
    ("<<-EOT\n    ${var.name}\n  x\n  EOT", "  app\nx\n"),
    ("<<EOT\n%{ for x in var.l ~}\n${x}\n%{ endfor ~}\nEOT", "1\n2\n3\n"),
    # function calls
    ("upper(var.name)", "APP"), ("max(var.l...)", 3), ("concat(var.l, [4])", [1, 2, 3, 4]),
])
def test_expressions(src, want):
    got = ev(src, **VARS)
    assert got == want
    assert type(got) is type(want)


@pytest.mark.parametrize("src, message", [
    ('"${unknown}"', 'e.hcl:1,4-11: Unknown variable; There is no variable named "unknown".'),
    ("var.nope", 'e.hcl:1,1-9: Unsupported attribute; This object does not have an attribute '
     'named "nope".'),
    ("var.l[5]", "e.hcl:1,1-9: Invalid index; The given key does not identify an element"),
    ("var.name.x", "Unsupported attribute; Can't access attributes on a primitive-typed value "
     "(string)."),
    ("null.x", "Attempt to get attribute from null value"),
    ('1 + "a"', 'e.hcl:1,5-8: Invalid operand; Unsuitable value for right operand: cannot '
     'convert "a" to number'),
    ("1 / 0", "Operation failed; Error during operation: can't divide by zero."),
    ("1 ? 2 : 3", "e.hcl:1,1-2: Incorrect condition type"),
    ("null ? 2 : 3", "Null condition"),
    ('"a${null}"', "Invalid template interpolation value; The expression result is null."),
    ('"a${[1]}"', "Invalid template interpolation value; Cannot include the given value"),
    ("[for x in 1 : x]", "Iteration over non-iterable value"),
    ('{for x in ["a", "a"] : x => x}', 'Duplicate object key; Two different items produced the '
     'key "a"'),
    ("nofn(1)", 'e.hcl:1,1-5: Call to unknown function; There is no function named "nofn".'),
    ("lower()", 'Not enough function arguments; Function "lower" expects 1 argument(s). Missing '
     'value for "str".'),
    ("lower(1, 2)", 'Too many function arguments; Function "lower" expects only 1 argument(s).'),
    ('lower([1])', 'e.hcl:1,7-10: Invalid function argument; Invalid value for "str" parameter: '
     "string required."),
    ('sql("")', 'Error in function call; Call to function "sql" failed: empty expression.'),
    ("max(1...)", "Invalid expanding argument value"),
    ("toset([1])[0]", "Invalid index; Elements of a set are identified only by their value"),
])
def test_expression_errors(src, message):
    with pytest.raises(HCLError) as exc:
        ev(src, **VARS)
    text = str(exc.value)
    if message.startswith("e.hcl:"):
        assert text.startswith(message), text
    else:
        assert message in text, text


def test_scope_chain_child_and_functions():
    root = Scope({"a": 1}, {"twice": lambda x: x * 2})
    child = root.child(b=2)
    assert eval_expr(parse_expression("twice(a + b)"), child) == 6
    assert eval_expr(parse_expression("upper(\"x\")"), child) == "X"  # std functions fall back
    assert child.has("a") and not child.has("zzz")
    assert child.lookup("zzz", None) is None


def test_lazy_resolved_once_and_cycles():
    calls = []

    def compute():
        calls.append(1)
        return "v"

    scope = Scope({"local": {"a": Lazy(compute, "local.a")}, "direct": Lazy(lambda: 5)})
    assert eval_expr(parse_expression('"${local.a}${local.a}"'), scope) == "vv"
    assert eval_expr(parse_expression("direct + 1"), scope) == 6
    assert eval_expr(parse_expression("local"), scope) == {"a": "v"}
    assert calls == [1]

    locals_: dict = {}
    scope = Scope({"local": locals_})
    locals_["a"] = Lazy(lambda: eval_expr(parse_expression("local.b"), scope), "local.a")
    locals_["b"] = Lazy(lambda: eval_expr(parse_expression("local.a"), scope), "local.b")
    with pytest.raises(HCLError, match='cyclic reference to "local.a"'):
        eval_expr(parse_expression("local.a"), scope)


def test_lazy_function_arguments_and_custom_functions():
    seen = []

    @hcl_function("x")
    def note(x):
        seen.append(x)
        return x

    scope = Scope({}, {"note": note})
    assert eval_expr(parse_expression('try(nope, note("b"), note("c"))'), scope) == "b"
    assert seen == ["b"]  # arguments after the first success are never evaluated
    assert eval_expr(parse_expression("can(nope.x)"), scope) is False
    assert eval_expr(parse_expression("can(1)"), scope) is True
    with pytest.raises(HCLError, match="no expression succeeded"):
        eval_expr(parse_expression("try(nope, also_nope)"), scope)


def test_sets_are_ordered_and_marked():
    s = ev('toset(["b", "a", "b"])')
    assert s == ["a", "b"] and isinstance(s, SetValue)


# ---------------------------------------------------------------------------------------------
# Functions


def test_required_functions_exist():
    required = """lower upper title trimspace trim trimprefix trimsuffix format formatlist join split
    replace regexreplace substr strrev concat length contains distinct flatten keys values lookup
    merge element index range reverse slice sort toset tolist tomap tostring tonumber tobool
    coalesce compact min max abs ceil floor jsonencode jsondecode urlescape urlqueryescape
    urlsetpath startswith endswith try can sum zipmap chunklist abspath basename dirname sql
    chomp indent regex regexall regexpescape log parseint pow signum alltrue anytrue empty
    coalescelist setunion setintersection setsubtract setproduct csvdecode urlqueryset
    urluserinfo print""".split()
    missing = [f for f in required if f not in STANDARD_FUNCTIONS]
    assert missing == []


@pytest.mark.parametrize("src, want", [
    ('lower("ABC")', "abc"), ('upper("abc")', "ABC"), ('title("hello big-world")', "Hello Big-World"),
    ('trimspace("  a b \\n")', "a b"), ('trim("?!a?!", "!?")', "a"),
    ('trimprefix("helloworld", "hello")', "world"), ('trimsuffix("helloworld", "world")', "hello"),
    ('chomp("a\\n\\n")', "a"), ('indent(2, "a\\nb")', "a\n  b"),
    ('format("%s-%d-%05.1f-%t-%v-%q-%%", "a", 42, 3.14159, true, [1], "x")',
     'a-42-003.1-true-[1]-"x"-%'),
    ('format("%[2]s %[1]s", "a", "b")', "b a"), ('format("%x %X %o %b", 255, 255, 8, 5)', "ff FF 10 101"),
    ('format("%-4s|%4s", "a", "b")', "a   |   b"),
    ('formatlist("%s=%s", ["a", "b"], "x")', ["a=x", "b=x"]),
    ('join(", ", ["a", "b"], ["c"])', "a, b, c"), ('split(",", "a,b,,c")', ["a", "b", "", "c"]),
    ('replace("a-b-c", "-", "_")', "a_b_c"), ('replace("a1b22", "/[0-9]+/", "#")', "a#b#"),
    ('regexreplace("hello world", "(\\\\w+) (\\\\w+)", "$2 $1")', "world hello"),
    ('regex("[a-z]+", "123abc456")', "abc"), ('regexall("[0-9]", "a1b2")', ["1", "2"]),
    ('regexpescape("a|b.c")', "a\\|b\\.c"),
    ('substr("hello world", 1, 4)', "ello"), ('substr("hello", -3, -1)', "llo"),
    ('strrev("abc")', "cba"), ('startswith("abc", "ab")', True), ('endswith("abc", "bc")', True),
    ("concat([1], [2, 3])", [1, 2, 3]), ('length("héllo")', 5), ("length([1, 2])", 2),
    ("length({a = 1})", 1), ("contains([1, 2], 2)", True), ('contains(["1"], 1)', False),
    ("distinct([1, 2, 1, 3])", [1, 2, 3]), ("flatten([[1, [2]], 3])", [1, 2, 3]),
    ("keys({b = 1, a = 2})", ["a", "b"]), ("values({b = 1, a = 2})", [2, 1]),
    ('lookup({a = 1}, "a")', 1), ('lookup({a = 1}, "b", 5)', 5),
    ("merge({a = 1, b = 2}, {b = 3}, null)", {"a": 1, "b": 3}),
    ('element(["a", "b"], 3)', "b"), ('index(["a", "b"], "b")', 1),
    ("range(3)", [0, 1, 2]), ("range(1, 4)", [1, 2, 3]), ("range(0, 1, 0.5)", [0, 0.5]),
    ("range(3, 0, -1)", [3, 2, 1]), ("reverse([1, 2])", [2, 1]), ("slice([1, 2, 3], 1, 3)", [2, 3]),
    ('sort(["b", "a", "C"])', ["C", "a", "b"]), ("sort([10, 9])", ["10", "9"]),
    ("toset([2, 1, 2])", [1, 2]), ('tolist(toset(["b", "a"]))', ["a", "b"]),
    ("tomap({a = 1})", {"a": 1}), ("tostring(12)", "12"), ("tostring(true)", "true"),
    ("tostring(null)", None), ('tonumber("1.5")', 1.5), ('tonumber("10")', 10),
    ('tobool("true")', True), ('coalesce(null, "", "b")', "b"), ("coalesce(null, 2)", 2),
    ('compact(["a", "", null, "b"])', ["a", "b"]), ("min(3, 1, 2)", 1), ("max(3, 1.5)", 3),
    ("abs(-2.5)", 2.5), ("ceil(1.2)", 2), ("floor(-1.2)", -2), ("signum(-3)", -1),
    ("pow(2, 10)", 1024), ("log(8, 2)", 3), ('parseint("ff", 16)', 255), ('parseint("-101", 2)', -5),
    ("sum([1, 2, 3.5])", 6.5), ("alltrue([true, true])", True), ("alltrue([])", True),
    ("anytrue([false])", False), ("empty([])", True), ("coalescelist([], [1])", [1]),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ("chunklist([1, 2, 3], 2)", [[1, 2], [3]]),
    ("setunion([2], [1, 2])", [1, 2]), ("setintersection([1, 2], [2, 3])", [2]),
    ("setsubtract([1, 2], [2])", [1]), ('setproduct(["a"], [1, 2])', [["a", 1], ["a", 2]]),
    ('jsonencode({b = [1, "<x>"], a = null, c = 1.5})', '{"a":null,"b":[1,"\\u003cx\\u003e"],"c":1.5}'),
    ('jsondecode("{\\"a\\": [1, 2.0, true, null]}")', {"a": [1, 2, True, None]}),
    ('csvdecode("a,b\\n1,2\\n")', [{"a": "1", "b": "2"}]),
    ('urlescape("&pass?")', "%26pass%3F"), ('urlqueryescape("a b")', "a+b"),
    ('urlsetpath("mysql://root:pass@mysql:3306/admin?parseTime=true", "my-tenant")',
     "mysql://root:pass@mysql:3306/my-tenant?parseTime=true"),
    ('urlqueryset("postgres://u:p@h:5432/database?sslmode=disable&search_path=admin&sslmode=disable", "search_path", "schema")',
     "postgres://u:p@h:5432/database?search_path=schema&sslmode=disable&sslmode=disable"),
    ('urluserinfo("mysql://localhost:3306", "user", "pass")', "mysql://user:pass@localhost:3306"),
    ('urluserinfo("mysql://localhost:3306", "user")', "mysql://user@localhost:3306"),
    ('basename("/a/b.hcl")', "b.hcl"), ('basename("a/b/")', "b"), ('dirname("/a/b/c.hcl")', "/a/b"),
    ('dirname("c.hcl")', "."), ('abspath("/a/../b")', "/b"),
    ('sql("now()")', RawSQL("now()")),
])
def test_functions(src, want):
    got = ev(src)
    assert got == want
    if isinstance(want, (int, float, str, bool)):
        assert type(got) is type(want)


def test_abspath_relative_uses_cwd():
    assert ev('abspath("x.hcl")') == os.path.join(os.getcwd(), "x.hcl")


@pytest.mark.parametrize("src, message", [
    ('element([], 0)', "cannot use element function with an empty list"),
    ('lookup({a = 1}, "b")', 'lookup failed to find key "b"'),
    ('index([1], 2)', "item not found"),
    ('tobool("yes")', 'cannot convert "yes" to bool; only the strings "true" or "false" are allowed'),
    ('tonumber("x")', 'cannot convert "x" to number'),
    ('format("%d %d", 1)', 'not enough arguments for "%d"'),
    ('format("%s", 1, 2)', "too many arguments; only 1 used by format string"),
    ('jsondecode("{")', 'Invalid value for "str" parameter'),
    ('zipmap(["a"], [])', "number of keys (1) does not match number of values (0)"),
    ('coalesce(null, "")', "no non-null, non-empty-string arguments"),
    ('tostring([1])', "cannot convert tuple to string"),
    ('regex("x", "abc")', "pattern did not match any part of the given string"),
])
def test_function_errors(src, message):
    with pytest.raises(HCLError) as exc:
        ev(src)
    assert message in str(exc.value)


# ---------------------------------------------------------------------------------------------
# Schema files


def attrs(block):
    return {k: a.value for k, a in block.attrs.items()}


SCHEMA = '''
schema "main" {}

table "users" {
  schema = schema.main
  column "id" {
    null = false
    type = integer
    auto_increment = true
  }
  column "first name" {
    type    = varchar(255)
    default = sql("CURRENT_TIMESTAMP")
  }
  column "price" {
    type = decimal(10, 2)
    default = 0
  }
  column "u" {
    type = sql("USER_DEFINED")
    comment = "${upper("x")}y"
  }
  column "g" {
    type = int
    as {
      expr = "1"
      type = STORED
    }
  }
  primary_key {
    columns = [column.id]
  }
  index "idx" {
    unique  = true
    columns = [column.id, column["first name"]]
    on {
      column = table.users.column.price
      desc   = true
    }
  }
  foreign_key "fk" {
    columns     = [column.id]
    ref_columns = [table.accounts.column.id]
    on_delete   = SET_NULL
    on_update   = "NO_ACTION"
  }
  check "positive price" {
    expr = "price > 0"
  }
  without_rowid = true
  strict        = false
  comment       = null
}

table "accounts" {
  schema = schema.main
  column "id" {
    type = int
  }
}

table "main" "dup" {
  schema = schema.main
  self   = table.main.dup
}

unknown_top "x" {
  anything = whatever
}
'''


def test_schema_document_shape_and_values():
    doc = evaluate_schema_files([("schema.hcl", SCHEMA)])
    assert [(b.type, b.labels) for b in doc.blocks] == [
        ("schema", ["main"]), ("table", ["users"]), ("table", ["accounts"]),
        ("table", ["main", "dup"]), ("unknown_top", ["x"])]
    users = doc.blocks[1]
    assert attrs(users)["schema"] == Ref((("schema", "main"),))
    assert users.attrs["schema"].pos == SourcePos("schema.hcl", 5, 3)
    assert "comment" not in users.attrs  # null means unset
    assert attrs(users)["without_rowid"] is True and attrs(users)["strict"] is False
    cols = users.children("column")
    assert [c.labels[0] for c in cols] == ["id", "first name", "price", "u", "g"]
    assert attrs(cols[0]) == {"null": False, "type": TypeCall("integer"), "auto_increment": True}
    assert attrs(cols[1]) == {"type": TypeCall("varchar", (255,)),
                              "default": RawSQL("CURRENT_TIMESTAMP")}
    assert attrs(cols[2])["type"] == TypeCall("decimal", (10, 2))
    assert attrs(cols[3]) == {"type": RawSQL("USER_DEFINED"), "comment": "Xy"}
    gen = cols[4].children("as")[0]
    assert attrs(gen) == {"expr": "1", "type": Word("STORED")}
    pk = users.children("primary_key")[0]
    assert attrs(pk)["columns"] == [Ref((("column", "id"),), local=True)]
    idx = users.children("index")[0]
    assert attrs(idx)["columns"] == [Ref((("column", "id"),), local=True),
                                     Ref((("column", "first name"),), local=True)]
    on = idx.children("on")[0]
    assert attrs(on)["column"] == Ref((("table", "users"), ("column", "price")))
    assert attrs(on)["column"].text == "$table.users.$column.price"
    fk = users.children("foreign_key")[0]
    assert attrs(fk)["ref_columns"] == [Ref((("table", "accounts"), ("column", "id")))]
    assert attrs(fk)["on_delete"] == Word("SET_NULL")
    assert attrs(fk)["on_update"] == "NO_ACTION"  # strings stay strings
    assert users.children("check")[0].labels == ["positive price"]
    dup = doc.blocks[3]
    assert attrs(dup)["self"] == Ref((("table", "main.dup"),))
    assert attrs(doc.blocks[4])["anything"] == Word("whatever")


def test_refs_forward_and_across_files_sorted_by_path():
    f1 = ("dir/schema-1.hcl", '''
table "pets" {
  schema = schema.main
  column "owner_id" {
    type    = int
    default = var.default_value
  }
  foreign_key "owner" {
    columns     = [column.owner_id]
    ref_columns = [table.users.column.id]
  }
}
''')
    f2 = ("dir/schema-2.hcl", '''
schema "main" {}
variable "default_value" {
  type    = number
  default = 7
}
table "users" {
  schema = schema.main
  column "id" {
    type = int
  }
}
''')
    doc = evaluate_schema_files([f2, f1])
    assert [b.labels for b in doc.blocks] == [["pets"], ["main"], ["users"]]
    pets = doc.blocks[0]
    assert attrs(pets.children("column")[0])["default"] == 7
    fk = pets.children("foreign_key")[0]
    assert attrs(fk)["ref_columns"] == [Ref((("table", "users"), ("column", "id")))]
    assert fk.attrs["ref_columns"].value[0].pos == SourcePos("dir/schema-1.hcl", 10, 20)


def test_variables_inputs_defaults_and_errors():
    src = 'variable "tenant" {\n  type = string\n}\nvariable "n" {\n  type = number\n  default = 1\n}\n' \
          'variable "l" {\n  type = list(string)\n  default = []\n}\n' \
          'schema "s" {\n  name = var.tenant\n  comment = "${var.n}-${join(",", var.l)}"\n}\n'
    doc = evaluate_schema_files([("v.hcl", src)], {"tenant": "acme", "n": "5", "l": "one"})
    assert attrs(doc.blocks[0]) == {"name": "acme", "comment": "5-one"}
    with pytest.raises(HCLError) as exc:
        evaluate_schema_files([("v.hcl", src)])
    assert str(exc.value) == 'missing value for required variable "tenant"'
    with pytest.raises(HCLError, match='variable "n": a number is required'):
        evaluate_schema_files([("v.hcl", src)], {"tenant": "x", "n": "abc"})
    with pytest.raises(HCLError, match=r'invalid type "string" for variable "x"\. Valid types '
                                       r'are: string, number, bool, list, map, or set'):
        evaluate_schema_files([("v.hcl", 'variable "x" {\n  type = "string"\n}\n')], {"x": "1"})


def test_variable_from_another_file_and_name_patching():
    a = ("a.hcl", 'schema "main" {\n  name = var.tenant\n}\n')
    b = ("b.hcl", 'variable "tenant" {\n  type = string\n}\n'
                  'table "t" {\n  schema = schema.main\n}\n')
    doc = evaluate_schema_files([b, a], {"tenant": "acme"})
    schema, table = doc.blocks
    assert attrs(schema)["name"] == "acme"
    # with variables in play, references follow the final name (Atlas patchRefs)
    assert attrs(table)["schema"] == Ref((("schema", "acme"),))


def test_locals_and_block_attribute_references():
    src = '''
locals {
  prefix = "app"
  full   = "${local.prefix}_users"
}
table "bar" {
  name = "baz"
  column "id" {
    type = int
  }
}
stmt = "SELECT ${table.bar.column.id.name} FROM ${table.bar.name} -- ${local.full}"
'''
    doc = evaluate_schema_files([("l.hcl", src)])
    assert doc.attrs["stmt"].value == "SELECT id FROM baz -- app_users"
    with pytest.raises(HCLError, match='cyclic reference to "local.a"'):
        evaluate_schema_files([("c.hcl", "locals {\n  a = local.b\n  b = local.a\n}\n")])


def test_for_each_blocks():
    src = '''
schema "main" {}
table "t" {
  for_each = toset(["b", "a"])
  name     = each.value
  schema   = schema.main
  column "c" {
    type    = int
    comment = each.key
  }
}
table "static" {
  schema = schema.main
}
env "e" {
  for_each = {x = 1, w = 2}
  val = "${each.key}=${each.value}"
}
tup "t" {
  for_each = ["p", "q"]
  k = each.key
}
'''
    doc = evaluate_schema_files([("f.hcl", src)])
    types = [(b.type, attrs(b).get("name")) for b in doc.blocks]
    # copies follow the static blocks of the file; sets iterate sorted
    assert types[:2] == [("schema", None), ("table", None)]
    copies = [b for b in doc.blocks if b.type == "table" and "name" in b.attrs]
    assert [attrs(b)["name"] for b in copies] == ["a", "b"]
    assert all("for_each" not in b.attrs for b in doc.blocks)
    assert [attrs(c.children("column")[0])["comment"] for c in copies] == ["a", "b"]
    assert [attrs(b)["val"] for b in doc.children("env")] == ["w=2", "x=1"]
    assert [attrs(b)["k"] for b in doc.children("tup")] == [0, 1]
    with pytest.raises(HCLError, match="for_each does not support string type"):
        evaluate_schema_files([("f.hcl", 'x "y" {\n  for_each = "s"\n}\n')])
    with pytest.raises(HCLError, match='schemahcl: evaluate block for value "a": .*Unknown variable'):
        evaluate_schema_files([("f.hcl", 'x "y" {\n  for_each = toset(["a"])\n  v = nope.x\n}\n')])


@pytest.mark.parametrize("src, message", [
    ('v = "${unknown}"', ':1,8-15: Unknown variable; There is no variable named "unknown".'),
    ('\ntable "bar" {\n  refs = [table]\n}\n', ":3,3-17: invalid reference used in refs"),
    ('x = sql("")', "empty expression"),
    ('table "t" {\n  schema = nope\n}\n', 'Unknown variable; There is no variable named "nope".'),
    ('table "t" {\n  columns = [column.x]\n}\n', 'There is no variable named "column"'),
    ('table "t" {\n  column "a" {\n    type = int\n  }\n  columns = [column.x]\n}\n',
     'Unsupported attribute; This object does not have an attribute named "x".'),
    ('data "sql" "x" {}\n', 'missing data source handler for "sql"'),
])
def test_schema_errors(src, message):
    with pytest.raises(HCLError) as exc:
        evaluate_schema_files([("", src)])
    assert message in str(exc.value)


def test_big_schema_evaluates_completely():
    parts = ['schema "main" {}\n']
    for t in range(1000):
        parts.append(f'table "t{t}" {{\n  schema = schema.main\n')
        for c in range(15):
            typ = ["integer", "varchar(255)", "text", "decimal(10,2)", "boolean"][c % 5]
            parts.append(f'  column "c{c}" {{\n    null = {"true" if c % 2 else "false"}\n'
                         f'    type = {typ}\n  }}\n')
        parts.append('  primary_key {\n    columns = [column.c0]\n  }\n')
        if t:
            parts.append(f'  foreign_key "fk{t}" {{\n    columns     = [column.c1]\n'
                         f'    ref_columns = [table.t{t - 1}.column.c0]\n'
                         f'    on_delete   = CASCADE\n  }}\n')
        parts.append(f'  index "i{t}a" {{\n    unique  = true\n    columns = [column.c2, column.c3]\n  }}\n')
        parts.append(f'  index "i{t}b" {{\n    columns = [column.c4]\n  }}\n}}\n')
    text = "".join(parts)
    doc = evaluate_schema_files([("big.hcl", text)])
    assert len(doc.blocks) == 1001
    last = doc.blocks[-1]
    assert len(last.children("column")) == 15
    assert attrs(last.children("foreign_key")[0])["ref_columns"] == [
        Ref((("table", "t998"), ("column", "c0")))]


def test_parse_of_attribute_positions_survive_into_document():
    doc = evaluate_schema_files([("p.hcl", 'a "x" {\n  b = 1\n}\n')])
    assert doc.blocks[0].pos == SourcePos("p.hcl", 1, 1)
    assert doc.blocks[0].attrs["b"].pos == SourcePos("p.hcl", 2, 3)
    assert parse("x = 1\n", "p.hcl").items[0].pos == SourcePos("p.hcl", 1, 1)


def test_lone_interpolation_of_null_keeps_null():
    assert ev('"${null}"') is None


def test_words_numeric_labels_and_index_type():
    src = '''
table "t" {
  column "0" {
    type = int
  }
  index "i" {
    type    = BTREE
    columns = [column.0]
  }
  opts = [A, "b", B]
}
'''
    doc = evaluate_schema_files([("w.hcl", src)])
    t = doc.blocks[0]
    idx = t.children("index")[0]
    assert attrs(idx) == {"type": Word("BTREE"), "columns": [Ref((("column", "0"),), local=True)]}
    assert attrs(t)["opts"] == [Word("A"), "b", Word("B")]
