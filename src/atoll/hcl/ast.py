"""The syntax tree of an HCL native-syntax file, as produced by :mod:`atoll.hcl.parser`.

Every node keeps where it came from: ``pos`` is the start (a :class:`SourcePos`) and ``end``
the ``(line, column)`` just past the node, so diagnostics can print HCL ranges
(``file:3,3-17``). Expressions are evaluated by :mod:`atoll.hcl.evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import SourcePos


@dataclass(frozen=True, eq=False)
class SourceRange(SourcePos):
    """A span of source text. Prints like an HCL diagnostic subject: ``file:3,3-17`` on one
    line, ``file:3,17-4,1`` across lines. It is a :class:`SourcePos` (its start), so it can be
    passed wherever a position is expected, and compares equal to a plain SourcePos at its
    start."""

    end_line: int = 0
    end_column: int = 0

    def __eq__(self, other: object) -> bool:
        if type(other) is SourceRange:
            return (self.filename, self.line, self.column, self.end_line, self.end_column) == (
                other.filename, other.line, other.column, other.end_line, other.end_column)
        if isinstance(other, SourcePos):
            return (self.filename, self.line, self.column) == (
                other.filename, other.line, other.column)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.filename, self.line, self.column))

    def __str__(self) -> str:
        if self.end_line == self.line:
            return f"{self.filename}:{self.line},{self.column}-{self.end_column}"
        return f"{self.filename}:{self.line},{self.column}-{self.end_line},{self.end_column}"

    @property
    def start(self) -> SourcePos:
        return SourcePos(self.filename, self.line, self.column)


def span(pos: SourcePos, end: tuple[int, int] | None) -> SourcePos:
    """The range from ``pos`` to ``end`` (or just ``pos`` when the end is unknown)."""
    if end is None:
        return pos
    return SourceRange(pos.filename, pos.line, pos.column, end[0], end[1])


# --------------------------------------------------------------------------------------------
# Structure


@dataclass(slots=True)
class Body:
    """A sequence of attributes and blocks, in source order."""

    items: list["Attribute | Block"] = field(default_factory=list)

    @property
    def attributes(self) -> list["Attribute"]:
        return [i for i in self.items if isinstance(i, Attribute)]

    @property
    def blocks(self) -> list["Block"]:
        return [i for i in self.items if isinstance(i, Block)]

    def attribute(self, name: str) -> "Attribute | None":
        for item in self.items:
            if isinstance(item, Attribute) and item.name == name:
                return item
        return None


@dataclass(slots=True)
class Attribute:
    """``name = expr``. ``pos`` is the position of the name; ``end`` the end of the expression."""

    name: str
    expr: "Expr"
    pos: SourcePos
    end: tuple[int, int] | None = None

    @property
    def range(self) -> SourcePos:
        return span(self.pos, self.end)


@dataclass(slots=True)
class Block:
    """``type "label" ... { body }``. ``pos`` is the position of the type name; ``end`` is just
    past the closing brace."""

    type: str
    labels: list[str]
    body: Body
    pos: SourcePos
    end: tuple[int, int] | None = None


# --------------------------------------------------------------------------------------------
# Expressions


class Expr:
    """Base class of expression nodes. Subclasses are slotted dataclasses with ``pos``/``end``."""

    __slots__ = ()
    pos: SourcePos
    end: tuple[int, int] | None

    @property
    def range(self) -> SourcePos:
        return span(self.pos, self.end)


@dataclass(slots=True)
class Literal(Expr):
    """A number, bool, null or a string without interpolation."""

    value: object
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class Template(Expr):
    """A string template: ``parts`` holds ``str`` literals (escapes, strip markers and heredoc
    flushing already applied) and expression / directive nodes whose values are rendered."""

    parts: list
    pos: SourcePos
    end: tuple[int, int] | None = None
    heredoc: bool = False


@dataclass(slots=True)
class TemplateWrap(Expr):
    """A template that is exactly one interpolation, ``"${x}"``: yields the value of ``x``
    unconverted (HCL semantics)."""

    expr: Expr
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class TemplateIf(Expr):
    """``%{ if cond }...%{ else }...%{ endif }`` inside a template."""

    cond: Expr
    then: list
    else_: list
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class TemplateFor(Expr):
    """``%{ for k, v in coll }...%{ endfor }`` inside a template."""

    key_var: str | None
    value_var: str
    collection: Expr
    body: list
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class Variable(Expr):
    """A bare identifier that starts a traversal: ``var`` in ``var.x``, or ``integer``."""

    name: str
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class GetAttr(Expr):
    """``obj.name``."""

    obj: Expr
    name: str
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class Index(Expr):
    """``obj[key]`` (also the legacy ``obj.0``)."""

    obj: Expr
    key: Expr
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class SplatItem(Expr):
    """The placeholder for the current element inside :class:`Splat` ``each``."""

    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class Splat(Expr):
    """``source[*].each`` / ``source.*.each``: ``each`` is evaluated per element with
    ``item`` bound to the element."""

    source: Expr
    each: Expr
    item: SplatItem
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class Tuple(Expr):
    items: list[Expr]
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class Object(Expr):
    """``{ k = v, ... }``: ``items`` are ``(key, value)`` pairs; a bare identifier key is a
    :class:`Literal` string."""

    items: list[tuple[Expr, Expr]]
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class Call(Expr):
    """``name(args...)``; ``expand`` is True when the final argument is followed by ``...``.
    ``name_end`` is where the function name ends (for diagnostics)."""

    name: str
    args: list[Expr]
    expand: bool
    pos: SourcePos
    end: tuple[int, int] | None = None
    name_end: tuple[int, int] | None = None


@dataclass(slots=True)
class Unary(Expr):
    """``-x`` or ``!x``."""

    op: str
    operand: Expr
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class Conditional(Expr):
    cond: Expr
    then: Expr
    else_: Expr
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class ForExpr(Expr):
    """``[for k, v in coll : val if cond]`` or ``{for k, v in coll : key => val... if cond}``."""

    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None
    value: Expr
    cond: Expr | None
    group: bool
    is_object: bool
    pos: SourcePos
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class Parens(Expr):
    """``(expr)``: kept so that ``{(a) = 1}`` can be told from ``{a = 1}``."""

    expr: Expr
    pos: SourcePos
    end: tuple[int, int] | None = None


def traversal_path(expr: Expr) -> list[str | object] | None:
    """The static path of a traversal (``table.users.column["id"]`` → ``["table", "users",
    "column", "id"]``), or None when ``expr`` is not a static traversal."""
    out: list = []
    while True:
        if isinstance(expr, GetAttr):
            out.append(expr.name)
            expr = expr.obj
        elif isinstance(expr, Index) and isinstance(expr.key, Literal):
            out.append(expr.key.value)
            expr = expr.obj
        elif isinstance(expr, Variable):
            out.append(expr.name)
            out.reverse()
            return out
        else:
            return None
