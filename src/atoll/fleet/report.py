"""The fleet report: one row per database, as a plain table, a rich table, or JSON."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable, Iterator, Sequence

from .runner import TargetResult

HEADERS = ("DATABASE", "URL", "VERSION", "FILES", "STMTS", "STATE", "TIME", "ERROR")


def _version(r: TargetResult) -> str:
    before, after = r.version_before or "-", r.version_after or r.version_before or "-"
    return before if before == after else f"{before} → {after}"


def rows(results: Sequence[TargetResult]) -> Iterator[tuple[str, ...]]:
    """The table's rows, made one at a time (a fleet of 10,000 never holds them all)."""
    for r in results:
        yield (r.target.name, r.target.display_url, _version(r), str(r.files), str(r.statements),
               r.state, f"{r.seconds:.2f}s", r.error.splitlines()[0] if r.error else "")


def summary_line(results: Sequence[TargetResult]) -> str:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.state] = counts.get(r.state, 0) + 1
    parts = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    return f"{len(results)} database(s): {parts}"


def write_plain(write: Callable[[str], object], results: Sequence[TargetResult],
                headers=HEADERS, table_rows=None) -> None:
    """The plain table, written in pieces through ``write``: the column widths come from a
    first pass over the rows, then each line is made and written, so the whole table never
    sits in memory (``table_rows``, when given, must be iterable twice)."""
    def source():
        return iter(table_rows) if table_rows is not None else rows(results)

    widths = [len(h) for h in headers]
    for row in source():
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                widths[i] = len(cell)
    chunk: list[str] = []
    for row in itertools.chain([tuple(headers)], source()):
        chunk.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n")
        if len(chunk) >= 512:
            write("".join(chunk))
            chunk.clear()
    write("".join(chunk) + summary_line(results) + "\n" + restore_point_lines(results))


def render_plain(results: Sequence[TargetResult], headers=HEADERS, table_rows=None) -> str:
    out = io.StringIO()
    write_plain(out.write, results, headers, table_rows)
    return out.getvalue()


def restore_point_lines(results: Sequence[TargetResult]) -> str:
    """One line per database that got a restore point in this run (``--backup-dir``)."""
    return "".join(f"restore point: {r.target.name}: {r.restore_point}\n"
                   for r in results if r.restore_point)


def render_rich(results: Sequence[TargetResult], console, headers=HEADERS, table_rows=None,
                title: str = "") -> None:
    from rich.table import Table

    table = Table(title=title or None, show_lines=False)
    for h in headers:
        table.add_column(h, overflow="fold")
    style = {"ok": "green", "failed": "bold red", "skipped": "yellow", "stopped": "yellow",
             "behind": "yellow", "drifted": "magenta", "errored": "bold red", "dry-run": "cyan"}
    for r, row in zip(results, table_rows if table_rows is not None else rows(results)):
        table.add_row(*row, style=style.get(r.state))
    console.print(table)
    console.print(summary_line(results))
    points = restore_point_lines(results)
    if points:
        console.print(points.rstrip("\n"), highlight=False, markup=False)


def json_rows(results: Sequence[TargetResult]) -> list[dict]:
    return [_json_row(r) for r in results]


def risk_lines(results: Sequence[TargetResult]) -> str:
    """``Data at risk:`` and one line per count above zero, per database."""
    lines = ["Data at risk:"]
    for r in results:
        lines += [f"  {r.target.name}: {risk.line()}" for risk in r.data_risk]
    return "\n".join(lines) + "\n"


def as_json(results: Sequence[TargetResult]) -> str:
    out = io.StringIO()
    write_json(out.write, results)
    return out.getvalue()


def write_json(write: Callable[[str], object], results: Sequence[TargetResult]) -> None:
    """``json.dumps`` of the rows, written a few hundred rows at a time."""
    chunk = ["["]
    for i, r in enumerate(results):
        chunk.append((", " if i else "") + json.dumps(_json_row(r), ensure_ascii=False))
        if len(chunk) >= 512:
            write("".join(chunk))
            chunk.clear()
    write("".join(chunk) + "]")


def _json_row(r: TargetResult) -> dict:
    row = {"Name": r.target.name, "URL": r.target.display_url, "State": r.state,
           "VersionBefore": r.version_before, "VersionAfter": r.version_after,
           "Files": r.files, "Statements": r.statements, "Seconds": round(r.seconds, 6),
           "Error": r.error}
    if r.pending_files is not None:  # migrate status
        row["Pending"] = r.pending_files
        row["PendingCount"] = len(r.pending_files)
    if r.drift_lines is not None:
        row["Drift"] = r.drift_lines
    if r.restore_point is not None:
        row["RestorePoint"] = r.restore_point
    if r.data_risk:  # migrate apply
        row["DataAtRisk"] = [risk.as_dict() for risk in r.data_risk]
    return row
