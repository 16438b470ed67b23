"""``migrate set [version]``: edit the revisions table by hand, without running anything.

Rows above the target version are deleted; a failed or partial row at the target is marked
resolved ("applied + manually set") and completed (its error cleared: unlike Atlas, which
leaves it partial and so still pending); files between the last remaining row and the target get
"manually set" rows. Everything happens in one transaction, under the migration lock."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import MigrationError
from ..gotext import go_quote
from .directory import MigrationDir, load_dir
from .executor import DEFAULT_OPERATOR
from .lock import APPLY_LOCK, acquire_lock
from .report import GoTime, RevisionOp, SetReport
from .revisions import (
    TYPE_EXECUTE,
    TYPE_RESOLVED,
    Revision,
    RevisionStore,
    revisions_hook,
)


def set_version(conn, dialect, dir: MigrationDir | str,
                version: str | Sequence[str] | None = None, *,
                revisions_schema: str | None = None,
                operator_version: str = DEFAULT_OPERATOR, lock_timeout: float = 0.0,
                validate: bool = True) -> SetReport:
    """``version`` is the command's argument: a string, ``None`` for no argument, or the list
    of arguments as given (Atlas checks their count only after creating the table:
    ``accepts 1 arg(s), received N``). Render the result with
    :func:`~atoll.migrate.report.render_set`."""
    if version is None:
        args: list[str] = []
    elif isinstance(version, str):
        args = [version]
    else:
        args = list(version)
    d = dir if isinstance(dir, MigrationDir) else load_dir(dir)
    if validate:
        d.validate()
    hook = revisions_hook(dialect)
    with acquire_lock(conn, dialect, APPLY_LOCK, lock_timeout, hook):
        store = RevisionStore(conn, dialect, revisions_schema, hook)
        store.migrate()
        state = hook.begin(conn)
        try:
            report = _set(store, d, args, operator_version)
        except BaseException:
            hook.rollback(conn, state)
            raise
        hook.commit(conn, state)
        return report


def _set(store: RevisionStore, d: MigrationDir, args: list[str], operator: str) -> SetReport:
    revs = store.read_all()
    files = d.files
    if len(args) == 0 and revs:
        target = files[-1].version if files else ""
    elif len(args) == 1:
        if d.last_index(args[0]) == -1:
            raise MigrationError(f"migration with version {go_quote(args[0])} not found")
        target = args[0]
    else:
        raise MigrationError(f"accepts 1 arg(s), received {len(args)}")
    report = SetReport()
    for r in revs:
        if r.version > target:
            report.revisions.append(RevisionOp(r, "remove"))
            store.delete(r.version)
        elif r.version == target and (r.error or r.total != r.applied):
            # Atlas only re-types the row ("applied + manually set") and leaves it partial, so
            # status still shows the error and apply re-runs the file. Setting a version means
            # "the database is at this version": the row becomes complete and clean.
            report.revisions.append(RevisionOp(r, "set"))
            r.type = TYPE_EXECUTE | TYPE_RESOLVED
            r.applied, r.error, r.error_stmt, r.partial_hashes = r.total, "", "", None
            store.write(r)
    revs = store.read_all()
    pending = []
    if not revs:
        for f in files:
            if f.version > target:
                break
            pending.append(f)
    elif target > revs[-1].version:
        last = revs[-1].version
        for f in files:
            if f.version <= last:
                continue
            if f.version > target:
                break
            pending.append(f)
    for f in pending:
        digest = d.checksum.sum_by_name(f.name)
        if digest is None:
            raise MigrationError("checksum not found")
        rev = Revision(version=f.version, description=f.description, type=TYPE_RESOLVED,
                       executed_at=GoTime.now(), hash=digest, operator_version=operator)
        report.revisions.append(RevisionOp(rev, "set"))
        store.write(rev)
    report.current = store.current()
    return report
