"""Schema HCL ⇄ views and triggers (Atlas's ``view`` and ``trigger`` blocks).

```hcl
view "active_users" {
  schema = schema.main
  column "id" {
    null = true
    type = integer
  }
  as         = "SELECT id FROM users WHERE active"
  depends_on = [table.users]
}

trigger "users_audit" {
  on = table.users
  after {
    update_of = [table.users.column.name]
  }
  as = <<-SQL
  BEGIN
    INSERT INTO audit (user_id) VALUES (NEW.id);
  END
  SQL
}
```

A trigger has exactly one timing block (``before``, ``after`` or ``instead_of``) holding one
event: ``insert``, ``update``, ``delete`` (``= true``) or ``update_of`` (column references);
``when`` holds an optional condition. Multi-line queries and bodies are written as an indented
heredoc, one-line ones as a quoted string (Atlas's ``MightHeredoc``)."""

from __future__ import annotations

from collections.abc import Sequence

from ..dialects.sqlite.sqltext import referenced_names
from ..errors import SchemaError
from ..gotext import go_quote
from ..schema.model import Schema, Table, Trigger, View
from .column_codec import column_block, decode_column
from .document import Block, Document, Ref, Word
from .spec_values import final_name, kind_of, opt_bool, opt_str, ref_list, ref_name
from .spec_writer import Attr, Blk, hcl_quote, ref_text, refs_text

__all__ = ["decode_views", "decode_triggers", "view_block", "trigger_block", "might_heredoc"]

_TIMINGS = {"before": "BEFORE", "after": "AFTER", "instead_of": "INSTEAD OF"}
_TIMING_BLOCKS = {v: k for k, v in _TIMINGS.items()}
_EVENTS = ("insert", "update", "delete")


# --- decoding ------------------------------------------------------------------------------


def decode_views(doc: Document, schema_labels: set[str], tables: Sequence[Table]) -> list[View]:
    """The ``view`` blocks of a document (after its tables are decoded)."""
    blocks = doc.children("view")
    names = [t.name for t in tables] + [final_name(b) for b in blocks]
    views = []
    for b in blocks:
        name = final_name(b)
        try:
            views.append(_decode_view(b, name, schema_labels, names))
        except SchemaError as exc:
            raise SchemaError(f"cannot convert view {go_quote(name)}: {exc}") from None
    return views


def _decode_view(b: Block, name: str, schema_labels: set[str], names: list[str]) -> View:
    sref = b.get("schema")
    if sref is None:
        raise SchemaError('missing "schema" attribute')
    schema_name = ref_name(sref, "schema")
    if schema_name not in schema_labels:
        raise SchemaError(f"schema {go_quote(schema_name)} not found")
    definition = opt_str(b, "as", "view")
    if definition is None or not definition.strip():
        raise SchemaError('missing "as" definition (the view\'s query)')
    definition = _normalize_text(definition)
    deps: dict[str, None] = {}
    for ref in ref_list(b, "depends_on"):
        kind, dep = ref.path[0] if ref.path else ("", "")
        if kind not in ("table", "view") or dep not in names:
            raise SchemaError(f"depends_on: {ref.text} was not found")
        deps.setdefault(dep, None)
    for dep in referenced_names(definition, names):
        deps.setdefault(dep, None)
    deps.pop(name, None)
    return View(
        name=name,
        definition=definition,
        columns=tuple(decode_column(cb) for cb in b.children("column")),
        depends_on=tuple(deps),
        comment=opt_str(b, "comment", "view"),
    )


def decode_triggers(doc: Document, tables: Sequence[Table],
                    views: Sequence[View]) -> list[Trigger]:
    """The ``trigger`` blocks of a document (after its tables and views are decoded)."""
    out = []
    for b in doc.children("trigger"):
        name = final_name(b)
        try:
            out.append(_decode_trigger(b, name, tables, views))
        except SchemaError as exc:
            raise SchemaError(f"cannot convert trigger {go_quote(name)}: {exc}") from None
    return out


def _decode_trigger(b: Block, name: str, tables: Sequence[Table],
                    views: Sequence[View]) -> Trigger:
    on = b.get("on")
    if not isinstance(on, Ref) or not on.path or on.path[0][0] not in ("table", "view"):
        raise SchemaError('attribute "on" must reference a table or a view, got '
                          f"{kind_of(on) if on is not None else 'nothing'}")
    kind, target = on.path[0]
    owner: Table | View | None = (next((t for t in tables if t.name == target), None)
                                  if kind == "table"
                                  else next((v for v in views if v.name == target), None))
    if owner is None:
        raise SchemaError(f"{kind} {go_quote(target)} was not found")
    timing_blocks = [tb for tb in b.blocks if tb.type in _TIMINGS]
    if len(timing_blocks) != 1:
        raise SchemaError("expected one of the blocks before, after or instead_of, got "
                          f"{len(timing_blocks)}")
    tb = timing_blocks[0]
    events = [e for e in _EVENTS if opt_bool(tb, e, tb.type)]
    update_of = [_column_of(r, owner) for r in ref_list(tb, "update_of")]
    if update_of:
        events.append("update")
    if len(events) != 1:
        raise SchemaError(f"a SQLite trigger fires on one event; {tb.type} has {len(events)} "
                          "(use one trigger per event)")
    for_each = b.get("for")
    if isinstance(for_each, (Word, Ref)):
        for_each = for_each.name
    if for_each is not None and str(for_each).upper() != "ROW":
        raise SchemaError(f'SQLite triggers are "for = ROW" only, got {for_each}')
    when = opt_str(b, "when", "trigger")
    body = opt_str(b, "as", "trigger")
    if body is None or not body.strip():
        raise SchemaError('missing "as" body (BEGIN ... END)')
    return Trigger(
        name=name,
        table=target,
        timing=_TIMINGS[tb.type],
        event=events[0].upper(),
        update_of=tuple(update_of),
        when=when.strip() if when is not None else None,
        body=_normalize_text(body),
        on_view=kind == "view",
    )


def _column_of(ref: Ref, owner: Table | View) -> str:
    name = ref_name(ref, "column")
    if not any(c.name == name for c in owner.columns):
        raise SchemaError(f"update_of: column {go_quote(name)} was not found in "
                          f"{go_quote(owner.name)}")
    return name


def _normalize_text(s: str) -> str:
    return s.replace("\r\n", "\n").strip()


# --- encoding ------------------------------------------------------------------------------


def might_heredoc(s: str) -> str:
    """Atlas's ``MightHeredoc`` as hclwrite prints it: one line → a quoted string; several →
    an indented ``<<-SQL`` heredoc (blank lines left empty, ``${``/``%{`` escaped)."""
    s = s.replace("\r\n", "\n").strip()
    lines = s.split("\n")
    if len(lines) == 1:
        return hcl_quote(s)
    out = ["<<-SQL"]
    for line in lines:
        out.append("  " + _escape_template(line) if line.strip() else "")
    out.append("  SQL")
    return "\n".join(out)


def _escape_template(s: str) -> str:
    return s.replace("${", "$${").replace("%{", "%%{")


def _dep_path(schema: Schema, name: str) -> list[tuple[str, str]] | None:
    if schema.view(name) is not None:
        return [("view", name)]
    if schema.table(name) is not None:
        return [("table", name)]
    return None


def view_block(schema: Schema, view: View) -> Blk:
    body: list[Attr | Blk] = [Attr("schema", ref_text([("schema", schema.name)]))]
    body.extend(column_block(c) for c in view.columns)
    body.append(Attr("as", might_heredoc(view.definition)))
    paths = [p for d in view.depends_on if (p := _dep_path(schema, d)) is not None]
    if paths:
        # Atlas sorts the references by their text ($table.… before $view.…).
        paths.sort(key=lambda p: f"${p[0][0]}.{p[0][1]}")
        body.append(Attr("depends_on", refs_text(paths)))
    if view.comment is not None:
        body.append(Attr("comment", hcl_quote(view.comment)))
    return Blk("view", [view.name], body)


def trigger_block(trigger: Trigger) -> Blk:
    kind = "view" if trigger.on_view else "table"
    body: list[Attr | Blk] = [Attr("on", ref_text([(kind, trigger.table)]))]
    event: list[Attr | Blk] = []
    if trigger.update_of:
        event.append(Attr("update_of", refs_text(
            [[(kind, trigger.table), ("column", c)] for c in trigger.update_of])))
    else:
        event.append(Attr(trigger.event.lower(), "true"))
    body.append(Blk(_TIMING_BLOCKS[trigger.timing], (), event))
    if trigger.when is not None:
        body.append(Attr("when", hcl_quote(trigger.when)))
    body.append(Attr("as", might_heredoc(trigger.body)))
    return Blk("trigger", [trigger.name], body)
