"""Functions only ``atlas.hcl`` has (spec/project.md §4.3): ``getenv``, ``file``, ``fileset``,
``glob``; and the type expressions of ``variable`` blocks with the conversion of input values
to the declared type (§2.2).

Relative paths given to ``file``/``fileset``/``glob`` are joined to the directory of the config
file, never to the working directory (§7.1)."""

from __future__ import annotations

import glob as _glob
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ProjectError
from ..hcl.values import FunctionError, SetValue

# --- getenv and its bookkeeping --------------------------------------------------------------


class EnvReads:
    """Remembers which unset OS environment variables ``getenv`` was asked for while a value
    was being computed, so that a URL built from an unset variable can be reported by name
    instead of failing later with an unreadable URL. Frames nest: reads inside an inner frame
    are also charged to the frames around it."""

    def __init__(self, environ: Callable[[str], str | None] = os.environ.get):
        self._environ = environ
        self._frames: list[set[str]] = []
        self.sentinel_mode = False

    def getenv(self, name) -> str:
        if not isinstance(name, str):
            raise FunctionError(f"string required, got {type_name(name)}", 0)
        value = self._environ(name)
        if value is None:
            self.mark({name})
            if self.sentinel_mode:
                return sentinel(name)
            return ""
        return value

    def mark(self, names: set[str]) -> None:
        if self._frames and names:
            self._frames[-1].update(names)

    def push(self) -> None:
        self._frames.append(set())

    def pop(self) -> set[str]:
        names = self._frames.pop()
        self.mark(names)
        return names


_SENTINEL = "\x00getenv:{}\x00"
_SENTINEL_RE = re.compile("\x00getenv:([^\x00]*)\x00")


def sentinel(name: str) -> str:
    """A marker ``getenv`` returns for an unset variable while a URL is re-evaluated to see
    whether the variable's (empty) value ended up inside it."""
    return _SENTINEL.format(name)


def sentinels_in(value) -> list[str]:
    """Names of the unset variables whose marker appears in ``value`` (strings, lists)."""
    if isinstance(value, str):
        return _SENTINEL_RE.findall(value)
    if isinstance(value, (list, tuple)):
        return [n for item in value for n in sentinels_in(item)]
    return []


def strip_sentinels(value):
    if isinstance(value, str):
        return _SENTINEL_RE.sub("", value)
    if isinstance(value, (list, tuple)):
        return [strip_sentinels(v) for v in value]
    return value


# --- file, fileset, glob ---------------------------------------------------------------------


def _join(base: str, path) -> str:
    if not isinstance(path, str):
        raise FunctionError(f"string required, got {type_name(path)}", 0)
    if not os.path.isabs(base):
        raise FunctionError(f"base directory must be an absolute path. got: {base}")
    if not os.path.isabs(path):
        path = os.path.normpath(os.path.join(base, path))
    return path


def make_file_func(base: str) -> Callable[[str], str]:
    def file(path):
        full = _join(base, path)
        try:
            with open(full, encoding="utf-8") as fh:
                return fh.read()
        except FileNotFoundError:
            raise FunctionError(f"open {full}: no such file or directory") from None
        except IsADirectoryError:
            raise FunctionError(f"read {full}: is a directory") from None
        except OSError as exc:
            raise FunctionError(f"open {full}: {exc.strerror or exc}") from None

    return file


def make_glob_func(base: str) -> Callable[[str], list[str]]:
    """Single-level globbing (Go ``filepath.Glob``): no ``**``, dot files included."""

    def glob(pattern):
        full = _join(base, pattern)
        if "**" in full:
            full = full.replace("**", "*")
        return sorted(_glob.glob(full, include_hidden=True))

    return glob


def make_fileset_func(base: str) -> Callable[[str], list[str]]:
    """Doublestar globbing: ``*``, ``?``, ``[…]``, ``{a,b}`` within one path segment and
    ``**`` across any number of directories. Matches files and directories; absolute paths,
    sorted."""

    def fileset(pattern):
        return doublestar_glob(_join(base, pattern))

    return fileset


def _expand_braces(pattern: str) -> list[str]:
    depth, start = 0, -1
    for i, ch in enumerate(pattern):
        if ch == "\\":
            continue
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                inner, alts, level, cur = pattern[start + 1:i], [], 0, ""
                for c in inner:
                    if c == "," and level == 0:
                        alts.append(cur)
                        cur = ""
                        continue
                    level += c == "{"
                    level -= c == "}"
                    cur += c
                alts.append(cur)
                head, tail = pattern[:start], pattern[i + 1:]
                return [p for alt in alts for p in _expand_braces(head + alt + tail)]
    return [pattern]


def _segment_regex(segment: str) -> re.Pattern:
    out, i = [], 0
    while i < len(segment):
        ch = segment[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            j = segment.find("]", i + 1)
            if j < 0:
                out.append(re.escape(ch))
            else:
                body = segment[i + 1:j]
                if body.startswith(("!", "^")):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = j
        elif ch == "\\" and i + 1 < len(segment):
            i += 1
            out.append(re.escape(segment[i]))
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _has_magic(segment: str) -> bool:
    return any(c in segment for c in "*?[")


def doublestar_glob(pattern: str) -> list[str]:
    results: set[str] = set()
    for pat in _expand_braces(pattern):
        parts = pat.split(os.sep)
        # The static prefix: segments without wildcards.
        n = 0
        while n < len(parts) and not _has_magic(parts[n]):
            n += 1
        root = os.sep.join(parts[:n]) or os.sep
        if n == len(parts):
            if os.path.lexists(root):
                results.add(root)
            continue
        _match(root, parts[n:], results)
    return sorted(results)


def _match(directory: str, parts: list[str], out: set[str]) -> None:
    if not parts:
        out.add(directory)
        return
    head, rest = parts[0], parts[1:]
    if head == "**":
        # Zero directories, then every sub-directory in turn.
        _match(directory, rest, out)
        for name in _listdir(directory):
            full = os.path.join(directory, name)
            if os.path.isdir(full) and not os.path.islink(full):
                _match(full, parts, out)
        return
    if not _has_magic(head):
        full = os.path.join(directory, head)
        if os.path.lexists(full) and (not rest or os.path.isdir(full)):
            _match(full, rest, out)
        return
    rx = _segment_regex(head)
    for name in _listdir(directory):
        if rx.match(name):
            full = os.path.join(directory, name)
            if not rest or os.path.isdir(full):
                _match(full, rest, out)


def _listdir(directory: str) -> list[str]:
    try:
        return sorted(os.listdir(directory))
    except OSError:
        return []


def project_functions(base: str, env_reads: EnvReads) -> dict[str, Callable]:
    """The functions ``atlas.hcl`` adds to the standard library, bound to the config
    file's (absolute) directory."""
    funcs = {
        "getenv": (env_reads.getenv, ("key",)),
        "file": (make_file_func(base), ("path",)),
        "fileset": (make_fileset_func(base), ("pattern",)),
        "glob": (make_glob_func(base), ("pattern",)),
    }
    out = {}
    for name, (fn, params) in funcs.items():
        def bound(*args, _fn=fn):
            return _fn(*args)
        bound.hcl_params = params  # arity checks with HCL's wording (atoll.hcl.evaluate)
        bound.__name__ = name
        out[name] = bound
    return out


# --- variable types --------------------------------------------------------------------------


@dataclass(frozen=True)
class VarType:
    """A type expression of a ``variable`` block: ``string``, ``list(string)``, …"""

    kind: str  # string | number | bool | any | list | set | map | tuple | object
    elem: VarType | None = None
    elems: tuple = ()  # tuple: element types; object: (name, type) pairs

    def __str__(self) -> str:
        if self.kind in ("list", "set", "map"):
            return f"{self.kind}({self.elem})"
        if self.kind == "tuple":
            return "tuple([" + ", ".join(map(str, self.elems)) + "])"
        if self.kind == "object":
            return "object({" + ", ".join(f"{k} = {t}" for k, t in self.elems) + "})"
        return self.kind


STRING, NUMBER, BOOL, ANY = VarType("string"), VarType("number"), VarType("bool"), VarType("any")


def _need_type(value, what: str) -> VarType:
    if not isinstance(value, VarType):
        raise FunctionError(f"a type is required, got {type_name(value)}", 0)
    return value


def _tuple_type(types):
    if not isinstance(types, (list, tuple)):
        raise FunctionError("a list of types is required", 0)
    return VarType("tuple", elems=tuple(_need_type(t, "tuple") for t in types))


def _object_type(attrs):
    if not isinstance(attrs, dict):
        raise FunctionError("an object of types is required", 0)
    return VarType("object", elems=tuple(sorted((k, _need_type(t, "object"))
                                               for k, t in attrs.items())))


TYPE_VARIABLES = {"string": STRING, "number": NUMBER, "int": NUMBER, "bool": BOOL, "any": ANY}
TYPE_FUNCTIONS: dict[str, Callable] = {
    "list": lambda t=ANY: VarType("list", _need_type(t, "list")),
    "set": lambda t=ANY: VarType("set", _need_type(t, "set")),
    "map": lambda t=ANY: VarType("map", _need_type(t, "map")),
    "tuple": _tuple_type,
    "object": _object_type,
}


def type_name(value) -> str:
    """cty's friendly name for a Python value (used in error messages)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (set, frozenset, SetValue)):
        inner = {type_name(v) for v in value}
        return f"set of {inner.pop()}" if len(inner) == 1 else "set"
    if isinstance(value, (list, tuple)):
        inner = {type_name(v) for v in value}
        return f"list of {inner.pop()}" if len(inner) == 1 else "tuple"
    if isinstance(value, dict):
        inner = {type_name(v) for v in value.values()}
        return f"map of {inner.pop()}" if len(inner) == 1 else "object"
    return type(value).__name__


def _number(text: str):
    text = text.strip()
    try:
        return int(text, 10)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise ProjectError("a number is required") from None
    if math.isnan(value):
        raise ProjectError("a number is required")
    return int(value) if value.is_integer() and not math.isinf(value) else value


def set_order(values) -> list:
    """cty set order: numbers numerically, then strings byte-wise, bools false < true;
    duplicates removed."""
    unique: list = []
    seen: set = set()
    for v in values:
        try:
            marker = (type(v), v)
            if marker in seen:
                continue
            seen.add(marker)
        except TypeError:  # unhashable (a list or object): compare with each kept value
            if any(type(v) is type(u) and v == u for u in unique):
                continue
        unique.append(v)

    def key(v):
        if isinstance(v, bool):
            return (2, int(v), "")
        if isinstance(v, (int, float)):
            return (0, v, "")
        if isinstance(v, str):
            return (1, 0, v.encode())
        return (3, 0, repr(v))

    return sorted(unique, key=key)


def convert(value, typ: VarType):
    """Convert ``value`` to ``typ`` with cty's rules (``"1"`` → 1, ``"true"`` → True, a
    number → its string); raises ``ProjectError`` with cty's wording."""
    kind = typ.kind
    if value is None or kind == "any":
        return value
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return _format_number(value)
        if isinstance(value, str):
            return value
        raise ProjectError("string required")
    if kind == "number":
        if isinstance(value, bool):
            raise ProjectError("number required")
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, str):
            return _number(value)
        raise ProjectError("number required")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            if value == "true":
                return True
            if value == "false":
                return False
            raise ProjectError("a bool is required")
        raise ProjectError("bool required")
    if kind in ("list", "set"):
        if isinstance(value, (set, frozenset)):
            value = set_order(value)
        if not isinstance(value, (list, tuple)):
            raise ProjectError(f"{kind} of {typ.elem} required")
        items = []
        for i, item in enumerate(value):
            try:
                items.append(convert(item, typ.elem))
            except ProjectError as exc:
                raise ProjectError(f"element {i}: {exc}") from None
        return SetValue(set_order(items)) if kind == "set" else items
    if kind == "map":
        if not isinstance(value, dict):
            raise ProjectError(f"map of {typ.elem} required")
        return {k: convert(v, typ.elem) for k, v in value.items()}
    if kind == "tuple":
        if not isinstance(value, (list, tuple)) or len(value) != len(typ.elems):
            raise ProjectError(f"tuple required with {len(typ.elems)} elements")
        return [convert(v, t) for v, t in zip(value, typ.elems)]
    if kind == "object":
        if not isinstance(value, dict):
            raise ProjectError("object required")
        out = {}
        for name, t in typ.elems:
            if name not in value:
                raise ProjectError(f'attribute "{name}" is required')
            out[name] = convert(value[name], t)
        return out
    raise ProjectError(f"unknown type {typ}")


def _format_number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
