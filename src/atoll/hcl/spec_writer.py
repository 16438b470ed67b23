"""Writing schema HCL the way hclwrite formats Atlas's output: blocks and attributes, runs of
attributes aligned on ``=``, strings quoted like ``escapeQuotedStringLit``, references
(``column.id``, ``table["my table"]``)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..gotext import go_quote


class Attr:
    __slots__ = ("name", "value")

    def __init__(self, name: str, value: str):
        self.name = name
        self.value = value


class Blk:
    __slots__ = ("type", "labels", "body")

    def __init__(self, type_: str, labels: Sequence[str] = (), body: list | None = None):
        self.type = type_
        self.labels = list(labels)
        self.body: list[Attr | Blk] = body if body is not None else []


def hcl_quote(s: str) -> str:
    """A quoted HCL string as hclwrite writes it (``escapeQuotedStringLit``)."""
    out = ['"']
    n = len(s)
    for i, ch in enumerate(s):
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "$%":
            out.append(ch)
            if i + 1 < n and s[i + 1] == "{":
                out.append(ch)  # double the template introducer to escape it
        elif ch == " " or ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


_NUMBER_IDENT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?[Ii]nf")
# A name after a dot that reads back as itself: HCL takes ``column.7`` as the key "7", but
# ``column.07`` as "7", ``column.1.5`` as two steps and ``column.1e3`` not at all.
_KEY_NUMBER = re.compile(r"0|[1-9][0-9]*")
_IDENT = re.compile(r"[^\W\d][\w-]*")


def valid_ident(s: str) -> bool:
    """Whether Atlas writes a name after a ``.`` in a reference (its ``validIdent``: any
    number, or an HCL identifier); used for the reference strings of messages."""
    return bool(_NUMBER_IDENT.fullmatch(s)) or _hcl_identifier(s)


def readable_ident(s: str) -> bool:
    """Whether a name can follow a ``.`` in written HCL and read back as the same name;
    otherwise it is written ``["name"]``. Atlas writes every number after a dot, so a
    column named ``1.5`` does not survive its own ``schema inspect``; atoll quotes it."""
    return bool(_KEY_NUMBER.fullmatch(s)) or _hcl_identifier(s)


def _hcl_identifier(s: str) -> bool:
    # What both atoll's lexer (hcl/lexer.py: word characters) and Go's HCL (Unicode
    # identifiers, as Python's) read as one identifier; any other name is quoted: U+00B7 is
    # an identifier mark only to Go, a superscript digit a word character only to atoll.
    return _IDENT.fullmatch(s) is not None and s.replace("-", "_").isidentifier()


def ref_text(path: Sequence[tuple[str, str]]) -> str:
    out = []
    for kind, name in path:
        if readable_ident(name):
            out.append(f"{kind}.{name}")
        else:
            # Atlas stores the name Go-quoted inside the reference and quotes it again when
            # printing, so a name holding a quote, a backslash or a control character does
            # not read back; atoll quotes it once. Other names print as Atlas prints them.
            out.append(f"{kind}[{hcl_quote(name)}]")
    return ".".join(out)


def ref_value(path: Sequence[tuple[str, str]]) -> str:
    """Atlas's internal reference string (``$table.users.$column.id``), used in messages."""
    out = []
    for kind, name in path:
        out.append(f"${kind}.{name}" if valid_ident(name) else f"${kind}[{go_quote(name)}]")
    return ".".join(out)


def refs_text(paths: Sequence[Sequence[tuple[str, str]]]) -> str:
    return "[" + ", ".join(ref_text(p) for p in paths) + "]"


def ref_to(kind: str, name: str) -> str:
    """``table.users`` / ``table["a b"]``: a reference to one block."""
    return ref_text([(kind, name)])


def column_refs(names: Sequence[str]) -> str:
    """``[column.a, column["b c"]]``: references to columns of the enclosing table."""
    return refs_text([[("column", n)] for n in names])


def sql_call(s: str) -> str:
    """``sql("…")``: raw SQL in schema HCL."""
    return f"sql({go_quote(s)})"


def render(items: Sequence[Attr | Blk], depth: int, out: list[str]) -> None:
    indent = "  " * depth
    run: list[Attr] = []

    def flush() -> None:
        if run:
            width = max(len(a.name) for a in run)
            for a in run:
                out.append(f"{indent}{a.name.ljust(width)} = {a.value}")
            run.clear()

    for item in items:
        if isinstance(item, Attr):
            run.append(item)
            continue
        flush()
        labels = "".join(f" {hcl_quote(label)}" for label in item.labels)
        out.append(f"{indent}{item.type}{labels} {{")
        render(item.body, depth + 1, out)
        out.append(f"{indent}}}")
    flush()
