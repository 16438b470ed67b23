"""``data "KIND" "NAME" {}`` sources (spec/project.md §6). A data source runs only when
something that is evaluated references it, at most once per load; the loader takes care of
that. Each handler gets the block's evaluated attributes and returns the value that
``data.KIND.NAME`` stands for.

Registered kinds: ``sql``, ``hcl_schema``, ``external_schema`` (atoll runs the program; its
stdout is an SQL schema), ``template_dir``, ``external``, ``runtimevar`` (``constant://`` and
``file://`` only). Paths are relative to the working directory (§7.1)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote_plus, urlsplit

from ..errors import AtollError, ProjectError, SourcePos
from ._diag import LocatedError
from .functions import type_name


@dataclass
class DataBlock:
    """What a handler sees: ``data.<kind>.<name>`` with its evaluated attributes."""

    kind: str
    name: str
    attrs: dict[str, object]
    attr_pos: dict[str, SourcePos]
    pos: SourcePos

    @property
    def ref(self) -> str:
        return f"data.{self.kind}.{self.name}"

    def error(self, message: str) -> ProjectError:
        return LocatedError(f"{self.pos}: {self.ref}: {message}")

    def check_attrs(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        for name in required:
            if name not in self.attrs:
                raise self.error(f'decoding body: {self.pos}: Missing required argument; The '
                                 f'argument "{name}" is required, but no definition was found.')
        unknown = sorted(set(self.attrs) - set(required) - set(optional))
        if unknown:
            raise self.error("unexpected attributes: " + ", ".join(unknown))

    def string(self, name: str, default: str = "") -> str:
        value = self.attrs.get(name, default)
        if not isinstance(value, str):
            raise self.error(f'attribute "{name}" must be a string, got: {type_name(value)}')
        return value

    def strings(self, name: str) -> list[str]:
        value = self.attrs.get(name, [])
        if isinstance(value, (set, frozenset)):
            value = sorted(value)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise self.error(f'attribute "{name}" must be a list of strings, got: {type_name(value)}')
        return list(value)


@dataclass
class DataRegistry:
    """In-memory states produced by data sources, resolvable by their ``mem://`` URLs."""

    cwd: str
    hcl_schemas: dict[str, tuple[list[str], dict]] = field(default_factory=dict)
    external_schemas: dict[str, str] = field(default_factory=dict)
    template_dirs: dict[str, dict[str, str]] = field(default_factory=dict)

    def path(self, p: str) -> str:
        return p if os.path.isabs(p) else os.path.normpath(os.path.join(self.cwd, p))


Handler = Callable[[DataRegistry, DataBlock], object]


# --- sql -------------------------------------------------------------------------------------


def _sqlite_relative_to(url: str, cwd: str) -> str:
    """SQLite opens relative file names against the process's directory; the project's
    working directory may differ (``load_project(cwd=…)``)."""
    from ..urls import sqlite_body

    body = sqlite_body(url)
    if body is None or os.path.abspath(cwd) == os.getcwd():
        return url
    path, sep, query = body.partition("?")
    if "mode=memory" in query:
        return url
    prefix = ""
    if path.startswith("file:"):
        prefix, path = "file:", path[len("file:"):]
    if not path or os.path.isabs(path):
        return url
    return url.partition("://")[0] + "://" + prefix + os.path.join(cwd, path) + sep + query


def data_sql(reg: DataRegistry, d: DataBlock) -> dict:
    from ..dialects import dialect_for
    from ..urls import parse_url

    d.check_attrs(("url", "query"), ("args",))
    url, query = d.string("url"), d.string("query")
    args = d.attrs.get("args", [])
    if not isinstance(args, (list, tuple)):
        raise d.error(f'attribute "args" must be a list, got: {type_name(args)}')
    for arg in args:
        if not isinstance(arg, (str, int, float, bool)):
            raise d.error('attribute "args" must be a list of strings, numbers or booleans, '
                          f"got: {type_name(arg)}")
    try:
        parsed = parse_url(_sqlite_relative_to(url, reg.cwd))
        conn = dialect_for(parsed).connect_read_only(parsed)
    except AtollError as exc:
        raise d.error(f"opening connection: {exc}") from None
    try:
        try:
            # Drivers whose users write "?" placeholders (MySQL) say how to run them.
            rows = getattr(conn, "query_qmark", conn.query)(query, list(args))
        except AtollError as exc:
            raise d.error(f"executing query: {exc}") from None
    finally:
        conn.close()
    values = []
    for row in rows:
        value = row[0] if row else None
        if isinstance(value, (bytes, bytearray, memoryview)):
            value = bytes(value).decode("utf-8", "replace")
        if value is None:
            raise d.error("unsupported row type: <nil>")
        if not isinstance(value, (str, int, float, bool)):
            raise d.error(f"unsupported row type: {type(value).__name__}")
        values.append(value)
    kinds = {type_name(v) for v in values}
    if len(kinds) > 1:
        raise d.error("all rows must have values of one type, got: " + ", ".join(sorted(kinds)))
    result: dict = {"count": len(values), "values": values}
    if values:
        result["value"] = values[0]
    return result


# --- hcl_schema, external_schema ------------------------------------------------------------


def data_hcl_schema(reg: DataRegistry, d: DataBlock) -> dict:
    d.check_attrs((), ("path", "paths", "vars"))
    if "path" in d.attrs and "paths" in d.attrs:
        raise d.error("path and paths cannot be set together")
    if "path" in d.attrs:
        paths = [d.string("path")]
    elif "paths" in d.attrs:
        paths = d.strings("paths")
    else:
        raise d.error("path or paths must be set")
    variables = d.attrs.get("vars", {})
    if not isinstance(variables, dict):
        raise d.error(f'attribute "vars" must be a map, got: {type_name(variables)}')
    url = f"mem://hcl_schema/{d.name}"
    reg.hcl_schemas[url] = ([reg.path(p) for p in paths], dict(variables))
    return {"url": url}


def _run(reg: DataRegistry, d: DataBlock) -> str:
    program = d.strings("program")
    if not program:
        raise d.error("program cannot be empty")
    workdir = reg.path(d.string("working_dir")) if "working_dir" in d.attrs else reg.cwd
    exe = program[0]
    if os.sep not in exe:
        exe = shutil.which(exe) or exe
    try:
        proc = subprocess.run([exe, *program[1:]], cwd=workdir, capture_output=True, check=False)
    except OSError as exc:
        raise d.error(f"running program {exe}: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip() or f"exit status {proc.returncode}"
        raise d.error(f"running program {exe}: {detail}")
    return proc.stdout.decode("utf-8", "replace")


def data_external_schema(reg: DataRegistry, d: DataBlock) -> dict:
    d.check_attrs(("program",), ("working_dir",))
    url = f"mem://external_schema/{d.name}"
    reg.external_schemas[url] = _run(reg, d)
    return {"url": url}


def data_external(reg: DataRegistry, d: DataBlock) -> str:
    d.check_attrs(("program",), ("working_dir",))
    return _run(reg, d)


# --- template_dir ----------------------------------------------------------------------------

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.DOTALL)


def _go_string(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(_go_string(v) for v in value) + "]"
    return str(value)


def render_template(text: str, variables: dict, filename: str) -> str:
    """A small subset of Go's text/template: ``{{ .Name }}`` (``missingkey=error``), trim
    markers ``{{-``/``-}}`` and comments ``{{/* */}}``. Anything else is reported as
    unsupported."""
    out, pos = [], 0
    for m in _ACTION.finditer(text):
        chunk = text[pos:m.start()]
        if m.group(1):
            chunk = chunk.rstrip(" \t\r\n")
        out.append(chunk)
        action = m.group(2).strip()
        pos = m.end()
        if m.group(3):
            rest = text[pos:]
            pos += len(rest) - len(rest.lstrip(" \t\r\n"))
        if action.startswith("/*") and action.endswith("*/"):
            continue
        ref = re.fullmatch(r"\.([A-Za-z_][A-Za-z0-9_]*)", action)
        if not ref:
            raise ProjectError(f"template: {filename}: unsupported action {{{{ {action} }}}}")
        key = ref.group(1)
        if key not in variables:
            raise ProjectError(f'template: {filename}: executing "{filename}" at <.{key}>: '
                               f'map has no entry for key "{key}"')
        out.append(_go_string(variables[key]))
    out.append(text[pos:])
    return "".join(out)


def data_template_dir(reg: DataRegistry, d: DataBlock) -> dict:
    d.check_attrs(("path",), ("vars",))
    path = d.string("path")
    variables = d.attrs.get("vars", {})
    if not isinstance(variables, dict):
        raise d.error(f'attribute "vars" must be a map of strings, numbers or booleans, '
                      f"got: {type_name(variables)}")
    for v in variables.values():
        items = v if isinstance(v, (list, tuple)) else [v]
        if not all(isinstance(i, (str, int, float, bool)) for i in items):
            raise d.error('attribute "vars" must be a map of strings, numbers or booleans, '
                          f"got: {type_name(v)}")
    full = reg.path(path)
    if not os.path.isdir(full):
        raise d.error(f"path {path} is not a directory")
    files = {}
    for entry in sorted(os.listdir(full)):
        fpath = os.path.join(full, entry)
        if entry.endswith(".sql") and os.path.isfile(fpath):
            with open(fpath, encoding="utf-8") as fh:
                try:
                    files[entry] = render_template(fh.read(), variables, entry)
                except ProjectError as exc:
                    raise d.error(str(exc)) from None
    url = f"mem://{path.rstrip('/')}/{d.name}"
    reg.template_dirs[url] = files
    return {"url": url}


# --- runtimevar ------------------------------------------------------------------------------


def data_runtimevar(reg: DataRegistry, d: DataBlock) -> str:
    d.check_attrs(("url",))
    raw = d.string("url")
    parts = urlsplit(raw)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "timeout"]
    decoder = dict(query).get("decoder", "")
    if decoder not in ("", "string"):
        raise LocatedError(f'{d.pos}: {d.ref}: unsupported decoder: "{decoder}"')
    if parts.scheme == "constant":
        return unquote_plus(dict(query).get("val", ""))
    if parts.scheme == "file":
        path = reg.path(parts.netloc + parts.path)
        try:
            with open(path, encoding="utf-8") as fh:
                return fh.read()
        except OSError as exc:
            raise d.error(f"open {path}: {exc.strerror or exc}") from None
    raise d.error(f'unsupported runtimevar scheme "{parts.scheme}" (atoll supports constant:// '
                  "and file://)")


def _unsupported(kind: str) -> Handler:
    def handler(reg: DataRegistry, d: DataBlock):
        raise LocatedError(f"{d.pos}: data.{kind} is not supported by atoll")

    return handler


HANDLERS: dict[str, Handler] = {
    "sql": data_sql,
    "hcl_schema": data_hcl_schema,
    "external_schema": data_external_schema,
    "template_dir": data_template_dir,
    "external": data_external,
    "runtimevar": data_runtimevar,
    "remote_dir": _unsupported("remote_dir"),
    "remote_schema": _unsupported("remote_schema"),
    "aws_rds_token": _unsupported("aws_rds_token"),
    "gcp_cloudsql_token": _unsupported("gcp_cloudsql_token"),
}
