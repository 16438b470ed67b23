"""Running ``migrate lint`` (Atlas's ``migratelint.Runner`` with its ``DevLoader``).

1. Integrity: atlas.sum is checked (missing is fine; invalid is a file error in the report).
2. Detection: the directory splits into *base* files and *new* ones (``--latest N`` or
   ``--git-base BRANCH``).
3. Replay on the dev database, holding Atlas's lint lock on it (``atlas_lint``, or
   ``atlas_lint_<schema>`` for a schema-bound URL; another lint holding it stops this one at
   once, as in Atlas): the base files (from the last checkpoint on) run as a whole; each
   new file runs statement by statement, with an inspect and a diff after each statement, so
   every statement gets the schema changes it made. A dev URL naming a whole database (no
   schema) is inspected and diffed as a realm: changes in every schema are analysed. The very first file of an empty base with
   more than 10 statements runs at once (one change set at position 0).
4. Analysis: per new file, the analyzers' reports pass through ``atlas:nolint`` and the
   per-analyzer ``error`` setting.

Errors that stop Atlas before a report exists (bad flags, dev database locked or not clean,
git failing)
raise :class:`~atoll.errors.AtollError`; replay and checksum errors end up in the report, whose
``failed`` property tells the CLI to exit 1."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from ...errors import AtollError, ChecksumError, DatabaseError
from ...schema.model import Realm, Schema
from ..checksum import HASH_FILE_NAME, ChecksumMismatch
from ..directives import directive, file_directives
from ..directory import MigrationDir, MigrationFile, load_dir
from ..replay_cache import replayed
from ..report import GoTime
from ..splitter import ScanError
from .analyzers import Analyzer, Change, LintFile, Pass, Report, Stmt, analyzers_for
from .config import LintConfig
from .report import (
    STEP_ANALYZE,
    STEP_DETECT,
    STEP_INTEGRITY,
    STEP_LOAD,
    FileReport,
    LintReport,
)

__all__ = ["MAX_FIRST_FILE_LOOP", "analyze_files", "detect_git", "detect_latest", "lint_dir"]

# Atlas analyzes the first file of an empty base statement by statement only up to this size.
MAX_FIRST_FILE_LOOP = 10


class _FileError(Exception):
    """A replay error tied to a file (Atlas's ``FileError``): reported, not raised."""

    def __init__(self, file: str, message: str, pos: int = 0):
        super().__init__(message)
        self.file, self.message, self.pos = file, message, pos


# ---------------------------------------------------------------------------------------------
# change detection


def detect_latest(files: Sequence[MigrationFile], n: int):
    """The last ``n`` files are new (all of them when ``n`` ≥ the count or negative)."""
    files = list(files)
    if n < 0 or len(files) <= n:
        return [], files
    return files[:len(files) - n], files[len(files) - n:]


def detect_git(files: Sequence[MigrationFile], base: str, dir_path: str, git_dir: str = "."):
    """Files new or changed relative to ``base``: the first directory file among them and
    every file after it are new.

    Atlas compares ``base`` with ``HEAD`` only, so a migration that is staged or still
    untracked (the pre-commit case) passes unlinted. atoll compares ``base`` with the working
    tree (committed, staged and unstaged changes: ``git diff --diff-filter=AM base``) and adds
    the untracked files that git does not ignore."""
    if shutil.which("git") is None:
        raise AtollError('lookup git: exec: "git": executable file not found in $PATH')
    where = (dir_path or "migrations").replace(os.sep, "/")
    changed = _git_names(git_dir, "diff", "--name-only", "--diff-filter=AM", base or "master",
                         "--", where)
    untracked = _git_names(git_dir, "ls-files", "--others", "--exclude-standard", "--", where)
    names = {line.rstrip("/").rsplit("/", 1)[-1] for line in changed + untracked}
    files = list(files)
    for i, f in enumerate(files):
        if f.name in names:
            return files[:i], files[i:]
    return files, []


def _git_names(git_dir: str, *args: str) -> list[str]:
    cmd = ["git", *(["-C", git_dir] if git_dir else []), "--no-pager", *args]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0:
        raise AtollError(f"git {args[0]}: exit status {proc.returncode}")
    return [line for line in proc.stdout.decode("utf-8", "surrogateescape").split("\n") if line]


# ---------------------------------------------------------------------------------------------
# replay on the dev database


def _byte_positions(text: str):
    """A function turning a statement's character offset (in the text after a delimiter
    line) into Atlas's byte offset; for ASCII text, the offset itself."""
    if directive(text, "delimiter", "-- ") is not None and "\n" in text:
        text = text.partition("\n")[2]
    if text.isascii():
        return lambda pos: pos
    return lambda pos: len(text[:pos].encode("utf-8", "surrogateescape"))


class _Loader:
    """Replays on the dev database. ``realm``: the dev URL names a whole database (no
    schema), so every schema is inspected and diffed, as Atlas's ``DevLoader`` does with a
    realm connection; ``realm`` is then the clean state to put back."""

    def __init__(self, dialect, conn, realm: Realm | None = None):
        self.dialect, self.conn, self.realm = dialect, conn, realm
        # The clean database's own image, where the engine has one: putting it back is
        # instant, where dropping every object one by one is not.
        self.blank = (dialect.save_dev_state(conn) if dialect.dev_state_tag(conn) is not None
                      else None)

    def inspect(self) -> Schema | Realm:
        if self.realm is not None:
            return self.dialect.inspect_realm(self.conn)
        return self.dialect.inspect(self.conn)

    def diff(self, current, desired) -> list:
        if self.realm is not None:
            return list(self.dialect.diff_realm(current, desired))
        return list(self.dialect.diff(current, desired))

    def stmts(self, f: MigrationFile) -> list:
        try:
            return f.statements()
        except ScanError as exc:
            raise _FileError(f.name, f"scanning statements: {exc}") from None

    def exec(self, f: MigrationFile, stmt, with_text: bool) -> None:
        try:
            self.conn.execute(stmt.text)
        except DatabaseError as exc:
            msg = (f"executing statement: {stmt.text}: {exc}" if with_text
                   else f"executing statement: {exc}")
            raise _FileError(f.name, msg, stmt.pos) from None

    def restore(self) -> None:
        if self.blank is not None:
            self.dialect.load_dev_state(self.conn, self.blank)
            return
        if self.realm is not None:
            self.dialect.restore_realm_dev(self.conn, self.realm)
            return
        for stmt in self.dialect.clean(self.conn):
            self.conn.execute(stmt.sql)

    def base(self, files: list[MigrationFile]) -> Schema:
        last = max((i for i, f in enumerate(files) if f.is_checkpoint), default=-1)
        if last != -1:
            files = files[last:]

        def run() -> None:
            for f in files:
                for s in self.stmts(f):
                    self.exec(f, s, with_text=False)

        replayed(self.dialect, self.conn, files, run)  # the same state migrate diff replays
        return self.inspect()

    def first(self, f: MigrationFile, lf: LintFile, start: Schema) -> Schema:
        stmts = self.stmts(f)
        if len(stmts) <= MAX_FIRST_FILE_LOOP:
            return self.next_stmts(f, lf, stmts, start)
        for s in stmts:
            self.exec(f, s, with_text=True)
        current = self.inspect()
        lf.changes.append(Change(Stmt(pos=0), self.diff(start, current)))
        return current

    def next(self, f: MigrationFile, lf: LintFile, start: Schema) -> Schema:
        return self.next_stmts(f, lf, self.stmts(f), start)

    def next_stmts(self, f: MigrationFile, lf: LintFile, stmts, start: Schema) -> Schema:
        current = start
        token = self.dialect.schema_token(self.conn)
        byte_pos = _byte_positions(f.text)
        for s in stmts:
            self.exec(f, s, with_text=True)
            after = self.dialect.schema_token(self.conn)
            if token is not None and after == token:  # data only: the schema is as it was
                changes = []
            else:
                nxt = self.inspect()
                changes = self.diff(current, nxt)
                current = nxt
            token = after
            lf.changes.append(Change(Stmt(byte_pos(s.pos), s.text, tuple(s.comments)),
                                     changes))
        return current

    def load(self, base: list[MigrationFile], feat: list[MigrationFile]):
        current = self.base(base)
        start = current
        files: list[LintFile] = []
        checkpoints: list[int] = []
        for i, f in enumerate(feat):
            lf = LintFile(f.name, f.version, f.text, start=current,
                          is_checkpoint=f.is_checkpoint)
            files.append(lf)
            if f.is_checkpoint:
                checkpoints.append(i)
                continue
            if not base and i == 0:
                current = self.first(f, lf, current)
            else:
                current = self.next(f, lf, current)
            lf.end = current
        end = current
        # Checkpoint files are analyzed on a clean database, each on its own.
        for i in checkpoints:
            self.restore()
            self.next(feat[i], files[i], self.inspect())
        return start, end, files


# ---------------------------------------------------------------------------------------------
# nolint


@dataclass
class _NoLint:
    ignored: bool
    rules: dict[int, list[str]]

    def keep(self, az: Analyzer, code: str, pos: int) -> bool:
        rules = self.rules.get(pos, [])
        if len(rules) == 1 and rules[0] == "":
            return False
        return code not in rules and not (az.name and az.name in rules)


def _nolint(lf: LintFile) -> _NoLint:
    ds = file_directives(lf.text, "nolint")
    if len(ds) == 1 and ds[0] == "":
        return _NoLint(True, {})
    rules: dict[int, list[str]] = {}
    for d in ds:
        for c in lf.changes:
            rules.setdefault(c.stmt.pos, []).extend(d.split(" "))
    for c in lf.changes:
        for d in c.stmt.directive("nolint"):
            rules.setdefault(c.stmt.pos, []).extend(d.split(" "))
    return _NoLint(False, rules)


def analyze_files(report: LintReport, files: list[LintFile], analyzers: list[Analyzer],
                  config: LintConfig | None = None, dialect=None) -> None:
    """Run ``analyzers`` on each file (changes already loaded) and add a file report and an
    ``Analyze NAME`` step per file to ``report``. Files with a bare file-level
    ``atlas:nolint`` are skipped; other ``atlas:nolint`` directives filter diagnostics (by
    code, by analyzer name, or all); an analyzer whose ``error`` is set (``destructive`` by
    default) marks the file as failed when a diagnostic survives the filter."""
    config = config or LintConfig()
    for lf in files:
        nl = _nolint(lf)
        if nl.ignored:
            continue
        fr = FileReport(lf.name, lf.text, file=lf, start=GoTime.now())
        errors: list[str] = []
        skipped = False
        for az in analyzers:
            err = None
            try:
                reports = az.analyze(Pass(lf, dialect, dict(az.options)))
            except Exception as exc:  # noqa: BLE001 - Atlas recovers from crashing analyzers
                label = f" ({az.name})" if az.name else ""
                err, reports = f"skip crashed analyzer {label}: {exc}", []
            for rep in reports:
                kept = tuple(d for d in rep.diagnostics if nl.keep(az, d.code, d.pos))
                skipped = not kept
                if kept:
                    fr.reports.append(Report(rep.text, kept))
                if rep.diagnostics and config.is_error(az.name, az.default_error):
                    err = err or rep.text
            if err and not skipped:
                errors.append(err)
        fr.error = "; ".join(errors)
        report.files.append(fr)
        report.step_result(STEP_ANALYZE % lf.name,
                           f"{len(fr.reports)} reports were found in analysis", fr)


# ---------------------------------------------------------------------------------------------
# entry point


def _schema_hcl(schema: Schema | Realm | None, dialect) -> str:
    if schema is None:
        return ""
    try:
        if isinstance(schema, Realm):
            return dialect.encode_hcl_realm(schema)
        return dialect.encode_hcl(schema)
    except Exception:  # noqa: BLE001 - the report stays useful without the HCL
        return ""


LINT_LOCK = "atlas_lint"


def _lint_lock(dialect, conn):
    """Atlas's lint lock on the dev database, so two lints never replay on it at once:
    ``atlas_lint``, or ``atlas_lint_<schema>`` for a URL bound to one schema (PostgreSQL's
    ``search_path``, MySQL's database), tried once; held by another session, the lint stops
    with ``acquiring database lock: sql/schema: lock is held by other session``."""
    from ..revisions import revisions_hook

    schema = getattr(conn, "bound_schema", "") or ""
    return revisions_hook(dialect).try_named_lock(
        conn, f"{LINT_LOCK}_{schema}" if schema else LINT_LOCK)


def _dev_snapshot(dialect, conn, realm: bool) -> Realm | None:
    """Refuse a dev database that is not clean; for a realm, the clean state to put back."""
    state = dialect.inspect_realm(conn) if realm else dialect.inspect(conn)
    reason = dialect.realm_dev_not_clean(state) if realm else dialect.dev_not_clean(state)
    if reason:
        raise AtollError("taking database snapshot: sql/migrate: connected database is not "
                         f"clean: {reason}")
    return state if realm else None


def lint_dir(dir_path: str | os.PathLike | MigrationDir, dev_url: str, *,
             latest: int | None = None, git_base: str | None = None,
             git_dir: str | None = None,
             config: LintConfig | dict | None = None,
             analyzers: list[Analyzer] | None = None) -> LintReport:
    """Lint the new files of a migration directory on the dev database ``dev_url``.

    ``latest``/``git_base``/``git_dir`` are the CLI flags; when unset, the ``lint`` block's
    values (``config``) are used. ``config`` also sets each analyzer's ``error`` and options.
    Returns the report (render it with :func:`~atoll.migrate.lint.report.render_lint`); raises
    :class:`AtollError` for errors Atlas prints as ``Error: …``."""
    config = config if isinstance(config, LintConfig) else LintConfig.from_dict(config)
    if not latest and not git_base:
        latest = config.latest or 0
        git_base = config.git_base
    git_dir = git_dir or config.git_dir or "."
    if not latest and not git_base:
        raise AtollError("--latest or --git-base is required")
    if latest and latest > 0 and git_base:
        raise AtollError("--latest and --git-base are mutually exclusive")
    if not dev_url:
        raise AtollError("required flag(s) \"dev-url\" not set")

    from ...dialects import dialect_for
    from ...urls import parse_url

    url = parse_url(dev_url)
    dialect = dialect_for(url)
    directory = dir_path if isinstance(dir_path, MigrationDir) else load_dir(dir_path)
    directory.check_runnable()
    if analyzers is None:
        analyzers = analyzers_for(dialect, config)

    report = LintReport(driver=dialect.name, dev_url=dev_url, dir=directory.path)
    try:
        conn = dialect.connect(url)
        try:
            _run(report, directory, dialect, conn, latest, git_base, git_dir, config,
                 analyzers, realm=dialect.realm_scoped(url))
        finally:
            conn.close()
    finally:
        report.end = GoTime.now()
    return report


def _run(report: LintReport, directory: MigrationDir, dialect, conn, latest, git_base,
         git_dir, config: LintConfig, analyzers: list[Analyzer], realm: bool = False) -> None:
    # 1. integrity
    try:
        directory.validate()
        directory.check_files()
    except ChecksumError as exc:
        if str(exc) == "checksum file not found":
            pass
        else:
            err = str(exc)
            if isinstance(exc, ChecksumMismatch):
                err = f"{exc} ({HASH_FILE_NAME}): {exc.where}"
            report.files.append(FileReport(HASH_FILE_NAME, error=err))
            report.step_error(STEP_INTEGRITY, f"File {HASH_FILE_NAME} is invalid", str(exc))
            return
    else:
        if directory.sum_data is not None:
            report.step_result(STEP_INTEGRITY, f"File {HASH_FILE_NAME} is valid")

    # 2. detection
    try:
        if git_base:
            base, feat = detect_git(directory.files, git_base, directory.path, git_dir)
        else:
            base, feat = detect_latest(directory.files, latest)
    except AtollError as exc:
        report.step_error(STEP_DETECT, "Failed find new migration files", str(exc))
        raise
    report.step_result(STEP_DETECT, f"Found {len(feat)} new migration files "
                                    f"(from {len(base) + len(feat)} total)")
    if base:
        report.from_version = base[-1].version
    if feat:
        report.to_version = feat[-1].version
    report.total_files = len(feat)

    # 3. replay, holding the dev database's lint lock
    lock = _lint_lock(dialect, conn)
    try:
        loader = _Loader(dialect, conn, _dev_snapshot(dialect, conn, realm))
        try:
            start, end, files = loader.load(base, feat)
        finally:
            try:
                loader.restore()
            except Exception:  # noqa: BLE001, S110 - best effort, like Atlas's deferred restore
                pass
    except _FileError as exc:
        report.files.append(FileReport(exc.file, error=exc.message))
        report.step_error(STEP_LOAD, "Failed loading changes on dev database", exc.message)
        return
    finally:
        if lock is not None:
            lock.release()
    report.step_result(STEP_LOAD, f"Loaded {len(files)} changes on dev database")
    report.schema_current = _schema_hcl(start, dialect)
    report.schema_desired = _schema_hcl(end, dialect)

    # 4. analysis
    analyze_files(report, files, analyzers, config, dialect)
