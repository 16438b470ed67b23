"""Run one job on many databases: a bounded pool, strictly ordered work inside each database,
fail-fast or continue-on-error, and a result per database. A plain ``--url`` is a fleet of one
and goes through the same code.

Threads, not processes: the work is SQLite file I/O and server round trips, during which
``sqlite3`` and the drivers release the GIL, and threads share the parsed migration directory.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from ..urls import mask_password

DEFAULT_PARALLEL = 8


@dataclass(frozen=True, slots=True)
class Target:
    """One database of a fleet. ``name`` is the env instance name (``sharding_1``) or the
    masked URL when no env names it; ``settings`` carries per-target values (dir, baseline…)."""

    name: str
    url: str
    settings: dict = field(default_factory=dict, compare=False, hash=False)
    group: str = ""
    key: str = ""  # the partition key when the name alone is not stable (fleet/partition.py)
    # The env instance the target came from (its free-form attributes feed schema files).
    env: object = field(default=None, compare=False, hash=False)

    @property
    def display_url(self) -> str:
        return mask_password(self.url)


@dataclass(slots=True)
class TargetResult:
    """One database's outcome. A fleet keeps one per database until its report is printed,
    so it holds short values only: the versions are interned (10,000 databases share a few
    of them) and the empty collections are one shared tuple."""

    target: Target
    state: str  # "ok", "failed", "skipped", "dry-run", "pending" (not scheduled)
    version_before: str = ""
    version_after: str = ""
    files: int = 0
    statements: int = 0
    seconds: float = 0.0
    error: str = ""
    detail: object = None  # the command's own report (ApplyReport, StatusReport, …)
    # migrate status only (None elsewhere): the pending files' names, and the schema changes
    # made outside the migration history (drift), each as its planned change's comment
    pending_files: Sequence[str] | None = None
    drift: Sequence = ()
    drift_lines: Sequence[str] | None = None
    restore_point: str | None = None  # migrate apply with --backup-dir: the copy taken before
    data_risk: Sequence = ()  # migrate.data_risk.AtRisk, counts > 0
    # migrate status: an applied file edited since it ran (migrate/history_check.py)
    history_note: str = ""

    def __post_init__(self) -> None:
        if type(self.version_before) is str:
            self.version_before = sys.intern(self.version_before)
        if type(self.version_after) is str:
            self.version_after = sys.intern(self.version_after)

    @property
    def failed(self) -> bool:
        return self.state == "failed"


class Progress:
    """Receives events from the runner; the CLI picks a terminal or plain implementation."""

    def started(self, target: Target) -> None: ...

    def step(self, target: Target, message: str) -> None: ...

    def finished(self, result: TargetResult) -> None: ...

    def close(self) -> None: ...


@dataclass
class FleetOptions:
    parallel: int = DEFAULT_PARALLEL
    continue_on_error: bool = False
    # In a staged rollout: does a failure in this group stop the later groups? A deployment
    # group's ``on_error = FAIL`` does, even when --continue-on-error lets the rest of the
    # group go on (a canary that cannot stop the rollout is no canary).
    halt_rollout: bool | None = None  # None: as continue_on_error says
    # A deployment group's ``max_failures = k``: after k failed databases no new one starts,
    # running ones stop after their current file, and the rollout halts.
    max_failures: int | None = None


Job = Callable[[Target, Callable[[str], None]], TargetResult]

_local = threading.local()


def stop_requested() -> bool:
    """For a job running in a fleet: has another database failed (fail-fast)? A job checks it
    between units of work (migration files) and stops at the next boundary."""
    event = getattr(_local, "stop", None)
    return event is not None and event.is_set()


def run_fleet(targets: Sequence[Target], job: Job, options: FleetOptions,
              progress: Progress | None = None) -> list[TargetResult]:
    """Run ``job`` on every target, at most ``options.parallel`` at once. Results come back
    in target order; the caller closes ``progress``. After a failure without
    ``continue_on_error`` no new target starts, running ones stop after their current file
    (a job asks :func:`stop_requested`), and the rest are reported as ``skipped``."""
    progress = progress or Progress()
    results: list[TargetResult | None] = [None] * len(targets)
    stop = threading.Event()
    failures = 0
    not_started = "not started: an earlier database failed"

    def run_one(target: Target) -> TargetResult:
        progress.started(target)
        start = time.perf_counter()
        _local.stop = stop
        try:
            result = job(target, lambda msg: progress.step(target, msg))
        except Exception as exc:  # one database's failure never takes the fleet down
            from ..errors import AtollError

            message = str(exc) if isinstance(exc, AtollError) else f"{type(exc).__name__}: {exc}"
            result = TargetResult(target, "failed", error=message)
        finally:
            _local.stop = None
        if not result.seconds:
            result.seconds = time.perf_counter() - start
        progress.finished(result)
        return result

    workers = max(1, min(options.parallel, len(targets) or 1))
    next_up = 0  # the next target to start: at most ``workers`` are ever submitted
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="atoll-fleet") as pool:
        running: dict[Future, int] = {}
        while next_up < len(targets) or running:
            while next_up < len(targets) and len(running) < workers and not stop.is_set():
                running[pool.submit(run_one, targets[next_up])] = next_up
                next_up += 1
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                i = running.pop(fut)
                results[i] = fut.result()
                failures += results[i].failed
                if results[i].failed and not options.continue_on_error:
                    stop.set()
                elif options.max_failures and failures >= options.max_failures \
                        and not stop.is_set():
                    stop.set()
                    not_started = (f"not started: max_failures = {options.max_failures} "
                                   "reached")
        for i in range(next_up, len(targets)):
            results[i] = TargetResult(targets[i], "skipped", error=not_started)
    return results


def run_groups(groups: Sequence[tuple[str, Sequence[Target], FleetOptions]], job: Job,
               progress: Progress | None = None) -> list[TargetResult]:
    """A staged rollout: groups run one after another (canary first); a failing group whose
    options say fail stops the rollout, and later groups are reported as skipped."""
    out: list[TargetResult] = []
    halted = ""  # why the later groups do not start
    for name, targets, options in groups:
        if halted:
            out.extend(TargetResult(t, "skipped", error=halted) for t in targets)
            continue
        results = run_fleet(targets, job, options, progress)
        out.extend(results)
        halt = (not options.continue_on_error if options.halt_rollout is None
                else options.halt_rollout)
        failures = sum(r.failed for r in results)
        if options.max_failures and failures >= options.max_failures:
            halted = (f'not started: group "{name}" reached max_failures = '
                      f"{options.max_failures}")
        elif halt and failures:
            halted = "not started: an earlier group failed"
    return out
