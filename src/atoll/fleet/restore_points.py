"""What ``migrate apply`` does around each database when it keeps a run record: mark the
database running, and with a backup directory hold the migration lock while it takes a
restore point (only when files are pending), lets the apply run, and records the state the
apply left (version and hash) for ``migrate restore`` to check later."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import AtollError
from ..faults import pause_at
from ..migrate.lock import APPLY_LOCK, acquire_lock
from .run_record import EndState, FileDigest, RecordWriter, RestorePointInfo, now_text


def current_version(conn, dialect, revisions_schema: str | None) -> str:
    from ..migrate.revisions import RevisionStore

    revs = RevisionStore(conn, dialect, revisions_schema or None).read_all()
    return revs[-1].version if revs else ""


def _file_stem(directory: str, name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "db"
    stem, n = os.path.join(directory, safe), 1
    while os.path.exists(stem + ".db"):
        n += 1
        stem = os.path.join(directory, f"{safe}~{n}")
    return stem


@dataclass
class RunTracker:
    writer: RecordWriter
    backup_dir: str | None  # the run's own folder for restore points; None: record only
    lock_timeout: float = 10.0
    keep: int | None = None  # --backup-keep: prune older runs at the end

    @contextmanager
    def guard(self, conn, dialect, d, target):
        """Around one database's apply; yields True when it holds the migration lock (the
        apply must then not take it again)."""
        self.writer.update(target.name, state="running")
        if not self.backup_dir:
            yield False
            return
        points = dialect.restore_points
        if points is None:
            raise AtollError(f"--backup-dir is not supported for {dialect.name} databases")
        schema = target.settings.get("revisions_schema")
        with acquire_lock(conn, dialect, APPLY_LOCK, self.lock_timeout):
            from ..migrate.status import status

            rep = status(conn, dialect, d, revisions_schema=schema or None, validate=False)
            if not rep.pending:
                yield True
                return
            version = current_version(conn, dialect, schema)
            info = self._take(conn, points, target.name, version)
            try:
                self.writer.record_durably(target.name, restore_point=info)
            except AtollError as exc:
                raise AtollError(f"{exc}; nothing was applied") from None
            try:
                yield True
            finally:
                end = EndState(current_version(conn, dialect, schema), points.state_hash(conn))
                try:
                    self.writer.record_durably(target.name, end=end)
                except AtollError:
                    # Without it the end state is unknown, which restore treats as changed:
                    # the restore point still puts the database back. The run's final save
                    # reports the write problem.
                    pass
                pause_at("apply:database-done")

    def _take(self, conn, points, name: str, version: str) -> RestorePointInfo:
        record = self.writer.record
        stem = _file_stem(self.backup_dir, name)
        try:
            point = points.take(conn, stem)
        except AtollError as exc:
            raise AtollError(f"restore point before migrating: {exc}; nothing was applied"
                             ) from None
        except Exception as exc:  # noqa: BLE001 - OSError, or the driver's error reading
            reason = (exc.strerror or str(exc)).lower() if isinstance(exc, OSError) else str(exc)
            where = getattr(exc, "filename", None) or stem + ".db"
            raise AtollError(f"restore point before migrating: {where}: {reason}; nothing was "
                             "applied") from None
        wal = None
        if point.wal is not None:
            wal = FileDigest(record.relative(point.wal.path), point.wal.sha256, point.wal.size)
        return RestorePointInfo(version=version, taken_at=now_text(),
                                path=record.relative(point.main.path),
                                sha256=point.main.sha256, bytes=point.main.size, wal=wal)

    def finished(self, result, report=None) -> None:
        """Record one database's outcome (``report``: its ApplyReport, when there is one)."""
        files = [f.version for f in report.applied] if report is not None else None
        values = dict(state=result.state, version_before=result.version_before,
                      version_after=result.version_after, statements=result.statements,
                      seconds=round(result.seconds, 6), error=result.error)
        if files is not None:
            values["files"] = files
        checks = getattr(result, "checks", None)
        if checks:
            values["checks"] = dict(checks)
        entry = self.writer.record.entry(result.target.name)
        if entry is not None and entry.restore_point is not None:
            # the fleet report shows it too: where this database's copy is
            result.restore_point = os.path.join(os.path.dirname(self.writer.record.path),
                                                entry.restore_point.path)
        self.writer.update(result.target.name, **values)

    def finish(self, results) -> None:
        """The end of the run: every database's outcome, the run's state and end time."""
        record = self.writer.record
        for r in results:
            entry = record.entry(r.target.name)
            if entry is not None and (entry.state in ("not-started", "running")
                                      or entry.state != r.state):
                self.finished(r)
        record.ended_at = now_text()
        record.state = "failed" if any(e.state != "ok" for e in record.databases) else "ok"
        self.writer.save(final=True)
