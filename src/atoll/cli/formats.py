"""``--format`` values. Atlas takes Go templates; atoll understands the templates Atlas users
write in practice (``{{ sql . }}``, ``{{ sql . "  " }}``, ``{{ json . }}``, ``{{ json .X }}``)
and, as an atoll convenience the operations guide already assumes, the bare words ``hcl``,
``sql`` and ``json`` (Atlas would print the word itself)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import AtollError

_TEMPLATE = re.compile(
    r'^\s*\{\{-?\s*(?P<fn>sql|json|hcl|mermaid)\s+(?P<arg>\.[A-Za-z_.]*)'
    r'(?:\s+"(?P<indent>(?:[^"\\]|\\.)*)")?\s*-?\}\}\s*$')


@dataclass(frozen=True)
class OutputFormat:
    kind: str  # "default", "hcl", "sql", "json"
    indent: str = ""
    field: str = ""  # ".Changes" for {{ json .Changes }}; "" for the whole object


def parse_format(text: str | None) -> OutputFormat:
    if not text:
        return OutputFormat("default")
    word = text.strip().lower()
    if word in ("hcl", "sql", "json"):
        return OutputFormat(word)
    m = _TEMPLATE.match(text)
    if not m:
        raise AtollError(f"parse log format: unsupported template {text!r} "
                         '(atoll understands {{ sql . }}, {{ sql . "  " }}, {{ json . }}, '
                         "or the words hcl, sql, json)")
    indent = m.group("indent") or ""
    indent = indent.encode().decode("unicode_escape") if "\\" in indent else indent
    field = m.group("arg")[1:]
    return OutputFormat(m.group("fn"), indent, field)
