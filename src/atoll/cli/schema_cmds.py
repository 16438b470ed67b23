"""``atoll schema inspect|apply|diff|fmt|clean``: parse flags, call the library, print."""

from __future__ import annotations

import json
import os

import click

from ..errors import AtollError
from .formats import parse_format
from .options import csv_slice, invocation, partition_option, project_options
from .shared import (confirm_apply, diff_options, read_desired, revisions_schema,
                     schema_variables)
from .template_structs import SCHEMA_INSPECT


def _open(url_text: str, *, read_only: bool = False):
    """The database to plan for; a dry run opens it read-only (it must exist)."""
    from ..dialects import dialect_for
    from ..urls import parse_url

    url = parse_url(url_text)
    dialect = dialect_for(url)
    return dialect, (dialect.connect_read_only(url) if read_only else dialect.connect(url))


# --- inspect -------------------------------------------------------------------------------

@click.command("inspect")
@click.option("-u", "--url", default="", help="[driver://username:password@address/dbname?param=value] select a resource using the URL format")
@click.option("--dev-url", default="", help="[driver://username:password@address/dbname?param=value] select a dev database using the URL format")
@click.option("-s", "--schema", multiple=True, callback=csv_slice, help="set schema names")
@click.option("--exclude", multiple=True, callback=csv_slice, help="glob patterns of objects to leave out of the output ('users', '*.tmp_*'); repeatable or comma-separated")
@click.option("--format", "--log", "format_", default="", help="hcl (the default), sql or json, or a Go template such as '{{ sql . }}'")
@partition_option
@project_options
@click.pass_context
def inspect_cmd(ctx: click.Context, **_):
    """Inspect a database and print its schema in Atlas DDL syntax."""
    inv = invocation(ctx, "schema inspect", multi_env=True)
    if len(inv.envs) > 1 or inv.get("partition") is not None:
        from .schema_fleet import inspect_fleet

        return inspect_fleet(inv)
    url = inv.require("url")
    fmt = parse_format(inv.get("format_"))
    from ..states import read_state

    dialect = _state_dialect(url, inv.get("dev_url"))
    from . import realm_cmds

    if realm_cmds.is_realm(url, inv.get("dev_url")):
        return realm_cmds.inspect(inv, url, fmt, dialect)
    schema = read_state([url], dev_url=inv.get("dev_url"), variables=schema_variables(inv),
                        project=inv.project, exclude=inv.get("exclude", ()), dialect=dialect)
    if fmt.kind in ("sql",):
        click.echo(dialect.schema_sql(schema, indent=fmt.indent), nl=False)
    elif fmt.kind == "json":
        from ..hcl.schema_codec import schema_to_json

        click.echo(schema_to_json(schema), nl=False)
    elif fmt.kind == "template":
        from ..hcl.schema_codec import schema_to_json

        click.echo(fmt.render(json.loads(schema_to_json(schema)), SCHEMA_INSPECT, {
            "sql": lambda _v, indent="": dialect.schema_sql(schema, indent=indent),
            "json": lambda _v, *a: schema_to_json(schema)}), nl=False)
    else:
        click.echo(dialect.encode_hcl(schema), nl=False)


def _state_dialect(url: str, dev_url: str | None):
    """The engine a state URL is read with: its own, or the dev database's for files and
    data sources (SQLite's when there is no dev database)."""
    from ..dialects import dialect_for

    if url.startswith(("file://", "mem://")):
        return dialect_for(dev_url or "sqlite://dev?mode=memory")
    return dialect_for(url)


# --- apply ---------------------------------------------------------------------------------

@click.command("apply")
@click.option("-u", "--url", default="", help="URL of the database to apply the schema to")
@click.option("--to", multiple=True, callback=csv_slice, help="URL(s) of the desired state: HCL or SQL schema files (file://schema.hcl, file://schema/), a migration directory (file://migrations, replayed on the dev database), or a database URL")
@click.option("-f", "--file", "file", multiple=True, callback=csv_slice, hidden=True)
@click.option("--dev-url", default="", help="URL of the dev database")
@click.option("-s", "--schema", multiple=True, callback=csv_slice, help="set schema names")
@click.option("--exclude", multiple=True, callback=csv_slice, help="glob patterns of objects to leave out of the plan, on both sides ('users', '*.tmp_*'); repeatable or comma-separated")
@click.option("--include", multiple=True, callback=csv_slice, hidden=True)
@click.option("--dry-run", is_flag=True, help="print SQL without executing it")
@click.option("--auto-approve", is_flag=True, help="apply changes without prompting for approval")
@click.option("--format", "--log", "format_", default="", help="json for the plan as JSON, or a Go template ('{{ sql . }}', '{{ json . }}')")
@click.option("--tx-mode", default="file", help='set transaction mode ["file", "none"]')
@click.option("--lock-timeout", default="10s", help="set how long to wait for the database lock")
@partition_option
@project_options
@click.pass_context
def apply_cmd(ctx: click.Context, **_):
    """Apply an HCL/SQL schema to a database, planning the change from its current state."""
    inv = invocation(ctx, "schema apply", multi_env=True)
    if inv.get("include"):
        raise AtollError("'atoll schema apply --include' is not supported")
    if inv.get("dry_run") and inv.get("auto_approve"):
        raise AtollError('if any flags in the group [auto-approve dry-run] are set none of the others can be; [auto-approve dry-run] were all set')
    if len(inv.envs) > 1 or inv.get("partition") is not None:
        from .schema_fleet import apply_fleet

        return apply_fleet(inv, list(inv.get("to", ())), diff_options(inv))
    url = inv.require("url")
    to = list(inv.get("to", ()))
    files = list(inv.get("file", ()))
    if to and files and "file" in inv.given and "to" in inv.given:
        raise AtollError('if any flags in the group [file to] are set none of the others can be; [file to] were all set')
    if not to:
        to = [f if "://" in f else f"file://{f}" for f in files]
    if not to:
        raise AtollError('one of flag(s) "file" or "to" is required')
    fmt_text = inv.get("format_")
    if fmt_text and not (inv.get("dry_run") or inv.get("auto_approve")):
        raise AtollError("--log and --format can only be used with --dry-run or --auto-approve")
    fmt = parse_format(fmt_text)
    tx_mode = inv.get("tx_mode", "file")
    if tx_mode not in ("file", "none"):
        raise AtollError(f'unknown tx-mode "{tx_mode}"')

    from ..declarative import execute_plan, plan, render_planned
    from ..revisions_guard import guard_revisions
    from ..states import check_schema_name, is_hcl_state

    dialect, conn = _open(url, read_only=bool(inv.get("dry_run")))
    with conn:
        if dialect.realm_scoped(conn.url):
            from .realm_cmds import apply_plans

            statements, single_line = apply_plans(inv, dialect, conn, to, diff_options(inv))
        else:
            desired = read_desired(inv, to, inv.get("dev_url"), dialect)
            current = dialect.inspect(conn, exclude=inv.get("exclude", ()))
            if is_hcl_state(to):  # a migration directory's state has no schema name of its own
                check_schema_name(desired, current.name)
            current, desired = guard_revisions(current, desired, desired_urls=to,
                                               revisions_schema=revisions_schema(inv))
            statements = plan(dialect, current, desired, indent="  ", options=diff_options(inv))

            def single_line():
                return plan(dialect, current, desired, options=diff_options(inv))
        if not statements:
            if fmt.kind == "json":
                click.echo("{}", nl=False)
            else:
                click.echo("Schema is synced, no changes to be made")
            return
        if fmt.kind != "json":
            click.echo(render_planned(statements), nl=False)
        if inv.get("dry_run"):
            if fmt.kind == "json":
                click.echo(json.dumps({"Pending": [s.sql for s in statements]},
                                      separators=(",", ":")), nl=False)
            return
        if not inv.get("auto_approve") and not confirm_apply():
            return
        if inv.get("dev_url"):
            # With a dev database the plan is executed in its canonical single-line form
            # (as `migrate diff` would write it); without one, the indented form shown above.
            statements = single_line()
        result = execute_plan(dialect, conn, statements, tx_mode=tx_mode)
        if fmt.kind == "json":
            click.echo(json.dumps(result.as_json_changes(), separators=(",", ":")), nl=False)
        if result.error:
            raise AtollError(result.error[1])


# --- diff ----------------------------------------------------------------------------------

@click.command("diff")
@click.option("--from", "from_", multiple=True, callback=csv_slice, help="[driver://username:password@address/dbname?param=value] select the current state (a database, HCL or SQL files, a migration directory) using the URL format")
@click.option("--to", multiple=True, callback=csv_slice, help="[driver://username:password@address/dbname?param=value] select the desired state (a database, HCL or SQL files, a migration directory) using the URL format")
@click.option("--dev-url", default="", help="URL of the dev database")
@click.option("-s", "--schema", multiple=True, callback=csv_slice, help="set schema names")
@click.option("--exclude", multiple=True, callback=csv_slice, help="glob patterns of objects to leave out of the diff, on both sides ('users', '*.tmp_*'); repeatable or comma-separated")
@click.option("--format", "format_", default="", help="sql for indented statements, json, or a Go template ('{{ sql . }}')")
@project_options
@click.pass_context
def diff_cmd(ctx: click.Context, **_):
    """Calculate and print the diff between two schemas."""
    inv = invocation(ctx, "schema diff")
    from_urls = list(inv.get("from_", ()))
    to_urls = list(inv.get("to", ()))
    if not from_urls:
        raise AtollError('required flag(s) "from" not set')
    if not to_urls:
        raise AtollError('required flag(s) "to" not set')
    fmt = parse_format(inv.get("format_"))
    dev_url = inv.get("dev_url")
    from ..declarative import plan, render_statements
    from ..dialects import dialect_for
    from ..states import read_state

    def needs_dev(urls):
        return urls[0].startswith("file://") and not all(
            u.endswith(".hcl") for u in urls) or urls[0].startswith("mem://")

    if (needs_dev(from_urls) or needs_dev(to_urls)) and not dev_url:
        from ..states import DEV_URL_HINT

        raise AtollError(DEV_URL_HINT)
    from . import realm_cmds

    if any(realm_cmds.is_realm(u[0], dev_url) for u in (from_urls, to_urls)):
        statements = realm_cmds.diff_statements(inv, from_urls, to_urls, fmt.indent,
                                                diff_options(inv))
        if not statements:
            if fmt.kind == "default":
                click.echo("Schemas are synced, no changes to be made.")
            return
        click.echo(render_statements(statements), nl=False)
        return
    variables = schema_variables(inv)
    exclude = inv.get("exclude", ())
    planner_url = dev_url or next(
        (u for u in (to_urls[0], from_urls[0]) if not u.startswith(("file://", "mem://"))),
        "sqlite://dev?mode=memory")
    dialect = dialect_for(planner_url)
    # Schema files are read by the rules of the engine the diff is for (the dev database's,
    # else the database's on the other side).
    current = read_state(from_urls, dev_url=dev_url, variables=variables, project=inv.project,
                         exclude=exclude, dialect=dialect)
    desired = read_state(to_urls, dev_url=dev_url, variables=variables, project=inv.project,
                         exclude=exclude, dialect=dialect)
    from ..states import check_schema_name, is_hcl_state

    if is_hcl_state(to_urls) and not from_urls[0].startswith(("file://", "mem://")):
        # As schema apply: an HCL schema meets a connected database's schema by name.
        check_schema_name(desired, current.name or "main")
    from ..revisions_guard import guard_revisions

    current, desired = guard_revisions(current, desired, desired_urls=to_urls,
                                       revisions_schema=revisions_schema(inv))
    statements = plan(dialect, current, desired, indent=fmt.indent, options=diff_options(inv))
    if not statements:
        if fmt.kind == "default":
            click.echo("Schemas are synced, no changes to be made.")
        return
    click.echo(render_statements(statements), nl=False)


# --- clean ---------------------------------------------------------------------------------

@click.command("clean")
@click.option("-u", "--url", default="", help="URL of the database to clean")
@click.option("--auto-approve", is_flag=True, help="apply changes without prompting for approval")
@click.option("--dry-run", is_flag=True, hidden=True)
@click.option("--with-revisions", is_flag=True, help="[atoll] drop the revisions table (the migration history) too")
@project_options
@click.pass_context
def clean_cmd(ctx: click.Context, **_):
    """Remove every schema object from a connected database (except the revisions table,
    unless --with-revisions names it)."""
    inv = invocation(ctx, "schema clean")
    url = inv.require("url")
    from ..declarative import execute_plan, render_planned

    dialect, conn = _open(url, read_only=bool(inv.get("dry_run")))
    with conn:
        if dialect.realm_scoped(conn.url):
            from .realm_cmds import clean_statements

            statements = clean_statements(inv, dialect, conn)
        elif inv.get("with_revisions"):
            statements = dialect.clean(conn)
        else:
            from dataclasses import replace

            from ..declarative import plan
            from ..revisions_guard import without_revisions

            current = without_revisions(dialect.inspect(conn), revisions_schema(inv))
            # Everything the schema holds goes: tables, views, triggers, (PostgreSQL) enums.
            statements = plan(dialect, current, replace(current, tables=(), views=(),
                                                        triggers=(), enums=()))
        if not statements:
            click.echo("Nothing to drop")
            return
        click.echo(render_planned(statements), nl=False)
        if inv.get("dry_run"):
            return
        if not inv.get("auto_approve") and not confirm_apply():
            return
        result = execute_plan(dialect, conn, statements, tx_mode="none")
        if result.error:
            raise AtollError(result.error[1])


# --- fmt -----------------------------------------------------------------------------------

@click.command("fmt")
@click.argument("paths", nargs=-1)
def fmt_cmd(paths):
    """Format Atlas HCL schema files in place and print the names of the changed ones.

    PATHS: files or directories (their *.hcl files) to format (default: the current
    directory)."""
    from ..hcl.fmt import format_hcl

    for target in paths or ("./",):
        if not os.path.exists(target):
            raise AtollError(f"stat {target}: no such file or directory")
        if os.path.isdir(target):
            files = [os.path.join(target, n) for n in sorted(os.listdir(target))
                     if n.endswith(".hcl") and os.path.isfile(os.path.join(target, n))]
            shown = [os.path.normpath(f) for f in files]
        else:
            files = [target] if target.endswith(".hcl") else []
            shown = files
        for path, label in zip(files, shown):
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            formatted = format_hcl(text, path)
            if formatted != text:
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(formatted)
                click.echo(label)
