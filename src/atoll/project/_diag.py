"""Errors that already say where they happened (``file:line,col: …``), and the wrapping of
other errors with the place and the block being evaluated."""

from __future__ import annotations

from ..errors import AtollError, HCLError, ProjectError, SourcePos


class LocatedError(ProjectError):
    """A ``ProjectError`` whose message starts with its position; not wrapped again."""


def located(pos: SourcePos | None, where: str, message: str) -> LocatedError:
    parts = [str(p) for p in (pos, where) if p]
    return LocatedError(": ".join(parts + [message]))


def wrap(exc: Exception, pos: SourcePos | None, where: str) -> LocatedError:
    """``exc`` with ``pos`` (unless it carries a better one) and ``where`` (``env "dev"``,
    ``data.sql.shards``, ``variable "x"``) in front of its message."""
    if isinstance(exc, LocatedError):
        return exc
    if isinstance(exc, HCLError) and exc.pos is not None:
        return located(exc.pos, where, exc.bare_message)
    if isinstance(exc, AtollError):
        return located(pos, where, str(exc))
    raise exc
