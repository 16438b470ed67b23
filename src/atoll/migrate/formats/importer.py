"""``migrate import``: another tool's directory converted into an Atlas directory, as Atlas
converts it: one file per migration, ``VERSION_DESCRIPTION.sql``, holding the statements of
its up part (each with the comments right in front of it, then ``;``); down parts, undo and
``.down.sql`` files, and comments standing apart are dropped; then a fresh atlas.sum."""

from __future__ import annotations

import os

from ...errors import AtollError, ChecksumError
from ..checksum import ERR_NOT_FOUND
from ..directory import MigrationDir, MigrationFile, hash_dir, load_dir
from ..splitter import GENERIC, ScanError, scan_statements
from . import open_dir, split_dir_url
from .atlas import render
from .plan import Change, Plan


def source_dir(from_url: str) -> MigrationDir:
    """The directory to import, checked first: it must be in another tool's format, and a
    directory without atlas.sum is fine (a project arriving from that tool has none)."""
    if split_dir_url(from_url)[1] == "atlas":
        raise AtollError('cannot import a migration directory already in "atlas" format')
    src = open_dir(from_url)
    try:
        src.validate()
    except ChecksumError as exc:
        if str(exc) != ERR_NOT_FOUND:
            raise
    return src


def converted(f: MigrationFile) -> Plan:
    """The Atlas file for one migration (its up part, statements kept with their comments)."""
    try:
        stmts = scan_statements(f.sql, GENERIC)
    except ScanError as exc:
        raise AtollError(f"sql/migrate: scanning statements from {f.name!r}: {exc}") from None
    changes = []
    for s in stmts:
        head = "".join(c if c.endswith("\n") else c + "\n" for c in s.comments)
        changes.append(Change(head + s.text.removesuffix(";")))
    return Plan(name=f.description, version=f.version, changes=changes)


def import_dir(from_url: str, to_url: str) -> list[str] | None:
    """Convert ``from_url`` into the empty Atlas directory ``to_url`` (created if missing).
    Returns the file names written, or ``None`` when there was nothing to import."""
    src = source_dir(from_url)
    to_path = split_dir_url(to_url)[0]
    os.makedirs(to_path, mode=0o755, exist_ok=True)
    if load_dir(to_path).files:
        raise AtollError("target migration directory must be empty")
    if not src.files:
        return None
    plans = [converted(f) for f in src.files]  # every file is read before any is written
    names = []
    for plan in plans:
        for name, content in render(plan):
            with open(os.path.join(to_path, name), "wb") as fh:
                fh.write(content.encode("utf-8", "surrogateescape"))
            names.append(name)
    hash_dir(to_path)
    return names
