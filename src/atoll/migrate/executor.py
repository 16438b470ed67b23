"""``migrate apply``: run the pending files of a migration directory on a database.

API (plain functions; no printing; errors are ``atoll.errors`` exceptions with Atlas's text)::

    dir = load_dir("migrations")                       # atoll.migrate.directory
    report = apply(conn, dialect, dir,
                   amount=None,            # apply at most N pending files (N >= 1)
                   baseline=None,          # version to mark as baseline on a fresh database
                   tx_mode="file",         # "none" | "file" | "all"
                   allow_dirty=False,      # accept a non-clean database on the first run
                   exec_order="linear",    # "linear" | "linear-skip" | "non-linear"
                   to_version=None,        # stop after this version (official Atlas only)
                   dry_run=False,          # list what would run, execute nothing
                   revisions_schema=None,  # "" or "main" for SQLite
                   lock_timeout=10.0,      # seconds to wait for another migrator
                   operator_version="Atlas CLI - development",
                   env=ReportEnv(...))     # what the report's Driver/URL/Dir say
    print(render_apply(report), end="")    # atoll.migrate.report; or apply_json(report)
    if report.error: fail with report.error

Errors found before anything runs (checksum, lock, not-clean database, out-of-order files,
unknown baseline, missing partial file, unknown exec order) are raised and produce no report,
as in Atlas. Errors while running files (a failing statement, a scan error, history changed,
tx-mode problems, a failed commit) end the run and come back in ``report.error`` /
``report.exception`` together with everything that ran.

Transactions: ``file`` runs each file and its revision writes in one transaction (a failing
statement rolls the whole file back, including its revision row); ``all`` runs the whole batch
in one; ``none`` commits every statement and revision write as it goes, so a failure leaves a
partially applied row (``applied`` < ``total``, error recorded) that the next run resumes at
the failed statement, after checking that the statements already applied did not change.
Where DDL commits implicitly (MySQL: the hook's ``transactional_ddl = False``) a file in a
transaction that fails after a DDL statement ends the same way as in ``none``. A resumed file
is counted as it reads now (its fix may change the number of statements after the failed
one). A file may override the mode with ``-- atlas:txmode none|file``."""

from __future__ import annotations

import base64
import bisect
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import AtollError, DatabaseError, MigrationError
from ..gotext import go_quote
from .directory import MigrationDir, MigrationFile, load_dir
from .lock import APPLY_LOCK, MigrationLock, acquire_lock
from .report import AppliedFile, ApplyReport, GoTime, ReportEnv, StmtError
from .revisions import (
    TYPE_BASELINE,
    TYPE_EXECUTE,
    DryRunStore,
    Revision,
    RevisionStore,
    revisions_hook,
)
from .splitter import ScanError

DEFAULT_OPERATOR = "Atlas CLI - development"
TX_MODES = ("none", "file", "all")
EXEC_ORDERS = ("linear", "linear-skip", "non-linear")

# ---------------------------------------------------------------------------------------------
# errors


class NotCleanError(MigrationError):
    """The database has tables and neither a baseline nor allow-dirty was given."""


class HistoryNonLinearError(MigrationError):
    """Files were added with versions below the last applied one (``linear`` order)."""

    def __init__(self, out_of_order: list[MigrationFile], pending: list[MigrationFile]):
        names = [f.name for f in out_of_order]
        what = (f"file {names[0]} was" if len(names) == 1
                else f"files {', '.join(names)} were")
        super().__init__(f"migration {what} added out of order. "
                         f"See: https://atlasgo.io/versioned/apply#non-linear-error")
        self.out_of_order, self.pending = out_of_order, pending


class MissingMigrationError(MigrationError):
    """The last revision is partial but its file is gone."""


class HistoryChangedError(MigrationError):
    """Statements that a partial earlier attempt applied were edited since."""


class StmtExecError(MigrationError):
    """A statement of a migration file failed; ``db_error`` is the database's message."""

    def __init__(self, file: MigrationFile, stmt: str, version: str, db_error: str):
        super().__init__(f"sql/migrate: executing statement {go_quote(stmt)} from version "
                         f"{go_quote(version)}: {db_error}")
        self.file, self.stmt, self.version, self.db_error = file, stmt, version, db_error


class WriteRevisionError(MigrationError):
    """Writing a revision row failed."""


# ---------------------------------------------------------------------------------------------
# pending files


def clean_reason(hook, conn) -> str | None:
    """Why a database is not clean for a first apply: its tables (the hook's wording), then
    (for engines whose hook lists them: ``user_objects``) any other object such as a view,
    function or type."""
    reason = hook.not_clean_reason(hook.user_tables(conn))
    if reason is None and hasattr(hook, "user_objects"):
        found = hook.user_objects(conn)
        if found:
            reason = f"found {found[0]}"
    return reason


def _last_index(files: Sequence[MigrationFile], pred: Callable[[MigrationFile], bool]) -> int:
    for i in range(len(files) - 1, -1, -1):
        if pred(files[i]):
            return i
    return -1


def stale_failure(r: Revision, d: MigrationDir) -> bool:
    """A row that only records a failed attempt (nothing of the file was committed) whose
    file has since been removed from the directory: it no longer means anything."""
    return r.applied == 0 and bool(r.error) and d.file(r.version) is None


def compute_pending(d: MigrationDir, revs: Sequence[Revision], *, exec_order: str = "linear",
                    baseline: str | None = None, allow_dirty: bool = False,
                    clean_reason: Callable[[], str | None] = lambda: None,
                    write_baseline: Callable[[MigrationFile], None] | None = None,
                    ) -> list[MigrationFile]:
    """The files to run, Atlas's way (migrate.md §5.4); ``[]`` when nothing is pending.
    ``revs`` are the revision rows ordered by version; ``clean_reason`` is asked only on a
    database without revisions; ``write_baseline`` stores the baseline row."""
    revs = [r for r in revs if not stale_failure(r, d)]
    all_files = d.files
    migrations = d.migrations
    if not revs:
        reason = clean_reason()
        if reason and not allow_dirty and not baseline:
            raise NotCleanError(f"sql/migrate: connected database is not clean: {reason}. "
                                f"baseline version or allow-dirty is required")
        if baseline:
            idx = _last_index(migrations, lambda f: f.version == baseline)
            if idx == -1:
                raise MigrationError(f"baseline version {go_quote(baseline)} not found")
            if write_baseline is not None:
                write_baseline(migrations[idx])
            return migrations[idx + 1:]
        return d.files_from_last_checkpoint()
    last = revs[-1]
    partially = last.applied != last.total
    if partially and all_files:
        versions = [f.version for f in all_files]
        i = bisect.bisect_left(versions, last.version)
        if i < len(all_files) and versions[i] == last.version and all_files[i].is_checkpoint:
            return [all_files[i]] + [f for f in all_files[i:] if not f.is_checkpoint]
    if not migrations:
        return []
    if partially:
        idx = _last_index(migrations, lambda f: f.version == last.version)
    else:
        idx = _last_index(migrations, lambda f: f.version <= last.version)
    if idx == -1:
        if partially:
            name = go_quote(f"{last.version}_{last.description}.sql")
            raise MissingMigrationError(f"sql/migrate: missing migration: revision {name} is "
                                        f"partially applied but migration file was not found")
        return list(migrations)
    if not partially:
        idx += 1
    pending = migrations[idx:]
    first = next((i for i, f in enumerate(migrations[:idx]) if f.version >= revs[0].version), -1)
    if first != -1 and first < idx and exec_order != "linear-skip":
        rev_versions = [r.version for r in revs]
        skipped = []
        for f in migrations[first:idx]:
            j = bisect.bisect_left(rev_versions, f.version)
            if not (j < len(rev_versions) and rev_versions[j] == f.version):
                skipped.append(f)
        if skipped:
            if exec_order == "non-linear":
                pending = skipped + pending
            elif exec_order == "linear":
                raise HistoryNonLinearError(skipped, pending)
    return pending


def cut_to_version(d: MigrationDir, version: str,
                   pending_of: Callable[[MigrationDir], list[MigrationFile]]
                   ) -> list[MigrationFile]:
    """The pending files up to and including ``version`` (Atlas's ``ExecuteTo``)."""
    files = d.files
    idx = d.last_index(version)
    if idx == -1:
        msg = f"sql/migrate: migration with version {go_quote(version)} not found"
        near = _last_index(files, lambda f: f.version in version or (
            version in f.version and len(f.version) - len(version) > 1))
        if version != "" and near != -1:
            msg += f". Did you mean {go_quote(files[near].version)}?"
        raise MigrationError(msg)
    if any(f.is_checkpoint for f in files[idx + 1:]):
        return pending_of(d.subset(files[:idx + 1]))
    pending = pending_of(d)
    if not pending:
        return []
    j = _last_index(pending, lambda f: f.version == version)
    if j == -1:
        raise MigrationError(f"sql/migrate: migration with version {go_quote(version)} not found")
    return pending[:j + 1]


# ---------------------------------------------------------------------------------------------
# the report log (Atlas's cmdlog.MigrateApply.Log)


class _Log:
    def __init__(self, report: ApplyReport):
        self.r = report

    def file(self, f: MigrationFile, skip: int) -> None:
        now = GoTime.now()
        if self.r.applied:
            self.r.applied[-1].end = now
        self.r.applied.append(AppliedFile(file=f, start=now, skipped=skip))

    def stmt(self, text: str) -> None:
        self.r.applied[-1].applied.append(text)

    def error(self, err: BaseException, stmt: str | None = None) -> None:
        now = GoTime.now()
        if self.r.applied:
            f = self.r.applied[-1]
            f.end = self.r.end = now
            f.error = StmtError(stmt or "", str(err))
        else:
            self.r.end = now
            self.r.error = str(err)

    def done(self) -> None:
        now = GoTime.now()
        if self.r.applied:
            self.r.applied[-1].end = now
        self.r.end = now


# ---------------------------------------------------------------------------------------------
# running files


class _NoExec:
    """The connection stand-in of ``--dry-run``."""

    def execute(self, sql: str, params: Sequence = ()) -> None:
        pass


def statement_hashes(stmts: Sequence[str]) -> list[str]:
    """Running SHA-256 over the statement texts: element i covers statements 0..i."""
    h = hashlib.sha256()
    out = []
    for s in stmts:
        h.update(s.encode("utf-8", "surrogateescape"))
        out.append(base64.b64encode(h.copy().digest()).decode("ascii"))
    return out


class _Runner:
    def __init__(self, d: MigrationDir, dialect, store: RevisionStore, log: _Log,
                 operator_version: str):
        self.d, self.dialect, self.store, self.log = d, dialect, store, log
        self.operator = operator_version
        self.create_table = False  # create the revisions table before the first file
        # Called with (conn, file, statement) right before each statement runs for real
        # (the data-at-risk meter); it may raise to stop the file.
        self.before_statement: Callable[[Any, MigrationFile, str], None] | None = None

    def write(self, store: RevisionStore, r: Revision) -> None:
        r.executed_at = GoTime.now()
        r.operator_version = self.operator
        try:
            store.write(r)
        except AtollError as exc:
            raise WriteRevisionError(f"sql/migrate: write revision: {exc}") from exc

    def run_file(self, f: MigrationFile, conn: Any, store: RevisionStore,
                 in_tx: bool = False) -> None:
        """Run one file (resuming a partial one). Inside a transaction the per-statement
        revision writes are skipped: nobody can see them and the final write (or the
        rollback) supersedes them, which keeps huge files linear instead of quadratic."""
        digest = self.d.checksum.sum_by_name(f.name)
        if digest is None:
            raise MigrationError(f"sql/migrate: scanning checksum from {go_quote(f.name)}: "
                                 f"checksum not found")
        try:
            stmts = self.dialect.split(f.sql)
        except ScanError as exc:
            err = MigrationError(f"sql/migrate: scanning statements from {go_quote(f.name)}: "
                                 f"{exc}")
            self.log.error(err)
            raise err from None
        r = store.read(f.version)
        if r is None:
            r = Revision(version=f.version, description=f.description, type=TYPE_EXECUTE,
                         total=len(stmts), hash=digest)
        # Running statement hashes are needed to check a resumed file's applied prefix and
        # for the per-statement writes outside a transaction; inside one, a file either
        # commits whole (no partial hashes kept) or rolls back whole, so skip the work.
        # A transaction is atomic only where the engine's DDL is transactional (not MySQL's,
        # whose DDL commits as it runs): there, keep hashes and per-statement writes.
        atomic = in_tx and getattr(store.hook, "transactional_ddl", True)
        sums = statement_hashes(stmts) if r.applied or not atomic else None
        if atomic:
            # The row is written once, at the end, in the same transaction; nobody could
            # see an earlier write. Only its start time is needed now.
            r.executed_at, r.operator_version = GoTime.now(), self.operator
        else:
            try:
                self.write(store, r)
            except WriteRevisionError as exc:
                self.log.error(exc)
                raise
        failure: BaseException | None = None
        try:
            for i in range(r.applied):
                known = (r.partial_hashes or [])[i:i + 1]
                if i >= len(sums) or not known or sums[i] != known[0].removeprefix("h1:"):
                    err = HistoryChangedError(f"sql/migrate: history changed: statement {i + 1} "
                                              f"from file {go_quote(f.name)} changed")
                    self.log.error(err)
                    raise err
            # A resumed file counts as it reads now: a fix may split or join statements after
            # the applied ones, and with the first attempt's total kept (as Atlas does) the
            # row would never complete. Its hash stays the first attempt's, as in Atlas.
            r.total = len(stmts)
            self.log.file(f, r.applied)
            # Table rebuilds are proven inside the file's transaction (nothing to prove in a
            # dry run). A failed proof fails the statement where it showed.
            proof = (None if isinstance(conn, _NoExec)
                     else self.dialect.rebuild_proof(conn, stmts))
            # Where DDL commits implicitly (MySQL), the file's transaction ends at its first DDL
            # statement and what follows would commit ahead of its revision write: a crash in
            # between would run it twice. Each such statement gets a transaction of its own,
            # shared with the row write that counts it.
            own_tx = in_tx and not atomic and hasattr(conn, "in_transaction")
            for stmt in stmts[r.applied:]:
                self.log.stmt(stmt)
                if self.before_statement is not None and not isinstance(conn, _NoExec):
                    self.before_statement(conn, f, stmt)
                opened = own_tx and not conn.in_transaction and (store.hook.begin(conn) or True)
                try:
                    if proof is None:
                        conn.execute(stmt)
                    else:
                        proof.before(r.applied)
                        conn.execute(stmt)
                        proof.after(r.applied)
                except DatabaseError as exc:
                    if opened:  # the failure row below must not go with this rollback
                        try:
                            store.hook.rollback(conn, opened)
                        except DatabaseError:
                            pass  # the connection is gone; so is the transaction
                    self.log.error(exc, stmt)
                    r.done()
                    r.error_stmt, r.error = stmt, str(exc)
                    raise StmtExecError(f, stmt, r.version, str(exc)) from exc
                if sums is not None:
                    if r.partial_hashes is None:
                        r.partial_hashes = []
                    r.partial_hashes.append("h1:" + sums[r.applied])
                r.applied += 1
                if r.error:
                    r.error = r.error_stmt = ""
                if atomic:
                    continue
                try:
                    self.write(store, r)
                    if opened and conn.in_transaction:
                        store.hook.commit(conn, opened)
                except (WriteRevisionError, DatabaseError) as exc:
                    if not isinstance(exc, WriteRevisionError):
                        exc = WriteRevisionError(f"sql/migrate: write revision: {exc}")
                    self.log.error(exc)
                    raise exc from None
            r.partial_hashes = None
            # A file resumed after an earlier attempt ends with the hash of the text that
            # completed it (Atlas keeps the first attempt's): the row then tells later runs
            # whether the file changed after it was applied (migrate/history_check.py).
            r.hash = digest
            r.done()
        except BaseException as exc:
            failure = exc
            raise
        finally:
            if not isinstance(failure, WriteRevisionError):
                try:
                    self.write(store, r)
                except WriteRevisionError as exc2:
                    if failure is None:
                        raise
                    raise MigrationError(f"{failure}\n{exc2}") from failure


def _commit(hook, conn, tx, log: _Log) -> AtollError | None:
    """Commit a file's (or the run's) transaction. A commit can fail after every statement
    succeeded (a full disk, a lost connection): the file is then reported failed, not ok, and
    the transaction, which SQLite keeps open after such a failure, is rolled back."""
    try:
        hook.commit(conn, tx)
    except AtollError as exc:
        try:
            hook.rollback(conn, tx)
        except AtollError:
            pass  # nothing left to roll back, or the connection is gone with it
        log.error(exc)
        return exc
    return None


def _mode_for(f: MigrationFile, global_mode: str) -> str:
    m = f.txmode()
    if m == "" or m == global_mode:
        return global_mode
    if global_mode == "all":
        raise MigrationError(f"cannot set txmode directive to {go_quote(m)} in "
                             f'{go_quote(f.name)} when txmode "all" is set globally')
    return m


def apply(conn, dialect, dir: MigrationDir | str, *, amount: int | None = None,
          baseline: str | None = None, tx_mode: str = "file", allow_dirty: bool = False,
          exec_order: str = "linear", to_version: str | None = None, dry_run: bool = False,
          revisions_schema: str | None = None, lock_timeout: float = 10.0,
          operator_version: str = DEFAULT_OPERATOR, env: ReportEnv | None = None,
          validate: bool = True, lock: bool = True,
          should_stop: Callable[[], bool] | None = None,
          before_statement: Callable[[Any, MigrationFile, str], None] | None = None,
          ) -> ApplyReport:
    """Apply pending migration files; see the module docstring. ``should_stop`` is asked
    before each file after the first: when it says yes, the run ends there cleanly
    (``report.stopped``), as a fleet does once another database failed.
    ``before_statement(conn, file, stmt)`` runs right before each statement executes."""
    if amount is not None and amount < 1:
        raise MigrationError(f"cannot apply '{amount}' migration files")
    d = dir if isinstance(dir, MigrationDir) else load_dir(dir)
    if validate:
        d.validate()
    hook = revisions_hook(dialect)
    if lock and not dry_run:
        up_to_date = _up_to_date(conn, dialect, d, hook, revisions_schema, exec_order,
                                 to_version, baseline, allow_dirty, env)
        if up_to_date is not None:
            return up_to_date
    held = acquire_lock(conn, dialect, APPLY_LOCK, lock_timeout, hook) if lock else MigrationLock()
    try:
        store = RevisionStore(conn, dialect, revisions_schema, hook)
        # A dry run changes nothing, not even the revisions table. On a fresh database the
        # table is created inside the first file's transaction where DDL is transactional:
        # one commit (one fsync) less per database, which a fleet of thousands notices.
        create_later = (not dry_run and not baseline and tx_mode in ("file", "all")
                        and getattr(hook, "transactional_ddl", True) and not store.exists()
                        and not hook.user_tables(conn))  # (a dirty one reports as in Atlas)
        if not dry_run and not getattr(hook, "transactional_ddl", True) and not baseline \
                and not allow_dirty and not store.exists():
            # Where DDL cannot be rolled back (MySQL), a database refused as not clean is
            # checked before anything is created on it, not even the revisions table.
            reason = clean_reason(hook, conn)
            if reason:
                raise NotCleanError(f"sql/migrate: connected database is not clean: {reason}. "
                                    f"baseline version or allow-dirty is required")
        if not dry_run and not create_later:
            store.migrate()
            for rev in store.read_all():
                if stale_failure(rev, d):
                    store.delete(rev.version)
        report = ApplyReport(env=env or ReportEnv(driver=dialect.name), dry_run=dry_run)
        if exec_order not in ("", *EXEC_ORDERS):
            raise MigrationError(f"unknown execution order: {go_quote(exec_order)}")
        if baseline and allow_dirty:
            raise MigrationError("sql/migrate: baseline and allow-dirty are mutually exclusive")
        runner = _Runner(d, dialect, store, _Log(report), operator_version)
        runner.before_statement = before_statement

        def write_baseline(f: MigrationFile) -> None:
            runner.write(store, Revision(version=f.version, description=f.description,
                                         type=TYPE_BASELINE))

        def pending_of(dd: MigrationDir) -> list[MigrationFile]:
            return compute_pending(
                dd, store.read_all(), exec_order=exec_order or "linear", baseline=baseline,
                allow_dirty=allow_dirty, write_baseline=write_baseline,
                clean_reason=lambda: clean_reason(hook, conn))

        pending = cut_to_version(d, to_version, pending_of) if to_version else pending_of(d)
        revs = store.read_all()
        report.current = revs[-1].version if revs else ""
        if not pending:
            if create_later:
                store.migrate()
            runner.log.done()
            return report
        if amount is not None:
            pending = pending[:amount]
        report.pending = pending
        report.target = pending[-1].version
        runner.create_table = create_later
        _execute(conn, hook, runner, report, pending, tx_mode, dry_run, should_stop)
        if create_later and report.error:
            try:
                store.migrate()  # the first file's rollback took the new table with it
            except AtollError:
                pass  # the connection died with the file: the report says what failed
        return report
    finally:
        held.release()


def _up_to_date(conn, dialect, d: MigrationDir, hook, revisions_schema: str | None,
                exec_order: str, to_version: str | None, baseline: str | None,
                allow_dirty: bool, env: ReportEnv | None) -> ApplyReport | None:
    """The report of a run with nothing to do, read without taking the lock; ``None`` when
    the run may have work (pending files, a revisions table to create or upgrade, a stale
    row to drop) or an error to raise: then the run takes the lock and reads everything again
    under it. Most runs of a fleet are no-ops, and the lock file costs more than the read.
    Skipping the lock is safe because nothing here writes: a migrator that commits after
    this read only makes the database newer than a run that found nothing to do."""
    current = getattr(hook, "table_current", None)
    if current is None or exec_order not in ("", *EXEC_ORDERS) or (baseline and allow_dirty):
        return None
    try:
        store = RevisionStore(conn, dialect, revisions_schema, hook)
        if not current(conn, store.schema):
            return None
        revs = store.read_all(brief=True)
        if not revs or any(stale_failure(r, d) for r in revs):
            return None

        def pending_of(dd: MigrationDir) -> list[MigrationFile]:
            return compute_pending(dd, revs, exec_order=exec_order or "linear")

        pending = cut_to_version(d, to_version, pending_of) if to_version else pending_of(d)
    except AtollError:
        return None  # raised again, under the lock
    if pending:
        return None
    report = ApplyReport(env=env or ReportEnv(driver=dialect.name), current=revs[-1].version)
    _Log(report).done()
    return report


def replay(conn, dialect, dir: MigrationDir | str, *, to_version: str | None = None,
           validate: bool = True, cache: bool = False) -> list[MigrationFile]:
    """Run a directory on a scratch (dev) database, as ``migrate validate --dev-url`` and
    ``migrate diff`` do: no revisions table, no transactions, files from the last checkpoint
    (up to ``to_version``). The database must be clean (``sql/migrate: taking database
    snapshot: sql/migrate: connected database is not clean: found table "T"``); a failure
    reads ``sql/migrate: read migration directory state: <error>``. Returns the files run.
    Restoring the database afterwards is the caller's business. ``cache``: take the state
    from the replay cache when it holds it (``replay_cache``), and save it there otherwise."""
    d = dir if isinstance(dir, MigrationDir) else load_dir(dir)
    if validate:
        d.validate()
    url = getattr(conn, "url", None)
    if url is not None and dialect.realm_scoped(url):  # a whole database (or MySQL server)
        reason = dialect.realm_dev_not_clean(dialect.inspect_realm(conn))
    else:
        reason = dialect.dev_not_clean(dialect.inspect(conn))  # the engine's own wording
    if reason:
        raise NotCleanError("sql/migrate: taking database snapshot: sql/migrate: connected "
                            f"database is not clean: {reason}")

    def pending_of(dd: MigrationDir) -> list[MigrationFile]:
        return compute_pending(dd, [])

    def run(files: list[MigrationFile]) -> None:
        for f in files:
            try:
                stmts = dialect.split(f.sql)
            except ScanError as exc:
                raise MigrationError(f"sql/migrate: scanning statements from "
                                     f"{go_quote(f.name)}: {exc}") from None
            for stmt in stmts:
                try:
                    conn.execute(stmt)
                except DatabaseError as exc:
                    raise StmtExecError(f, stmt, f.version, str(exc)) from exc

    try:
        files = cut_to_version(d, to_version, pending_of) if to_version else pending_of(d)
        if cache:
            from .replay_cache import replayed  # only diff and lint replay with the cache

            replayed(dialect, conn, files, lambda: run(files))
        else:
            run(files)
    except MigrationError as exc:
        raise MigrationError(f"sql/migrate: read migration directory state: {exc}") from exc
    return files


def _record_failure(runner: _Runner, f: MigrationFile, exc: StmtExecError) -> None:
    """After a file's transaction rolled back, record the failure in its revision row (in
    autocommit), so ``migrate status`` names the statement and error. The row keeps what was
    committed before (nothing, or an earlier partial run's statements), so the next apply
    runs the file again from there. Atlas loses this row with the rollback; the issue asks
    for it and users need it."""
    store = runner.store
    try:
        store.migrate()  # it may have been created in the transaction that rolled back
        r = store.read(f.version)
    except AtollError:
        return
    if r is None:
        r = Revision(version=f.version, description=f.description, type=TYPE_EXECUTE,
                     total=len(runner.dialect.split(f.sql)),
                     hash=runner.d.checksum.sum_by_name(f.name) or "")
    r.error_stmt, r.error = exc.stmt, exc.db_error
    try:
        runner.write(store, r)
    except AtollError:
        pass  # the report still carries the error


def _execute(conn, hook, runner: _Runner, report: ApplyReport, pending: list[MigrationFile],
             tx_mode: str, dry_run: bool,
             should_stop: Callable[[], bool] | None = None) -> None:
    store = runner.store
    tx = None  # state of the open transaction
    tx_kind = ""
    err: BaseException | None = None
    for n, f in enumerate(pending):
        # Between files only, and not inside tx-mode "all" (one unit of work).
        if n and should_stop is not None and tx is None and should_stop():
            report.stopped = True
            break
        target_conn: Any = conn
        target_store = store
        try:
            if dry_run:
                target_conn, target_store = _NoExec(), DryRunStore(store)
            else:
                mode = _mode_for(f, tx_mode)
                if mode not in TX_MODES:
                    raise MigrationError(f"unknown tx-mode {go_quote(mode)}")
                if mode == "file" or (mode == "all" and tx is None):
                    tx, tx_kind = hook.begin(conn), mode
        except AtollError as exc:
            err = exc
            break
        try:
            if runner.create_table:
                store.migrate()  # inside the first file's transaction when there is one
                runner.create_table = False
            runner.run_file(f, target_conn, target_store, in_tx=tx is not None or dry_run)
        except AtollError as exc:
            err = exc
            if tx is not None:
                try:
                    hook.rollback(conn, tx)
                except AtollError as exc2:
                    err = MigrationError(f"{exc2}: {exc}")
                tx = None
                # Only in "file" mode: with "all" the earlier files were rolled back too, and
                # a row for this file alone would make the history look out of order.
                if isinstance(exc, StmtExecError) and tx_kind == "file":
                    _record_failure(runner, f, exc)
            break
        except BaseException:
            if tx is not None:
                hook.rollback(conn, tx)
            raise
        if tx is not None and tx_kind == "file":
            state, tx = tx, None
            err = _commit(hook, conn, state, runner.log)
            if err is not None:
                break
    if tx is not None:
        if err is None:
            err = _commit(hook, conn, tx, runner.log)
        else:
            hook.rollback(conn, tx)
    if err is None:
        runner.log.done()
    else:
        report.error = str(err)
        report.exception = err
