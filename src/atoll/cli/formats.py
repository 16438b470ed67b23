"""``--format`` values. Atlas takes Go templates: the common ones (``{{ sql . }}``,
``{{ sql . "  " }}``, ``{{ json . }}``) are recognised directly, any other runs on our Go
template engine (``atoll.gotemplate``). As an atoll convenience the operations guide already
assumes, the bare words ``hcl``, ``sql`` and ``json`` select that output (Atlas would print
the word itself)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import AtollError
from .template_structs import GoStruct

_TEMPLATE = re.compile(
    r'^\s*\{\{-?\s*(?P<fn>sql|json|hcl|mermaid)\s+(?P<arg>\.[A-Za-z_.]*)'
    r'(?:\s+"(?P<indent>(?:[^"\\]|\\.)*)")?\s*-?\}\}\s*$')


@dataclass(frozen=True)
class OutputFormat:
    kind: str  # "default", "hcl", "sql", "json", or "template" (any other Go template)
    indent: str = ""
    field: str = ""  # ".Changes" for {{ json .Changes }}; "" for the whole object
    text: str = ""  # the template, for kind "template"

    def render(self, data, struct: GoStruct, funcs: dict | None = None) -> str:
        """Execute a general template on ``data`` (the report as Atlas's JSON object), seen as
        the Go ``struct`` Atlas runs templates on: a field it lacks is Go's execution error."""
        from .. import gotemplate
        from ..gotext import go_json

        funcs = {"json": lambda v, *a: go_json(v), **(funcs or {})}
        try:
            template = gotemplate.parse(self.text, funcs)
        except AtollError as exc:
            raise AtollError(f"parse log format: {exc}") from None
        return template.execute(struct.wrap(data), funcs)


def parse_format(text: str | None) -> OutputFormat:
    if not text:
        return OutputFormat("default")
    word = text.strip().lower()
    if word in ("hcl", "sql", "json"):
        return OutputFormat(word)
    m = _TEMPLATE.match(text)
    if not m:
        if "{{" not in text:
            # A template without actions would print itself (Atlas prints "hcl" for
            # --format hcl): almost surely not what the user meant.
            raise AtollError(f'unsupported --format "{text}": use hcl, sql, json or a Go '
                             'template such as {{ json . }}')
        return OutputFormat("template", text=text)
    indent = m.group("indent") or ""
    indent = indent.encode().decode("unicode_escape") if "\\" in indent else indent
    field = m.group("arg")[1:]
    if field and m.group("fn") in ("json", "sql"):  # {{ json .Env }}: a general template
        return OutputFormat("template", text=text)
    return OutputFormat(m.group("fn"), indent, field)
