"""``atoll migrate down``: revert the last N applied files (or down to ``--to-version``) by
planning from the live database to the directory's state at the target version. One database
prints the revert as ``migrate apply`` prints a migration; a fleet (``--env`` with
``for_each`` or a ``deployment``) reverts every database in parallel and prints one table."""

from __future__ import annotations

import time

import click

from ..errors import AtollError
from .options import invocation, parse_amount, parse_duration, project_options
from .shared import print_fleet, run_targets


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def render_down(r) -> str:
    """The text of one database's revert (also a dry run's plan)."""
    from ..migrate.report import go_duration

    if not r.current:
        return "No migration applied yet, nothing to revert\n"
    if not r.reverted:
        return f"Nothing to revert: the database is at version {r.current}\n"
    to = f"version {r.target}" if r.target else "before the first migration"
    out = [f"Migrating down from version {r.current} to {to} "
           f"({_plural(len(r.reverted), 'migration')} in total):\n\n"]
    if r.checks:
        out.append("  -- checks before migrating down\n")
        for c in r.checks:
            out.append(f"    -> {c}\n")
        out.append("  -- refused: the revert would delete data\n\n" if r.refused
                   else "  -- ok\n\n")
    if r.refused and not r.dry_run:
        return "".join(out)
    out.append("  -- planned statements\n" if r.dry_run else "  -- migrating down\n")
    for st in r.statements:
        out.append(f"    -> {st.sql};\n")
    if r.dry_run:
        return "".join(out)
    out.append(f"  -- error: {r.error}\n" if r.error else f"  -- ok ({go_duration(int(r.seconds * 1e9))})\n")
    out.append(f"\n  -------------------------\n  -- {go_duration(int(r.seconds * 1e9))}\n"
               f"  -- {_plural(len(r.reverted), 'migration')}\n"
               f"  -- {_plural(len(r.statements), 'sql statement')}\n")
    return "".join(out)


def refusal(r) -> str:
    return ("migrate down would delete data: " + "; ".join(str(c) for c in r.checks if c.rows)
            + "; nothing was changed")


def down_job(dirs, expected, *, amount, to_version, dry_run, lock_timeout):
    from ..dialects import dialect_for
    from ..fleet.runner import TargetResult
    from ..migrate.down import migrate_down
    from ..urls import parse_url

    def job(target, step):
        s = target.settings
        d = dirs.get(s.get("dir") or "file://migrations")
        url = parse_url(target.url)
        dialect = dialect_for(url)
        start = time.perf_counter()
        with dialect.connect(url) as conn:
            r = migrate_down(conn, dialect, d, expected, amount=amount, to_version=to_version,
                             dry_run=dry_run, revisions_schema=s.get("revisions_schema") or None,
                             lock_timeout=lock_timeout)
        error = refusal(r) if r.refused else r.error
        state = "failed" if error else "dry-run" if dry_run and r.reverted else "ok"
        after = r.current if (dry_run or error) else r.target
        return TargetResult(target, state, version_before=r.current, version_after=after,
                            files=len(r.reverted), statements=len(r.statements),
                            seconds=time.perf_counter() - start, error=error, detail=r)

    return job


@click.command("down")
@click.argument("amount", required=False)
@click.option("-u", "--url", default="", help="[driver://username:password@address/dbname?param=value] select a resource using the URL format")
@click.option("--dir", default="file://migrations", help="select migration directory using URL format")
@click.option("--dir-format", default="atlas", help="select migration file format")
@click.option("--dev-url", default="", help="[driver://username:password@address/dbname?param=value] select a dev database using the URL format")
@click.option("--to-version", default="", help="revert to this version (the files after it are reverted)")
@click.option("--dry-run", is_flag=True, help="print the planned changes and checks without executing them")
@click.option("--revisions-schema", default="", help="name of the schema the revisions table resides in")
@click.option("--format", "format_", default="", help="[atoll] json: the fleet report as JSON")
@click.option("--lock-timeout", default="10s", help="set how long to wait for the database lock")
@click.option("--parallel", type=click.IntRange(min=1), default=None,
              help="[atoll] how many databases to work on at once (default 8)")
@click.option("--continue-on-error", is_flag=True,
              help="[atoll] go on with the other databases after one fails")
@project_options
@click.pass_context
def down_cmd(ctx: click.Context, amount, **_):
    """Revert applied migration files, planned from the database's current state to the
    directory's state at the target version. AMOUNT is how many of the last applied files to
    revert (default 1); --to-version names the version to go back to instead."""
    inv = invocation(ctx, "migrate down", multi_env=True)
    if amount is not None and inv.get("to_version"):
        raise AtollError("give either an amount or --to-version, not both")
    n = parse_amount(amount, "revert")
    dev = inv.get("dev_url")
    if not dev:
        raise AtollError('required flag(s) "dev-url" not set: migrate down replays the '
                         "directory on a dev database to know the target state")
    from ..fleet.jobs import DirCache, DriftChecker
    from ..fleet.targets import build_targets

    dirs = DirCache()
    targets = build_targets(inv, keep_envs=False)
    for t in targets:  # a broken directory is the command's error, before any database moves
        dirs.get(t.settings.get("dir") or "file://migrations")
    from ..realm import realm_url

    if any(realm_url(t.url) for t in targets) and not realm_url(dev):
        raise AtollError("migrate down on a URL naming a whole database (no schema) plans "
                         "over every schema: the dev URL must name a whole database too")
    expected = DriftChecker(dev).expected
    job = down_job(dirs, expected, amount=n, to_version=inv.get("to_version") or None,
                   dry_run=bool(inv.get("dry_run")),
                   lock_timeout=parse_duration(inv.get("lock_timeout", "10s")))
    if len(targets) == 1:
        result = job(targets[0], lambda _m: None)
        click.echo(render_down(result.detail), nl=False)
        if result.error:
            raise AtollError(result.error)
        return
    results = run_targets(inv, targets, job)
    print_fleet(inv, results)

