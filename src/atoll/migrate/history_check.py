"""Applied files edited since they ran. The revisions table keeps each file's atlas.sum hash,
and that hash chains every file before it, so a recorded hash that differs from the one the
directory now gives means that file, or one before it, was edited, renamed or joined by a new
file since the database applied it: the database ran other text than the directory holds.
Atlas notices this only inside a half-applied file; atoll names the first such file.

Only rows atoll wrote are read: Atlas keeps a resumed file's first-attempt hash when a fixed
file completes, so its rows can differ for no edit; atoll stores the completing text's."""

from __future__ import annotations

from collections.abc import Sequence

from .directory import MigrationDir
from .revisions import Revision


def first_changed_after_apply(d: MigrationDir, applied: Sequence[Revision]) -> str | None:
    """The name of the first file whose recorded hash differs from its hash now, or None.
    Rows without a hash (not recorded) and versions no longer in the directory (reported
    elsewhere) are passed over."""
    names = {f.version: f.name for f in d.files}
    now = dict(d.checksum.entries)
    for rev in applied:
        name = names.get(rev.version)
        if not rev.hash or name is None or name not in now or rev.applied < rev.total:
            continue
        if not rev.operator_version.startswith("atoll"):
            continue
        if now[name] != rev.hash.removeprefix("h1:"):
            return name
    return None


def changed_after_apply_note(name: str) -> str:
    return (f"{name} was changed after it was applied (its atlas.sum hash differs from the one "
            f"in the revisions table): the database ran the earlier text. Put the file back "
            f"and add the change as a new migration")
