"""``atoll migrate …``: parse flags, call the migrate package (through the fleet runner for
commands that act on databases), print Atlas's texts. A single database prints exactly what
Atlas prints; several databases (an env with ``for_each``) print one fleet table."""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import AtollError
from ..migrate.data_risk import check_mode
from .formats import parse_format
from .options import (
    csv_slice,
    invocation,
    parse_amount,
    parse_duration,
    partition_option,
    project_options,
)
from .restore_cmds import env_attr, finish_run, resume_targets, run_options, start_run
from .shared import diff_options, print_fleet, run_targets
from .template_structs import MIGRATE_APPLY, MIGRATE_STATUS

OPERATOR = f"atoll v{__version__}"


def _dir_option(fn):
    return click.option("--dir", default="file://migrations",
                        help="select migration directory using URL format")(fn)


def _dir_format_option(fn):
    return click.option("--dir-format", default="atlas",
                        help="select migration file format")(fn)


def _dir_url(inv) -> str:
    """The ``--dir`` URL, with ``--dir-format`` (or the env's format) folded into it."""
    return inv.get("dir") or "file://migrations"


def _dir(inv) -> str:
    from ..fleet.targets import dir_path

    return dir_path(_dir_url(inv))


def _open(inv):
    """The migration directory, read as its format."""
    from ..migrate.formats import open_dir

    return open_dir(_dir_url(inv))


def _fleet_options(fn):
    fn = click.option("--parallel", type=click.IntRange(min=1), default=None,
                      help="[atoll] how many databases to work on at once (default 8)")(fn)
    fn = click.option("--continue-on-error", is_flag=True,
                      help="[atoll] go on with the other databases after one fails")(fn)
    return partition_option(fn)


# --- apply ---------------------------------------------------------------------------------

@click.command("apply")
@click.argument("amount", required=False)
@click.option("-u", "--url", default="", help="[driver://username:password@address/dbname?param=value] select a resource using the URL format")
@_dir_option
@click.option("--format", "--log", "format_", default="", help="json for a JSON report, or a Go template run on it ('{{ json . }}')")
@click.option("--revisions-schema", default="", help="name of the schema the revisions table resides in")
@click.option("--dry-run", is_flag=True, help="print SQL without executing it")
@click.option("--lock-timeout", default="10s", help="set how long to wait for the database lock")
@click.option("--baseline", default="", help="start the first migration after the given baseline version")
@click.option("--tx-mode", default="file", help='set transaction mode ["none", "file", "all"]')
@click.option("--exec-order", default="linear", help='set file execution order ["linear", "linear-skip", "non-linear"]')
@click.option("--allow-dirty", is_flag=True, help="allow start working on a non-clean database")
@click.option("--to-version", default="", help="apply pending files up to and including this version")
@click.option("--preflight", is_flag=True, help="[atoll] first try every pending file on every database without keeping anything; apply only if all pass")
@click.option("--data-loss", default="", help='[atoll] data at risk (dropped rows/values, rows breaking a new constraint), counted per database: "warn" (report it, the default) or "refuse" (touch no database that has any)')
@run_options
@_fleet_options
@project_options
@click.pass_context
def apply_cmd(ctx: click.Context, amount, **_):
    """Apply pending migration files on the connected database(s).

    AMOUNT (optional): apply at most this many pending files (default: all of them)."""
    inv = invocation(ctx, "migrate apply", multi_env=True)
    n = parse_amount(amount, "apply")
    tx_mode = inv.get("tx_mode", "file")
    if tx_mode not in ("none", "file", "all"):
        raise AtollError(f'unknown tx-mode "{tx_mode}"')
    from ..fleet.jobs import ApplyOptions, DirCache, apply_job
    from ..fleet.runner import TargetResult
    from ..fleet.targets import build_targets

    dirs = DirCache()
    if len(inv.envs) <= 1:
        dirs.get(inv.get("dir") or "file://migrations")  # the directory is checked first
    targets, resumed = resume_targets(inv, build_targets(inv, keep_envs=False))
    if resumed and not targets:
        click.echo(f"Nothing to resume: every database of run {resumed} finished")
        return
    if len(targets) > 1:
        # A broken migration directory is the command's error, not one database's: stop
        # before any database of the fleet is touched.
        for t in targets:
            dirs.get(t.settings.get("dir") or "file://migrations")
    lock_timeout = parse_duration(inv.get("lock_timeout", "10s"))
    run = start_run(inv, targets, dry_run=bool(inv.get("dry_run")), lock_timeout=lock_timeout,
                    resumed_from=resumed)
    options = ApplyOptions(amount=n, dry_run=bool(inv.get("dry_run")), tx_mode=tx_mode,
                           allow_dirty=bool(inv.get("allow_dirty")), lock_timeout=lock_timeout,
                           run=run, operator_version=OPERATOR,
                           to_version=inv.get("to_version") or None,
                           keep_report=len(targets) == 1,
                           data_loss=check_mode(inv.get("data_loss") or
                                                env_attr(inv, "data_loss") or "warn"))
    if options.data_loss == "refuse":
        from ..fleet.preflight import check_risk_measurable

        check_risk_measurable(targets)
    if inv.get("preflight") or env_attr(inv, "preflight") is True:
        _preflight(inv, targets, dirs, options)
        options.preflighted = True
    job = apply_job(dirs, options)
    if len(targets) == 1 and inv.partition is None:
        try:
            result = job(targets[0], lambda _m: None)
        except AtollError as exc:
            finish_run(run, [TargetResult(targets[0], "failed", error=str(exc))])
            raise
        finish_run(run, [result])
        if result.detail is not None:
            _print_apply(inv, result.detail)
        _print_risk(result)
        if result.error:
            raise AtollError(result.error)
        return
    results = run_targets(inv, targets, job)
    try:
        finish_run(run, results)
    except AtollError:
        # What happened to each database first, then why the record could not be written.
        try:
            print_fleet(inv, results)
        except SystemExit:
            pass
        raise
    if options.dry_run and parse_format(inv.get("format_")).kind != "json":
        _print_dry_runs(results)
    print_fleet(inv, results)


def _preflight(inv, targets, dirs, options) -> None:
    """Phase 1 of ``--preflight``: returns when every database passed; otherwise reports
    each failing database (file, statement, error) and exits 1 with nothing changed."""
    from ..fleet.preflight import check_trials_supported, preflight_job, summary

    check_trials_supported(targets)
    job = preflight_job(dirs, options)
    if len(targets) == 1:
        result = job(targets[0], lambda _m: None)
        _print_risk(result)
        if result.failed:
            raise AtollError(result.error.replace(
                "preflight: ", "preflight failed, nothing was changed: ", 1))
        return
    results = run_targets(inv, targets, job, every_target=True)
    if any(r.failed for r in results):
        click.echo(summary(results), err=True)
        print_fleet(inv, results, title="Preflight")


def _print_risk(result) -> None:
    """A single database's data at risk, on stderr (stdout keeps Atlas's report)."""
    from ..fleet.report import risk_lines

    if result.data_risk:
        click.echo(risk_lines([result]), err=True, nl=False)


def _print_dry_runs(results) -> None:
    """A fleet dry run shows what it would execute: each distinct plan (same directory, same
    starting version) once, headed by the databases it applies to."""
    from ..migrate.report import render_apply

    plans: dict[tuple, list] = {}
    for r in results:
        if r.state == "dry-run" and r.detail is not None and r.files:
            key = (r.target.settings.get("dir") or "", r.version_before)
            plans.setdefault(key, []).append(r)
    for group in plans.values():
        click.echo(f"-- {', '.join(r.target.name for r in group)}:")
        click.echo(render_apply(group[0].detail))


def _print_apply(inv, report) -> None:
    from ..migrate.report import apply_json, render_apply

    fmt = parse_format(inv.get("format_"))
    if fmt.kind == "json":
        click.echo(apply_json(report), nl=False)
    elif fmt.kind == "template":
        from ..migrate.report import apply_data

        click.echo(fmt.render(apply_data(report), MIGRATE_APPLY), nl=False)
    else:
        click.echo(render_apply(report), nl=False)


# --- status --------------------------------------------------------------------------------

@click.command("status")
@click.option("-u", "--url", default="", help="[driver://username:password@address/dbname?param=value] select a resource using the URL format")
@_dir_option
@_dir_format_option
@click.option("--revisions-schema", default="", help="name of the schema the revisions table resides in")
@click.option("--format", "--log", "format_", default="", help="json for a JSON report, or a Go template run on it ('{{ json . }}')")
@click.option("--dev-url", default="", help="[atoll] dev database: also check each database for drift from its migration history")
@_fleet_options
@project_options
@click.pass_context
def status_cmd(ctx: click.Context, **_):
    """Show which migrations are applied and pending; over a fleet, one table that shows
    which database is behind, errored or drifted."""
    inv = invocation(ctx, "migrate status", multi_env=True)
    from ..fleet.jobs import DirCache, DriftChecker, status_job
    from ..fleet.targets import build_targets

    targets = build_targets(inv, keep_envs=False)
    dev = inv.get("dev_url") or (getattr(inv.envs[0], "dev", None) if len(targets) > 1 else None)
    single = len(targets) == 1 and inv.partition is None
    job = status_job(DirCache(), DriftChecker(dev) if dev else None, brief=not single)
    if single:
        result = job(targets[0], lambda _m: None)
        from ..gotext import go_json
        from ..migrate.report import render_status, status_data

        fmt = parse_format(inv.get("format_"))
        if fmt.kind in ("json", "template"):
            data = status_data(result.detail)
            if result.drift_lines:  # atoll's additions to Atlas's object
                data["Drift"] = _drift_lines(result)
            if result.history_note:
                data["Changed"] = result.history_note
            click.echo(fmt.render(data, MIGRATE_STATUS) if fmt.kind == "template"
                       else go_json(data), nl=False)
        else:
            click.echo(render_status(result.detail), nl=False)
            if result.drift_lines:
                click.echo("  -- Drift:           schema changed outside the migration history")
                for line in _drift_lines(result):
                    click.echo(f"     {line}")
            if result.history_note:
                click.echo(f"  -- Changed:         {result.history_note}")
        if result.state == "drifted":  # a CI gate: drift is a failure (atoll's own check)
            sys.exit(1)
        return
    results = run_targets(inv, targets, job)
    _print_status_fleet(inv, results)


def _drift_lines(result) -> list[str]:
    return result.drift_lines or []


def _print_status_fleet(inv, results) -> None:
    from ..fleet.jobs import describe_changes

    # Databases sharing a migration directory should sit at the same version: flag any that
    # is not at the newest version among its peers.
    newest: dict[str, str] = {}
    for r in results:
        if r.state in ("ok", "behind", "drifted"):
            key = r.target.settings.get("dir") or ""
            newest[key] = max(newest.get(key, ""), r.version_before or "")
    headers = ("DATABASE", "URL", "VERSION", "PENDING", "STATE", "NOTE")
    rows = []
    for r in results:
        note = r.error.splitlines()[0] if r.error else ""
        if not note and r.drift_lines:
            note = f"drift: {describe_changes(r.drift_lines)}"
        if not note and r.history_note:
            note = r.history_note
        peak = newest.get(r.target.settings.get("dir") or "", "")
        if not note and r.state != "failed" and (r.version_before or "") != peak:
            note = f"behind its peers (they are at {peak})"
        rows.append((r.target.name, r.target.display_url, r.version_before or "-",
                     str(r.files), r.state, note))
    # Drift is atoll's own check, so exiting 1 on it breaks no Atlas script; CI gates on it.
    print_fleet(inv, results, headers=headers, rows=rows, title="Migration status",
                failing=("failed", "drifted"))


# --- set -----------------------------------------------------------------------------------

@click.command("set")
@click.argument("version", nargs=-1)
@click.option("-u", "--url", default="", help="[driver://username:password@address/dbname?param=value] select a resource using the URL format")
@_dir_option
@_dir_format_option
@click.option("--revisions-schema", default="", help="name of the schema the revisions table resides in")
@_fleet_options
@project_options
@click.pass_context
def set_cmd(ctx: click.Context, version, **_):
    """Set the current version of the revisions table, without running any migration.

    VERSION: the version the database is at; every file up to it is marked applied and
    rows of later versions are removed. Without VERSION, all rows are removed."""
    inv = invocation(ctx, "migrate set", multi_env=True)
    from ..fleet.jobs import DirCache, set_job
    from ..fleet.targets import build_targets
    from ..migrate.report import render_set

    if inv.env is None and not inv.get("url"):
        # As Atlas, the directory is read before the database is needed: a broken one is
        # what gets reported first.
        directory = _open(inv)
        directory.validate()
        directory.check_files()
    targets = build_targets(inv, keep_envs=False)
    job = set_job(DirCache(), list(version), OPERATOR)
    if len(targets) == 1 and inv.partition is None:
        click.echo(render_set(job(targets[0], lambda _m: None).detail), nl=False)
        return
    print_fleet(inv, run_targets(inv, targets, job))


# --- diff ----------------------------------------------------------------------------------

@click.command("diff")
@click.argument("name", required=False)
@_dir_option
@_dir_format_option
@click.option("--to", multiple=True, callback=csv_slice, help="[driver://username:password@address/dbname?param=value] select the desired state (HCL or SQL schema files, a database) using the URL format")
@click.option("--dev-url", default="", help="[driver://username:password@address/dbname?param=value] select a dev database using the URL format")
@click.option("-s", "--schema", multiple=True, callback=csv_slice, help="set schema names")
@click.option("--exclude", multiple=True, callback=csv_slice, hidden=True)
@click.option("--qualifier", default="", help="qualify tables with custom qualifier when working on a single schema")
@click.option("--format", "format_", default="", help="sql: indent each statement (the form Atlas writes with '{{ sql . \"  \" }}')")
@click.option("--lock-timeout", default="10s", help="set how long to wait for the database lock")
@click.option("--dry-run", is_flag=True, hidden=True)
@project_options
@click.pass_context
def diff_cmd(ctx: click.Context, name, **_):
    """Write a new migration file with the changes from the directory's state to the
    desired state.

    NAME (optional): the file is named <timestamp>_NAME.sql (<timestamp>.sql without it)."""
    inv = invocation(ctx, "migrate diff")
    if inv.get("dry_run"):
        raise AtollError("'--dry-run' is not supported in the community version")
    missing = [f for f, k in (("dev-url", "dev_url"), ("to", "to")) if not inv.get(k)]
    if missing:
        raise AtollError("required flag(s) " + ", ".join(f'"{m}"' for m in missing) + " not set")
    to = _check_to(list(inv.get("to")))
    fmt = parse_format(inv.get("format_"))
    if fmt.kind not in ("default", "sql"):
        raise AtollError("'sql' can only be used to indent statements")
    from ..declarative import render_statements
    from ..migrate.directory import unused_file_name, write_file
    from ..migrate.executor import replay
    from ..revisions_guard import guard_revisions
    from ..states import dev_database, read_state
    from .shared import schema_variables

    path = _dir(inv)
    import os

    from ..migrate.directory import MigrationDir
    from ..migrate.formats import split_dir_url

    # A missing directory is created (as Atlas does), but only once the diff has succeeded:
    # a command that fails on its input leaves nothing behind.
    dir_format = split_dir_url(_dir_url(inv))[1]
    directory = (_open(inv) if os.path.exists(path)
                 else MigrationDir(path, [], None, dir_format))
    directory.validate()
    directory.check_runnable()
    if _realm_dev(inv, dir_format):
        statements = _realm_diff(inv, directory, to, fmt.indent)
        os.makedirs(path, exist_ok=True)
        if not statements:
            click.echo("The migration directory is synced with the desired state, no changes to be made")
            return
        write_file(path, unused_file_name(path, name), render_statements(statements),
                   validate=False)
        return
    with dev_database(inv.get("dev_url")) as (dialect, conn):
        replay(conn, dialect, directory, validate=False, cache=True)
        current = dialect.inspect(conn)
    if to[0].startswith("file://") or to[0].startswith("mem://"):
        desired = read_state(to, dev_url=inv.get("dev_url"), variables=schema_variables(inv),
                             project=inv.project, exclude=inv.get("exclude", ()))
    else:
        desired = read_state(to, exclude=inv.get("exclude", ()))
    current, desired = guard_revisions(current, desired, desired_urls=to)
    options = diff_options(inv)
    changes = options.annotate(dialect.diff(current, desired, skip=options.skip))
    os.makedirs(path, exist_ok=True)
    if not changes:
        click.echo("The migration directory is synced with the desired state, no changes to be made")
        return
    qualifier = inv.get("qualifier") or None
    statements = dialect.plan(changes, indent=fmt.indent, qualifier=qualifier)
    if dir_format != "atlas":
        from .diff_formats import write_formatted

        write_formatted(inv, directory, name, statements,
                        lambda reached: dialect.plan(dialect.diff(reached, current, skip=options.skip),
                                                     indent=fmt.indent, qualifier=qualifier))
        return
    write_file(path, unused_file_name(path, name), render_statements(statements),
               validate=False)


def _realm_dev(inv, dir_format: str) -> bool:
    from ..realm import realm_url

    if not realm_url(inv.get("dev_url")):
        return False
    if dir_format != "atlas":
        raise AtollError(f"a {dir_format} directory needs a dev URL bound to one schema "
                         "(search_path): its down part is not planned over a whole database")
    return True


def _realm_diff(inv, directory, to: list[str], indent: str) -> list:
    """``migrate diff`` with a dev URL naming a whole database: the directory replayed and
    the desired state read as realms, the plan qualified with each object's schema."""
    from ..migrate.executor import replay
    from ..errors import DevNotCleanError
    from ..realm import guard_revisions, limit_realm, plan_realm, read_realm, realm_url
    from ..states import dev_database
    from .shared import schema_variables

    try:
        with dev_database(inv.get("dev_url")) as (dialect, conn):
            replay(conn, dialect, directory, validate=False)
            current = limit_realm(dialect.inspect_realm(conn), inv.get("schema", ()))
    except DevNotCleanError as exc:
        # Atlas's hint, given when the desired state is one schema of a database: a dev URL
        # bound to a schema would do.
        if to[0].startswith(("file://", "mem://")) or realm_url(to[0]):
            raise
        raise AtollError(f"dev database is not clean ({exc.reason}). Add a schema to the "
                         "URL to limit the scope of the connection") from None
    desired = read_realm(to, dev_url=inv.get("dev_url"), variables=schema_variables(inv),
                         project=inv.project, exclude=inv.get("exclude", ()), dialect=dialect,
                         schemas=inv.get("schema", ()))
    current, desired = guard_revisions(current, desired, desired_urls=to)
    return plan_realm(dialect, current, desired, indent=indent, options=diff_options(inv))


def _check_to(urls: list[str]) -> list[str]:
    import os

    out = []
    scheme = None
    for u in urls:
        if "://" not in u:
            if os.path.isdir(u) or u.endswith((".sql", ".hcl")) and os.path.exists(u):
                raise AtollError(f"missing scheme. Did you mean file://{u}?")
            raise AtollError("missing scheme. See: https://atlasgo.io/url")
        s = u.partition("://")[0]
        if scheme is None:
            scheme = s
        elif s != scheme:
            raise AtollError(f'got mixed --to url schemes: "{scheme}" and "{s}", the desired '
                             "state must be provided from a single kind of source")
        elif s != "file":
            raise AtollError(f'got multiple --to urls of scheme "{s}", only multiple '
                             "'file://' urls are supported")
        out.append(u)
    return out


# --- new, hash, validate, ls, rm -----------------------------------------------------------

@click.command("new")
@click.argument("name", required=False)
@_dir_option
@_dir_format_option
@click.option("--edit", is_flag=True, help="edit the created migration file(s)")
@project_options
@click.pass_context
def new_cmd(ctx: click.Context, name, **_):
    """Create a new, empty migration file and update atlas.sum.

    NAME (optional): the file is named <timestamp>_NAME.sql (<timestamp>.sql without it)."""
    inv = invocation(ctx, "migrate new")
    from ..migrate.formats import split_dir_url

    if split_dir_url(_dir_url(inv))[1] != "atlas":
        if inv.get("edit"):
            _atlas_only(inv, "--edit")
        _new_formatted(inv, name)
        return
    from ..migrate.directory import new_file

    path = new_file(_dir(inv), name)
    if inv.get("edit"):
        import os

        from .edit_cmd import edit_file

        with open(path, "rb") as fh:
            edit_file(_dir(inv), os.path.basename(path), fh.read())


def _new_formatted(inv, name) -> None:
    """``migrate new`` in another tool's format: its empty file(s), then atlas.sum."""
    import os

    from ..migrate.formats import Plan, write_plan
    from .diff_formats import free_version

    taken = None
    if os.path.exists(_dir(inv)):
        taken = _open(inv)
        taken.validate()
    version = free_version(taken) if taken is not None else ""
    write_plan(_dir_url(inv), Plan(name=name or "", version=version))


def _atlas_only(inv, what: str) -> None:
    from ..migrate.formats import split_dir_url

    fmt = split_dir_url(_dir_url(inv))[1]
    if fmt != "atlas":
        raise AtollError(f"{what} supports only Atlas-format directories, got format "
                         f'"{fmt}" ({_dir_url(inv)})')


@click.command("hash")
@_dir_option
@_dir_format_option
@click.option("--force", is_flag=True, hidden=True)
@project_options
@click.pass_context
def hash_cmd(ctx: click.Context, **_):
    """Rewrite atlas.sum from the directory's files."""
    inv = invocation(ctx, "migrate hash")
    from ..migrate.directory import hash_dir

    hash_dir(_open(inv))


@click.command("validate")
@_dir_option
@_dir_format_option
@click.option("--dev-url", default="", help="[driver://username:password@address/dbname?param=value] select a dev database using the URL format")
@project_options
@click.pass_context
def validate_cmd(ctx: click.Context, **_):
    """Check atlas.sum and, with --dev-url, replay every file on the dev database."""
    inv = invocation(ctx, "migrate validate")
    directory = _open(inv)
    directory.validate()
    directory.check_files()
    dev = inv.get("dev_url")
    if dev:
        from ..migrate.executor import replay
        from ..states import dev_database

        with dev_database(dev) as (dialect, conn):
            try:
                replay(conn, dialect, directory, validate=False)
            except AtollError as exc:
                raise AtollError(f"replaying the migration directory: {exc}") from None


@click.command("ls")
@_dir_option
@_dir_format_option
@click.option("-s", "--short", is_flag=True, help="print only versions")
@click.option("-l", "--latest", is_flag=True, help="print only the latest file")
@project_options
@click.pass_context
def ls_cmd(ctx: click.Context, **_):
    """List the migration files."""
    inv = invocation(ctx, "migrate ls")
    from ..migrate.directory import list_files

    for line in list_files(_open(inv), short=bool(inv.get("short")),
                           latest=bool(inv.get("latest"))):
        click.echo(line)


@click.command("rm")
@click.argument("version", required=False)
@_dir_option
@_dir_format_option
@project_options
@click.pass_context
def rm_cmd(ctx: click.Context, version, **_):
    """Remove a migration file and update atlas.sum.

    VERSION (optional): the version of the file to remove (default: the last file)."""
    inv = invocation(ctx, "migrate rm")
    _atlas_only(inv, "migrate rm")
    from ..migrate.directory import remove_file

    click.echo(f"Removed {remove_file(_dir(inv), version)}")
