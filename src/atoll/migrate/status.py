"""``migrate status``: compare a database's revisions with the migration directory. Reads only:
it neither locks nor creates the revisions table."""

from __future__ import annotations

from ..errors import MigrationError
from ..gotext import go_quote
from .directory import MigrationDir, load_dir
from .executor import HistoryNonLinearError, compute_pending
from .report import ReportEnv, StatusReport
from .revisions import TYPE_RESOLVED, RevisionStore, revisions_hook


def status(conn, dialect, dir: MigrationDir | str, *, revisions_schema: str | None = None,
           env: ReportEnv | None = None, validate: bool = True,
           brief: bool = False) -> StatusReport:
    """Build the status report (render it with :func:`~atoll.migrate.report.render_status`
    or :func:`~atoll.migrate.report.status_json`). Raises ``ChecksumError`` for a broken
    directory and the not-clean error for a database with a revisions table, no rows and
    other tables, like Atlas. ``brief``: the applied revisions may lack their times, hashes
    and operator (a fleet's summary row needs none of them)."""
    d = dir if isinstance(dir, MigrationDir) else load_dir(dir)
    if validate:
        d.validate()
    hook = revisions_hook(dialect)
    store = RevisionStore(conn, dialect, revisions_schema, hook)
    rep = StatusReport(env=env or ReportEnv(driver=dialect.name))
    if not store.exists():
        rep.available = d.files_from_last_checkpoint()
        rep.pending = rep.available
    else:
        rep.applied = store.read_all(brief=brief)
        try:
            rep.pending = compute_pending(
                d, rep.applied, exec_order="linear",
                clean_reason=lambda: hook.not_clean_reason(hook.user_tables(conn)))
        except HistoryNonLinearError as err:
            rep.error = str(err)
            rep.status = "PENDING"
            rep.pending = err.pending
            rep.out_of_order = err.out_of_order
            rep.current = rep.applied[-1].version
            return rep
        rep.available = rep.pending if not rep.applied else list(d.files)
    if len(rep.pending) == len(rep.available):
        rep.current = "No migration applied yet"
    else:
        rep.current = rep.applied[-1].version
    if not rep.pending:
        rep.status, rep.next = "OK", "Already at latest version"
    else:
        rep.status, rep.next = "PENDING", rep.pending[0].version
    if rep.applied:
        last = rep.applied[-1]
        if not last.type & TYPE_RESOLVED and last.applied < last.total:
            rep.sql = last.error_stmt.replace("\n", " ")
            rep.error = last.error.replace("\n", " ")
            rep.count = last.applied
            f = next((f for f in reversed(rep.available) if f.version == last.version), None)
            if f is None:
                raise MigrationError(f"migration file with version {go_quote(last.version)} "
                                     f"not found")
            rep.total = len(dialect.split(f.sql))
    return rep
