"""Data at risk: right before a statement runs, what it would lose or break on this database,
counted on the database itself (``--data-loss warn|refuse``).

What a statement does is the dialect's business (it parses it: ``dialect.risk_probe()``
returns a per-database probe, or ``None`` where the engine has none yet); this module keeps
the counts and turns a count above zero into a refusal when asked to."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import MigrationError

DATA_LOSS_MODES = ("warn", "refuse")
ROWS_LOST, VALUES_LOST, VIOLATIONS = "rows lost", "values lost", "rows would violate"


@dataclass(frozen=True)
class Measure:
    """One count a probe took before a statement: ``kind`` is one of ROWS_LOST, VALUES_LOST
    (non-NULL values of a dropped column), VIOLATIONS (rows breaking a new constraint or a
    narrower type); ``what`` says which (``drop column "email" of "users"``)."""

    kind: str
    count: int
    table: str
    what: str
    column: str = ""


@dataclass(frozen=True)
class AtRisk:
    """A measure above zero, with the file and statement it belongs to."""

    file: str
    statement: str
    measure: Measure

    def line(self) -> str:
        m = self.measure
        return f"{self.file}: {m.count} {m.kind} ({m.what})"

    @classmethod
    def from_dict(cls, d: dict) -> "AtRisk":
        """The inverse of :meth:`as_dict` (a fleet report's ``DataAtRisk`` entry)."""
        return cls(str(d.get("File", "")), str(d.get("Statement", "")),
                   Measure(str(d.get("Kind", "")), int(d.get("Count", 0)),
                           str(d.get("Table", "")), str(d.get("What", "")),
                           str(d.get("Column", ""))))

    def as_dict(self) -> dict:
        m = self.measure
        return {"File": self.file, "Statement": self.statement, "Kind": m.kind,
                "Table": m.table, "Column": m.column, "Count": m.count, "What": m.what}


class DataLossRefused(MigrationError):
    """``--data-loss=refuse`` and a statement would lose or break data."""


def check_mode(mode: str) -> str:
    if mode not in DATA_LOSS_MODES:
        raise MigrationError(f'unknown --data-loss mode "{mode}"; use "warn" or "refuse"')
    return mode


@dataclass
class RiskMeter:
    """The executor's ``before_statement`` hook for one database: asks the dialect's probe
    to measure each statement and keeps every count above zero. With ``refuse`` the first
    one raises, which rolls the file back."""

    probe: object  # the dialect's probe: start_file(), measure(conn, stmt) -> [Measure]
    refuse: bool = False
    found: list[AtRisk] = field(default_factory=list)
    _file: str = ""

    def __call__(self, conn, file, stmt: str) -> None:
        if file.name != self._file:
            self._file = file.name
            self.probe.start_file()
        text = " ".join(stmt.split())
        for m in self.probe.measure(conn, stmt):
            if m.count <= 0:
                continue
            risk = AtRisk(file.name, text, m)
            self.found.append(risk)
            if self.refuse:
                raise DataLossRefused(f"data at risk, refused (--data-loss=refuse): "
                                      f"{risk.line()}")


def meter_for(dialect, refuse: bool = False) -> RiskMeter | None:
    probe = dialect.risk_probe()
    return RiskMeter(probe, refuse) if probe is not None else None


def summary(found: list[AtRisk]) -> str:
    """``2 rows lost, 5 values lost`` over a database's counts."""
    totals: dict[str, int] = {}
    for r in found:
        totals[r.measure.kind] = totals.get(r.measure.kind, 0) + r.measure.count
    return ", ".join(f"{n} {k}" for k, n in totals.items())
