"""Reports of ``migrate apply``/``status``/``set``: their data, their default text (byte for byte
what Atlas's ``cmdlog`` templates print) and their JSON (what ``{{ json . }}`` prints).

It also holds the small Go-compatibility helpers the engine's texts need: Go's ``%q`` quoting,
``time.Duration`` text, ``time.Time`` as RFC 3339 / as go-sqlite3 stores it, and an
``encoding/json``-style encoder. Nothing here touches a database or prints anything."""

from __future__ import annotations

import re
import time as _time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..gotext import go_json, go_quote

if TYPE_CHECKING:  # pragma: no cover
    from .directory import MigrationFile
    from .revisions import Revision

# ---------------------------------------------------------------------------------------------
# Go time.Duration

MIN_DURATION = -(1 << 63)
MAX_DURATION = (1 << 63) - 1


def _frac(v: int, prec: int) -> tuple[str, int]:
    digits = ""
    printed = False
    for _ in range(prec):
        digit = v % 10
        printed = printed or digit != 0
        if printed:
            digits = str(digit) + digits
        v //= 10
    return ("." + digits if printed else ""), v


def go_duration(ns: int) -> str:
    """``time.Duration(ns).String()``: ``0s``, ``850ns``, ``812.5µs``, ``1.204ms``, ``1m2.5s``."""
    ns = max(MIN_DURATION, min(MAX_DURATION, ns))
    if ns == 0:
        return "0s"
    neg, u = ns < 0, abs(ns)
    if u < 1_000_000_000:
        if u < 1_000:
            text = f"{u}ns"
        elif u < 1_000_000:
            frac, whole = _frac(u, 3)
            text = f"{whole}{frac}µs"
        else:
            frac, whole = _frac(u, 6)
            text = f"{whole}{frac}ms"
    else:
        frac, secs = _frac(u, 9)
        text = f"{secs % 60}{frac}s"
        minutes = secs // 60
        if minutes:
            text = f"{minutes % 60}m" + text
            hours = minutes // 60
            if hours:
                text = f"{hours}h" + text
    return "-" + text if neg else text


# ---------------------------------------------------------------------------------------------
# Go time.Time


@dataclass(frozen=True)
class GoTime:
    """A wall-clock instant with nanoseconds and a UTC offset, as Go keeps it. ``mono`` is a
    monotonic reading used only for durations between two ``now()`` values."""

    unix_ns: int
    offset: int = 0  # seconds east of UTC
    mono: int | None = field(default=None, compare=False)

    @classmethod
    def now(cls) -> GoTime:
        ns = _time.time_ns()
        offset = _time.localtime(ns // 1_000_000_000).tm_gmtoff or 0
        return cls(ns, offset, _time.monotonic_ns())

    def sub(self, other: GoTime) -> int:
        """``t.Sub(u)`` in nanoseconds."""
        if self.mono is not None and other.mono is not None:
            return self.mono - other.mono
        return self.unix_ns - other.unix_ns

    def _parts(self) -> tuple[datetime, int]:
        secs, nanos = divmod(self.unix_ns + self.offset * 1_000_000_000, 1_000_000_000)
        return datetime(1970, 1, 1) + timedelta(seconds=secs), nanos

    def _offset_text(self, z: bool) -> str:
        if z and self.offset == 0:
            return "Z"
        sign = "-" if self.offset < 0 else "+"
        hh, mm = divmod(abs(self.offset) // 60, 60)
        return f"{sign}{hh:02d}:{mm:02d}"

    def rfc3339(self) -> str:
        """Go's ``time.RFC3339Nano`` (what ``encoding/json`` writes)."""
        dt, nanos = self._parts()
        frac, _ = _frac(nanos, 9)
        return f"{dt:%Y-%m-%dT%H:%M:%S}{frac}{self._offset_text(True)}"

    def sqlite_text(self) -> str:
        """How go-sqlite3 stores a ``time.Time``: ``2006-01-02 15:04:05.999999999-07:00``."""
        dt, nanos = self._parts()
        frac, _ = _frac(nanos, 9)
        return f"{dt:%Y-%m-%d %H:%M:%S}{frac}{self._offset_text(False)}"

    _RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
                     r"\s*(Z|[+-]\d{2}:?\d{2})?$")

    @classmethod
    def parse(cls, value: Any) -> GoTime | None:
        """Read a stored time: go-sqlite3's text forms, a Unix timestamp, or ``None``."""
        if value is None:
            return None
        if isinstance(value, (int, float)):
            return cls(int(value * 1_000_000_000))
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        m = cls._RE.match(str(value).strip())
        if not m:
            return None
        y, mo, d, h, mi, s, frac, zone = m.groups()
        offset = 0
        if zone and zone != "Z":
            digits = zone[1:].replace(":", "")
            offset = (int(digits[:2]) * 60 + int(digits[2:])) * 60
            if zone[0] == "-":
                offset = -offset
        days = date(int(y), int(mo), int(d)).toordinal() - _EPOCH_ORDINAL
        secs = days * 86400 + int(h or 0) * 3600 + int(mi or 0) * 60 + int(s or 0) - offset
        nanos = int(frac[:9].ljust(9, "0")) if frac else 0
        return cls(secs * 1_000_000_000 + nanos, offset)


ZERO_TIME_TEXT = "0001-01-01T00:00:00Z"
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def go_time_json(t: GoTime | None) -> str:
    return t.rfc3339() if t is not None else ZERO_TIME_TEXT


def go_sub(end: GoTime | None, start: GoTime | None) -> int:
    """``end.Sub(start)`` where an unset (zero) time saturates like Go's does."""
    if end is None and start is None:
        return 0
    if end is None:
        return MIN_DURATION
    if start is None:
        return MAX_DURATION
    return end.sub(start)


# ---------------------------------------------------------------------------------------------
# Go encoding/json



def go_url_json(text: str, schema: str = "main") -> dict:
    """Atlas's ``sqlclient.URL`` as JSON (a Go ``net/url.URL`` plus ``Schema``), for the common
    URL shapes (``sqlite://app.db``, ``sqlite:///abs/app.db``, ``sqlite://file:/x?a=b``)."""
    scheme, sep, rest = text.partition(":")
    out = {"Scheme": scheme.lower() if sep else "", "Opaque": "", "User": None, "Host": "",
           "Path": "", "RawPath": "", "OmitHost": False, "ForceQuery": False, "RawQuery": "",
           "Fragment": "", "RawFragment": "", "Schema": schema}
    if not sep:
        rest = text
    rest, _, frag = rest.partition("#")
    out["Fragment"] = frag
    rest, q, query = rest.partition("?")
    out["RawQuery"] = query
    out["ForceQuery"] = bool(q) and not query
    if rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        if "@" in authority:
            out["User"] = {}
            authority = authority.rpartition("@")[2]
        out["Host"] = authority
        out["Path"] = slash + path
    elif sep and not rest.startswith("/"):
        out["Opaque"] = rest
    else:
        out["Path"] = rest
    if out["Scheme"] in ("mysql", "mariadb", "maria") and schema == "main":
        # Atlas's MySQL driver: the URL's database (realm scope: "").
        out["Schema"] = out["Path"].lstrip("/")
    return out


# ---------------------------------------------------------------------------------------------
# colours (only when the caller asks: a terminal, NO_COLOR unset, TERM != dumb)


def _paint(code: str, text: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _cyan(t: str, c: bool) -> str:
    return _paint("36", t, c)


def _yellow(t: str, c: bool) -> str:
    return _paint("33", t, c)


def _green(t: str, c: bool) -> str:
    return _paint("92", t, c)


def _red(t: str, c: bool) -> str:
    return _paint("91", t, c)


def _alert(t: str, c: bool) -> str:
    return _paint("97;101", t, c)


def _plural(n: int) -> str:
    return "s" if n > 1 else ""


# ---------------------------------------------------------------------------------------------
# shared data


@dataclass
class ReportEnv:
    """Who the report is about: ``Driver`` (``sqlite``), ``URL`` (a JSON object, see
    :func:`go_url_json`, or ``None``) and ``Dir`` (the redacted ``--dir`` URL)."""

    driver: str = ""
    url: dict | None = None
    dir: str = ""

    def json_fields(self) -> dict:
        out: dict = {}
        if self.driver:
            out["Driver"] = self.driver
        if self.url is not None:
            out["URL"] = self.url
        if self.dir:
            out["Dir"] = self.dir
        return out


def file_json(f: MigrationFile) -> dict:
    out: dict = {}
    if f.name:
        out["Name"] = f.name
    if f.version:
        out["Version"] = f.version
    if f.description:
        out["Description"] = f.description
    return out


# ---------------------------------------------------------------------------------------------
# migrate apply


@dataclass
class StmtError:
    """A failed statement and the database's message (``Error`` of an applied file)."""

    stmt: str
    text: str


@dataclass
class AppliedFile:
    """One file started by ``migrate apply``: the statements run now (the failing one
    included), how many were skipped because an earlier attempt applied them, and the error."""

    file: MigrationFile
    start: GoTime
    end: GoTime | None = None
    skipped: int = 0
    applied: list[str] = field(default_factory=list)
    error: StmtError | None = None

    @property
    def name(self) -> str:
        return self.file.name

    @property
    def version(self) -> str:
        return self.file.version

    @property
    def description(self) -> str:
        return self.file.description

    def to_json(self) -> dict:
        out = {"Name": self.file.name} if self.file.name else {}
        if self.file.version:
            out["Version"] = self.file.version
        if self.file.description:
            out["Description"] = self.file.description
        out["Start"] = go_time_json(self.start)
        out["End"] = go_time_json(self.end)
        if self.skipped:
            out["Skipped"] = self.skipped
        if self.applied:
            out["Applied"] = list(self.applied)
        if self.error is not None:
            err: dict = {}
            if self.error.stmt:
                err["Stmt"] = self.error.stmt
            if self.error.text:
                err["Text"] = self.error.text
            out["Error"] = err
        return out


@dataclass
class ApplyReport:
    """What one ``migrate apply`` did (Atlas's ``cmdlog.MigrateApply``).

    ``pending`` are the files selected to run, ``applied`` the files started, ``current`` the
    last revision when execution began, ``target`` the last selected version. ``error`` is the
    run's error text (``None`` on success) and ``exception`` the matching exception object; the
    CLI prints the report, then ``Error: <error>`` and exits 1. ``end`` stays ``None`` when the
    run stopped on an error Atlas does not log (an invalid tx-mode, a failed commit), which
    makes the total duration read as Go's minimum duration, like Atlas."""

    env: ReportEnv = field(default_factory=ReportEnv)
    pending: list[MigrationFile] = field(default_factory=list)
    applied: list[AppliedFile] = field(default_factory=list)
    current: str = ""
    target: str = ""
    start: GoTime = field(default_factory=GoTime.now)
    end: GoTime | None = None
    error: str | None = None
    exception: BaseException | None = None
    dry_run: bool = False
    stopped: bool = False  # ended early between files on request (a failing fleet)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def header(self) -> str:
        return apply_header(self)

    def summary(self, indent: str = "  ") -> str:
        return apply_summary(self, indent)

    @property
    def message(self) -> str:
        if self.error:
            return ""
        if not self.applied:
            return "No migration files to execute"
        return (f"Migrated to version {self.target} from {self.current} "
                f"({len(self.pending)} migrations in total)")

    def counts(self) -> tuple[int, int, int, int]:
        """(files ok, files failed, statements ok, statements failed), Atlas's way."""
        passed_f = failed_f = passed_s = failed_s = 0
        for f in self.applied:
            passed_s += len(f.applied)
            if f.error is not None:
                failed_f += 1
                passed_s -= 1
                failed_s += 1
            else:
                passed_f += 1
        return passed_f, failed_f, passed_s, failed_s


def apply_header(r: ApplyReport, color: bool = False) -> str:
    if not r.pending:
        return "No migration files to execute"
    text = "Migrating to version " + _cyan(r.target, color)
    if r.current:
        text += " from " + _cyan(r.current, color)
    return text + f" ({len(r.pending)} migrations in total):"


def apply_summary(r: ApplyReport, indent: str = "  ", color: bool = False) -> str:
    passed_f, failed_f, passed_s, failed_s = r.counts()
    lines = [go_duration(go_sub(r.end, r.start))]
    if passed_f and failed_f:
        lines.append(f"{passed_f} migration{_plural(passed_f)} ok, {failed_f} with errors")
    elif passed_f:
        lines.append(f"{passed_f} migration{_plural(passed_f)}")
    elif failed_f:
        lines.append(f"{failed_f} migration{_plural(failed_f)} with errors")
    if passed_s and failed_s:
        lines.append(f"{passed_s} sql statement{_plural(passed_s)} ok, {failed_s} with errors")
    elif passed_s:
        lines.append(f"{passed_s} sql statement{_plural(passed_s)}")
    elif failed_s:
        lines.append(f"{failed_s} sql statement{_plural(failed_s)} with errors")
    return ("\n" + indent).join(_yellow("--", color) + " " + line for line in lines)


def render_apply(r: ApplyReport, color: bool = False) -> str:
    """The default ``migrate apply`` output (ends with a newline)."""
    if not r.pending:
        return "No migration files to execute\n"
    out = [apply_header(r, color), "\n"]
    dash, arrow = _yellow("--", color), _cyan("->", color)
    for f in r.applied:
        out.append("\n")
        out.append(f"  {dash} migrating version {_cyan(f.version, color)}\n")
        for stmt in f.applied:
            out.append(f"    {arrow} {stmt.replace(chr(10), chr(10) + ' ' * 7)}\n")
        if f.error is not None:
            out.append(f"    {_alert(f.error.text, color)}\n")
        else:
            took = go_duration(go_sub(f.end, f.start))
            out.append(f"  {dash} ok ({_yellow(took, color)})\n")
    if not r.applied:
        out.append("\n")
        if r.error:
            out.append(f"    {_alert(r.error, color)}\n")
    out.append("\n")
    out.append(f"  {_cyan('-------------------------', color)}\n")
    out.append(f"  {apply_summary(r, '  ', color)}\n")
    return "".join(out)


def apply_data(r: ApplyReport) -> dict:
    """The report as the JSON object ``{{ json . }}`` prints (keys in Atlas's order)."""
    out = r.env.json_fields()
    if r.pending:
        out["Pending"] = [file_json(f) for f in r.pending]
    if r.applied:
        out["Applied"] = [f.to_json() for f in r.applied]
    if r.current:
        out["Current"] = r.current
    if r.target:
        out["Target"] = r.target
    out["Start"] = go_time_json(r.start)
    out["End"] = go_time_json(r.end)
    if r.error:
        out["Error"] = r.error
    if r.message:
        out["Message"] = r.message
    return out


def apply_json(r: ApplyReport) -> str:
    return go_json(apply_data(r))


# ---------------------------------------------------------------------------------------------
# migrate status


@dataclass
class StatusReport:
    """Atlas's ``cmdlog.MigrateStatus``: ``count``/``total`` are set only when the last
    revision is partially applied (then ``sql``/``error`` hold its failing statement)."""

    env: ReportEnv = field(default_factory=ReportEnv)
    available: list[MigrationFile] = field(default_factory=list)
    out_of_order: list[MigrationFile] = field(default_factory=list)
    pending: list[MigrationFile] = field(default_factory=list)
    applied: list[Revision] = field(default_factory=list)
    current: str = ""
    next: str = ""
    count: int = 0
    total: int = 0
    status: str = ""
    error: str = ""
    sql: str = ""

    @property
    def left(self) -> int:
        return self.total - self.count

    @property
    def from_checkpoint(self) -> bool:
        if self.applied or not self.pending or self.pending[0].version != self.next:
            return False
        return self.pending[0].is_checkpoint


def render_status(r: StatusReport, color: bool = False) -> str:
    """The default ``migrate status`` output (ends with a newline)."""
    dash = _yellow("--", color)
    out = ["Migration Status:"]
    if r.status == "OK":
        out.append(" " + _green(r.status, color))
    if r.status == "PENDING":
        out.append(" " + _yellow(r.status, color))
    out.append(f"\n  {dash} Current Version: {_cyan(r.current, color)}")
    if r.total > 0:
        out.append(f" ({_yellow(str(r.count), color)} statements applied)")
    out.append(f"\n  {dash} Next Version:    ")
    if r.next:
        out.append(_cyan(r.next, color))
        if r.from_checkpoint:
            out.append(" (checkpoint)")
    else:
        out.append("UNKNOWN")
    if r.total > 0:
        out.append(f" ({_yellow(str(r.left), color)} statements left)")
    out.append(f"\n  {dash} Executed Files:  {len(r.applied)}")
    if r.total > 0:
        out.append(" (last one partially)")
    out.append(f"\n  {dash} Pending Files:   {len(r.pending) + len(r.out_of_order)}")
    if r.out_of_order:
        out.append(" (" + (f"{len(r.out_of_order)} " if r.pending else "") + "out of order)")
    if r.total > 0:
        out.append("\n\nLast migration attempt had errors:")
        out.append(f"\n  {dash} SQL:   {r.sql}")
        out.append(f"\n  {dash} {_red('ERROR:', color)} {r.error}")
    elif r.out_of_order and r.error:
        out.append(f"\n\n  {_red('ERROR:', color)} {r.error}")
    out.append("\n")
    return "".join(out)


def status_data(r: StatusReport) -> dict:
    out: dict = {"Env": r.env.json_fields()}
    if r.available:
        out["Available"] = [file_json(f) for f in r.available]
    if r.out_of_order:
        out["OutOfOrder"] = [file_json(f) for f in r.out_of_order]
    if r.pending:
        out["Pending"] = [file_json(f) for f in r.pending]
    if r.applied:
        out["Applied"] = [rev.to_json() for rev in r.applied]
    for key, value in (("Current", r.current), ("Next", r.next), ("Count", r.count),
                       ("Total", r.total), ("Status", r.status), ("Error", r.error),
                       ("SQL", r.sql)):
        if value:
            out[key] = value
    return out


def status_json(r: StatusReport) -> str:
    return go_json(status_data(r))


# ---------------------------------------------------------------------------------------------
# migrate set


@dataclass
class RevisionOp:
    revision: Revision
    op: str  # "set" or "remove"


@dataclass
class SetReport:
    """What ``migrate set`` changed, and the revision that is current afterwards."""

    revisions: list[RevisionOp] = field(default_factory=list)
    current: Revision | None = None

    def by_version(self) -> list[RevisionOp]:
        return sorted(self.revisions, key=lambda o: o.revision.version)

    @property
    def summary(self) -> str:
        s = sum(1 for o in self.revisions if o.op == "set")
        d = len(self.revisions) - s
        parts = ([f"{s} set"] if s else []) + ([f"{d} removed"] if d else [])
        return ", ".join(parts)


def render_set(r: SetReport, color: bool = False) -> str:
    """The ``migrate set`` output; empty when nothing changed."""
    if not r.revisions:
        return ""
    if r.current is None:
        out = [f"All revisions deleted ({len(r.revisions)} in total):\n"]
    else:
        out = [f"Current version is {_cyan(r.current.version, color)} ({r.summary}):\n"]
    out.append("\n")
    for op in r.by_version():
        mark = _green("+", color) if op.op == "set" else _red("-", color)
        text = f"{mark} {op.revision.version}"
        if op.revision.description:
            text += f" ({op.revision.description})"
        out.append(f"  {text}\n")
    out.append("\n")
    return "".join(out)


_DURATION_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000,
                   "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")


def parse_go_duration(text: str) -> int:
    """Go's ``time.ParseDuration`` (``10s``, ``1m30s``, ``250ms``, ``0``) in nanoseconds;
    raises ``ValueError`` with Go's message for bad input."""
    orig, s, neg = text, text, False
    if s[:1] in "+-" and s:
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f"time: invalid duration {go_quote(orig)}")
    total, pos = 0.0, 0
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if not m or m.group(1) in ("", "."):
            if m is None and re.match(r"[0-9.]+", s[pos:]):
                unit = re.match(r"[0-9.]+([^0-9.]*)", s[pos:]).group(1)
                if not unit:
                    raise ValueError(f"time: missing unit in duration {go_quote(orig)}")
                raise ValueError(f"time: unknown unit {go_quote(unit)} in duration "
                                 f"{go_quote(orig)}")
            raise ValueError(f"time: invalid duration {go_quote(orig)}")
        total += float(m.group(1)) * _DURATION_UNITS[m.group(2)]
        pos = m.end()
    ns = round(total)
    return -ns if neg else ns
