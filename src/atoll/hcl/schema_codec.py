"""Atlas schema HCL ⇄ the schema model, with SQLite semantics (spec/schema-hcl.md §2–§4).

* ``decode_schema(doc)`` turns an evaluated document (``table`` and ``schema`` blocks; other
  top-level blocks are ignored, as Atlas's SQLite codec does) into a ``Schema``.
* ``encode_schema(schema)`` writes the HCL text ``atlas schema inspect`` prints, byte for byte:
  tables first, then the schema block, attributes aligned the way hclwrite formats them.
* ``schema_to_json(schema)`` is the ``{{ json . }}`` form of ``schema inspect --format``.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from ..dialects.sqlite.types import (
    go_quote,
    hcl_type_text,
    is_literal_number,
    is_quoted,
    type_from_hcl,
)
from ..errors import SchemaError
from ..gcpause import gc_paused
from ..gotext import go_json
from ..schema.model import (
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
from .document import Block, Document, RawSQL, Ref, Word

__all__ = ["decode_schema", "encode_schema", "schema_to_json", "hcl_quote", "valid_ident"]


# =============================================================================================
# Decoding: Document → Schema
# =============================================================================================

_NUMBER_TYPES = (int, float, Decimal, Fraction)


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
    schema_name = _final_name(sblock)
    schema_labels = {schema_name, _label(sblock)}
    schema_comment = _opt_str(sblock, "comment", "schema")

    decoded: list[tuple[Block, Table]] = []
    for tblock in doc.children("table"):
        tname = _final_name(tblock)
        sref = tblock.get("schema")
        if sref is None:
            raise SchemaError(f"cannot extract schema name for table {go_quote(tname)}: "
                              f'schemahcl: type "schema" was not found in nil reference')
        try:
            ref_schema = _ref_name(sref, "schema")
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
        by_name.setdefault(_label(tblock), table)
        if len(tblock.labels) == 2:
            by_name.setdefault(".".join(tblock.labels), table)
    tables = []
    for tblock, table in decoded:
        fks = tuple(_decode_fk(fb, table, by_name) for fb in tblock.children("foreign_key"))
        tables.append(dataclasses.replace(table, foreign_keys=fks))
    return Schema(name=schema_name, tables=tuple(tables), comment=schema_comment)


def _label(b: Block) -> str:
    return b.labels[-1] if b.labels else ""


def _final_name(b: Block) -> str:
    """The block's label, or its ``name`` attribute when set (``name = var.tenant``)."""
    v = b.get("name")
    if isinstance(v, str):
        return v
    return _label(b)


def _where(kind: str, name: str) -> str:
    return f'{kind} "{name}"' if name else kind


def _opt_str(b: Block, attr: str, kind: str) -> str | None:
    v = b.get(attr)
    if v is None:
        return None
    if not isinstance(v, str):
        raise SchemaError(f"{_where(kind, _label(b))}: attribute {go_quote(attr)} must be a "
                          f"string, got {_kind_of(v)}")
    return v


def _opt_bool(b: Block, attr: str, kind: str) -> bool:
    v = b.get(attr)
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v in ("true", "false"):
        return v == "true"
    raise SchemaError(f"{_where(kind, _label(b))}: attribute {go_quote(attr)} must be a bool, "
                      f"got {_kind_of(v)}")


def _kind_of(v: object) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, _NUMBER_TYPES):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "list"
    if isinstance(v, dict):
        return "object"
    if isinstance(v, Ref):
        return f"reference {v.text}"
    if isinstance(v, RawSQL):
        return "sql expression"
    return type(v).__name__


def _ref_values(ref: object, kind: str) -> list[str]:
    """The names of the ``kind`` elements of a reference (Atlas's ``Ref.ByType``)."""
    if not isinstance(ref, Ref):
        raise SchemaError(f"expected a reference to a {kind}, got {_kind_of(ref)}")
    found = [name for k, name in ref.path if k == kind]
    if not found:
        raise SchemaError(f"schemahcl: missing {go_quote(kind)} in reference")
    if len(found) > 1:
        raise SchemaError(f"schemahcl: multiple {go_quote(kind)} found in reference")
    return found


def _ref_name(ref: object, kind: str) -> str:
    return _ref_values(ref, kind)[0]


def _ref_list(b: Block, attr: str) -> list[Ref]:
    v = b.get(attr)
    if v is None:
        return []
    if isinstance(v, Ref):
        v = [v]
    if not isinstance(v, (list, tuple)):
        raise SchemaError(f"expect list of references for attribute {go_quote(attr)}, got "
                          f"{_kind_of(v)}")
    for x in v:
        if not isinstance(x, Ref):
            raise SchemaError(f"expect list of references for attribute {go_quote(attr)}, "
                              f"got {_kind_of(x)}")
    return list(v)


def _column_by_ref(table_name: str, columns: Sequence[Column], ref: object) -> str:
    name = _ref_name(ref, "column")
    if not any(c.name == name for c in columns):
        raise SchemaError(f"column {go_quote(name)} was not found in table {table_name}")
    return name


def _decode_table(b: Block, name: str) -> Table:
    columns = tuple(_decode_column(cb) for cb in b.children("column"))
    primary_key = None
    pks = b.children("primary_key")
    if pks:
        pb = pks[0]
        parts = tuple(IndexPart(column=_column_by_ref(name, columns, r))
                      for r in _ref_list(pb, "columns"))
        primary_key = PrimaryKey(parts=parts, name=_label(pb))
    indexes = tuple(_decode_index(ib, name, columns) for ib in b.children("index"))
    checks = []
    for cb in b.children("check"):
        expr = _opt_str(cb, "expr", "check") or ""
        checks.append(Check(expr=expr, name=_label(cb)))
    comment = _opt_str(b, "comment", "table")
    return Table(
        name=name,
        columns=columns,
        primary_key=primary_key,
        indexes=indexes,
        checks=tuple(checks),
        without_rowid=_opt_bool(b, "without_rowid", "table"),
        strict=_opt_bool(b, "strict", "table"),
        comment=comment,
    )


def _decode_column(b: Block) -> Column:
    name = _label(b)
    default = _decode_default(b.get("default"))
    if "type" not in b.attrs or b.get("type") is None:
        raise SchemaError(f"missing type for column {go_quote(name)}")
    ctype = type_from_hcl(b.get("type"))
    comment = _opt_str(b, "comment", "column")
    auto_increment = _opt_bool(b, "auto_increment", "column")
    generated = None
    as_attr = b.get("as")
    as_blocks = b.children("as")
    if as_attr is not None and as_blocks:
        raise SchemaError(f"multiple as definitions for column {go_quote(name)}")
    if as_attr is not None:
        if not isinstance(as_attr, str):
            raise SchemaError(f"column {go_quote(name)}: attribute \"as\" must be a string, got "
                              f"{_kind_of(as_attr)}")
        generated = Generated(expr=as_attr, storage=_stored_or_virtual(""))
    elif as_blocks:
        ab = as_blocks[0]
        expr = _opt_str(ab, "expr", "as") or ""
        typ = ab.get("type")
        if isinstance(typ, Word):
            typ = typ.name
        elif isinstance(typ, Ref):
            typ = typ.name
        elif typ is None:
            typ = ""
        elif not isinstance(typ, str):
            raise SchemaError(f"column {go_quote(name)}: as.type must be STORED or VIRTUAL, got "
                              f"{_kind_of(typ)}")
        generated = Generated(expr=expr, storage=_stored_or_virtual(typ))
    return Column(
        name=name,
        type=ctype,
        null=_opt_bool(b, "null", "column"),
        default=default,
        auto_increment=auto_increment,
        generated=generated,
        comment=comment,
    )


def _stored_or_virtual(s: str) -> str:
    s = s.upper()
    return s or "VIRTUAL"


def _decode_default(v: object) -> Literal | RawExpr | None:
    """An HCL ``default`` value (Atlas's ``specutil.Default``)."""
    if v is None:
        return None
    if isinstance(v, RawSQL):
        return RawExpr(v.text)
    if isinstance(v, bool):
        return Literal("true" if v else "false")
    if isinstance(v, str):
        return Literal(v)
    if isinstance(v, _NUMBER_TYPES):
        return Literal(_number_text(v))
    raise SchemaError(f"unsupported type for default value: {_kind_of(v)}")


def _number_text(v: int | float | Decimal | Fraction) -> str:
    """An HCL number as Atlas stores it in a literal default: integers in full, other numbers
    as big.Float's String() (``%.10g``)."""
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
        raise SchemaError("unsupported number for default value")
    if v == int(v):
        return str(int(v))
    return format(float(v), ".10g")


def _decode_index(b: Block, table: str, columns: Sequence[Column]) -> Index:
    name = _label(b)
    refs = _ref_list(b, "columns")
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
        expr = _opt_str(ob, "expr", "on") or ""
        desc = _opt_bool(ob, "desc", "on")
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
        unique=_opt_bool(b, "unique", "index"),
        where=_opt_str(b, "where", "index"),
        comment=_opt_str(b, "comment", "index"),
    )


def _action(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, Word):
        v = v.name
    elif isinstance(v, Ref):
        v = v.name
    if not isinstance(v, str):
        raise SchemaError(f"invalid foreign-key action: {_kind_of(v)}")
    return v.replace("_", " ")


def _is_local(ref: Ref) -> bool:
    return ref.local or (bool(ref.path) and ref.path[0][0] == "column")


def _decode_fk(b: Block, table: Table, by_name: dict[str, Table]) -> ForeignKey:
    symbol = _label(b)
    cols = _ref_list(b, "columns")
    ref_cols = _ref_list(b, "ref_columns")
    on_update = _action(b.get("on_update"))
    on_delete = _action(b.get("on_delete"))
    if len(cols) != len(ref_cols):
        raise SchemaError(f"sqlspec: number of referencing and referenced columns do not match "
                          f"for foreign-key {go_quote(symbol)}")
    columns = tuple(_column_by_ref(table.name, table.columns, r) for r in cols)
    ref_table: Table | None = None
    ref_columns = []
    for i, r in enumerate(ref_cols):
        if _is_local(r):
            t = table
        else:
            tname = _ref_name(r, "table")
            t = by_name.get(tname)
            if t is None and "." in tname:
                t = by_name.get(tname.split(".", 1)[1])
            if t is None:
                raise SchemaError(f"referenced table {go_quote(tname)} not found")
        c = _column_by_ref(t.name, t.columns, r)
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


class _Attr:
    __slots__ = ("name", "value")

    def __init__(self, name: str, value: str):
        self.name = name
        self.value = value


class _Blk:
    __slots__ = ("type", "labels", "body")

    def __init__(self, type_: str, labels: Sequence[str] = (), body: list | None = None):
        self.type = type_
        self.labels = list(labels)
        self.body: list[_Attr | _Blk] = body if body is not None else []


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


def valid_ident(s: str) -> bool:
    """Whether a name can follow a ``.`` in a reference (Atlas's ``validIdent``: a number or
    an HCL identifier); otherwise it is written ``["name"]``."""
    if _NUMBER_IDENT.fullmatch(s):
        return True
    if not s or not (s[0] == "_" or s[0].isidentifier()):
        return False
    return all(ch == "-" or ("a" + ch).isidentifier() for ch in s[1:])


def _ref_text(path: Sequence[tuple[str, str]]) -> str:
    out = []
    for kind, name in path:
        if valid_ident(name):
            out.append(f"{kind}.{name}")
        else:
            # Atlas stores the name Go-quoted inside the reference and quotes it again when
            # printing; for names without quotes or backslashes both are the same.
            out.append(f"{kind}[{hcl_quote(go_quote(name)[1:-1])}]")
    return ".".join(out)


def _ref_value(path: Sequence[tuple[str, str]]) -> str:
    """Atlas's internal reference string (``$table.users.$column.id``), used in messages."""
    out = []
    for kind, name in path:
        out.append(f"${kind}.{name}" if valid_ident(name) else f"${kind}[{go_quote(name)}]")
    return ".".join(out)


def _refs(paths: Sequence[Sequence[tuple[str, str]]]) -> str:
    return "[" + ", ".join(_ref_text(p) for p in paths) + "]"


def _sql(s: str) -> str:
    return f"sql({go_quote(s)})"


def _float_text(f: float) -> str:
    """big.Float.Text('f', -1) of a float64 value."""
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    s = format(Decimal(repr(f)), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _default_value(col: Column) -> str:
    """The HCL text of an inspected default (Atlas's ``specutil.ColumnDefault``)."""
    d = col.default
    if isinstance(d, RawExpr):
        return _sql(d.expr)
    assert isinstance(d, Literal)
    v = d.value
    textlike = col.type.cls is TypeClass.STRING
    if v.startswith(("0x", "0X", "0b", "0B", "b'", "B'", "x'", "X'")):
        return _sql(v)
    if is_quoted(v, "'", '"'):
        return hcl_quote(_unquote(v))
    if v.lower() in ("true", "false"):
        return v.lower()
    if not textlike and is_literal_number(v):
        if "." in v:
            return _float_text(float(v))
        if re.fullmatch(r"[+-]?[0-9]+", v):
            n = int(v)
            if n < -(1 << 63) or (n >= (1 << 63) and v[0] in "+-"):
                raise SchemaError(f"strconv.ParseUint: parsing {go_quote(v)}: invalid syntax")
            if n >= (1 << 64):
                raise SchemaError(f"strconv.ParseUint: parsing {go_quote(v)}: value out of range")
            return str(n)
        raise SchemaError(f"strconv.ParseInt: parsing {go_quote(v)}: invalid syntax")
    return hcl_quote(v)


_GO_SIMPLE = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "\\": "\\", '"': '"'}


def _unquote(s: str) -> str:
    """Atlas's ``sqlx.Unquote``: ``'it''s'`` → ``it's``; ``"..."`` with Go's escapes."""
    if s[0] == "'":
        return s[1:-1].replace("''", "'")
    body = s[1:-1]
    out = bytearray()
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == '"' or c == "\n":
            raise SchemaError("invalid syntax")
        if c != "\\":
            out += c.encode("utf-8", "surrogatepass")
            i += 1
            continue
        if i + 1 >= n:
            raise SchemaError("invalid syntax")
        e = body[i + 1]
        if e in _GO_SIMPLE:
            out += _GO_SIMPLE[e].encode()
            i += 2
        elif e == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", body[i + 2:i + 4]):
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
        elif e in "01234567" and re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]) \
                and int(body[i + 1:i + 4], 8) < 256:
            out.append(int(body[i + 1:i + 4], 8))
            i += 4
        elif e in "uU":
            width = 4 if e == "u" else 8
            h = body[i + 2:i + 2 + width]
            if not re.fullmatch(r"[0-9a-fA-F]{%d}" % width, h):
                raise SchemaError("invalid syntax")
            cp = int(h, 16)
            if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
                raise SchemaError("invalid syntax")
            out += chr(cp).encode()
            i += 2 + width
        else:
            raise SchemaError("invalid syntax")
    return out.decode("utf-8", "replace")


def _column_block(col: Column) -> _Blk:
    body: list[_Attr | _Blk] = [
        _Attr("null", "true" if col.null else "false"),
        _Attr("type", hcl_type_text(col.type)),
    ]
    if col.default is not None:
        body.append(_Attr("default", _default_value(col)))
    if col.comment is not None:
        body.append(_Attr("comment", hcl_quote(col.comment)))
    if col.auto_increment:
        body.append(_Attr("auto_increment", "true"))
    if col.generated is not None:
        body.append(_Blk("as", (), [
            _Attr("expr", hcl_quote(col.generated.expr)),
            _Attr("type", _stored_or_virtual(col.generated.storage)),
        ]))
    return _Blk("column", [col.name], body)


def _index_block(idx: Index) -> _Blk:
    body: list[_Attr | _Blk] = []
    if idx.unique:
        body.append(_Attr("unique", "true"))
    columns_only = all(p.column is not None and p.expr is None and not p.desc for p in idx.parts)
    if columns_only and idx.parts:
        body.append(_Attr("columns", _refs([[("column", p.column)] for p in idx.parts])))
    if idx.comment is not None:
        body.append(_Attr("comment", hcl_quote(idx.comment)))
    if idx.where:
        body.append(_Attr("where", go_quote(idx.where)))
    if not columns_only:
        for p in idx.parts:
            on: list[_Attr | _Blk] = []
            if p.desc:
                on.append(_Attr("desc", "true"))
            if p.column is not None:
                on.append(_Attr("column", _ref_text([("column", p.column)])))
            elif p.expr:
                on.append(_Attr("expr", hcl_quote(p.expr)))
            body.append(_Blk("on", (), on))
    return _Blk("index", [idx.name] if idx.name else [], body)


def _fk_block(schema: Schema, table: Table, fk: ForeignKey, names: set[str]) -> _Blk:
    body: list[_Attr | _Blk] = []
    if fk.columns:
        body.append(_Attr("columns", _refs([[("column", c)] for c in fk.columns])))
    if fk.ref_columns:
        if fk.ref_table not in names:
            c = fk.ref_columns[0]
            path = ([("column", c)] if fk.ref_table == table.name
                    else [("table", fk.ref_table), ("column", c)])
            raise SchemaError(f"missing reference for column {go_quote(_ref_value(path))} in "
                              f"{go_quote(schema.name)}.{go_quote(table.name)}."
                              f"{go_quote(fk.name)}")
        body.append(_Attr("ref_columns", _refs(
            [[("table", fk.ref_table), ("column", c)] for c in fk.ref_columns])))
    if fk.on_update:
        body.append(_Attr("on_update", fk.on_update.replace(" ", "_")))
    if fk.on_delete:
        body.append(_Attr("on_delete", fk.on_delete.replace(" ", "_")))
    return _Blk("foreign_key", [fk.name] if fk.name else [], body)


def _table_block(schema: Schema, table: Table, names: set[str]) -> _Blk:
    body: list[_Attr | _Blk] = [_Attr("schema", _ref_text([("schema", schema.name)]))]
    if table.comment is not None:
        body.append(_Attr("comment", hcl_quote(table.comment)))
    body.extend(_column_block(c) for c in table.columns)
    if table.primary_key is not None:
        pk = table.primary_key
        pk_body: list[_Attr | _Blk] = []
        if pk.parts:
            pk_body.append(_Attr("columns", _refs(
                [[("column", p.column or "")] for p in pk.parts])))
        body.append(_Blk("primary_key", (), pk_body))
    body.extend(_fk_block(schema, table, fk, names) for fk in table.foreign_keys)
    body.extend(_index_block(i) for i in table.indexes)
    for ck in table.checks:
        body.append(_Blk("check", [ck.name] if ck.name else [],
                         [_Attr("expr", hcl_quote(ck.expr))]))
    # Table options live in an embedded block: printed after all child blocks.
    if table.without_rowid:
        body.append(_Attr("without_rowid", "true"))
    if table.strict:
        body.append(_Attr("strict", "true"))
    return _Blk("table", [table.name], body)


def _render(items: Sequence[_Attr | _Blk], depth: int, out: list[str]) -> None:
    indent = "  " * depth
    run: list[_Attr] = []

    def flush() -> None:
        if run:
            width = max(len(a.name) for a in run)
            for a in run:
                out.append(f"{indent}{a.name.ljust(width)} = {a.value}")
            run.clear()

    for item in items:
        if isinstance(item, _Attr):
            run.append(item)
            continue
        flush()
        labels = "".join(f" {hcl_quote(label)}" for label in item.labels)
        out.append(f"{indent}{item.type}{labels} {{")
        _render(item.body, depth + 1, out)
        out.append(f"{indent}}}")
    flush()


def encode_schema(schema: Schema) -> str:
    """The HCL ``atlas schema inspect`` prints for ``schema`` (a realm of one schema): every
    table block, then the schema block; ends with a single newline."""
    names = {t.name for t in schema.tables}
    blocks = [_table_block(schema, t, names) for t in schema.tables]
    sbody: list[_Attr | _Blk] = []
    if schema.comment is not None:
        sbody.append(_Attr("comment", hcl_quote(schema.comment)))
    blocks.append(_Blk("schema", [schema.name], sbody))
    out: list[str] = []
    _render(blocks, 0, out)
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


def schema_to_json(schema: Schema, *args: str) -> str:
    """``{{ json . }}`` for an inspected schema: Go's ``json.Marshal`` of Atlas's inspect
    report (compact, no trailing newline). ``args`` are the template's optional arguments:
    ``(indent,)`` or ``(prefix, indent)`` select ``json.MarshalIndent``."""
    if len(args) > 2:
        raise SchemaError(f"unexpected number of arguments: {len(args)}")
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
    realm = {"schemas": [sd]}
    if not args:
        return go_json(realm)
    prefix, indent = ("", args[0]) if len(args) == 1 else (args[0], args[1])
    return go_json(realm, prefix, indent)


