"""Atlas schema HCL ⇄ the schema model, with MySQL semantics (spec/mysql.md §3).

``decode(doc)`` reads one ``schema`` block and its ``table`` blocks, with MySQL's attributes
(charset/collate at every level, engine, auto_increment, unsigned, on_update, generated
columns, index types, parsers and prefixes); ``encode(schema)`` prints what
``atlas schema inspect`` prints: tables, then the schema block, with charsets and collations
left out where they equal the parent's."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

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
from ...hcl.spec_writer import Attr, Blk, column_refs, hcl_quote, ref_to, render, sql_call
from ...schema.model import (
    Check,
    Column,
    ForeignKey,
    Generated,
    Index,
    IndexPart,
    Literal,
    PrimaryKey,
    RawExpr,
    Schema,
    Table,
    TypeClass,
)
from .types import hcl_type_text, type_from_hcl

ENGINES = {"innodb": "InnoDB", "myisam": "MyISAM", "memory": "Memory", "csv": "CSV",
           "ndb": "NDB"}
_INDEX_TYPES = ("BTREE", "HASH", "FULLTEXT", "SPATIAL")
_PARSERS = ("ngram", "mecab")


# --- decoding --------------------------------------------------------------------------------

def _collate(b: Block) -> str | None:
    return _str(b, "collate") if b.get("collate") is not None else _str(b, "collation")


def decode(doc: Document) -> Schema:
    schemas = doc.children("schema")
    if len(schemas) != 1:
        raise SchemaError(f"mysql: expecting document to contain a single schema, got "
                          f"{len(schemas)}")
    sblock = schemas[0]
    name = _label(sblock)
    labels = {name, sblock.labels[-1] if sblock.labels else ""}
    decoded: list[tuple[Block, Table]] = []
    for tb in doc.children("table"):
        tname = _label(tb)
        sref = tb.get("schema")
        if not isinstance(sref, Ref):
            raise SchemaError(f"cannot extract schema name for table {go_quote(tname)}")
        if sref.name not in labels:
            raise SchemaError(f"schema {go_quote(sref.name)} not found for table "
                              f"{go_quote(tname)}")
        try:
            decoded.append((tb, _table(tb, tname)))
        except SchemaError as exc:
            raise SchemaError(f"cannot convert table {go_quote(tname)}: {exc}") from None
    by_name = {t.name: t for _, t in decoded}
    for tb, t in decoded:
        by_name.setdefault(".".join(tb.labels), t)
    tables = []
    for tb, t in decoded:
        fks = tuple(_fk(fb, t, by_name) for fb in tb.children("foreign_key"))
        tables.append(dataclasses.replace(t, foreign_keys=fks))
    return Schema(name=name, tables=tuple(tables), comment=_str(sblock, "comment"),
                  charset=_str(sblock, "charset"), collation=_collate(sblock))


def _table(b: Block, name: str) -> Table:
    columns = tuple(_column(cb) for cb in b.children("column"))
    pk = None
    for pb in b.children("primary_key")[:1]:
        pk = PrimaryKey(parts=tuple(_parts(pb, name, columns)),
                        name=pb.labels[-1] if pb.labels else "",
                        method=_index_type(pb))
    indexes = tuple(_index(ib, name, columns) for ib in b.children("index"))
    checks = tuple(Check(expr=_str(cb, "expr") or "", name=_label(cb),
                         enforced=_bool(cb, "enforced") if cb.get("enforced") is not None
                         else None)
                   for cb in b.children("check"))
    engine = _word(b.get("engine"))
    if engine is not None:
        engine = ENGINES.get(engine.lower(), engine)
        if engine == "InnoDB":
            engine = None
    auto_inc = _int(b, "auto_increment")
    return Table(name=name, columns=columns, primary_key=pk, indexes=indexes, checks=checks,
                 comment=_str(b, "comment"), charset=_str(b, "charset"),
                 collation=_collate(b), engine=engine, auto_increment=auto_inc)


def _column(b: Block) -> Column:
    name = _label(b)
    if b.get("type") is None:
        raise SchemaError(f"missing type for column {go_quote(name)}")
    ctype = type_from_hcl(b.get("type"), _bool(b, "unsigned"))
    generated = None
    as_attr, as_blocks = b.get("as"), b.children("as")
    if as_attr is not None and as_blocks:
        raise SchemaError(f"multiple as definitions for column {go_quote(name)}")
    if isinstance(as_attr, str):
        generated = Generated(expr=as_attr, storage="VIRTUAL")
    elif as_blocks:
        storage = (_word(as_blocks[0].get("type")) or "VIRTUAL").upper()
        if storage not in ("VIRTUAL", "STORED", "PERSISTENT"):
            raise SchemaError(f'unexpected generated column type "{storage}"')
        generated = Generated(expr=_str(as_blocks[0], "expr") or "", storage=storage)
    on_update = b.get("on_update")
    if on_update is not None and not isinstance(on_update, RawSQL):
        raise SchemaError(f'expect sql() expression for attribute "on_update" of column '
                          f'{go_quote(name)}')
    auto = b.get("auto_increment")
    return Column(name=name, type=ctype, null=_bool(b, "null"),
                  default=_default(b.get("default")), comment=_str(b, "comment"),
                  charset=_str(b, "charset"), collation=_collate(b), generated=generated,
                  on_update=on_update.text if isinstance(on_update, RawSQL) else None,
                  auto_increment=bool(auto) if auto is not None else False)


def _default(v: object):
    if v is None:
        return None
    if isinstance(v, RawSQL):
        return RawExpr(v.text)
    if isinstance(v, bool):
        return Literal("true" if v else "false")
    if isinstance(v, str):
        return Literal(go_quote(v))
    if isinstance(v, int):
        return Literal(str(v))
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SchemaError(f"unsupported type for default value: {v!r}") from None
    return Literal(str(int(f)) if f == int(f) else format(f, ".10g"))


def _index_type(b: Block) -> str:
    t = (_word(b.get("type")) or "").upper()
    return "" if t in ("", "BTREE") else t


def _parts(b: Block, table: str, columns: Sequence[Column]) -> list[IndexPart]:
    refs, ons = _refs(b, "columns"), b.children("on")
    if refs and ons:
        raise SchemaError(f'multiple definitions for index {go_quote(_label(b))}, use '
                          f'"columns" or "on"')
    parts = [IndexPart(column=_col(table, columns, r)) for r in refs]
    for i, ob in enumerate(ons):
        col, expr = ob.get("column"), _str(ob, "expr") or ""
        if col is None and not expr:
            raise SchemaError(f'"column" or "expr" are required for index '
                              f'{go_quote(_label(b))} at position {i}')
        prefix = _int(ob, "prefix") or 0
        if prefix and expr:
            raise SchemaError("attribute 'on.prefix' cannot be used in functional part")
        parts.append(IndexPart(column=_col(table, columns, col) if isinstance(col, Ref)
                               else None, expr=expr or None, desc=_bool(ob, "desc"),
                               prefix=prefix))
    return parts


def _index(b: Block, table: str, columns: Sequence[Column]) -> Index:
    name = _label(b)
    parts = _parts(b, table, columns)
    if not parts:
        raise SchemaError(f"missing definition for index {go_quote(name)}")
    return Index(name=name, parts=tuple(parts), unique=_bool(b, "unique"),
                 comment=_str(b, "comment"), method=_index_type(b),
                 parser=_word(b.get("parser")))


def _fk(b: Block, table: Table, by_name: dict[str, Table]) -> ForeignKey:
    symbol = _label(b)
    cols, ref_cols = _refs(b, "columns"), _refs(b, "ref_columns")
    if len(cols) != len(ref_cols):
        raise SchemaError(f"sqlspec: number of referencing and referenced columns do not "
                          f"match for foreign-key {go_quote(symbol)}")
    ref_table: Table | None = None
    ref_names = []
    for r in ref_cols:
        tname = next((n for k, n in r.path if k == "table"), None)
        t = table if tname is None else by_name.get(tname)
        if t is None:
            raise SchemaError(f"referenced table {go_quote(tname or '')} not found")
        ref_table = t
        ref_names.append(_col(t.name, t.columns, r))
    return ForeignKey(
        name=symbol, columns=tuple(_col(table.name, table.columns, r) for r in cols),
        ref_table=ref_table.name if ref_table else "", ref_columns=tuple(ref_names),
        on_update=(_word(b.get("on_update")) or "").replace("_", " "),
        on_delete=(_word(b.get("on_delete")) or "").replace("_", " "))


# --- encoding --------------------------------------------------------------------------------

def default_hcl(col: Column) -> str:
    d = col.default
    if isinstance(d, RawExpr):
        return sql_call(d.expr)
    assert isinstance(d, Literal)
    v = d.value
    if len(v) >= 2 and v[0] == v[-1] == "'":
        return hcl_quote(_sql_unescape(v[1:-1]))
    if len(v) >= 2 and v[0] == v[-1] == '"':
        from ...schema.diff import unquote

        try:
            return hcl_quote(unquote(v))
        except ValueError:
            return hcl_quote(v[1:-1])
    if _NUMBER.fullmatch(v) or v.lower() in ("true", "false"):
        return v
    if col.type.cls in (TypeClass.BOOL, TypeClass.INTEGER, TypeClass.DECIMAL,
                        TypeClass.FLOAT, TypeClass.BIT, TypeClass.TIME):
        return sql_call(v)  # b'101', 0x61, …: kept as SQL
    return hcl_quote(v)


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_ESCAPES = {"0": "\0", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "b": "\b"}


def _sql_unescape(body: str) -> str:
    """The text of a single-quoted MySQL string (``''`` and backslash escapes)."""
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        elif c == "'" and body[i + 1:i + 2] == "'":
            out.append("'")
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _enc_column(col: Column, table_charset: str | None, table_collation: str | None) -> Blk:
    body: list = [Attr("null", "true" if col.null else "false"),
                  Attr("type", hcl_type_text(col.type))]
    if col.type.unsigned:
        body.append(Attr("unsigned", "true"))
    if col.default is not None:
        body.append(Attr("default", default_hcl(col)))
    if col.comment:
        body.append(Attr("comment", hcl_quote(col.comment)))
    if col.charset and col.charset != table_charset:
        body.append(Attr("charset", hcl_quote(col.charset)))
    if col.collation and col.collation != table_collation:
        body.append(Attr("collate", hcl_quote(col.collation)))
    if col.on_update:
        body.append(Attr("on_update", sql_call(col.on_update)))
    if col.auto_increment:
        body.append(Attr("auto_increment", "true"))
    if col.generated is not None:
        storage = col.generated.storage.upper() or "VIRTUAL"
        body.append(Blk("as", (), [
            Attr("expr", hcl_quote(col.generated.expr)),
            Attr("type", "STORED" if storage == "PERSISTENT" else storage)]))
    return Blk("column", [col.name], body)


def _plain(parts: Sequence[IndexPart]) -> bool:
    return all(p.column is not None and not p.desc and not p.prefix for p in parts)


def _enc_parts(parts: Sequence[IndexPart]) -> list:
    if _plain(parts):
        return [Attr("columns", column_refs([p.column or "" for p in parts]))]
    out: list = []
    for p in parts:
        on: list = []
        if p.desc:
            on.append(Attr("desc", "true"))
        if p.column is not None:
            on.append(Attr("column", ref_to("column", p.column)))
        else:
            on.append(Attr("expr", hcl_quote(p.expr or "")))
        if p.prefix:
            on.append(Attr("prefix", str(p.prefix)))
        out.append(Blk("on", (), on))
    return out


def _type_attr(method: str) -> list:
    if not method or method.upper() == "BTREE":
        return []
    m = method.upper()
    return [Attr("type", m if m in _INDEX_TYPES else hcl_quote(method))]


def _enc_index(idx: Index) -> Blk:
    body: list = []
    if idx.unique:
        body.append(Attr("unique", "true"))
    parts = _enc_parts(idx.parts)
    attrs = [p for p in parts if isinstance(p, Attr)]
    body.extend(attrs)
    if idx.comment:
        body.append(Attr("comment", hcl_quote(idx.comment)))
    body.extend(_type_attr(idx.method))
    if idx.parser:
        body.append(Attr("parser", idx.parser if idx.parser in _PARSERS
                         else hcl_quote(idx.parser)))
    body.extend(p for p in parts if isinstance(p, Blk))
    return Blk("index", [idx.name], body)


def _enc_fk(fk: ForeignKey) -> Blk:
    ref_t = ref_to("table", fk.ref_table)
    return Blk("foreign_key", [fk.name], [
        Attr("columns", column_refs(fk.columns)),
        Attr("ref_columns", "[" + ", ".join(f"{ref_t}.{ref_to('column', c)}"
                                            for c in fk.ref_columns) + "]"),
        Attr("on_update", (fk.on_update or "NO ACTION").replace(" ", "_")),
        Attr("on_delete", (fk.on_delete or "NO ACTION").replace(" ", "_")),
    ])


def _enc_table(schema: Schema, t: Table) -> Blk:
    body: list = [Attr("schema", ref_to("schema", schema.name))]
    if t.comment:
        body.append(Attr("comment", hcl_quote(t.comment)))
    if t.charset and t.charset != schema.charset:
        body.append(Attr("charset", hcl_quote(t.charset)))
    if t.collation and t.collation != schema.collation:
        body.append(Attr("collate", hcl_quote(t.collation)))
    if t.engine:
        known = ENGINES.get(t.engine.lower())
        body.append(Attr("engine", known if known else hcl_quote(t.engine)))
    charset = t.charset or schema.charset
    collation = t.collation or schema.collation
    body.extend(_enc_column(c, charset, collation) for c in t.columns)
    if t.primary_key is not None:
        pk = t.primary_key
        body.append(Blk("primary_key", (), _pk_body(pk)))
    body.extend(_enc_fk(fk) for fk in t.foreign_keys)
    body.extend(_enc_index(i) for i in t.indexes)
    # Atlas prints "enforced = true" whenever the attribute exists, whatever its value.
    body.extend(Blk("check", [c.name], [Attr("expr", hcl_quote(c.expr))]
                    + ([Attr("enforced", "true")] if c.enforced is not None else []))
                for c in t.checks)
    return Blk("table", [t.name], body)


def _pk_body(pk: PrimaryKey) -> list:
    parts = _enc_parts(pk.parts)
    return ([p for p in parts if isinstance(p, Attr)] + _type_attr(pk.method)
            + [p for p in parts if isinstance(p, Blk)])


def _enc_schema(schema: Schema) -> Blk:
    sbody: list = []
    if schema.comment:
        sbody.append(Attr("comment", hcl_quote(schema.comment)))
    if schema.charset:
        sbody.append(Attr("charset", hcl_quote(schema.charset)))
    if schema.collation:
        sbody.append(Attr("collate", hcl_quote(schema.collation)))
    return Blk("schema", [schema.name], sbody)


def encode(schema: Schema) -> str:
    return encode_realm([schema])


def encode_realm(schemas: Sequence[Schema]) -> str:
    """Tables of every schema (a name used in two schemas is labelled with its schema too),
    then the schema blocks."""
    seen: dict[str, int] = {}
    for s in schemas:
        for t in s.tables:
            seen[t.name] = seen.get(t.name, 0) + 1
    blocks: list = []
    for s in schemas:
        for t in s.tables:
            b = _enc_table(s, t)
            if seen[t.name] > 1:
                b.labels = [s.name, t.name]
            blocks.append(b)
    blocks.extend(_enc_schema(s) for s in schemas)
    out: list[str] = []
    render(blocks, 0, out)
    return "\n".join(out) + "\n"
