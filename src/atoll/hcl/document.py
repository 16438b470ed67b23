"""Evaluated HCL: what the evaluator hands to the codecs (schema HCL → model, atlas.hcl →
project). Plain Python values stand for HCL values (str, int/float, bool, None, list, dict);
the classes below stand for the values that HCL alone has no word for."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import SourcePos


@dataclass(frozen=True)
class Ref:
    """A reference to a block, e.g. ``table.users.column.id`` or the local ``column.id``.

    ``path`` holds (block type, name) pairs from the outermost block: ``(("table", "users"),
    ("column", "id"))``; for a two-label block (``table "main" "users"``) the name is
    ``"main.users"``. ``local`` is True when written relative to the enclosing block
    (``column.id`` inside a table). ``text`` is Atlas's string form: ``$table.users.$column.id``.
    """

    path: tuple[tuple[str, str], ...]
    local: bool = False
    pos: SourcePos | None = field(default=None, compare=False)

    @property
    def text(self) -> str:
        return ".".join(f"${kind}.{name}" for kind, name in self.path)

    @property
    def name(self) -> str:
        return self.path[-1][1]


@dataclass(frozen=True)
class RawSQL:
    """``sql("...")``: a raw SQL expression or type text."""

    text: str


@dataclass(frozen=True)
class TypeCall:
    """A column type written as an identifier or a call: ``integer``, ``varchar(255)``,
    ``decimal(10,2)``. ``args`` are the evaluated arguments."""

    name: str
    args: tuple = ()
    pos: SourcePos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Word:
    """A bare identifier in an enum position: ``NO_ACTION``, ``STORED``, ``CASCADE``."""

    name: str


@dataclass
class Attribute:
    name: str
    value: object
    pos: SourcePos | None = None


@dataclass
class Block:
    """An evaluated block. Attribute values are evaluated; nested blocks keep file order."""

    type: str
    labels: list[str]
    attrs: dict[str, Attribute] = field(default_factory=dict)
    blocks: list["Block"] = field(default_factory=list)
    pos: SourcePos | None = None

    def get(self, name: str, default: object = None) -> object:
        attr = self.attrs.get(name)
        return default if attr is None else attr.value

    def children(self, type_: str) -> list["Block"]:
        return [b for b in self.blocks if b.type == type_]


@dataclass
class Document:
    """The evaluated top level of one or more files, blocks in (sorted file, block) order."""

    blocks: list[Block] = field(default_factory=list)
    attrs: dict[str, Attribute] = field(default_factory=dict)

    def children(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]
