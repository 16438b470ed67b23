"""Replayed dev databases kept across runs. ``migrate diff`` and ``migrate lint`` replay the
whole migration directory on the dev database every time (Atlas does too); a long directory
makes that most of their time. The state a replay leaves is saved in the user's cache
directory (``$XDG_CACHE_HOME/atoll/replay`` or ``~/.cache/atoll/replay``, never the project),
named by a hash chain over the replayed files' names and contents, the dev database's tag
(engine version and URL) and atoll's version: any edit, reorder, rename or new file misses.

An entry is ``MAGIC + sha256(data) + data``; one whose hash does not match (a torn or
corrupt file) is ignored and removed, never fatal. The directory is kept under
``MAX_BYTES`` by dropping the least recently used entries. ``ATOLL_REPLAY_CACHE=0`` turns the
cache off."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Sequence

from ..errors import AtollError
from .directory import MigrationFile

ENV = "ATOLL_REPLAY_CACHE"
MAGIC = b"atoll-replay-1\n"
MAX_BYTES = 512 * 1024 * 1024


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "atoll", "replay")


def state_key(tag: str, files: Sequence[MigrationFile]) -> str:
    """The hash chain: each link covers the previous one, a file's name and its content."""
    # The atoll package is loaded before any of its modules (no import needed, and none of
    # atoll/__init__'s lazy imports pulled in here).
    version = sys.modules["atoll"].__version__
    link = hashlib.sha256(f"atoll {version}\0{tag}".encode()).digest()
    for f in files:
        content = hashlib.sha256(f.sql.encode("utf-8", "surrogateescape")).digest()
        link = hashlib.sha256(link + f.name.encode("utf-8", "surrogateescape") + b"\0"
                              + content).digest()
    return link.hex()


def replayed(dialect, conn, files: Sequence[MigrationFile], run: Callable[[], object]) -> bool:
    """Bring ``conn`` (a clean dev database) to the state after ``files``: from the cache
    when it holds that state, else by ``run()``, whose result is then saved. True on a hit."""
    tag = None if os.environ.get(ENV, "1").lower() in ("0", "off", "no", "false") \
        else dialect.dev_state_tag(conn)
    if tag is None or not files:
        run()
        return False
    path = os.path.join(cache_dir(), state_key(tag, files) + ".db")
    data = _read(path)
    if data is not None:
        try:
            dialect.load_dev_state(conn, data)
            os.utime(path)  # recently used: pruned last
            return True
        except (AtollError, OSError):
            _remove(path)
            for stmt in dialect.clean(conn):  # back to clean before replaying for real
                conn.execute(stmt.sql)
    run()
    try:
        _write(path, dialect.save_dev_state(conn))
        _prune(os.path.dirname(path), keep=path)
    except (AtollError, OSError):
        pass  # a cache that cannot be written is only slower
    return False


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
    except OSError:
        return None
    head = len(MAGIC) + 32
    if blob[:len(MAGIC)] != MAGIC or hashlib.sha256(blob[head:]).digest() != blob[len(MAGIC):head]:
        _remove(path)
        return None
    return blob[head:]


def _write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(MAGIC + hashlib.sha256(data).digest() + data)
        os.replace(tmp, path)
    finally:
        _remove(tmp)


def _prune(directory: str, keep: str, max_bytes: int | None = None) -> None:
    """Drop the least recently used entries until the directory fits in ``max_bytes``."""
    limit = MAX_BYTES if max_bytes is None else max_bytes
    entries = []
    with os.scandir(directory) as it:
        for e in it:
            if e.name.endswith(".db") and e.is_file():
                st = e.stat()
                entries.append((st.st_mtime, st.st_size, e.path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        if path != keep:
            _remove(path)
            total -= size


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
