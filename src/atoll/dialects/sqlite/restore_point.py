"""Restore points of SQLite database files, and putting one back.

A restore point is a byte copy of the database file taken while this connection holds
SQLite's write lock (``BEGIN IMMEDIATE``), so no other writer can change the file during the
copy. In WAL mode the WAL is checkpointed into the file first; frames committed after that
checkpoint (a writer slipping in before our lock) are kept with the copy as its ``-wal``.
SQLite's online backup API is not used: it rewrites header counters in the copy, so a database
put back from it would not be byte-identical to the one copied.

Putting a copy back survives ``kill -9`` at any moment: a marker file beside the database says
a restore is under way (so a second attempt knows the database was changed by us, not by
someone else), the copy is written to a temporary file beside the database and renamed over
it, and the old ``-wal``/``-shm``/``-journal`` files, which belong to the old file, are
removed after the WAL was checkpointed (emptied) and before the rename."""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass

from ...errors import AtollError
from ...faults import pause_at
from ..base import Connection

CHUNK = 1 << 20
MARKER_SUFFIX = ".atoll-restore"
TMP_SUFFIX = ".atoll-restore.tmp"


@dataclass(frozen=True)
class FileCopy:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class RestorePoint:
    main: FileCopy
    wal: FileCopy | None = None  # WAL frames committed after the checkpoint, if any


def database_path(conn: Connection) -> str:
    """The real path of the connection's main database file."""
    for _, name, path in conn.query("PRAGMA database_list"):
        if name == "main" and path:
            return os.path.realpath(path)
    raise AtollError("restore points need a database file; this SQLite database is in memory "
                     "or temporary")


def _is_wal(conn: Connection) -> bool:
    return str(conn.query("PRAGMA journal_mode")[0][0]).lower() == "wal"


def _checkpoint(conn: Connection) -> bool:
    """Fold the WAL into the database file and truncate it; False when readers kept it busy."""
    busy, _log, _done = conn.query("PRAGMA wal_checkpoint(TRUNCATE)")[0]
    return busy == 0


@contextmanager
def _write_locked(conn: Connection):
    """Hold SQLite's write lock on ``conn`` (the WAL checkpointed first); yields whether the
    database is in WAL mode. Reading a page also rolls back a hot journal left by a crash."""
    wal = _is_wal(conn)
    if wal:
        _checkpoint(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.query("SELECT count(*) FROM sqlite_master")
        yield wal
    finally:
        conn.execute("ROLLBACK")


def _wal_path(path: str) -> str | None:
    wal = path + "-wal"
    return wal if os.path.exists(wal) and os.path.getsize(wal) > 0 else None


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(os.path.dirname(path) or ".", os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_file(src: str, dest: str) -> FileCopy:
    """Copy ``src`` to ``dest`` (synced to disk), hashing the bytes on the way."""
    digest = hashlib.sha256()
    size = 0
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        while chunk := fin.read(CHUNK):
            digest.update(chunk)
            fout.write(chunk)
            size += len(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return FileCopy(dest, digest.hexdigest(), size)


def _hash_into(digest, path: str) -> None:
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)


def take(conn: Connection, dest_stem: str) -> RestorePoint:
    """Copy the database into ``<dest_stem>.db`` (and ``<dest_stem>.db-wal``)."""
    path = database_path(conn)
    try:
        with _write_locked(conn) as wal:
            main = copy_file(path, dest_stem + ".db")
            wal_file = _wal_path(path) if wal else None
            wal_copy = copy_file(wal_file, dest_stem + ".db-wal") if wal_file else None
        _fsync_dir(dest_stem)
    except BaseException:
        # A copy cut short (a full disk) is no restore point: leave no file that looks like one.
        for suffix in (".db", ".db-wal"):
            try:
                os.remove(dest_stem + suffix)
            except OSError:
                pass
        raise
    return RestorePoint(main, wal_copy)


def state_hash(conn: Connection) -> str:
    """A hash of what the database holds now, as bytes: equal hashes, same database. Taken
    under the write lock after a checkpoint, so a WAL database hashes as its file."""
    path = database_path(conn)
    with _write_locked(conn) as wal:
        digest = hashlib.sha256()
        _hash_into(digest, path)
        wal_file = _wal_path(path) if wal else None
        if wal_file:
            digest.update(b"\0wal\0")
            _hash_into(digest, wal_file)
    return digest.hexdigest()


def restoring(conn: Connection) -> str | None:
    """The tag (run id) of a restore of this database that was interrupted, if any."""
    marker = database_path(conn) + MARKER_SUFFIX
    try:
        with open(marker, encoding="utf-8") as fh:
            return str(json.load(fh).get("run") or "?")
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return "?"


def _write_marker(marker: str, tag: str) -> None:
    tmp = marker + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"run": tag, "pid": os.getpid()}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, marker)
    _fsync_dir(marker)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def put_back(conn: Connection, point: RestorePoint, tag: str) -> None:
    """Replace the database behind ``conn`` with ``point``; closes ``conn``. The caller holds
    the migration lock. Run again after an interruption, it finishes the job."""
    path = database_path(conn)
    marker = path + MARKER_SUFFIX
    with _write_locked(conn):
        pass  # a hot journal left by a crashed writer is rolled back before we replace files
    _write_marker(marker, tag)
    pause_at("restore:marked")
    tmp_main = path + TMP_SUFFIX
    tmp_wal = path + "-wal" + TMP_SUFFIX
    for src, tmp in ((point.main, tmp_main), (point.wal, tmp_wal)):
        if src is None:
            continue
        copied = copy_file(src.path, tmp)
        if copied.sha256 != src.sha256:
            _remove(tmp)
            raise AtollError(f"restore point {src.path} is damaged: its SHA-256 is "
                             f"{copied.sha256}, the run recorded {src.sha256}")
    pause_at("restore:copied")
    if _is_wal(conn) and not _checkpoint(conn):
        raise AtollError("the database is in use (its WAL could not be checkpointed); stop "
                         "the application and run the restore again")
    conn.close()
    # The WAL is empty now; these files belong to the old database file and must not be read
    # together with the restored one.
    for suffix in ("-wal", "-shm", "-journal"):
        _remove(path + suffix)
    _fsync_dir(path)
    pause_at("restore:cleared")
    os.replace(tmp_main, path)
    _fsync_dir(path)
    pause_at("restore:replaced")
    if point.wal is not None:
        os.replace(tmp_wal, path + "-wal")
        _fsync_dir(path)
    _remove(marker)
    _fsync_dir(path)
