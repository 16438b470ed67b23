"""The per-database work of fleet commands: apply, status (with drift), set. Each job opens
its own connection, does its work strictly in order, and returns a ``TargetResult`` whose
``detail`` is the migrate package's own report."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

from ..dialects import dialect_for
from ..gotext import go_quote
from ..migrate.data_risk import RiskMeter, meter_for
from ..migrate.data_risk import summary as risk_summary
from ..migrate.directory import MigrationDir
from ..migrate.formats import open_dir, split_dir_url
from ..migrate.report import ReportEnv, go_url_json
from ..urls import parse_url
from .restore_points import RunTracker
from .runner import Target, TargetResult, stop_requested

NO_MIGRATION = "No migration applied yet"


class DirCache:
    """Migration directories read once per run and shared by every target (thread-safe)."""

    def __init__(self):
        self._dirs: dict[str, MigrationDir] = {}
        self._lock = threading.Lock()

    def get(self, dir_url: str) -> MigrationDir:
        path, fmt = split_dir_url(dir_url)
        key = f"{os.path.abspath(path)}?{fmt}"
        with self._lock:
            if key not in self._dirs:
                d = open_dir(os.path.abspath(path), fmt)
                d.validate()
                d.check_files()
                self._dirs[key] = d
            return self._dirs[key]


def report_env(url_text: str, dir_url: str, dialect) -> ReportEnv:
    return ReportEnv(driver=dialect.name, url=go_url_json(url_text), dir=dir_url)


@dataclass
class ApplyOptions:
    amount: int | None = None
    dry_run: bool = False
    tx_mode: str = "file"
    allow_dirty: bool = False
    lock_timeout: float = 10.0
    run: RunTracker | None = None  # keeps the run record and takes restore points
    operator_version: str = "atoll"
    to_version: str | None = None
    # A fleet keeps only each database's summary row, so memory stays flat with its size;
    # the full report is kept for one database and for dry runs (their SQL is printed).
    keep_report: bool = True
    data_loss: str = "warn"  # "refuse": a database with data at risk is not touched
    preflighted: bool = False  # phase 1 already measured every database


def apply_job(dirs: DirCache, options: ApplyOptions) -> Callable:
    def job(target: Target, step: Callable[[str], None]) -> TargetResult:
        start = time.perf_counter()
        d, dir_url, dialect, connection = open_target(dirs, target, read_only=options.dry_run)
        run = options.run if not options.dry_run else None
        with connection as conn:
            if options.data_loss == "refuse" and not options.preflighted and not options.dry_run:
                refused = refused_before_change(conn, dialect, d, target, dir_url, options)
                if refused is not None:
                    if run:
                        run.finished(refused)
                    return refused
            meter = meter_for(dialect, refuse=options.data_loss == "refuse")
            with (run.guard(conn, dialect, d, target) if run else nullcontext(False)) as locked:
                report = apply_on(conn, dialect, d, target, dir_url, options, meter,
                                  lock=not locked)
        result = apply_result(target, report, options, start)
        if meter is not None and meter.found:
            result.data_risk = meter.found
        if run:
            run.finished(result, report)
        return result

    return job


def open_target(dirs: DirCache, target: Target, read_only: bool = False):
    """What an apply job starts from: the target's migration directory, the URL naming it,
    the dialect, and a new connection (a context manager; read-only for a dry run)."""
    dir_url = target.settings.get("dir") or "file://migrations"
    url = parse_url(target.url)
    dialect = dialect_for(url)
    connect = dialect.connect_read_only if read_only else dialect.connect
    return dirs.get(dir_url), dir_url, dialect, connect(url)


def apply_on(conn, dialect, d: MigrationDir, target: Target, dir_url: str,
             options: ApplyOptions, meter: RiskMeter | None = None, lock: bool = True):
    """``migrate apply`` of one target's pending files over ``conn`` (the real database, or
    a trial of it): the one place a fleet job calls the executor."""
    from ..migrate.executor import apply

    s = target.settings
    return apply(
        conn, dialect, d, amount=options.amount, baseline=s.get("baseline") or None,
        tx_mode=options.tx_mode, allow_dirty=options.allow_dirty,
        exec_order=s.get("exec_order") or "linear", dry_run=options.dry_run,
        to_version=options.to_version, should_stop=stop_requested,
        revisions_schema=s.get("revisions_schema") or None,
        lock_timeout=options.lock_timeout, operator_version=options.operator_version,
        env=report_env(target.url, dir_url, dialect), validate=False,
        before_statement=meter, lock=lock)


def apply_result(target: Target, report, options: ApplyOptions, start: float) -> TargetResult:
    files = len(report.applied)
    stmts = sum(len(f.applied) for f in report.applied)
    state = "failed" if report.error else ("dry-run" if options.dry_run else "ok")
    if report.stopped and not report.error:
        state = "stopped"
    after = report.current
    if report.applied and not report.error and not options.dry_run:
        after = report.applied[-1].version
    elif report.applied and report.error:
        done = [f for f in report.applied if f.error is None]
        after = done[-1].version if done else report.current
    return TargetResult(target, state, version_before=report.current, version_after=after,
                        files=files, statements=stmts, seconds=time.perf_counter() - start,
                        error=report.error or ("stopped after its current file: another "
                                               "database failed" if report.stopped else ""),
                        detail=report if options.keep_report or options.dry_run else None)


def try_target(conn, dialect, d, target: Target, dir_url: str, options: ApplyOptions,
               method: str | None = None):
    """The target's pending files on its real data, nothing kept: (report, data at risk)."""
    trial_options = dataclasses.replace(options, dry_run=False, run=None)
    meter = meter_for(dialect)
    trial = dialect.trial(conn, method) if method else dialect.trial(conn)
    with trial as tried:
        report = apply_on(tried, dialect, d, target, dir_url, trial_options, meter)
    return report, (meter.found if meter is not None else [])


def refused_before_change(conn, dialect, d, target: Target, dir_url: str,
                          options: ApplyOptions) -> TargetResult | None:
    """``--data-loss=refuse`` without a preflight: try this database first; a failed result
    (the database untouched) when its pending files would lose or break data."""
    start = time.perf_counter()
    _report, found = try_target(conn, dialect, d, target, dir_url, options)
    if not found:
        return None
    return TargetResult(target, "failed", seconds=time.perf_counter() - start,
                        error=refusal(found) + "; nothing was changed", data_risk=found)


def refusal(found) -> str:
    return f"data at risk, refused (--data-loss=refuse): {risk_summary(found)}"


def applied_version(rep) -> str:
    """The version a status report says the database is at, "" when nothing is applied
    (``rep.current`` then holds Atlas's display text "No migration applied yet")."""
    if not rep.applied or rep.current == NO_MIGRATION:
        return ""
    return rep.current


@dataclass
class DriftChecker:
    """Is a database's schema what its migration history says it should be? The expected
    schema for each (directory, version) is built once on the dev database and shared."""

    dev_url: str
    _expected: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def expected(self, d: MigrationDir, version: str, realm: bool = False):
        """The schema (or, for a realm-scoped database, the realm) the directory's files up
        to ``version`` produce on the dev database."""
        from ..migrate.executor import replay
        from ..states import dev_database

        key = (d.path, version, realm)
        with self._lock:
            if key not in self._expected:
                with dev_database(self.dev_url) as (dialect, conn):
                    if version:
                        replay(conn, dialect, d, to_version=version, validate=False)
                    self._expected[key] = dialect.inspect_realm(conn) if realm \
                        else dialect.inspect(conn)
            return self._expected[key]

    def drift(self, conn, dialect, d: MigrationDir, version: str) -> list:
        """The changes that would turn the expected schema into the actual one."""
        if dialect.realm_scoped(conn.url):
            from ..realm import guard_revisions

            expected, actual = guard_revisions(self.expected(d, version, realm=True),
                                               dialect.inspect_realm(conn), desired_urls=())
            return dialect.diff_realm(expected, actual)
        actual = dialect.inspect(conn, exclude=["atlas_schema_revisions"])
        expected = self.expected(d, version)
        return dialect.diff(expected, actual)


def drift_lines(dialect, changes) -> list[str]:
    """Drift as the comments of the statements that would repair it (``Create "hack" table``),
    without the foreign-key pragma wrap."""
    if not changes:
        return []
    from ..schema.changes import AddSchema, DropSchema, InSchema

    realm = any(isinstance(c, (AddSchema, DropSchema, InSchema)) for c in changes)
    statements = dialect.plan_realm(changes) if realm else dialect.plan(changes)
    return [st.comment for st in statements if st.comment and "foreign-keys" not in st.comment]


def describe_changes(lines: list[str], limit: int = 3) -> str:
    """``create "hack" table, add column "x" to table: "t" (+2 more)``: drift in one line."""
    text = ", ".join(line[:1].lower() + line[1:] for line in lines[:limit])
    return text + (f" (+{len(lines) - limit} more)" if len(lines) > limit else "")


def partial_note(rep) -> str:
    """A last file that did not complete, in one line for the fleet table: how far it got,
    then the failing statement and the error, or that the attempt stopped without one (the
    process was killed, the connection lost)."""
    version = rep.applied[-1].version
    text = f"{rep.count} of {rep.total} statements of version {version} applied; "
    if rep.error:
        return text + f"failed at {go_quote(rep.sql)}: {rep.error}"
    return text + "the last attempt stopped without an error (interrupted)"


def status_job(dirs: DirCache, drift: DriftChecker | None, brief: bool = False) -> Callable:
    """``brief``: for a fleet's table, which shows a summary row per database: the revisions
    are read without their times and hashes, and the full report is not kept."""
    from ..migrate.history_check import changed_after_apply_note, first_changed_after_apply
    from ..migrate.status import status

    def job(target: Target, step: Callable[[str], None]) -> TargetResult:
        s = target.settings
        dir_url = s.get("dir") or "file://migrations"
        d = dirs.get(dir_url)
        url = parse_url(target.url)
        dialect = dialect_for(url)
        with dialect.connect_read_only(url) as conn:
            rep = status(conn, dialect, d, revisions_schema=s.get("revisions_schema") or None,
                         env=report_env(target.url, dir_url, dialect), validate=False,
                         brief=brief)
            changes = []
            version = applied_version(rep)
            if drift is not None and not rep.error and not rep.total:  # not half-applied
                changes = drift.drift(conn, dialect, d, version)
        error = partial_note(rep) if rep.total else rep.error
        changed = first_changed_after_apply(d, rep.applied) if not error else None
        if error:
            state = "errored"
        elif changes or changed:
            state = "drifted"
        elif rep.pending:
            state = "behind"
        else:
            state = "ok"
        return TargetResult(target, state, version_before=version, version_after=version,
                            files=len(rep.pending), error=error,
                            detail=None if brief else rep,
                            pending_files=[f.name for f in rep.pending], drift=changes,
                            drift_lines=drift_lines(dialect, changes),
                            history_note=changed_after_apply_note(changed) if changed else "")

    return job


def set_job(dirs: DirCache, version_args: list[str], operator_version: str) -> Callable:
    from ..migrate.set_version import set_version

    def job(target: Target, step: Callable[[str], None]) -> TargetResult:
        s = target.settings
        d = dirs.get(s.get("dir") or "file://migrations")
        url = parse_url(target.url)
        dialect = dialect_for(url)
        with dialect.connect(url) as conn:
            rep = set_version(conn, dialect, d, version_args,
                              revisions_schema=s.get("revisions_schema") or None,
                              operator_version=operator_version, validate=False)
        return TargetResult(target, "ok", detail=rep)

    return job
