"""Phase 1 of an all-or-nothing fleet run (``migrate apply --preflight``): every target's
pending files run on that target's real data through the same executor and checks as the
real run, inside the dialect's trial (SQLite: a private copy; PostgreSQL: a rolled-back
transaction), so nothing is kept. Phase 2, the normal apply, starts only when every target
passed; otherwise no database has been changed."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

from ..dialects import dialect_for
from ..errors import AtollError
from .jobs import ApplyOptions, DirCache, apply_result, open_target, refusal, try_target
from .runner import Target, TargetResult

CHECKED = "checked"  # the state of a target whose trial passed


def check_trials_supported(targets: Sequence[Target]) -> None:
    """Refuse before anything runs when some target's engine cannot try and roll back."""
    for t in targets:
        reason = dialect_for(t.url).trial_unsupported
        if reason:
            raise AtollError(f"--preflight cannot check {t.name}: {reason}; "
                             "run without --preflight")


def check_risk_measurable(targets: Sequence[Target]) -> None:
    """``--data-loss=refuse`` needs every target's engine to count data at risk."""
    for t in targets:
        dialect = dialect_for(t.url)
        if dialect.risk_probe() is None:
            raise AtollError(f"--data-loss=refuse cannot measure data at risk on {t.name}: "
                             f"not available for {dialect.name} databases yet")
        if dialect.trial_unsupported:
            raise AtollError(f"--data-loss=refuse cannot check {t.name} before changing it: "
                             f"{dialect.trial_unsupported}")


def preflight_job(dirs: DirCache, options: ApplyOptions, method: str | None = None) -> Callable:
    """The phase-1 job: the target's pending files, tried and thrown away, with their data
    at risk counted. ``method`` picks the dialect's trial kind where it has several (SQLite:
    "copy" or "transaction")."""

    def job(target: Target, step: Callable[[str], None]) -> TargetResult:
        start = time.perf_counter()
        d, dir_url, dialect, connection = open_target(dirs, target)
        with connection as conn:
            try:
                report, found = try_target(conn, dialect, d, target, dir_url, options, method)
            except AtollError as exc:  # raised by the trial itself (a foreign-key check)
                return TargetResult(target, "failed", seconds=time.perf_counter() - start,
                                    error=f"preflight: {exc}")
        result = apply_result(target, report, dataclasses.replace(options, dry_run=False),
                              start)
        result.version_after = result.version_before  # nothing was kept
        result.data_risk = found
        if result.failed:
            result.error = "preflight: " + failure_text(report)
        elif found and options.data_loss == "refuse":
            result.state, result.error = "failed", "preflight: " + refusal(found)
        elif result.state == "ok":
            result.state = CHECKED
        return result

    return job


def failure_text(report) -> str:
    """Which file, which statement, which error: one line."""
    from ..migrate.executor import StmtExecError

    exc = report.exception
    if isinstance(exc, StmtExecError):
        stmt = " ".join(exc.stmt.split())
        return f"{exc.file.name}: {exc.db_error} (statement: {stmt})"
    return report.error


def summary(results: Sequence[TargetResult]) -> str:
    failed = [r for r in results if r.failed]
    if not failed:
        return f"preflight: all {len(results)} database(s) passed"
    return (f"preflight: {len(failed)} of {len(results)} database(s) failed; "
            "no database was changed")
