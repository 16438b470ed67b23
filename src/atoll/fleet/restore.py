"""``migrate restore``: put back the databases a run changed, from the restore points its run
record names. Each database is checked under the migration lock first: it must still hold
what the run left (the version and hash recorded at the end of the run), unless ``force``.
A restore that was interrupted (its marker is still beside the database) is finished by the
next restore of the same run without that check: the change since was our own."""

from __future__ import annotations

import os
from collections.abc import Callable

from ..dialects import dialect_for
from ..errors import AtollError
from ..migrate.lock import APPLY_LOCK, acquire_lock
from ..urls import parse_url
from .restore_points import current_version
from .run_record import DatabaseEntry, RunRecord
from .runner import Target, TargetResult


def _point(record: RunRecord, entry: DatabaseEntry, points):
    rp = entry.restore_point
    main = points.FileCopy(record.absolute(rp.path), rp.sha256, rp.bytes)
    wal = None
    if rp.wal is not None:
        wal = points.FileCopy(record.absolute(rp.wal.path), rp.wal.sha256, rp.wal.bytes)
    for f in (main, wal):
        if f is not None and not os.path.isfile(f.path):
            raise AtollError(f"restore point {f.path} is missing")
    return points.RestorePoint(main, wal)


def _changed_since(version: str, digest: str, entry: DatabaseEntry) -> str:
    """Why the database no longer holds what the run left ("" when it does)."""
    if entry.end is None:
        return "the run did not record the state it left (was it killed?)"
    if digest == entry.end.sha256:
        return ""
    if version != entry.end.version:
        return (f"it changed since the run: now at version {version or '(none)'}, the run "
                f"left {entry.end.version or '(none)'}")
    return f"it changed since the run (same version {version or '(none)'}, different bytes)"


def restore_job(record: RunRecord, *, force: bool, lock_timeout: float,
                check_only: bool) -> Callable:
    """A fleet job that checks (``check_only``) or restores one database of ``record``."""

    def job(target: Target, step: Callable[[str], None]) -> TargetResult:
        entry = record.entry(target.name)
        url = parse_url(target.url)
        dialect = dialect_for(url)
        points = dialect.restore_points
        if points is None:
            raise AtollError(f"restore is not supported for {dialect.name} databases")
        point = _point(record, entry, points)
        schema = target.settings.get("revisions_schema")
        with dialect.connect(url) as conn, acquire_lock(conn, dialect, APPLY_LOCK, lock_timeout):
            tag = points.restoring(conn)
            before = current_version(conn, dialect, schema)
            after = entry.restore_point.version
            if tag != record.id:
                if tag is not None and not force:
                    raise AtollError(f"an interrupted restore of run {tag} left this database "
                                     "half-restored; finish that one first (or use --force)")
                digest = points.state_hash(conn)
                if digest == entry.restore_point.sha256 and tag is None:
                    return TargetResult(target, "already-restored", version_before=before,
                                        version_after=after)
                why = _changed_since(before, digest, entry)
                if why and not force:
                    raise AtollError(f"{why}; not restored (--force restores anyway)")
            if not check_only:
                points.put_back(conn, point, record.id)
        return TargetResult(target, "checked" if check_only else "restored",
                            version_before=before, version_after=after)

    return job
