"""``schema inspect`` and ``schema apply`` over a fleet (an env that expands to several
databases). Atlas refuses multi-env ``schema apply``; atoll runs it like ``migrate apply``:
the desired state is read once, each database is planned and applied on its own, in parallel,
and one table reports what happened."""

from __future__ import annotations

import copy
import json
import threading
from typing import TYPE_CHECKING

import click

from ..errors import AtollError
from .formats import parse_format
from .shared import (confirm_apply, print_fleet, read_desired, revisions_schema, run_targets,
                     schema_variables)

if TYPE_CHECKING:
    from ..schema.diff_options import DiffOptions


def inspect_fleet(inv) -> None:
    from ..dialects import dialect_for
    from ..fleet.runner import TargetResult
    from ..fleet.targets import build_targets
    from ..hcl.schema_codec import schema_to_json
    from ..urls import parse_url

    fmt = parse_format(inv.get("format_"))
    targets = build_targets(inv)

    def job(target, step):
        url = parse_url(target.url)
        dialect = dialect_for(url)
        exclude = target.settings.get("exclude") or ()
        with dialect.connect_read_only(url) as conn:
            realm = dialect.realm_scoped(conn.url)  # every schema of the database
            inspect = dialect.inspect_realm if realm else dialect.inspect
            schema = inspect(conn, exclude=exclude)
        if fmt.kind == "sql":
            to_sql = dialect.realm_sql if realm else dialect.schema_sql
            text = to_sql(schema, indent=fmt.indent)
        elif fmt.kind == "json":
            text = schema_to_json(schema)
        else:
            text = (dialect.encode_hcl_realm if realm else dialect.encode_hcl)(schema)
        return TargetResult(target, "ok", detail=text)

    results = run_targets(inv, targets, job)
    failed = [r for r in results if r.state != "ok"]
    if fmt.kind == "json":
        click.echo(json.dumps({r.target.name: json.loads(r.detail) for r in results
                               if r.state == "ok"}, separators=(",", ":")))
    else:
        mark = "--" if fmt.kind == "sql" else "#"
        for r in results:
            if r.state == "ok":
                click.echo(f"{mark} {r.target.name}: {r.target.display_url}")
                click.echo(r.detail.rstrip("\n"))
    for r in failed:
        click.echo(f"Error: {r.target.name}: {r.error}", err=True)
    if failed:
        raise SystemExit(1)


def apply_fleet(inv, to: list[str], options: DiffOptions) -> None:
    from ..declarative import execute_plan, plan, render_planned
    from ..dialects import dialect_for
    from ..fleet.runner import TargetResult
    from ..fleet.targets import build_targets
    from ..revisions_guard import guard_revisions
    from ..states import check_schema_name, is_hcl_state
    from ..urls import parse_url

    rev_schema = revisions_schema(inv)

    targets = build_targets(inv)
    desired_cache: dict[tuple, object] = {}
    cache_lock = threading.Lock()
    dry_run, auto = bool(inv.get("dry_run")), bool(inv.get("auto_approve"))
    tx_mode = inv.get("tx_mode", "file")

    def state_urls(target) -> tuple[str, ...]:
        urls = target.settings.get("to") or target.settings.get("file") or to
        return tuple(u if "://" in u else f"file://{u}" for u in urls)

    def desired_for(target, dialect):
        """``(urls, desired schema, whether it is read from HCL)``. Each env instance may
        give the schema files its own variables (a schema per tenant: ``schema "tenant" {
        name = var.tenant }``); equal inputs are read once."""
        urls = state_urls(target)
        variables = schema_variables(inv, target.env)
        cache_key = (urls, dialect.name, json.dumps(variables, sort_keys=True, default=str))
        with cache_lock:
            if cache_key not in desired_cache:
                desired_cache[cache_key] = (list(urls), read_desired(
                    inv, list(urls), target.settings.get("dev_url"), dialect, variables),
                    is_hcl_state(urls))
            return desired_cache[cache_key]

    def realm_plans(target, dialect, conn):
        from .realm_cmds import apply_plans

        one = copy.copy(inv)  # this target's flags and env, as a one-database apply sees them
        one.values, one.env = dict(target.settings), target.env
        return apply_plans(one, dialect, conn, list(state_urls(target)), options)

    def plan_job(target, step):
        url = parse_url(target.url)
        dialect = dialect_for(url)
        connect = dialect.connect_read_only if dry_run else dialect.connect
        with connect(url) as conn:
            if dialect.realm_scoped(conn.url):  # a whole database of schemas (realm.py)
                statements, single_line = realm_plans(target, dialect, conn)
            else:
                current = dialect.inspect(conn, exclude=target.settings.get("exclude") or ())
                desired_urls, desired, from_hcl = desired_for(target, dialect)
                if from_hcl:
                    check_schema_name(desired, current.name)
                current, desired = guard_revisions(
                    current, desired, desired_urls=desired_urls,
                    revisions_schema=rev_schema)
                statements = plan(dialect, current, desired, indent="  ", options=options)
                single_line = None
            if not statements or dry_run or not auto_now[0]:
                state = "pending" if statements else "ok"
                return TargetResult(target, state, statements=len(statements),
                                    detail=statements)
            result = execute_plan(dialect, conn, single_line() if single_line else statements,
                                  tx_mode=tx_mode)
        if result.error:
            return TargetResult(target, "failed", statements=len(result.applied),
                                error=result.error[1], detail=statements)
        return TargetResult(target, "ok", statements=len(result.applied), detail=statements)

    auto_now = [auto and not dry_run]
    results = run_targets(inv, targets, plan_job)
    if not auto_now[0]:
        for r in results:
            if r.detail:
                click.echo(f"-- {r.target.name}: {r.target.display_url}")
                click.echo(render_planned(r.detail), nl=False)
            elif r.state == "ok":
                click.echo(f"-- {r.target.name}: Schema is synced, no changes to be made")
        if dry_run or not any(r.detail for r in results if r.state == "pending"):
            if any(r.failed for r in results):
                print_fleet(inv, results)
            return
        if not confirm_apply():
            return
        auto_now[0] = True
        results = run_targets(inv, [r.target for r in results if r.state == "pending"], plan_job)
    print_fleet(inv, results)
    if any(r.failed for r in results):
        raise AtollError("schema apply failed on some databases (see the table above)")
