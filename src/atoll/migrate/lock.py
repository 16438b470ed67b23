"""The migration lock: at most one ``migrate apply``/``migrate set`` per database at a time.

Atlas keeps one expiring lock file per host in the temp directory, which would make every
database of a parallel fleet wait for each other, and which stays behind after a crash. atoll
locks per database instead: the dialect names a lock file (SQLite: next to the database file,
keyed by its real path) that is held with an OS file lock (``flock``). The OS releases it when
the holder dies, even on ``kill -9``; there is no expiry to tune. A dialect can instead
provide a database-level lock (``hook.db_lock(conn, name, timeout)`` returning an object with
``release()``); databases with neither (in-memory SQLite) need no lock.

``timeout`` is how long to wait for a busy lock before giving up (0: try once)."""

from __future__ import annotations

import os
import time
from typing import Self

from ..errors import LockError

try:  # POSIX
    import fcntl as _fcntl
except ImportError:  # pragma: no cover - Windows
    _fcntl = None
    import msvcrt as _msvcrt

APPLY_LOCK = "atlas_migrate_execute"


def _try_lock(fd: int) -> bool:
    if _fcntl is not None:
        try:
            _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
    try:  # pragma: no cover - Windows
        _msvcrt.locking(fd, _msvcrt.LK_NBLCK, 1)
        return True
    except OSError:  # pragma: no cover
        return False


def _unlock(fd: int) -> None:
    if _fcntl is not None:
        _fcntl.flock(fd, _fcntl.LOCK_UN)
    else:  # pragma: no cover - Windows
        os.lseek(fd, 0, os.SEEK_SET)
        _msvcrt.locking(fd, _msvcrt.LK_UNLCK, 1)


class MigrationLock:
    """A held lock; release it with :meth:`release` or by leaving the ``with`` block."""

    def __init__(self, path: str | None = None, fd: int | None = None, inner=None):
        self.path, self.fd, self.inner = path, fd, inner

    def release(self) -> None:
        if self.inner is not None:
            inner, self.inner = self.inner, None
            inner.release()
        if self.fd is not None:
            fd, self.fd = self.fd, None
            try:
                # Unlink while still holding it: a waiter that then gets the old file sees
                # it is no longer at the path and retries on a fresh one.
                os.unlink(self.path)
            except OSError:
                pass
            try:
                _unlock(fd)
            finally:
                os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _holder(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(200).strip()
    except OSError:
        return ""
    parts = text.split()
    if len(parts) >= 2:
        return f"; held by pid {parts[0]} on {parts[1]}"
    return ""


def lock_file(path: str, name: str, timeout: float, prefix: str = "") -> MigrationLock:
    """Take the lock file ``path``, waiting up to ``timeout`` seconds."""
    deadline = time.monotonic() + max(0.0, timeout)
    delay = 0.01
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LockError(f"acquiring database lock: {prefix}creating lock file "
                            f"{path!r}: {exc.strerror or exc}") from None
        locked = False
        try:
            if _try_lock(fd):
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(path))
                except FileNotFoundError:
                    same = False
                if same:
                    locked = True
                    # Only a file left by a killed holder has content. Truncating an empty
                    # one is not free: ext4 then flushes the file on close (auto_da_alloc),
                    # which cost 5 ms per database.
                    if os.fstat(fd).st_size:
                        os.ftruncate(fd, 0)
                    import socket

                    os.write(fd, f"{os.getpid()} {socket.gethostname()} "
                                 f"{time.time_ns()}\n".encode())
                    return MigrationLock(path, fd)
                _unlock(fd)
                continue  # the file was replaced while we waited: retry at once
        finally:
            if not locked:
                os.close(fd)
        if time.monotonic() >= deadline:
            from ..gotext import go_quote
            from .report import go_duration

            waited = f"waited {go_duration(int(timeout * 1e9))}" if timeout > 0 else "no wait"
            raise LockError(f"acquiring database lock: {prefix}lock on {go_quote(name)} "
                            f"already taken ({waited}{_holder(path)})")
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.2)


def acquire_lock(conn, dialect, name: str = APPLY_LOCK, timeout: float = 10.0,
                 hook=None) -> MigrationLock:
    """Lock the database behind ``conn`` for migrating. Raises ``LockError`` with a message
    starting ``acquiring database lock: `` when another process keeps it past ``timeout``."""
    if hook is None:
        from .revisions import revisions_hook

        hook = revisions_hook(dialect)
    prefix = f"sql/{hook.name}: "
    db_lock = getattr(hook, "db_lock", None)
    if db_lock is not None:
        return MigrationLock(inner=db_lock(conn, name, timeout))
    path = hook.lock_path(conn, name)
    if path is None:
        return MigrationLock()
    return lock_file(path, name, timeout, prefix)
