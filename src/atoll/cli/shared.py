"""Helpers the command modules share: running a job over an env's databases, printing the
fleet report, the schema variables and desired state of an invocation, the apply prompt."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from .formats import parse_format
from .options import Invocation
from .prompt import confirm_apply

if TYPE_CHECKING:
    from ..schema.diff_options import DiffOptions

__all__ = ["confirm_apply", "print_fleet", "read_desired", "revisions_schema", "run_targets",
           "schema_variables"]


def run_targets(inv: Invocation, targets, job, *, every_target: bool = False):
    """Run ``job`` over ``targets``: through the env's deployment groups when it has one,
    else one bounded pool. ``every_target``: one pool that goes on after failures (a
    preflight names every database that would fail)."""
    from ..fleet.progress import progress_for
    from ..fleet.runner import DEFAULT_PARALLEL, FleetOptions, run_fleet, run_groups

    parallel = inv.get("parallel") or DEFAULT_PARALLEL
    options = FleetOptions(parallel=parallel, continue_on_error=every_target or
                           bool(inv.get("continue_on_error")))
    progress = progress_for(len(targets), quiet=inv.get("format_") is not None and
                            parse_format(inv.get("format_")).kind == "json")
    try:
        deployment = getattr(inv.env or (inv.envs[0] if inv.envs else None), "deployment", None)
        if deployment is not None and len(targets) > 1 and not every_target:
            groups = []
            by_name = {t.name: t for t in targets}
            for group, names in deployment.plan([t.name for t in targets]):
                opts = FleetOptions(
                    parallel=inv.get("parallel") or getattr(group, "parallel", None) or parallel,
                    continue_on_error=options.continue_on_error or
                    getattr(group, "on_error", "fail") == "continue",
                    halt_rollout=getattr(group, "on_error", "fail") != "continue",
                    max_failures=getattr(group, "max_failures", None))
                groups.append((getattr(group, "name", "rest"),
                               [by_name[n] for n in names], opts))
            return run_groups(groups, job, progress)
        return run_fleet(targets, job, options, progress)
    finally:
        progress.close()


def print_fleet(inv: Invocation, results, *, headers=None, rows=None, title="",
                failing=("failed", "skipped", "stopped")) -> None:
    """The fleet report (JSON, a rich table on a terminal, plain text otherwise); exit 1
    when any database ended in one of the ``failing`` states."""
    from ..fleet import report

    fmt = parse_format(inv.get("format_"))
    if fmt.kind == "json" and inv.partition is not None:
        from ..fleet.partition import sliced_json

        click.echo(sliced_json(inv.partition, inv.command, failing, results))
    elif fmt.kind == "json":
        report.write_json(lambda text: click.echo(text, nl=False), results)
        click.echo()
    elif sys.stdout.isatty():
        from rich.console import Console

        report.render_rich(results, Console(), headers or report.HEADERS, rows, title)
    else:
        report.write_plain(lambda text: click.echo(text, nl=False), results,
                           headers or report.HEADERS, rows)
    if fmt.kind != "json" and any(r.data_risk for r in results):
        click.echo(report.risk_lines(results), nl=False)
    if inv.partition is not None and fmt.kind != "json":
        from ..fleet.partition import describe

        click.echo(describe(inv.partition))
    if any(r.state in failing for r in results):
        sys.exit(1)


def schema_variables(inv: Invocation, env=None) -> dict:
    """Values for ``variable`` blocks of schema files: the env's free-form attributes (``env``,
    one instance of a fleet, else the selected env), then ``--var`` values the env does not
    shadow (spec/project.md §3.9)."""
    variables: dict = {}
    for key, values in (inv.values.get("var") or {}).items():
        variables[key] = values[0] if len(values) == 1 else list(values)
    env = env if env is not None else inv.env
    if env is not None:
        variables.update(getattr(env, "schema_vars", {}) or {})
    return variables


def read_desired(inv: Invocation, urls, dev_url, dialect=None, variables: dict | None = None):
    """The desired schema read from ``urls`` with the invocation's variables (or
    ``variables``) and excludes (HCL by the rules of ``dialect``, the target database's
    engine, when given)."""
    from ..states import read_state

    if variables is None:
        variables = schema_variables(inv)
    return read_state(list(urls), dev_url=dev_url, variables=variables,
                      project=inv.project, exclude=inv.get("exclude", ()), dialect=dialect)


def revisions_schema(inv: Invocation) -> str:
    """The configured revisions schema (the env's ``migration { revisions_schema }``)."""
    env = inv.env if inv.env is not None else (inv.envs[0] if inv.envs else None)
    migration = getattr(env, "migration", None)
    return getattr(migration, "revisions_schema", "") or ""


def diff_options(inv: Invocation) -> DiffOptions:
    """The ``diff`` block of the selected env (or the project's top-level one)."""
    from ..schema.diff_options import DiffOptions

    env = inv.env
    diff = getattr(env, "diff", None) if env is not None else None
    if diff is None and inv.project is not None:
        diff = getattr(inv.project, "diff", None)
    return diff.options() if diff is not None else DiffOptions()
