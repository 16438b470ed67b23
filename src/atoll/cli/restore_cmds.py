"""Run records and restore points on the command line: what ``migrate apply`` needs to keep
a run record (``--backup-dir``, ``--run-dir``, ``--backup-keep``, ``--resume``), and
``atoll migrate restore --run ID``, which puts back the databases a run changed."""

from __future__ import annotations

import os
import sys

import click

from ..errors import AtollError
from .options import invocation, parse_duration, project_options
from .shared import print_fleet, run_targets


def run_options(fn):
    """``migrate apply``'s flags for run records and restore points."""
    fn = click.option("--resume", default="", help="[atoll] re-run only the databases this "
                      "run (id, 'latest' or run.json path) left failed or not started")(fn)
    fn = click.option("--backup-keep", default="", help="[atoll] keep restore points of this "
                      "many runs (of the same env or URL); prune older ones")(fn)
    fn = click.option("--run-dir", default="", help="[atoll] write the run record here "
                      "(default: the backup dir)")(fn)
    fn = click.option("--backup-dir", default="", help="[atoll] take a restore point of each "
                      "database with pending files here, one folder per run")(fn)
    return fn


def env_attr(inv, name):
    env = inv.env or (inv.envs[0] if inv.envs else None)
    extra = getattr(env, "extra", None) or {}
    return extra.get(name)


def run_dirs(inv) -> tuple[str, str]:
    """(run dir, backup dir): flags first, then the env's ``run_dir`` / ``backup_dir``."""
    backup = inv.get("backup_dir") or env_attr(inv, "backup_dir") or ""
    run = inv.get("run_dir") or env_attr(inv, "run_dir") or backup
    return str(run), str(backup)


def run_scope(inv) -> str:
    """Which databases the command named: a run's restore and resume must name the same."""
    if inv.envs:
        config = getattr(inv.project, "path", "") or inv.get("config") or ""
        config = config.removeprefix("file://")
        return f"env:{inv.get('env')}@{os.path.abspath(config)}"
    from ..urls import mask_password

    return f"url:{mask_password(str(inv.get('url') or ''))}"


def _keep(inv) -> int | None:
    text = inv.get("backup_keep") or env_attr(inv, "backup_keep")
    if text in (None, ""):
        return None
    try:
        keep = int(str(text))
    except ValueError:
        keep = 0
    if keep < 1:
        raise AtollError(f'--backup-keep must be a whole number of runs, at least 1 (got "{text}")')
    return keep


def resume_targets(inv, targets):
    """With ``--resume RUN``: the targets that run left failed or not started."""
    run = inv.get("resume")
    if not run:
        return targets, None
    from ..fleet.run_record import UNFINISHED, find

    run_dir, backup_dir = run_dirs(inv)
    scope = run_scope(inv)
    prior = find(run, [run_dir, backup_dir], scope, with_points=False)
    if prior.scope != scope:
        raise AtollError(f"run {prior.id} was for {prior.scope.partition(':')[2]}, not "
                         f"{scope.partition(':')[2]}")
    todo = {e.name for e in prior.databases if e.state in UNFINISHED}
    return [t for t in targets if t.name in todo], prior.id


def start_run(inv, targets, *, dry_run: bool, lock_timeout: float, resumed_from=None):
    """The run's tracker (its record created on disk), or None when the command keeps no
    run record (no backup or run dir, or a dry run)."""
    keep = _keep(inv)
    run_dir, backup_dir = run_dirs(inv)
    if dry_run or not (run_dir or backup_dir):
        return None
    from ..fleet.restore_points import RunTracker
    from ..fleet.run_record import (
        RECORD_FILE, DatabaseEntry, RecordWriter, RunRecord, create_run_dirs, mask_argv, now_text)

    run_id = create_run_dirs([run_dir] + ([backup_dir] if backup_dir else []))
    record = RunRecord(
        id=run_id, command="migrate apply", argv=mask_argv(sys.argv[1:]), scope=run_scope(inv),
        started_at=now_text(), resumed_from=resumed_from,
        backup_dir=os.path.abspath(backup_dir) if backup_dir else None,
        databases=[DatabaseEntry(name=t.name, url=t.display_url, group=t.group,
                                 dir=str(t.settings.get("dir") or "file://migrations"))
                   for t in targets])
    record.path = os.path.join(run_dir, run_id, RECORD_FILE)
    writer = RecordWriter(record)
    writer.save()
    return RunTracker(writer, os.path.join(backup_dir, run_id) if backup_dir else None,
                      lock_timeout, keep)


def finish_run(tracker, results) -> None:
    if tracker is None:
        return
    tracker.finish(results)
    if tracker.keep:
        from ..fleet.run_record import prune

        prune(tracker.writer.record, tracker.keep)


@click.command("restore")
@click.option("--run", "run", required=True, help="[atoll] the run to undo: its id, 'latest', "
              "or the path of its run.json")
@click.option("-u", "--url", default="", help="[driver://username:password@address/dbname?param=value] select a resource using the URL format")
@click.option("--revisions-schema", default="", help="name of the schema the revisions table resides in")
@click.option("--backup-dir", default="", help="[atoll] where the run's restore points are")
@click.option("--run-dir", default="", help="[atoll] where the run's record is (default: the backup dir)")
@click.option("--force", is_flag=True, help="[atoll] restore databases that changed since the run")
@click.option("--lock-timeout", default="10s", help="set how long to wait for the database lock")
@click.option("--format", "format_", default="", help="'json' for a JSON report")
@click.option("--parallel", type=click.IntRange(min=1), default=None,
              help="[atoll] how many databases to work on at once (default 8)")
@project_options
@click.pass_context
def restore_cmd(ctx: click.Context, run, **_):
    """Put back the databases a `migrate apply` run changed, byte for byte as they were
    before it, from its restore points."""
    inv = invocation(ctx, "migrate restore", multi_env=True)
    from ..fleet.restore import restore_job
    from ..fleet.run_record import find
    from ..fleet.targets import build_targets

    targets = build_targets(inv, keep_envs=False)
    run_dir, backup_dir = run_dirs(inv)
    record = find(run, [run_dir, backup_dir], run_scope(inv))
    changed = [e for e in record.databases if e.changed]
    if not changed:
        click.echo(f"Run {record.id} changed no database: nothing to restore")
        return
    by_name = {t.name: t for t in targets}
    chosen = [by_name[e.name] for e in changed if e.name in by_name]
    if not chosen:
        raise AtollError(f"run {record.id} changed {', '.join(e.name for e in changed)}; the "
                         "command names none of them")
    lock_timeout = parse_duration(inv.get("lock_timeout", "10s"))
    inv.values["continue_on_error"] = True  # check (and restore) every database, not the first
    checks = run_targets(inv, chosen, restore_job(record, force=bool(inv.get("force")),
                                           lock_timeout=lock_timeout, check_only=True))
    if any(r.failed for r in checks):
        click.echo(f"Nothing restored: not every database of run {record.id} can be", err=True)
        _print_restore(inv, checks)  # exits 1
    click.echo(f"Restoring {len(chosen)} database(s) changed by run {record.id}", err=True)
    results = run_targets(inv, chosen, restore_job(record, force=bool(inv.get("force")),
                                                   lock_timeout=lock_timeout, check_only=False))
    _print_restore(inv, results)


def _print_restore(inv, results) -> None:
    from ..fleet import report

    headers = ("DATABASE", "URL", "VERSION", "STATE", "TIME", "ERROR")
    rows = []
    for r, (name, url, _v, _files, _stmts, state, time, error) in zip(results,
                                                                      report.rows(results)):
        before, after = r.version_before or "-", r.version_after or "-"
        version = before if before == after or r.failed else f"{before} → {after}"
        rows.append((name, url, version, state, time, error))
    print_fleet(inv, results, headers=headers, rows=rows, failing=("failed", "skipped"))
