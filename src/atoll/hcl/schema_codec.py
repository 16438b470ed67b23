"""Atlas schema HCL ⇄ the schema model, with SQLite semantics (spec/schema-hcl.md §2–§4).

* ``decode_schema(doc)`` turns an evaluated document (``table``, ``view``, ``trigger`` and
  ``schema`` blocks; other top-level blocks are ignored, as Atlas's SQLite codec does) into a
  ``Schema``. Columns are read by ``column_codec``, views and triggers by ``object_codec``.
* ``encode_schema(schema)`` writes the HCL text ``atlas schema inspect`` prints, byte for byte:
  tables first, then views, triggers and the schema block, attributes aligned the way hclwrite
  formats them (``spec_writer``).
* ``schema_to_json(schema)`` is the ``{{ json . }}`` form of ``schema inspect --format``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ..errors import SchemaError
from ..gcpause import gc_paused
from ..gotext import go_json, go_quote
from ..schema.model import (
    Check,
    Column,
    ForeignKey,
    Index,
    IndexPart,
    PrimaryKey,
    Realm,
    Schema,
    Table,
)
from .column_codec import column_block, decode_column
from .document import Block, Document, Ref, Word
from .object_codec import decode_triggers, decode_views, trigger_block, view_block
from .spec_values import block_label, final_name, kind_of, opt_bool, opt_str, ref_list, ref_name
from .spec_writer import Attr, Blk, hcl_quote, ref_text, ref_value, refs_text, render, valid_ident

__all__ = ["decode_schema", "encode_schema", "schema_to_json", "hcl_quote", "valid_ident"]


# =============================================================================================
# Decoding: Document → Schema
# =============================================================================================

def decode_schema(doc: Document) -> Schema:
    """The schema described by an evaluated schema-HCL document (SQLite semantics).

    Raises ``SchemaError`` with Atlas's messages (``sqlite: expecting document to contain a
    single schema, got N``, ``schema "x" not found for table "t"``, ``cannot convert table
    "t": ...``, foreign-key and index errors) and ``HCLError`` for unknown types."""
    with gc_paused(len(doc.blocks) > 100):
        return _decode_schema(doc)


def _decode_schema(doc: Document) -> Schema:
    schemas = doc.children("schema")
    if len(schemas) != 1:
        raise SchemaError(
            f"sqlite: expecting document to contain a single schema, got {len(schemas)}")
    sblock = schemas[0]
    schema_name = final_name(sblock)
    schema_labels = {schema_name, block_label(sblock)}
    schema_comment = opt_str(sblock, "comment", "schema")

    decoded: list[tuple[Block, Table]] = []
    for tblock in doc.children("table"):
        tname = final_name(tblock)
        sref = tblock.get("schema")
        if sref is None:
            raise SchemaError(f"cannot extract schema name for table {go_quote(tname)}: "
                              f'schemahcl: type "schema" was not found in nil reference')
        try:
            ref_schema = ref_name(sref, "schema")
        except SchemaError as exc:
            raise SchemaError(f"cannot extract schema name for table {go_quote(tname)}: "
                              f"{exc}") from None
        if ref_schema not in schema_labels:
            raise SchemaError(f"schema {go_quote(ref_schema)} not found for table "
                              f"{go_quote(tname)}")
        try:
            table = _decode_table(tblock, tname)
        except SchemaError as exc:
            raise SchemaError(f"cannot convert table {go_quote(tname)}: {exc}") from None
        decoded.append((tblock, table))

    # Foreign keys are linked once every table exists (a table may reference a later one).
    # References use block labels ("main.users" for a two-label block); names set with a
    # ``name`` attribute are accepted too.
    by_name: dict[str, Table] = {}
    for tblock, table in decoded:
        by_name.setdefault(table.name, table)
    for tblock, table in decoded:
        by_name.setdefault(block_label(tblock), table)
        if len(tblock.labels) == 2:
            by_name.setdefault(".".join(tblock.labels), table)
    tables = []
    names: dict[int, set[str]] = {}
    for tblock, table in decoded:
        fks = tuple(_decode_fk(fb, table, by_name, names)
                    for fb in tblock.children("foreign_key"))
        tables.append(_replace(table, foreign_keys=fks) if fks else table)
    views = decode_views(doc, schema_labels, tables)
    triggers = decode_triggers(doc, tables, views)
    return Schema(name=schema_name, tables=tuple(tables), comment=schema_comment,
                  views=tuple(views), triggers=tuple(triggers))


def _replace(obj: Table, **changes: object) -> Table:
    """``dataclasses.replace`` for a model object, without its per-call field walk."""
    new = object.__new__(type(obj))
    object.__setattr__(new, "__dict__", {**obj.__dict__, **changes})
    return new


def _column_by_ref(table_name: str, columns: Collection[str], ref: object) -> str:
    """The column a reference names; ``columns`` holds the table's column names."""
    name = ref_name(ref, "column")
    if name not in columns:
        raise SchemaError(f"column {go_quote(name)} was not found in table {table_name}")
    return name


def _column_names(table: Table, names: dict[int, set[str]]) -> set[str]:
    found = names.get(id(table))
    if found is None:
        found = names[id(table)] = {c.name for c in table.columns}
    return found


def _decode_table(b: Block, name: str) -> Table:
    kinds: dict[str, list[Block]] = {}
    for child in b.blocks:
        kinds.setdefault(child.type, []).append(child)
    columns = tuple(decode_column(cb) for cb in kinds.get("column", ()))
    column_names = {c.name for c in columns}
    primary_key = None
    pks = kinds.get("primary_key")
    if pks:
        pb = pks[0]
        parts = tuple(IndexPart(column=_column_by_ref(name, column_names, r))
                      for r in ref_list(pb, "columns"))
        primary_key = PrimaryKey(parts=parts, name=block_label(pb))
    indexes = tuple(_decode_index(ib, name, column_names) for ib in kinds.get("index", ()))
    checks = []
    for cb in kinds.get("check", ()):
        expr = opt_str(cb, "expr", "check") or ""
        checks.append(Check(expr=expr, name=block_label(cb)))
    comment = opt_str(b, "comment", "table")
    return Table(
        name=name,
        columns=columns,
        primary_key=primary_key,
        indexes=indexes,
        checks=tuple(checks),
        without_rowid=opt_bool(b, "without_rowid", "table"),
        strict=opt_bool(b, "strict", "table"),
        comment=comment,
    )


def _decode_index(b: Block, table: str, columns: Collection[str]) -> Index:
    name = block_label(b)
    refs = ref_list(b, "columns")
    ons = b.children("on")
    if not refs and not ons:
        raise SchemaError(f"missing definition for index {go_quote(name)}")
    if refs and ons:
        raise SchemaError(f'multiple definitions for index {go_quote(name)}, use "columns" or '
                          f'"on"')
    parts: list[IndexPart] = []
    if refs:
        parts = [IndexPart(column=_column_by_ref(table, columns, r)) for r in refs]
    for i, ob in enumerate(ons):
        col = ob.get("column")
        expr = opt_str(ob, "expr", "on") or ""
        desc = opt_bool(ob, "desc", "on")
        if col is None and expr == "":
            raise SchemaError(f'"column" or "expr" are required for index {go_quote(name)} at '
                              f"position {i}")
        if col is not None and expr != "":
            raise SchemaError(f'cannot use both "column" and "expr" in index {go_quote(name)} '
                              f"at position {i}")
        if expr:
            parts.append(IndexPart(expr=expr, desc=desc))
        else:
            parts.append(IndexPart(column=_column_by_ref(table, columns, col), desc=desc))
    return Index(
        name=name,
        parts=tuple(parts),
        unique=opt_bool(b, "unique", "index"),
        where=opt_str(b, "where", "index"),
        comment=opt_str(b, "comment", "index"),
    )


def _action(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, Word):
        v = v.name
    elif isinstance(v, Ref):
        v = v.name
    if not isinstance(v, str):
        raise SchemaError(f"invalid foreign-key action: {kind_of(v)}")
    return v.replace("_", " ")


def _is_local(ref: Ref) -> bool:
    return ref.local or (bool(ref.path) and ref.path[0][0] == "column")


def _decode_fk(b: Block, table: Table, by_name: dict[str, Table],
               names: dict[int, set[str]]) -> ForeignKey:
    symbol = block_label(b)
    cols = ref_list(b, "columns")
    ref_cols = ref_list(b, "ref_columns")
    on_update = _action(b.get("on_update"))
    on_delete = _action(b.get("on_delete"))
    if len(cols) != len(ref_cols):
        raise SchemaError(f"sqlspec: number of referencing and referenced columns do not match "
                          f"for foreign-key {go_quote(symbol)}")
    own = _column_names(table, names)
    columns = tuple(_column_by_ref(table.name, own, r) for r in cols)
    ref_table: Table | None = None
    ref_columns = []
    for i, r in enumerate(ref_cols):
        if _is_local(r):
            t = table
        else:
            tname = ref_name(r, "table")
            t = by_name.get(tname)
            if t is None and "." in tname:
                t = by_name.get(tname.split(".", 1)[1])
            if t is None:
                raise SchemaError(f"referenced table {go_quote(tname)} not found")
        c = _column_by_ref(t.name, _column_names(t, names), r)
        if i > 0 and t is not ref_table:
            raise SchemaError(f"sqlspec: more than 1 table was referenced for foreign-key "
                              f"{go_quote(symbol)}")
        ref_table = t
        ref_columns.append(c)
    return ForeignKey(
        name=symbol,
        columns=columns,
        ref_table=ref_table.name if ref_table is not None else "",
        ref_columns=tuple(ref_columns),
        on_update=on_update,
        on_delete=on_delete,
    )


# =============================================================================================
# Encoding: Schema → HCL text
# =============================================================================================


def _index_block(idx: Index) -> Blk:
    body: list[Attr | Blk] = []
    if idx.unique:
        body.append(Attr("unique", "true"))
    columns_only = all(p.column is not None and p.expr is None and not p.desc for p in idx.parts)
    if columns_only and idx.parts:
        body.append(Attr("columns", refs_text([[("column", p.column)] for p in idx.parts])))
    if idx.comment is not None:
        body.append(Attr("comment", hcl_quote(idx.comment)))
    if idx.where:
        body.append(Attr("where", go_quote(idx.where)))
    if not columns_only:
        for p in idx.parts:
            on: list[Attr | Blk] = []
            if p.desc:
                on.append(Attr("desc", "true"))
            if p.column is not None:
                on.append(Attr("column", ref_text([("column", p.column)])))
            elif p.expr:
                on.append(Attr("expr", hcl_quote(p.expr)))
            body.append(Blk("on", (), on))
    return Blk("index", [idx.name] if idx.name else [], body)


def _fk_block(schema: Schema, table: Table, fk: ForeignKey, names: set[str]) -> Blk:
    body: list[Attr | Blk] = []
    if fk.columns:
        body.append(Attr("columns", refs_text([[("column", c)] for c in fk.columns])))
    if fk.ref_columns:
        if fk.ref_table not in names:
            c = fk.ref_columns[0]
            path = ([("column", c)] if fk.ref_table == table.name
                    else [("table", fk.ref_table), ("column", c)])
            raise SchemaError(f"missing reference for column {go_quote(ref_value(path))} in "
                              f"{go_quote(schema.name)}.{go_quote(table.name)}."
                              f"{go_quote(fk.name)}")
        body.append(Attr("ref_columns", refs_text(
            [[("table", fk.ref_table), ("column", c)] for c in fk.ref_columns])))
    if fk.on_update:
        body.append(Attr("on_update", fk.on_update.replace(" ", "_")))
    if fk.on_delete:
        body.append(Attr("on_delete", fk.on_delete.replace(" ", "_")))
    return Blk("foreign_key", [fk.name] if fk.name else [], body)


def _table_block(schema: Schema, table: Table, names: set[str]) -> Blk:
    body: list[Attr | Blk] = [Attr("schema", ref_text([("schema", schema.name)]))]
    if table.comment is not None:
        body.append(Attr("comment", hcl_quote(table.comment)))
    body.extend(column_block(c) for c in table.columns)
    if table.primary_key is not None:
        pk = table.primary_key
        pk_body: list[Attr | Blk] = []
        if pk.parts:
            pk_body.append(Attr("columns", refs_text(
                [[("column", p.column or "")] for p in pk.parts])))
        body.append(Blk("primary_key", (), pk_body))
    body.extend(_fk_block(schema, table, fk, names) for fk in table.foreign_keys)
    body.extend(_index_block(i) for i in table.indexes)
    for ck in table.checks:
        body.append(Blk("check", [ck.name] if ck.name else [],
                         [Attr("expr", hcl_quote(ck.expr))]))
    # Table options live in an embedded block: printed after all child blocks.
    if table.without_rowid:
        body.append(Attr("without_rowid", "true"))
    if table.strict:
        body.append(Attr("strict", "true"))
    return Blk("table", [table.name], body)


def encode_schema(schema: Schema) -> str:
    """The HCL ``atlas schema inspect`` prints for ``schema`` (a realm of one schema): every
    table block, then the schema block; ends with a single newline."""
    names = {t.name for t in schema.tables}
    blocks = [_table_block(schema, t, names) for t in schema.tables]
    blocks.extend(view_block(schema, v) for v in schema.views)
    blocks.extend(trigger_block(t) for t in schema.triggers)
    sbody: list[Attr | Blk] = []
    if schema.comment is not None:
        sbody.append(Attr("comment", hcl_quote(schema.comment)))
    blocks.append(Blk("schema", [schema.name], sbody))
    out: list[str] = []
    render(blocks, 0, out)
    return "\n".join(out) + "\n"


# =============================================================================================
# JSON: {{ json . }}
# =============================================================================================


def _json_parts(parts: Sequence[IndexPart]) -> list[dict]:
    out = []
    for p in parts:
        d: dict = {}
        if p.desc:
            d["desc"] = True
        if p.column is not None:
            if p.column:
                d["column"] = p.column
        elif p.expr:
            d["expr"] = p.expr
        out.append(d)
    return out


def _put(d: dict, key: str, value: object) -> None:
    """Go's ``omitempty``."""
    if value or value is True:
        d[key] = value


def schema_to_json(schema: Schema | Realm, *args: str) -> str:
    """``{{ json . }}`` for an inspected schema (or realm: every schema): Go's
    ``json.Marshal`` of Atlas's inspect report (compact, no trailing newline). ``args`` are
    the template's optional arguments: ``(indent,)`` or ``(prefix, indent)`` select
    ``json.MarshalIndent``."""
    if len(args) > 2:
        raise SchemaError(f"unexpected number of arguments: {len(args)}")
    schemas = schema.schemas if isinstance(schema, Realm) else (schema,)
    realm = {"schemas": [_schema_json(s) for s in schemas]}
    if not args:
        return go_json(realm)
    prefix, indent = ("", args[0]) if len(args) == 1 else (args[0], args[1])
    return go_json(realm, prefix, indent)


def _schema_json(schema: Schema) -> dict:
    tables = []
    for t in schema.tables:
        td: dict = {"name": t.name}
        cols = []
        for c in t.columns:
            cd: dict = {"name": c.name}
            _put(cd, "type", c.type.raw)
            _put(cd, "null", c.null)
            _put(cd, "comment", c.comment or "")
            _put(cd, "collate", c.collation or "")
            cols.append(cd)
        _put(td, "columns", cols)
        idxs = []
        for i in t.indexes:
            idd: dict = {}
            _put(idd, "name", i.name)
            _put(idd, "unique", i.unique)
            _put(idd, "parts", _json_parts(i.parts))
            idxs.append(idd)
        _put(td, "indexes", idxs)
        if t.primary_key is not None:
            pkd: dict = {}
            _put(pkd, "parts", _json_parts(t.primary_key.parts))
            td["primary_key"] = pkd
        fks = []
        for fk in t.foreign_keys:
            fd: dict = {"name": fk.name}
            _put(fd, "columns", list(fk.columns))
            ref: dict = {"table": fk.ref_table}
            _put(ref, "columns", list(fk.ref_columns))
            fd["references"] = ref
            fks.append(fd)
        _put(td, "foreign_keys", fks)
        _put(td, "comment", t.comment or "")
        tables.append(td)
    sd: dict = {"name": schema.name}
    _put(sd, "tables", tables)
    _put(sd, "comment", schema.comment or "")
    return sd

