"""What a formatter writes: a named list of changes (statement, comment, reverse statements),
and the up and down bodies every two-part format shares (Atlas's ``sql/sqltool`` templates)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..directory import version_at


@dataclass(frozen=True)
class Change:
    """One statement (without ``;``), its comment (written as is, not capitalised) and the
    statements that undo it, if known."""

    cmd: str
    comment: str = ""
    reverse: tuple[str, ...] = ()


@dataclass
class Plan:
    """A file to write. ``version`` names it (default: the UTC time, as Atlas's ``now``);
    ``down``, when given, is the down part planned as a whole (atoll's ``migrate diff``),
    used instead of the changes' own reverses."""

    name: str = ""
    changes: list[Change] = field(default_factory=list)
    version: str = ""
    down: list[Change] | None = None
    checksum: bool = True

    def stamp(self) -> str:
        if not self.version:
            self.version = version_at()
        return self.version

    def base(self, sep: str = "_") -> str:
        """``VERSION`` or ``VERSION<sep>NAME``."""
        v = self.stamp()
        return f"{v}{sep}{self.name}" if self.name else v


def _stmt(c: Change) -> str:
    return (f"-- {c.comment}\n" if c.comment else "") + f"{c.cmd};\n"


def up_body(plan: Plan) -> str:
    return "".join(_stmt(c) for c in plan.changes)


def down_body(plan: Plan) -> str:
    """Each change's reverse, last change first, under ``-- reverse: <comment>``; or the
    planned down part."""
    if plan.down is not None:
        return "".join(_stmt(c) for c in plan.down)
    out = []
    for c in reversed(plan.changes):
        if not c.reverse:
            continue
        if c.comment:
            out.append(f"-- reverse: {c.comment}\n")
        out.extend(f"{s};\n" for s in c.reverse)
    return "".join(out)
