"""atlas.hcl-only functions (getenv/file/fileset/glob), variable types and conversion,
--config and --var parsing."""

from __future__ import annotations

import os

import pytest

from atoll.errors import ProjectError
from atoll.hcl.evaluate import FunctionError, SetValue
from atoll.project import config_path, parse_var_flags
from atoll.project.functions import (
    BOOL,
    NUMBER,
    STRING,
    TYPE_FUNCTIONS,
    EnvReads,
    VarType,
    convert,
    doublestar_glob,
    make_file_func,
    make_fileset_func,
    make_glob_func,
    project_functions,
    set_order,
)

# --- getenv ----------------------------------------------------------------------------------

def test_getenv_set_and_unset():
    reads = EnvReads({"A": "1"}.get)
    assert reads.getenv("A") == "1"
    assert reads.getenv("NOPE") == ""  # never null, never an error


def test_getenv_records_unset_reads_in_nested_frames():
    reads = EnvReads({}.get)
    reads.push()
    reads.push()
    reads.getenv("X")
    assert reads.pop() == {"X"}
    reads.getenv("Y")
    assert reads.pop() == {"X", "Y"}


def test_getenv_marker_mode():
    reads = EnvReads({}.get)
    reads.sentinel_mode = True
    assert "X" in reads.getenv("X") and reads.getenv("X") != ""


def test_getenv_rejects_non_string():
    with pytest.raises(FunctionError):
        EnvReads({}.get).getenv(1)


def test_project_functions_have_hcl_arity():
    funcs = project_functions("/", EnvReads())
    assert set(funcs) == {"getenv", "file", "fileset", "glob"}
    assert funcs["getenv"].hcl_params == ("key",)


# --- file / fileset / glob -------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path):
    for rel in ("a.hcl", "b.hcl", "nested/c.hcl", "nested/deep/d.hcl", "variables.hcl",
                "x.sql", ".hidden.hcl"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(rel)
    return tmp_path


def test_file_relative_to_base_and_absolute(tree):
    file = make_file_func(str(tree))
    assert file("a.hcl") == "a.hcl"
    assert file("nested/../b.hcl") == "b.hcl"
    assert file(str(tree / "x.sql")) == "x.sql"


def test_file_missing_reports_absolute_path(tree):
    with pytest.raises(FunctionError, match=f"open {tree}/missing.txt: no such file or directory"):
        make_file_func(str(tree))("missing.txt")


def test_file_base_must_be_absolute():
    with pytest.raises(FunctionError, match="base directory must be an absolute path. got: testdata"):
        make_file_func("testdata")("x")


def test_fileset_doublestar(tree):
    got = make_fileset_func(str(tree))("**/*.hcl")
    rel = [os.path.relpath(p, tree) for p in got]
    assert rel == [".hidden.hcl", "a.hcl", "b.hcl", "nested/c.hcl", "nested/deep/d.hcl",
                   "variables.hcl"]
    assert all(os.path.isabs(p) for p in got)


def test_fileset_braces_classes_and_no_match(tree):
    fs = make_fileset_func(str(tree))
    assert [os.path.basename(p) for p in fs("{a,x}.*")] == ["a.hcl", "x.sql"]
    assert [os.path.basename(p) for p in fs("[ab].hcl")] == ["a.hcl", "b.hcl"]
    assert [os.path.basename(p) for p in fs("nested/*")] == ["c.hcl", "deep"]
    assert fs("*.nothing") == []


def test_glob_single_level(tree):
    got = make_glob_func(str(tree))("*.hcl")
    assert [os.path.basename(p) for p in got] == [".hidden.hcl", "a.hcl", "b.hcl", "variables.hcl"]


def test_doublestar_literal_path(tree):
    assert doublestar_glob(str(tree / "a.hcl")) == [str(tree / "a.hcl")]
    assert doublestar_glob(str(tree / "zzz.hcl")) == []


# --- variable types --------------------------------------------------------------------------

def test_type_constructors():
    assert str(TYPE_FUNCTIONS["list"](STRING)) == "list(string)"
    assert str(TYPE_FUNCTIONS["map"](NUMBER)) == "map(number)"
    assert str(TYPE_FUNCTIONS["object"]({"b": BOOL, "a": STRING})) == "object({a = string, b = bool})"
    with pytest.raises(FunctionError):
        TYPE_FUNCTIONS["list"]("string")


@pytest.mark.parametrize("value,typ,expected", [
    ("1", NUMBER, 1),
    ("1.5", NUMBER, 1.5),
    ("true", BOOL, True),
    ("false", BOOL, False),
    (3, STRING, "3"),
    (True, STRING, "true"),
    (["a", "b"], VarType("list", STRING), ["a", "b"]),
    (["1", "2"], VarType("list", NUMBER), [1, 2]),
    ({"a": "1"}, VarType("map", NUMBER), {"a": 1}),
    (None, STRING, None),
])
def test_convert(value, typ, expected):
    got = convert(value, typ)
    assert got == expected and type(got) is type(expected)


def test_convert_set_orders_and_dedupes():
    got = convert(["b", "a", "b"], VarType("set", STRING))
    assert isinstance(got, SetValue) and got == ["a", "b"]


@pytest.mark.parametrize("value,typ,message", [
    ("yes", BOOL, "a bool is required"),
    ("abc", NUMBER, "a number is required"),
    (["a", "b"], STRING, "string required"),
    ("a", VarType("list", STRING), "list of string required"),
])
def test_convert_errors(value, typ, message):
    with pytest.raises(ProjectError, match=message):
        convert(value, typ)


def test_set_order_numbers_then_strings():
    assert set_order(["b", 2, "a", 10, 2]) == [2, 10, "a", "b"]


# --- --config / --var ------------------------------------------------------------------------

@pytest.mark.parametrize("url,path", [
    ("file://atlas.hcl", "atlas.hcl"),
    ("file://configs/atlas.hcl", "configs/atlas.hcl"),
    ("file:///abs/atlas.hcl", "/abs/atlas.hcl"),
    ("file://../x/atlas.hcl", "../x/atlas.hcl"),
    ("file://./config/develop/atlas.hcl?x=1", "config/develop/atlas.hcl"),
])
def test_config_path(url, path):
    assert config_path(url) == path


def test_config_path_errors():
    with pytest.raises(ProjectError, match=r"^missing scheme for config file\. Did you mean file:///srv/app/atlas\.hcl\?$"):
        config_path("/srv/app/atlas.hcl")
    with pytest.raises(ProjectError, match='^unsupported config file driver "boring"$'):
        config_path("boring://atlas.hcl")


def test_parse_var_flags():
    assert parse_var_flags(["a=b", "b=c", "a=d"]) == {"a": ["b", "d"], "b": ["c"]}
    assert parse_var_flags(["a=1,b=2"]) == {"a": ["1"], "b": ["2"]}
    assert parse_var_flags(['"k=a,b"']) == {"k": ["a,b"]}
    assert parse_var_flags(["url=sqlite://x?a=b"]) == {"url": ["sqlite://x?a=b"]}
    with pytest.raises(ProjectError, match='variables must be format as key=value, got: "oops"'):
        parse_var_flags(["oops"])
