"""``atoll report merge``: join the ``--format json`` reports of a fleet run's slices
(``--partition I/N`` on N runners) into the one report an unsliced run would have printed,
after checking, from the ``Partition`` object each slice carries, that the slices were cut from
the same fleet and cover it exactly once."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..errors import AtollError
from ..migrate.data_risk import AtRisk
from .runner import Target, TargetResult


@dataclass
class SliceReport:
    path: str
    index: int
    count: int
    command: str
    fleet_size: int
    fleet_digest: str
    positions: list[int]
    failing: list[str]
    rows: list[dict]

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count} ({self.path})"


@dataclass
class MergedReport:
    command: str
    count: int
    results: list[TargetResult]  # in fleet order
    failing: frozenset[str]

    @property
    def failed(self) -> bool:
        return any(r.state in self.failing for r in self.results)


_ROW_FIELDS = {"Name": str, "URL": str, "State": str, "VersionBefore": str, "VersionAfter": str,
               "Files": int, "Statements": int, "Seconds": (int, float), "Error": str}


def read_slice(path: str, text: str) -> SliceReport:
    """Decode one slice's report; anything that is not one is a one-line error naming it."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise AtollError(f"{path}: not a JSON report: {exc}") from None
    if isinstance(data, list):
        raise AtollError(f"{path}: a fleet report without partition information; run each "
                         "slice with --partition INDEX/COUNT --format json")
    part = data.get("Partition") if isinstance(data, dict) else None
    rows = data.get("Databases") if isinstance(data, dict) else None
    if not isinstance(part, dict) or not isinstance(rows, list):
        raise AtollError(f'{path}: not a sliced fleet report (expected "Partition" and '
                         '"Databases"; made by a fleet command with --partition and '
                         "--format json)")
    try:
        index, count = part["Index"], part["Count"]
        report = SliceReport(path, index, count, str(part["Command"]), part["FleetSize"],
                             str(part["FleetDigest"]), list(part["Positions"]),
                             [str(s) for s in part["Failing"]], rows)
    except (KeyError, TypeError) as exc:
        raise AtollError(f'{path}: "Partition" lacks or mistypes {exc}') from None
    ints = [index, count, report.fleet_size, *report.positions]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in ints) \
            or count < 1 or index >= count:
        raise AtollError(f'{path}: "Partition" holds an invalid index, count or position')
    if len(report.positions) != len(rows):
        raise AtollError(f"{path}: {len(rows)} database row(s) but {len(report.positions)} "
                         "position(s)")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise AtollError(f"{path}: database row {i + 1} is not an object")
        bad = [k for k, t in _ROW_FIELDS.items() if not isinstance(row.get(k), t)]
        bad += [k for k in ("Pending", "Drift") if k in row and not (
            isinstance(row[k], list) and all(isinstance(v, str) for v in row[k]))]
        if bad:
            raise AtollError(f'{path}: database row {i + 1}: missing or mistyped "{bad[0]}"')
    return report


def merge_slices(slices: list[SliceReport]) -> MergedReport:
    """Check that ``slices`` are all the slices of one run over one fleet, each once, and
    join their rows in fleet order. Every problem found is named in one error."""
    if not slices:
        raise AtollError("report merge: no reports given")
    problems: list[str] = []
    first = slices[0]
    for s in slices[1:]:
        if s.count != first.count:
            problems.append(f"{s.path} is slice {s.index}/{s.count} but {first.path} is "
                            f"{first.index}/{first.count}: the partition counts differ")
        if s.command != first.command:
            problems.append(f'{s.path} reports "{s.command}" but {first.path} reports '
                            f'"{first.command}"')
        if (s.fleet_digest, s.fleet_size) != (first.fleet_digest, first.fleet_size):
            problems.append(f"{s.path} was cut from a different fleet than {first.path} "
                            f"({s.fleet_size} vs {first.fleet_size} databases): did the "
                            "target list change between the runners?")
    if problems:
        raise AtollError("report merge: " + "; ".join(problems))
    by_index: dict[int, list[SliceReport]] = {}
    for s in slices:
        by_index.setdefault(s.index, []).append(s)
    for index, group in sorted(by_index.items()):
        if len(group) > 1:
            problems.append(f"slice {index}/{first.count} given {len(group)} times ("
                            + ", ".join(s.path for s in group) + ")")
    missing = [i for i in range(first.count) if i not in by_index]
    if missing:
        problems.append("missing slice(s) " + ", ".join(f"{i}/{first.count}" for i in missing))
    seen: dict[str, SliceReport] = {}
    placed: dict[int, tuple[SliceReport, dict]] = {}
    for s in slices:
        if len(by_index[s.index]) > 1:
            continue  # already reported as a duplicate slice
        for pos, row in zip(s.positions, s.rows):
            other = seen.get(row["Name"])
            if other is not None:
                problems.append(f'database "{row["Name"]}" is in slice {other.label} and in '
                                f"slice {s.label}")
            seen[row["Name"]] = s
            if pos >= first.fleet_size or pos in placed:
                problems.append(f"{s.path}: fleet position {pos} is out of range or taken twice")
            placed[pos] = (s, row)
    if not problems and len(placed) != first.fleet_size:
        problems.append(f"the slices hold {len(placed)} of the fleet's {first.fleet_size} "
                        "databases")
    if problems:
        raise AtollError("report merge: " + "; ".join(problems))
    results = [_result(row) for _, (_, row) in sorted(placed.items())]
    return MergedReport(first.command, first.count, results, frozenset(first.failing))


def _result(row: dict) -> TargetResult:
    return TargetResult(Target(row["Name"], row["URL"]), row["State"],
                        version_before=row["VersionBefore"], version_after=row["VersionAfter"],
                        files=row["Files"], statements=row["Statements"],
                        seconds=float(row["Seconds"]), error=row["Error"],
                        pending_files=row.get("Pending"), drift_lines=row.get("Drift"),
                        data_risk=[AtRisk.from_dict(x) for x in row.get("DataAtRisk") or []
                                   if isinstance(x, dict)])
