"""Atlas schema HCL ⇄ the schema model, with PostgreSQL semantics (spec/postgres.md §3).

``decode(doc)`` reads ``schema``, ``table``, ``enum``, ``view`` and ``materialized`` blocks (``domain``/``composite`` are
ignored; ``sequence``, ``extension`` … are refused as in Atlas's community build);
``encode(schema)`` prints what ``atlas schema inspect`` prints for a PostgreSQL schema: tables,
then (atoll's addition) views and materialized views, then enums, then the schema block.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from ...errors import SchemaError
from ...gotext import go_quote
from ...hcl.block_reader import boolean as _bool
from ...hcl.block_reader import column_of as _col
from ...hcl.block_reader import integer as _int
from ...hcl.block_reader import label as _label
from ...hcl.block_reader import refs as _refs
from ...hcl.block_reader import string as _str
from ...hcl.block_reader import word as _word
from ...hcl.document import Block, Document, RawSQL, Ref
# The HCL writer (attribute alignment as hclwrite does it) is the SQLite codec's.
from ...hcl.spec_writer import Attr as _Attr
from ...hcl.spec_writer import Blk as _Blk
from ...hcl.spec_writer import column_refs, hcl_quote, readable_ident, ref_to, sql_call, valid_ident
from ...hcl.spec_writer import render as _render
from ...hcl.object_codec import might_heredoc
from ...schema.model import (
    Check,
    Column,
    ColumnType,
    EnumType,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexPart,
    Literal,
    Partition,
    PartitionPart,
    PrimaryKey,
    RawExpr,
    Realm,
    Schema,
    Table,
    TypeClass,
    View,
)
from .types import enum_type, hcl_type_text, type_from_hcl
from .views import dep_key

_UNSUPPORTED = {"sequence": "sequences", "aggregate": "aggregates", "policy": "policies",
                "extension": "extensions", "event_trigger": "event triggers"}
_KNOWN_METHODS = ("BTREE", "BRIN", "HASH", "GIN", "GIST", "SPGIST")


# =============================================================================================
# Decoding
# =============================================================================================


def _refuse_unsupported(doc: Document) -> None:
    for kind, what in _UNSUPPORTED.items():
        if doc.children(kind):
            raise SchemaError(f"postgres: {what} are not supported by this version. "
                              f"Use: https://atlasgo.io/getting-started")


def decode(doc: Document) -> Schema:
    """The schema an evaluated HCL document describes (exactly one ``schema`` block)."""
    _refuse_unsupported(doc)
    schemas = doc.children("schema")
    if len(schemas) != 1:
        raise SchemaError(f"specutil: expecting document to contain a single schema, got "
                          f"{len(schemas)}")
    return _decode(doc, realm=False).schemas[0]


def decode_realm(doc: Document) -> Realm:
    """The realm an evaluated HCL document describes: one schema per ``schema`` block, enum
    types and foreign keys that name another schema's objects keep that schema."""
    _refuse_unsupported(doc)
    return _decode(doc, realm=True)


def _schema_of(b: Block, kind: str, name: str, labels: dict[str, str], default: str) -> str:
    sref = b.get("schema")
    if not isinstance(sref, Ref):
        if kind == "table":
            raise SchemaError(f"cannot extract schema name for table {go_quote(name)}")
        return default
    if sref.name not in labels:
        if kind == "table":
            raise SchemaError(f"schema {go_quote(sref.name)} not found for table "
                              f"{go_quote(name)}")
        raise SchemaError(f'schema "{sref.name}" defined on enum "{name}" was not found in '
                          f'realm')
    return labels[sref.name]


def _decode(doc: Document, *, realm: bool) -> Realm:
    sblocks = doc.children("schema")
    labels: dict[str, str] = {}
    for sb in sblocks:
        labels[_label(sb)] = _label(sb)
        if sb.labels:
            labels.setdefault(sb.labels[-1], _label(sb))
    default = _label(sblocks[0]) if sblocks else ""
    enums: dict[str, list[EnumType]] = {}
    enum_types: dict[str, ColumnType] = {}
    for eb in doc.children("enum"):
        ename = _label(eb)
        sname = _schema_of(eb, "enum", ename, labels, default)
        if any(e.name == ename for e in enums.get(sname, ())):
            raise SchemaError(f'duplicate enum "{ename}"')
        values = eb.get("values") or []
        if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
            raise SchemaError(f'enum "{ename}": values must be a list of strings')
        enums.setdefault(sname, []).append(EnumType(ename, tuple(values)))
        et = enum_type(ename, sname if realm else None)
        for key in (".".join(eb.labels), f"{sname}.{ename}"):
            enum_types[key] = et
        enum_types.setdefault(ename, et)
    decoded: list[tuple[Block, str, Table]] = []
    for tb in doc.children("table"):
        tname = _label(tb)
        sname = _schema_of(tb, "table", tname, labels, default)
        try:
            decoded.append((tb, sname, _table(tb, tname, enum_types)))
        except SchemaError as exc:
            raise SchemaError(f"cannot convert table {go_quote(tname)}: {exc}") from None
    by_name: dict[str, tuple[str, Table]] = {}
    for tb, sname, t in decoded:
        by_name[".".join(tb.labels)] = (sname, t)
    for tb, sname, t in decoded:
        by_name.setdefault(t.name, (sname, t))
    tables: dict[str, list[Table]] = {}
    for tb, sname, t in decoded:
        fks = tuple(_fk(fb, t, sname, by_name, realm) for fb in tb.children("foreign_key"))
        tables.setdefault(sname, []).append(dataclasses.replace(t, foreign_keys=fks))
    views: dict[str, list[View]] = {}
    vblocks = [vb for kind in ("view", "materialized") for vb in doc.children(kind)]
    objects = {(sname, t.name) for _, sname, t in decoded}
    objects |= {(labels[r.name], _label(vb)) for vb in vblocks
                if isinstance(r := vb.get("schema"), Ref) and r.name in labels}
    for vb in vblocks:
        v = _view(vb, labels, enum_types, objects)
        views.setdefault(labels[vb.get("schema").name], []).append(v)
    return Realm(tuple(
        Schema(name=_label(sb), tables=tuple(tables.get(_label(sb), ())),
               comment=_str(sb, "comment"), enums=tuple(enums.get(_label(sb), ())),
               views=tuple(views.get(_label(sb), ())))
        for sb in sblocks))


def _view(b: Block, labels: dict[str, str], enums: dict[str, ColumnType],
          objects: set[tuple[str, str]]) -> View:
    """A ``view`` or ``materialized`` block (atoll reads them; Atlas's paid build too).
    ``objects``: the document's tables and views as ``(schema, name)``, to tell which
    schema a ``depends_on`` reference (``table.users``, ``table.a.users``) means."""
    name = _label(b)
    noun = "materialized view" if b.type == "materialized" else "view"
    sref = b.get("schema")
    if not isinstance(sref, Ref) or sref.name not in labels:
        raise SchemaError(f"schema not found for {noun} {go_quote(name)}")
    definition = _str(b, "as")
    if not definition or not definition.strip():
        raise SchemaError(f'{noun} {go_quote(name)}: missing "as" definition (the query)')
    deps = []
    own = labels[sref.name]
    for r in _refs(b, "depends_on"):
        if r.path and r.path[0][0] in ("table", "view", "materialized"):
            deps.append(_dep_name(own, r.path[0][1], labels, objects))
    try:
        columns = tuple(_column(cb, enums) for cb in b.children("column"))
    except SchemaError as exc:
        raise SchemaError(f"cannot convert {noun} {go_quote(name)}: {exc}") from None
    return View(name=name, definition=definition.replace("\r\n", "\n").strip(),
                columns=columns, depends_on=tuple(deps), comment=_str(b, "comment"),
                materialized=b.type == "materialized")


def _dep_name(own: str, label: str, labels: dict[str, str],
              objects: set[tuple[str, str]]) -> str:
    """A view's dependency as ``View.depends_on`` names it: ``name`` in the view's own
    schema, ``schema.name`` in another (a qualified label, or the one schema holding it)."""
    if (own, label) in objects:
        return label
    qualifier, dot, name = label.partition(".")
    if dot and (labels.get(qualifier), name) in objects:
        schema = labels[qualifier]
    else:
        holders = [s for s, n in objects if n == label]
        if len(holders) != 1:
            return label.rpartition(".")[2]
        schema, name = holders[0], label
    return name if schema == own else f"{schema}.{name}"


def _table(b: Block, name: str, enums: dict[str, ColumnType]) -> Table:
    columns = tuple(_column(cb, enums) for cb in b.children("column"))
    pk = None
    for pb in b.children("primary_key")[:1]:
        pk = PrimaryKey(parts=tuple(IndexPart(column=_col(name, columns, r))
                                    for r in _refs(pb, "columns")),
                        name=pb.labels[-1] if pb.labels else "",
                        include=tuple(_col(name, columns, r) for r in _refs(pb, "include")))
    indexes = [_index(ib, name, columns) for ib in b.children("index")]
    indexes += [dataclasses.replace(_index(ub, name, columns), unique=True, origin="u")
                for ub in b.children("unique")]
    checks = tuple(Check(expr=_str(cb, "expr") or "", name=_label(cb),
                         no_inherit=_bool(cb, "no_inherit"))
                   for cb in b.children("check"))
    return Table(name=name, columns=columns, primary_key=pk, indexes=tuple(indexes),
                 checks=checks, comment=_str(b, "comment"),
                 partition=_partition(b, name, columns))


def _column(b: Block, enums: dict[str, ColumnType]) -> Column:
    name = _label(b)
    if b.get("type") is None:
        raise SchemaError(f"missing type for column {go_quote(name)}")
    ctype = type_from_hcl(b.get("type"), enums)
    identity = None
    for ib in b.children("identity")[:1]:
        gen = (_word(ib.get("generated")) or "BY_DEFAULT").replace("_", " ").upper()
        identity = Identity(generation=gen, start=_int(ib, "start", 1) or 1,
                            increment=_int(ib, "increment", 1) or 1)
    generated = None
    as_attr, as_blocks = b.get("as"), b.children("as")
    if as_attr is not None and as_blocks:
        raise SchemaError(f"multiple as definitions for column {go_quote(name)}")
    if isinstance(as_attr, str):
        generated = Generated(expr=as_attr, storage="STORED")
    elif as_blocks:
        storage = (_word(as_blocks[0].get("type")) or "STORED").upper()
        if storage != "STORED":
            raise SchemaError(f'unexpected generated column type "{storage}"; only STORED '
                              f'is supported')
        generated = Generated(expr=_str(as_blocks[0], "expr") or "", storage="STORED")
    return Column(name=name, type=ctype, null=_bool(b, "null"),
                  default=_default(b.get("default")), comment=_str(b, "comment"),
                  collation=_str(b, "collate"), identity=identity, generated=generated)


def _default(v: object):
    if v is None:
        return None
    if isinstance(v, RawSQL):
        return RawExpr(v.text)
    if isinstance(v, bool):
        return Literal("true" if v else "false")
    if isinstance(v, str):
        # Atlas's fixDefaultQuotes: an HCL string is a single-quoted SQL literal.
        return Literal("'" + v.replace("'", "''") + "'")
    if isinstance(v, int):
        return Literal(str(v))
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SchemaError(f"unsupported type for default value: {v!r}") from None
    return Literal(str(int(f)) if f == int(f) else format(f, ".10g"))


def _index(b: Block, table: str, columns: Sequence[Column]) -> Index:
    name = _label(b)
    refs, ons = _refs(b, "columns"), b.children("on")
    if not refs and not ons:
        raise SchemaError(f"missing definition for index {go_quote(name)}")
    if refs and ons:
        raise SchemaError(f'multiple definitions for index {go_quote(name)}, use "columns" '
                          f'or "on"')
    parts = [IndexPart(column=_col(table, columns, r)) for r in refs]
    for i, ob in enumerate(ons):
        col, expr = ob.get("column"), _str(ob, "expr") or ""
        if col is None and not expr:
            raise SchemaError(f'"column" or "expr" are required for index {go_quote(name)} '
                              f"at position {i}")
        ops = ob.get("ops")
        opclass = ops.text if isinstance(ops, RawSQL) else _word(ops)
        part = IndexPart(column=_col(table, columns, col) if isinstance(col, Ref) else None,
                         expr=expr or None, desc=_bool(ob, "desc"), opclass=opclass,
                         nulls_first=_bool(ob, "nulls_first"),
                         nulls_last=_bool(ob, "nulls_last"))
        parts.append(part)
    method = _word(b.get("type")) or ""
    params = ()
    ppr = b.get("page_per_range")
    if ppr is not None:
        params = (("pages_per_range", str(int(ppr))),)
    return Index(name=name, parts=tuple(parts), unique=_bool(b, "unique"),
                 where=_str(b, "where"), comment=_str(b, "comment"),
                 method="" if method.upper() == "BTREE" else method,
                 include=tuple(_col(table, columns, r) for r in _refs(b, "include")),
                 nulls_distinct=_bool(b, "nulls_distinct", True), params=params)


def _partition(b: Block, table: str, columns: Sequence[Column]) -> Partition | None:
    blocks = b.children("partition")
    if not blocks:
        return None
    pb = blocks[0]
    kind = _word(pb.get("type"))
    if not kind:
        raise SchemaError(f"missing attribute {table}.partition.type")
    refs, bys = _refs(pb, "columns"), pb.children("by")
    if not refs and not bys:
        raise SchemaError(f"missing columns or expressions for {table}.partition")
    if refs and bys:
        raise SchemaError(f'multiple definitions for {table}.partition, use "columns" or "by"')
    parts = [PartitionPart(column=_col(table, columns, r)) for r in refs]
    for i, by in enumerate(bys):
        col, expr = by.get("column"), _str(by, "expr")
        if col is None and not expr:
            raise SchemaError(f"missing column or expression for {table}.partition.by at "
                              f"position {i}")
        if isinstance(col, Ref):
            parts.append(PartitionPart(column=_col(table, columns, col)))
        else:
            parts.append(PartitionPart(expr=expr))
    return Partition(kind=kind.upper(), parts=tuple(parts))


def _fk(b: Block, table: Table, schema: str, by_name: dict[str, tuple[str, Table]],
        realm: bool) -> ForeignKey:
    symbol = _label(b)
    cols, ref_cols = _refs(b, "columns"), _refs(b, "ref_columns")
    if len(cols) != len(ref_cols):
        raise SchemaError(f"sqlspec: number of referencing and referenced columns do not "
                          f"match for foreign-key {go_quote(symbol)}")
    ref_table: Table | None = None
    ref_schema = schema
    ref_names = []
    for r in ref_cols:
        tname = next((n for k, n in r.path if k == "table"), None)
        hit = (schema, table) if tname is None else by_name.get(tname)
        if hit is None:
            raise SchemaError(f"referenced table {go_quote(tname or '')} not found")
        ref_schema, ref_table = hit
        ref_names.append(_col(ref_table.name, ref_table.columns, r))
    return ForeignKey(
        name=symbol, columns=tuple(_col(table.name, table.columns, r) for r in cols),
        ref_table=ref_table.name if ref_table else "", ref_columns=tuple(ref_names),
        on_update=(_word(b.get("on_update")) or "").replace("_", " "),
        on_delete=(_word(b.get("on_delete")) or "").replace("_", " "),
        ref_schema=ref_schema if realm and ref_schema != schema else None)


# =============================================================================================
# Encoding
# =============================================================================================


def default_hcl(col: Column) -> str:
    d = col.default
    if isinstance(d, RawExpr):
        return sql_call(d.expr)
    assert isinstance(d, Literal)
    v = d.value
    if len(v) >= 2 and v[0] == "'" and v[-1] == "'":
        return hcl_quote(v[1:-1].replace("''", "'"))
    if v.lower() in ("true", "false"):
        return v.lower()
    return v


def _enc_column(col: Column, names: "_RealmNames | None" = None) -> _Blk:
    t = col.type
    q = names.enum_qualifier(t) if names is not None else None
    body: list = [_Attr("null", "true" if col.null else "false"),
                  _Attr("type", hcl_type_text(t, qualify_enum=q))]
    if col.default is not None:
        body.append(_Attr("default", default_hcl(col)))
    if col.comment is not None:
        body.append(_Attr("comment", hcl_quote(col.comment)))
    if col.collation:
        body.append(_Attr("collate", hcl_quote(col.collation)))
    if col.identity is not None:
        ib = [_Attr("generated", col.identity.generation.replace(" ", "_").upper())]
        if col.identity.start != 1:
            ib.append(_Attr("start", str(col.identity.start)))
        if col.identity.increment != 1:
            ib.append(_Attr("increment", str(col.identity.increment)))
        body.append(_Blk("identity", (), ib))
    if col.generated is not None:
        body.append(_Blk("as", (), [_Attr("expr", hcl_quote(col.generated.expr)),
                                    _Attr("type", "STORED")]))
    return _Blk("column", [col.name], body)


def _params_attrs(params: Sequence[tuple[str, str]]) -> list:
    d = dict(params)
    ppr = d.get("pages_per_range")
    if (ppr and ppr not in ("0", "128")) or d.get("autosummarize") in ("on", "true"):
        return [_Attr("page_per_range", ppr or "128")]
    return []


def _index_attrs(idx: Index) -> list:
    extra: list = []
    if idx.comment is not None:
        extra.append(_Attr("comment", hcl_quote(idx.comment)))
    if idx.method and idx.method.upper() != "BTREE":
        m = idx.method.upper()
        extra.append(_Attr("type", m if m in _KNOWN_METHODS else hcl_quote(idx.method)))
    if idx.where:
        extra.append(_Attr("where", go_quote(idx.where)))
    if not idx.nulls_distinct:
        extra.append(_Attr("nulls_distinct", "false"))
    if idx.include:
        extra.append(_Attr("include", column_refs(idx.include)))
    extra.extend(_params_attrs(idx.params))
    return extra


def _part_plain(p: IndexPart) -> bool:
    return p.column is not None and not p.desc and not p.opclass and not p.nulls_first


def _enc_on_block(p: IndexPart) -> _Blk:
    on: list = []
    if p.desc:
        on.append(_Attr("desc", "true"))
    if p.column is not None:
        on.append(_Attr("column", ref_to("column", p.column)))
    else:
        on.append(_Attr("expr", hcl_quote(p.expr or "")))
    if p.opclass:
        if "(" in p.opclass:
            on.append(_Attr("ops", sql_call(p.opclass)))
        elif valid_ident(p.opclass):
            on.append(_Attr("ops", p.opclass))
        else:
            on.append(_Attr("ops", hcl_quote(p.opclass)))
    if p.desc and p.nulls_last:
        on.append(_Attr("nulls_last", "true"))
    elif not p.desc and p.nulls_first:
        on.append(_Attr("nulls_first", "true"))
    return _Blk("on", (), on)


def _enc_index(idx: Index) -> _Blk:
    body: list = []
    if idx.unique:
        body.append(_Attr("unique", "true"))
    plain = all(_part_plain(p) for p in idx.parts)
    if plain:
        body.append(_Attr("columns", column_refs([p.column or "" for p in idx.parts])))
    body.extend(_index_attrs(idx))
    if not plain:
        body.extend(_enc_on_block(p) for p in idx.parts)
    return _Blk("index", [idx.name], body)


def _enc_unique(idx: Index) -> _Blk:
    body: list = [_Attr("columns", column_refs([p.column or "" for p in idx.parts]))]
    body.extend(_index_attrs(idx))
    return _Blk("unique", [idx.name], body)


def _enc_fk(fk: ForeignKey, ref_t: str | None = None) -> _Blk:
    ref_t = ref_t or ref_to("table", fk.ref_table)
    return _Blk("foreign_key", [fk.name], [
        _Attr("columns", column_refs(fk.columns)),
        _Attr("ref_columns", "[" + ", ".join(f"{ref_t}.{ref_to('column', c)}"
                                             for c in fk.ref_columns) + "]"),
        _Attr("on_update", (fk.on_update or "NO ACTION").replace(" ", "_")),
        _Attr("on_delete", (fk.on_delete or "NO ACTION").replace(" ", "_")),
    ])


def _enc_partition_block(p: Partition) -> _Blk:
    body: list = [_Attr("type", p.kind.upper())]
    if all(x.column is not None for x in p.parts):
        body.append(_Attr("columns", column_refs([x.column or "" for x in p.parts])))
    else:
        for x in p.parts:
            body.append(_Blk("by", (), [_Attr("column", ref_to("column", x.column))]
                             if x.column is not None else [_Attr("expr", hcl_quote(x.expr or ""))]))
    return _Blk("partition", (), body)


def _enc_table(schema: Schema, t: Table, names: "_RealmNames | None" = None) -> _Blk:
    body: list = [_Attr("schema", ref_to("schema", schema.name))]
    if t.comment is not None:
        body.append(_Attr("comment", hcl_quote(t.comment)))
    body.extend(_enc_column(c, names) for c in t.columns)
    if t.primary_key is not None:
        pk = t.primary_key
        pk_body: list = [_Attr("columns", column_refs([p.column or "" for p in pk.parts]))]
        if pk.include:
            pk_body.append(_Attr("include", column_refs(pk.include)))
        body.append(_Blk("primary_key", (), pk_body))
    body.extend(_enc_fk(fk, names.table_ref(fk.ref_schema or schema.name, fk.ref_table)
                        if names is not None else None) for fk in t.foreign_keys)
    body.extend(_enc_index(i) for i in t.indexes if i.origin != "u")
    body.extend(_Blk("check", [c.name], [_Attr("expr", hcl_quote(c.expr))]
                     + ([_Attr("no_inherit", "true")] if c.no_inherit else []))
                for c in t.checks)
    body.extend(_enc_unique(i) for i in t.indexes if i.origin == "u")
    if t.partition is not None:
        body.append(_enc_partition_block(t.partition))
    labels = [schema.name, t.name] if names is not None and (schema.name, t.name) in \
        names.tables else [t.name]
    return _Blk("table", labels, body)


def _enc_view(schema: Schema, v: View, realm: Realm | None = None,
              names: "_RealmNames | None" = None) -> _Blk:
    body: list = [_Attr("schema", ref_to("schema", schema.name))]
    body.extend(_enc_column(c) for c in v.columns)
    body.append(_Attr("as", might_heredoc(v.definition)))
    kinds: dict[tuple[str, str], str] = {}
    for s in realm.schemas if realm is not None else (schema,):
        kinds.update({(s.name, x.name): "materialized" if x.materialized else "view"
                      for x in s.views})
        kinds.update({(s.name, t.name): "table" for t in s.tables})
    deps = []
    for d in v.depends_on:
        key = dep_key(schema.name, d, kinds)
        kind = kinds.get(key)
        if kind is not None:
            ref = names.ref(kind, *key) if names is not None else ref_to(kind, key[1])
            deps.append((kind, key[1], key[0], ref))
    if deps:
        body.append(_Attr("depends_on", "[" + ", ".join(d[3] for d in sorted(deps)) + "]"))
    if v.comment is not None:
        body.append(_Attr("comment", hcl_quote(v.comment)))
    kind = "materialized" if v.materialized else "view"
    labels = [schema.name, v.name] if names is not None and (schema.name, v.name) in \
        names.qualified[kind] else [v.name]
    return _Blk(kind, labels, body)


def encode(schema: Schema) -> str:
    blocks: list = [_enc_table(schema, t) for t in schema.tables]
    blocks += [_enc_view(schema, v) for v in schema.views]
    for e in schema.enums:
        blocks.append(_Blk("enum", [e.name], [
            _Attr("schema", ref_to("schema", schema.name)),
            _Attr("values", "[" + ", ".join(hcl_quote(v) for v in e.values) + "]")]))
    sbody: list = []
    if schema.comment is not None:
        sbody.append(_Attr("comment", hcl_quote(schema.comment)))
    blocks.append(_Blk("schema", [schema.name], sbody))
    out: list[str] = []
    _render(blocks, 0, out)
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class _RealmNames:
    """The objects a realm's HCL names with their schema (``table "s" "users"``,
    ``table.s.users``, ``view.s.v``, ``enum.s.status``): Atlas qualifies a name only when
    several schemas use it for one kind of block, and then also any object of that kind whose
    name is one of those schemas. Views and materialized views (atoll's addition) follow
    the tables' rule, each kind on its own, as their references do (``view.v``,
    ``materialized.m``)."""

    tables: frozenset[tuple[str, str]]
    enums: frozenset[tuple[str, str]]
    views: frozenset[tuple[str, str]] = frozenset()
    materialized: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, realm: Realm) -> "_RealmNames":
        def views(mat: bool) -> frozenset[tuple[str, str]]:
            return _qualified([(s.name, v.name) for s in realm.schemas for v in s.views
                               if v.materialized == mat])

        return cls(_qualified([(s.name, t.name) for s in realm.schemas for t in s.tables]),
                   _qualified([(s.name, e.name) for s in realm.schemas for e in s.enums]),
                   views(False), views(True))

    @property
    def qualified(self) -> dict[str, frozenset[tuple[str, str]]]:
        return {"table": self.tables, "view": self.views, "materialized": self.materialized}

    def ref(self, kind: str, schema: str, name: str) -> str:
        """``table.users`` or, when the name is qualified, ``table.s.users`` (any kind of
        the ``qualified`` map)."""
        if (schema, name) in self.qualified[kind]:
            return f"{ref_to(kind, schema)}.{_ref_part(name)}"
        return ref_to(kind, name)

    def table_ref(self, schema: str, name: str) -> str:
        return self.ref("table", schema, name)

    def enum_qualifier(self, t: ColumnType) -> str | None:
        if t.cls is TypeClass.ENUM and t.schema and (t.schema, t.name) in self.enums:
            return t.schema
        return None


def _ref_part(name: str) -> str:
    return name if readable_ident(name) else f"[{hcl_quote(name)}]"


def _qualified(objects: list[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    by_name: dict[str, set[str]] = {}
    for schema, name in objects:
        by_name.setdefault(name, set()).add(schema)
    out = {(s, n) for s, n in objects if len(by_name[n]) > 1}
    qualifiers = {s for s, _ in out}
    out |= {(s, n) for s, n in objects if n in qualifiers}
    return frozenset(out)


def encode_realm(realm: Realm) -> str:
    """What ``atlas schema inspect`` prints for a database: every schema's tables, then
    every schema's enums, then one ``schema`` block per schema."""
    names = _RealmNames.of(realm)
    blocks: list = [_enc_table(s, t, names) for s in realm.schemas for t in s.tables]
    blocks += [_enc_view(s, v, realm, names) for s in realm.schemas for v in s.views]
    for s in realm.schemas:
        for e in s.enums:
            blocks.append(_Blk("enum", [s.name, e.name] if (s.name, e.name) in names.enums
                               else [e.name], [
                _Attr("schema", ref_to("schema", s.name)),
                _Attr("values", "[" + ", ".join(hcl_quote(v) for v in e.values) + "]")]))
    for s in realm.schemas:
        blocks.append(_Blk("schema", [s.name], [_Attr("comment", hcl_quote(s.comment))]
                           if s.comment is not None else []))
    out: list[str] = []
    _render(blocks, 0, out)
    return "\n".join(out) + "\n"


__all__ = ["decode", "decode_realm", "encode", "encode_realm", "default_hcl", "TypeClass"]
