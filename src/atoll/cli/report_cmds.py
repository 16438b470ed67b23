"""``atoll report …``: work on reports that fleet commands wrote (an atoll command group;
Atlas has none of this name)."""

from __future__ import annotations

import sys

import click

from ..errors import AtollError
from .formats import parse_format


@click.command("merge", short_help="Join the JSON reports of --partition slices into one.")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--format", "format_", default="", help="output format: json, or the table (default)")
def merge_cmd(files, format_):
    """Join FILES, the --format json reports of a fleet run's slices (--partition I/N), into
    one fleet report; exit 1 when a database failed or a slice is missing or given twice."""
    from ..fleet import report
    from ..fleet.merge import merge_slices, read_slice

    fmt = parse_format(format_)
    if fmt.kind not in ("default", "json"):
        raise AtollError(f'report merge: unsupported --format "{format_}" (json, or none '
                         "for the table)")
    slices = []
    for path in files:
        if path == "-":
            slices.append(read_slice("<stdin>", sys.stdin.read()))
            continue
        with open(path, encoding="utf-8") as f:
            slices.append(read_slice(path, f.read()))
    merged = merge_slices(slices)
    if fmt.kind == "json":
        click.echo(report.as_json(merged.results))
    else:
        click.echo(f"{merged.command}: {merged.count} slice(s) merged")
        headers, rows = report.HEADERS, None
        if merged.command == "migrate status":  # the columns migrate status prints
            headers = ("DATABASE", "URL", "VERSION", "PENDING", "STATE", "NOTE")
            rows = [(r.target.name, r.target.display_url, r.version_before or "-",
                     str(r.files), r.state, _status_note(r)) for r in merged.results]
        if sys.stdout.isatty():
            from rich.console import Console

            report.render_rich(merged.results, Console(), headers, rows)
        else:
            click.echo(report.render_plain(merged.results, headers, rows), nl=False)
        if any(r.data_risk for r in merged.results):
            click.echo(report.risk_lines(merged.results), nl=False)
    if merged.failed:
        sys.exit(1)


def _status_note(r) -> str:
    from ..fleet.jobs import describe_changes

    if r.error:
        return r.error.splitlines()[0]
    if r.drift_lines:
        return f"drift: {describe_changes(r.drift_lines)}"
    return r.history_note
