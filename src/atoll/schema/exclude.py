"""``--exclude`` globs, as Atlas's ``schema.ExcludeSchema`` reads them: each pattern is
qualified with the schema name; one part names tables, two parts name columns, indexes, foreign
keys and checks of the matching tables; ``[type=column|index|fk|check]`` narrows the kinds.
Globs follow Go's ``path.Match``."""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Sequence

from ..errors import SchemaError
from ..gotext import go_quote
from .model import Realm, Schema, Table

_RE_TYPE = re.compile(r"\[type=([a-z|_]+)+\]\Z")


def _exclude_type(kind: str, glob: str) -> tuple[str, bool]:
    m = _RE_TYPE.search(glob)
    if m is None:
        return glob, True
    glob = glob[:m.start()]
    return glob, kind in m.group(1).split("|")


def _split_patterns(patterns: Sequence[str]) -> list[list[str]]:
    globs = []
    for p in patterns:
        try:
            rows = list(csv.reader(p.splitlines() or [""], delimiter=".", strict=True))
        except csv.Error as exc:
            raise SchemaError(f"invalid exclude pattern {go_quote(p)}: {exc}") from None
        rows = [r for r in rows if r] if p else []
        if len(rows) != 1:
            raise SchemaError(f"unexpected pattern: {go_quote(p)}")
        if not rows[0]:
            raise SchemaError(f"empty pattern: {go_quote(p)}")
        globs.append(rows[0])
    return globs


def go_path_match(pattern: str, name: str) -> bool:
    """Go's ``path/filepath.Match`` on Unix: ``*``, ``?``, ``[a-z]``, ``[^a]``, ``\\x``.
    Raises ``SchemaError("syntax error in pattern")`` for a malformed pattern."""
    rx = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            rx.append("[^/]*")
        elif c == "?":
            rx.append("[^/]")
        elif c == "\\":
            i += 1
            if i >= n:
                raise SchemaError("syntax error in pattern")
            rx.append(re.escape(pattern[i]))
        elif c == "[":
            i += 1
            negate = i < n and pattern[i] == "^"
            if negate:
                i += 1
            items = []
            first = True
            while True:
                if i >= n:
                    raise SchemaError("syntax error in pattern")
                if pattern[i] == "]" and not first:
                    break
                lo, i = _class_char(pattern, i)
                hi = lo
                if i < n and pattern[i] == "-":
                    hi, i = _class_char(pattern, i + 1)
                    if hi < lo:
                        raise SchemaError("syntax error in pattern")
                items.append(re.escape(lo) if lo == hi else f"{re.escape(lo)}-{re.escape(hi)}")
                first = False
            cls = "".join(items)
            rx.append(f"[^/{cls}]" if negate else f"(?:(?!/)[{cls}])")
        else:
            rx.append(re.escape(c))
        i += 1
    return re.fullmatch("".join(rx), name, re.DOTALL) is not None


def _class_char(pattern: str, i: int) -> tuple[str, int]:
    n = len(pattern)
    if i >= n or pattern[i] in "-]":
        raise SchemaError("syntax error in pattern")
    if pattern[i] == "\\":
        i += 1
        if i >= n:
            raise SchemaError("syntax error in pattern")
    return pattern[i], i + 1


def exclude_schema(schema: Schema, patterns: Sequence[str]) -> Schema:
    """Atlas's ``schema.ExcludeSchema``: each pattern is qualified with the schema name
    (``users`` → ``main.users``; ``*.[ab]*`` → ``main.*.[ab]*``). A one-part pattern names
    tables; a two-part pattern names columns, indexes, foreign keys and checks of matching
    tables (``[type=column|index|fk|check]`` narrows the kinds). As in Atlas, dropping a column
    drops the foreign keys that use it, but not the indexes or primary key that use it."""
    if not patterns:
        return schema
    qualified = [f"{schema.name}.{p}" for p in patterns]
    globs = _split_patterns(qualified)
    for i, g in enumerate(globs):
        if len(g) > 3:
            raise SchemaError(f"too many parts in pattern: {go_quote(qualified[i])}")
    for g in globs:
        glob_s, applies = _exclude_type("schema", g[0])
        if not applies or not go_path_match(glob_s, schema.name):
            continue
        if len(g) == 1:
            return dataclasses.replace(schema, tables=(), views=(), triggers=())
        schema = _exclude_in_schema(schema, g[1:])
    return schema


def _exclude_in_schema(schema: Schema, glob: list[str]) -> Schema:
    if len(glob) == 1:
        schema = _exclude_objects(schema, glob[0])
    glob_t, applies = _exclude_type("table", glob[0])
    if not applies:
        return schema
    tables = []
    for t in schema.tables:
        if go_path_match(glob_t, t.name):
            if len(glob) == 1:
                continue
            t = _exclude_in_table(t, glob[1])
        tables.append(t)
    return dataclasses.replace(schema, tables=tuple(tables))


def _exclude_objects(schema: Schema, pattern: str) -> Schema:
    """Views (``[type=view]``) and triggers (``[type=trigger]``) matching a one-part pattern.
    A trigger also goes when the table or view it is on goes."""
    views = schema.views
    p, applies = _exclude_type("view", pattern)
    if applies:
        views = tuple(v for v in views if not go_path_match(p, v.name))
    gone_tables: set[str] = set()
    p, applies = _exclude_type("table", pattern)
    if applies:
        gone_tables = {t.name for t in schema.tables if go_path_match(p, t.name)}
    kept_views = {v.name for v in views}
    p, applies = _exclude_type("trigger", pattern)
    triggers = tuple(
        t for t in schema.triggers
        if not (applies and go_path_match(p, t.name))
        and t.table not in gone_tables
        and (not t.on_view or t.table in kept_views))
    return dataclasses.replace(schema, views=views, triggers=triggers)


def _exclude_in_table(t: Table, pattern: str) -> Table:
    dropped_fks: set[int] = set()
    columns = t.columns
    p, applies = _exclude_type("column", pattern)
    if applies:
        kept = []
        for c in t.columns:
            if go_path_match(p, c.name):
                dropped_fks.update(i for i, fk in enumerate(t.foreign_keys) if c.name in fk.columns)
            else:
                kept.append(c)
        columns = tuple(kept)
    indexes = t.indexes
    p, applies = _exclude_type("index", pattern)
    if applies:
        indexes = tuple(i for i in t.indexes if not go_path_match(p, i.name))
    fks = t.foreign_keys
    p, applies = _exclude_type("fk", pattern)
    if applies:
        fks = tuple(fk for i, fk in enumerate(t.foreign_keys)
                    if i not in dropped_fks and not go_path_match(p, fk.name))
    checks = t.checks
    p, applies = _exclude_type("check", pattern)
    if applies:
        checks = tuple(c for c in t.checks if not go_path_match(p, c.name))
    return dataclasses.replace(t, columns=columns, indexes=indexes, foreign_keys=fks,
                               checks=checks)


def exclude_realm(realm: Realm, patterns: Sequence[str]) -> Realm:
    """Atlas's ``schema.ExcludeRealm``: the first part of a pattern names schemas (``app``
    leaves schema ``app`` out; ``*.users``, ``app.users.c*`` reach into matching schemas)."""
    if not patterns:
        return realm
    globs = _split_patterns(list(patterns))
    for i, g in enumerate(globs):
        if len(g) > 3:
            raise SchemaError(f"too many parts in pattern: {go_quote(patterns[i])}")
    kept = []
    for s in realm.schemas:
        dropped = False
        for g in globs:
            glob_s, applies = _exclude_type("schema", g[0])
            if not applies or not go_path_match(glob_s, s.name):
                continue
            if len(g) == 1:
                dropped = True
                break
            s = _exclude_in_schema(s, g[1:])
        if not dropped:
            kept.append(s)
    return Realm(tuple(kept))
