"""The run record: one JSON file per fleet ``migrate apply`` (``<run dir>/<run id>/run.json``)
saying what the run did to each database: versions before and after, files, statements, time,
state, error, the restore point taken before the first pending file (path and SHA-256), and
the state the run left (version and hash) so that ``migrate restore`` can tell whether a
database changed since. ``--resume`` reads it to re-run the databases that did not finish.

The record is rewritten (atomically: temporary file, then rename) when the run starts, as
databases finish (at most every ``FLUSH_SECONDS``, so a fleet of thousands does not rewrite
it thousands of times) and at the end. What ``migrate restore`` cannot do without (a restore
point taken, the state a database was left in) is also appended to ``run.journal`` and synced
before the run goes on, so a run that dies between two saves (``kill -9``, a full disk) still
says where every restore point is; :func:`load` replays it. Its JSON Schema is
docs/run-record.schema.json."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field, is_dataclass

from ..errors import AtollError
from ..urls import mask_password

FORMAT = 1
RECORD_FILE = "run.json"
JOURNAL_FILE = "run.journal"
FLUSH_SECONDS = 1.0
RUN_ID = re.compile(r"^\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{4}$")
# States a resumed run goes back to: the database did not finish (or never started).
UNFINISHED = frozenset({"not-started", "running", "failed", "skipped", "stopped"})


def now_text() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}Z"


def new_run_id() -> str:
    """``20261207T191915.123456Z-a1b2``: sorts by time; the random tail (and the exclusive
    directory creation in :func:`create_run_dirs`) keeps two runs in one instant apart."""
    t = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(t))
    return f"{stamp}.{int(t % 1 * 1e6):06d}Z-{secrets.token_hex(2)}"


def create_run_dirs(bases: list[str]) -> str:
    """A fresh run id and ``<base>/<id>/`` in every base directory."""
    for _ in range(100):
        run_id = new_run_id()
        made = []
        try:
            for base in dict.fromkeys(bases):
                os.makedirs(base, exist_ok=True)
                path = os.path.join(base, run_id)
                os.mkdir(path)  # fails if another run took this id
                made.append(path)
            return run_id
        except FileExistsError:
            for path in made:
                os.rmdir(path)
        except OSError as exc:
            where = exc.filename or bases[0]
            raise AtollError(f"creating the run directory (backup dir, run dir) {where}: "
                             f"{(exc.strerror or str(exc)).lower()}; nothing was applied"
                             ) from None
    raise AtollError("cannot find a free run id")  # pragma: no cover


def mask_argv(argv: list[str]) -> list[str]:
    """The command line without secrets: URL passwords masked, ``--var`` values hidden."""
    out = []
    hide_next = False
    for arg in argv:
        if hide_next:
            key, sep, _ = arg.partition("=")
            out.append(f"{key}=xxxxx" if sep else "xxxxx")
            hide_next = False
            continue
        if arg == "--var":
            hide_next = True
        elif arg.startswith("--var="):
            key, sep, _ = arg[len("--var="):].partition("=")
            arg = f"--var={key}=xxxxx" if sep else "--var=xxxxx"
        elif arg.startswith("-") and "=" in arg and "://" in arg:
            flag, _, value = arg.partition("=")
            arg = f"{flag}={mask_password(value)}"
        elif "://" in arg:
            arg = mask_password(arg)
        out.append(arg)
    return out


@dataclass
class FileDigest:
    path: str  # relative to the record's directory
    sha256: str
    bytes: int


@dataclass
class RestorePointInfo:
    version: str  # the version the database was at ("" for none)
    taken_at: str
    path: str
    sha256: str
    bytes: int
    wal: FileDigest | None = None


@dataclass
class EndState:
    """What the run left in the database: its version and a hash of its bytes."""

    version: str
    sha256: str


@dataclass
class DatabaseEntry:
    name: str
    url: str
    group: str = ""
    dir: str = ""
    state: str = "not-started"
    version_before: str = ""
    version_after: str = ""
    files: list[str] = field(default_factory=list)
    statements: int = 0
    seconds: float = 0.0
    error: str = ""
    restore_point: RestorePointInfo | None = None
    end: EndState | None = None
    # Results of other checks made on this database (preflight, data at risk…), by name.
    checks: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Did the run change this database? Only a database with a restore point can have
        been changed by a run that takes them; an unknown end state counts as changed."""
        if self.restore_point is None:
            return False
        return self.end is None or self.end.sha256 != self.restore_point.sha256


@dataclass
class RunRecord:
    id: str
    command: str
    argv: list[str]
    scope: str  # which databases the command named: "env:<config>#<env>" or "url:<url>"
    started_at: str
    ended_at: str | None = None
    state: str = "running"
    resumed_from: str | None = None
    backup_dir: str | None = None
    databases: list[DatabaseEntry] = field(default_factory=list)
    format: int = FORMAT
    path: str = field(default="", compare=False, repr=False)  # where run.json is

    def entry(self, name: str) -> DatabaseEntry | None:
        for e in self.databases:
            if e.name == name:
                return e
        return None

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("path")
        return data

    def save(self) -> None:
        tmp = self.path + ".tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(self.to_json(), fh, ensure_ascii=False, indent=1)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            try:
                os.remove(tmp)
            except OSError:
                pass
            raise AtollError(f"writing the run record: {exc.filename or self.path}: "
                             f"{(exc.strerror or str(exc)).lower()}") from None

    def relative(self, path: str) -> str:
        return os.path.relpath(path, os.path.dirname(self.path))

    def absolute(self, path: str) -> str:
        return os.path.normpath(os.path.join(os.path.dirname(self.path), path))


def load(path: str) -> RunRecord:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise AtollError(f"reading run record {path}: {(exc.strerror or str(exc)).lower()}"
                         ) from None
    except ValueError as exc:
        raise AtollError(f"reading run record {path}: not JSON: {exc}") from None
    try:
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown record format {data.get('format')!r}")
        data["databases"] = [DatabaseEntry(**_decode_entry_values(e)) for e in data["databases"]]
        record = RunRecord(**data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise AtollError(f"reading run record {path}: not a run record ({exc})") from None
    record.path = path
    _replay_journal(record)
    return record


def _decode_entry_values(values: dict) -> dict:
    e = dict(values)
    rp = e.get("restore_point")
    if rp is not None:
        rp = dict(rp)
        rp["wal"] = FileDigest(**rp["wal"]) if rp.get("wal") else None
        e["restore_point"] = RestorePointInfo(**rp)
    if e.get("end") is not None:
        e["end"] = EndState(**e["end"])
    return e


def _replay_journal(record: RunRecord) -> None:
    """Apply what ``run.journal`` holds beyond the last save of run.json. A line cut short
    by a crash is the last one and is skipped; so is one naming an unknown database."""
    path = os.path.join(os.path.dirname(record.path), JOURNAL_FILE)
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return
    for line in lines:
        try:
            values = _decode_entry_values(json.loads(line))
            entry = record.entry(values.pop("name"))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        if entry is not None:
            for key, value in values.items():
                setattr(entry, key, value)


def _records_in(base: str) -> list[str]:
    try:
        names = os.listdir(base)
    except OSError:
        return []
    return [os.path.join(base, n, RECORD_FILE) for n in sorted(names)
            if RUN_ID.match(n) and os.path.isfile(os.path.join(base, n, RECORD_FILE))]


def find(run: str, bases: list[str], scope: str, with_points: bool = True) -> RunRecord:
    """The record ``run`` names: a run id looked up in ``bases``, ``latest`` (the newest run
    of this scope; with ``with_points``, that took restore points), or the path of a run.json
    or its directory."""
    bases = [b for b in dict.fromkeys(bases) if b]
    if run != "latest" and not RUN_ID.match(run):
        path = os.path.join(run, RECORD_FILE) if os.path.isdir(run) else run
        if os.path.isfile(path):
            return load(path)
        raise AtollError(f'run "{run}" is neither a run id nor a run record file')
    if not bases:
        raise AtollError("where are the runs? give --backup-dir or --run-dir (or set "
                         "backup_dir / run_dir in the env)")
    if run != "latest":
        for base in bases:
            path = os.path.join(base, run, RECORD_FILE)
            if os.path.isfile(path):
                return load(path)
        raise AtollError(f'run "{run}" not found in {", ".join(bases)}')
    records = [r for base in bases for r in map(load, _records_in(base))
               if r.scope == scope and (not with_points or
                                        any(e.restore_point for e in r.databases))]
    if not records:
        what = "run with restore points" if with_points else "run"
        raise AtollError(f'no {what} for {scope.partition(":")[2]} in {", ".join(bases)}')
    return max(records, key=lambda r: r.id)


def prune(record: RunRecord, keep: int) -> list[str]:
    """Delete this scope's runs older than its ``keep`` newest runs with restore points (the
    record and its restore points); returns the ids removed."""
    run_base = os.path.dirname(os.path.dirname(record.path))
    records = sorted((r for r in map(load, _records_in(run_base)) if r.scope == record.scope),
                     key=lambda r: r.id, reverse=True)
    kept = 0
    removed = []
    for r in records:
        if kept >= keep and r.id != record.id:
            for base in dict.fromkeys([run_base, r.backup_dir or run_base]):
                shutil.rmtree(os.path.join(base, r.id), ignore_errors=True)
            removed.append(r.id)
        elif any(e.restore_point for e in r.databases):
            kept += 1
    return removed


class RecordWriter:
    """Thread-safe updates of a run record by the jobs of a fleet, saved now and then."""

    def __init__(self, record: RunRecord):
        self.record = record
        self._lock = threading.Lock()
        self._saved = 0.0

    def update(self, name: str, force: bool = False, **values) -> None:
        with self._lock:
            entry = self.record.entry(name)
            if entry is None:
                return
            for key, value in values.items():
                setattr(entry, key, value)
            if force or time.monotonic() - self._saved >= FLUSH_SECONDS:
                self.record.save()
                self._saved = time.monotonic()

    def record_durably(self, name: str, **values) -> None:
        """Set ``values`` on a database's entry once they are on disk: appended to
        ``run.journal`` and synced. Raises (and sets nothing) when they cannot be written."""
        line = json.dumps({"name": name, **{k: asdict(v) if is_dataclass(v) else v
                                            for k, v in values.items()}}, ensure_ascii=False)
        path = os.path.join(os.path.dirname(self.record.path), JOURNAL_FILE)
        with self._lock:
            try:
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write(line + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
            except OSError as exc:
                raise AtollError(f"writing the run journal: {exc.filename or path}: "
                                 f"{(exc.strerror or str(exc)).lower()}") from None
            entry = self.record.entry(name)
            if entry is not None:
                for key, value in values.items():
                    setattr(entry, key, value)

    def save(self, final: bool = False) -> None:
        """Rewrite run.json; the ``final`` save also drops the journal it now holds."""
        with self._lock:
            self.record.save()
            self._saved = time.monotonic()
            if final:
                try:
                    os.remove(os.path.join(os.path.dirname(self.record.path), JOURNAL_FILE))
                except OSError:
                    pass
