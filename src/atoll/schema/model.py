"""The schema model: every door (HCL, SQL file, live database, replayed migration directory)
produces these values, and every comparison is between two of them.

All classes are frozen dataclasses holding tuples, so values can be hashed, compared and shared
between threads. Build them with keyword arguments; use ``dataclasses.replace`` to derive one.
The model follows Atlas's ``sql/schema`` package where that matters for compatibility (type
classes, literal vs raw defaults, index parts, foreign-key actions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .fast_init import speed_up_module


class TypeClass(str, Enum):
    """The class of a column type. SQLite's diff compares types by class only (see
    spec/sqlite-plan.md §2.3); user-defined types compare by their raw text."""

    INTEGER = "integer"
    STRING = "string"
    FLOAT = "float"
    DECIMAL = "decimal"
    BOOL = "bool"
    BINARY = "binary"
    TIME = "time"
    JSON = "json"
    UUID = "uuid"
    USER = "user"  # user-defined / unknown: ``raw`` holds the original text
    # Classes only PostgreSQL produces (Atlas's postgres type structs).
    ENUM = "enum"  # ``name`` is the enum's name, ``schema`` its schema (or None)
    ARRAY = "array"  # ``elem`` is the element type
    SERIAL = "serial"
    BIT = "bit"
    INTERVAL = "interval"
    NETWORK = "network"
    CURRENCY = "currency"
    OID = "oid"
    RANGE = "range"
    SPATIAL = "spatial"
    TEXT_SEARCH = "textsearch"
    XML = "xml"
    PSEUDO = "pseudo"


@dataclass(frozen=True)
class ColumnType:
    """A column type as Atlas's SQLite ``ParseType`` sees it.

    ``name`` is the lower-cased base name (``varchar``, ``unsigned big int``); for a
    user-defined type it is the original text, unchanged. ``raw`` is the declared text as
    written (what ``pragma_table_xinfo`` reports, or what HCL produced)."""

    cls: TypeClass
    name: str
    raw: str = ""
    size: int = 0
    precision: int = 0
    scale: int = 0
    # PostgreSQL: the schema of an enum type (None: unqualified), an array's element type.
    schema: str | None = None
    elem: "ColumnType | None" = None
    # MySQL: UNSIGNED numeric types; the values of an ``enum``/``set`` (name says which).
    unsigned: bool = False
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Literal:
    """A literal default value. ``value`` is the text: inspected defaults keep their SQL
    quoting (``'hello'``); defaults from HCL strings are unquoted (``hello``)."""

    value: str


@dataclass(frozen=True)
class RawExpr:
    """A raw SQL expression default (HCL ``sql("...")``, or ``(expr)`` in the database)."""

    expr: str


Default = Literal | RawExpr


@dataclass(frozen=True)
class Generated:
    """A generated column: ``GENERATED ALWAYS AS (expr) STORED|VIRTUAL``. ``storage`` is
    ``"VIRTUAL"``, ``"STORED"`` or ``""`` (unspecified, which means VIRTUAL)."""

    expr: str
    storage: str = ""


@dataclass(frozen=True)
class Identity:
    """PostgreSQL ``GENERATED {ALWAYS|BY DEFAULT} AS IDENTITY``; ``last`` is the sequence's
    last value when inspected (informational, never compared by the diff)."""

    generation: str = "BY DEFAULT"
    start: int = 1
    increment: int = 1
    last: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    null: bool = False
    default: Default | None = None
    auto_increment: bool = False
    generated: Generated | None = None
    collation: str | None = None
    comment: str | None = None
    identity: Identity | None = None
    # MySQL: the column's character set and its ``ON UPDATE`` expression.
    charset: str | None = None
    on_update: str | None = None


@dataclass(frozen=True)
class IndexPart:
    """One key part of an index or primary key: a column name or an SQL expression."""

    column: str | None = None
    expr: str | None = None
    desc: bool = False
    # PostgreSQL: a non-default operator class (``text_pattern_ops``, ``tsvector_ops(siglen=8)``)
    # and an explicit NULLS FIRST / NULLS LAST.
    opclass: str | None = None
    nulls_first: bool = False
    nulls_last: bool = False
    # MySQL: the key-part prefix length (``name(64)``), 0 when the whole value is indexed.
    prefix: int = 0


@dataclass(frozen=True)
class Index:
    name: str
    parts: tuple[IndexPart, ...]
    unique: bool = False
    where: str | None = None
    comment: str | None = None
    # SQLite's pragma_index_list origin: "c" (CREATE INDEX), "u" (UNIQUE constraint),
    # "pk" (PRIMARY KEY). None when unknown (HCL, other engines). PostgreSQL: "u" for a
    # UNIQUE constraint (HCL ``unique`` block), None for an index.
    origin: str | None = None
    # PostgreSQL: access method ("" = BTREE), INCLUDE columns, NULLS NOT DISTINCT, storage
    # parameters (``(("pages_per_range", "2"),)``).
    method: str = ""
    include: tuple[str, ...] = ()
    nulls_distinct: bool = True
    params: tuple[tuple[str, str], ...] = ()
    # MySQL: the FULLTEXT parser (``ngram``), if any; the index type goes in ``method``.
    parser: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(p.column for p in self.parts if p.column is not None)


@dataclass(frozen=True)
class PrimaryKey:
    parts: tuple[IndexPart, ...]
    name: str = ""
    include: tuple[str, ...] = ()
    method: str = ""  # MySQL: the index type (``HASH``); "" = BTREE

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(p.column for p in self.parts if p.column is not None)


@dataclass(frozen=True)
class ForeignKey:
    """``on_update``/``on_delete`` hold the SQL action with spaces (``SET NULL``), or ``""``
    when the clause is absent."""

    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    on_update: str = ""
    on_delete: str = ""
    ref_schema: str | None = None


@dataclass(frozen=True)
class Check:
    expr: str
    name: str = ""
    no_inherit: bool = False
    # MySQL ≥ 8.0.16: ENFORCED / NOT ENFORCED as written (None: not said, i.e. enforced).
    enforced: bool | None = None


@dataclass(frozen=True)
class PartitionPart:
    column: str | None = None
    expr: str | None = None


@dataclass(frozen=True)
class Partition:
    """PostgreSQL ``PARTITION BY <kind> (<parts>)``; kind is RANGE, LIST or HASH."""

    kind: str
    parts: tuple[PartitionPart, ...] = ()


@dataclass(frozen=True)
class EnumType:
    """A PostgreSQL enum type, a schema object."""

    name: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...] = ()
    primary_key: PrimaryKey | None = None
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[Check, ...] = ()
    without_rowid: bool = False
    strict: bool = False
    comment: str | None = None
    partition: Partition | None = None
    # MySQL: table charset and collation, storage engine when not the server's default,
    # the AUTO_INCREMENT start value and raw CREATE_OPTIONS.
    charset: str | None = None
    collation: str | None = None
    engine: str | None = None
    auto_increment: int | None = None
    create_options: str | None = None
    # The CREATE statement as stored in sqlite_master, when inspected (informational).
    create_sql: str | None = field(default=None, compare=False, repr=False)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def index(self, name: str) -> Index | None:
        return next((i for i in self.indexes if i.name == name), None)

    def foreign_key(self, name: str) -> ForeignKey | None:
        return next((f for f in self.foreign_keys if f.name == name), None)


@dataclass(frozen=True)
class View:
    """A view: ``definition`` is the query after ``AS`` (no trailing ``;``), as written.

    ``columns`` are what the engine derives from the query (inspected) or what the schema file
    declares; they describe the view and are not compared. ``depends_on`` names the tables
    and views the query reads (found in its text, plus any declared in HCL), used to order
    statements; it is not compared either. An object of another schema of the realm is named
    ``schema.name`` (PostgreSQL). ``column_reads``: the ``(dependency, column)`` pairs the
    query reads, where the engine tells (PostgreSQL's ``pg_depend``); ``None`` when unknown.
    ``key_reads``: the dependencies whose primary key the query relies on (PostgreSQL: a
    ``GROUP BY`` on the key makes the other columns selectable), so the key cannot change
    while the view stands."""

    name: str
    definition: str
    columns: tuple[Column, ...] = ()
    depends_on: tuple[str, ...] = field(default=(), compare=False)
    column_reads: tuple[tuple[str, str], ...] | None = field(default=None, compare=False)
    comment: str | None = None
    key_reads: tuple[str, ...] = field(default=(), compare=False)
    create_sql: str | None = field(default=None, compare=False, repr=False)
    # PostgreSQL: a materialized view (its rows are stored, built when it is created).
    materialized: bool = False

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Trigger:
    """A trigger on a table (or, with ``INSTEAD OF``, on a view).

    ``timing`` is ``BEFORE``, ``AFTER`` or ``INSTEAD OF``; ``event`` is ``INSERT``,
    ``UPDATE`` or ``DELETE``; ``update_of`` lists the columns of ``UPDATE OF``. ``when`` is
    the condition without the keyword; ``body`` is the statement text from ``BEGIN`` to
    ``END``. ``on_view`` says that ``table`` names a view."""

    name: str
    table: str
    timing: str
    event: str
    body: str
    update_of: tuple[str, ...] = ()
    when: str | None = None
    on_view: bool = False
    create_sql: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Schema:
    name: str = "main"
    tables: tuple[Table, ...] = ()
    comment: str | None = None
    views: tuple[View, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    enums: tuple[EnumType, ...] = ()
    # MySQL: the database's default charset and collation.
    charset: str | None = None
    collation: str | None = None

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    def view(self, name: str) -> View | None:
        return next((v for v in self.views if v.name == name), None)

    def trigger(self, name: str) -> Trigger | None:
        return next((t for t in self.triggers if t.name == name), None)


@dataclass(frozen=True)
class Realm:
    """A whole database of several schemas (Atlas's realm scope: a PostgreSQL URL without
    ``search_path``, a MySQL URL without a database). Commands bound to one schema never see
    one; the dialect's realm hooks (``dialects/base.py``) produce and consume it."""

    schemas: tuple[Schema, ...] = ()

    def schema(self, name: str) -> Schema | None:
        return next((s for s in self.schemas if s.name == name), None)


speed_up_module(globals())
