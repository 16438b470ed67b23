"""The migration directory (migrate.md §1): which files are migrations, their order, version and
description, checkpoint files, and the commands that write into it (``new``, ``diff``, ``hash``,
``rm``).

A directory is read once into a :class:`MigrationDir` snapshot (names and raw bytes); every
later step (hashing, validation, splitting, execution) works on that snapshot."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from ..errors import MigrationError
from ..gotext import go_quote
from .checksum import HASH_FILE_NAME, HashFile, compute_sum, validate_sum
from .directives import checkpoint_tag, file_directives, sum_ignored, txmode_directive
from .splitter import SQLITE, scan_statements


@dataclass(frozen=True, eq=False)
class MigrationFile:
    """One ``*.sql`` file: its name and raw content (never re-encoded)."""

    name: str
    data: bytes

    @cached_property
    def text(self) -> str:
        """The content as text; bytes that are not UTF-8 survive as surrogate escapes."""
        return self.data.decode("utf-8", "surrogateescape")

    @property
    def version(self) -> str:
        """The name without ``.sql``, up to the first ``_``."""
        return self.name.removesuffix(".sql").partition("_")[0]

    @property
    def description(self) -> str:
        """The part of the name after the first ``_``, without ``.sql`` ("" if none)."""
        _, sep, rest = self.name.partition("_")
        return rest.removesuffix(".sql") if sep else ""

    def txmode(self) -> str:
        """The file's ``atlas:txmode`` ("none", "file", or "" when it has none); other tools'
        files say it their own way (goose's ``NO TRANSACTION``)."""
        return txmode_directive(self.name, self.text)

    def directive(self, name: str) -> list[str]:
        """Arguments of the file-level directive ``name`` (``txmode``, ``nolint``, …)."""
        return file_directives(self.text, name)

    @cached_property
    def checkpoint_tag(self) -> str | None:
        return checkpoint_tag(self.text)

    @property
    def is_checkpoint(self) -> bool:
        return self.checkpoint_tag is not None

    @property
    def sum_ignored(self) -> bool:
        return sum_ignored(self.text)

    @property
    def sql(self) -> str:
        """The text the executor splits into statements: the whole file in Atlas's format;
        other tools' formats (``atoll.migrate.formats``) keep only their up part."""
        return self.text

    def statements(self, options=None):
        """The file's statements (:class:`~atoll.migrate.splitter.Stmt`), split with
        ``options`` (SQLite's rules by default)."""
        return scan_statements(self.sql, options or SQLITE)

    def __repr__(self) -> str:
        return f"MigrationFile({self.name!r})"


@dataclass
class MigrationDir:
    """A snapshot of a migration directory. ``path`` is the path as given (for messages),
    ``files`` the migration files in order, ``sum_data`` the bytes of atlas.sum (``None``
    when the file is absent)."""

    path: str
    files: list[MigrationFile] = field(default_factory=list)
    sum_data: bytes | None = None
    format: str = "atlas"  # the tool whose layout the directory follows (?format=…)

    @cached_property
    def checksum(self) -> HashFile:
        """The atlas.sum these files should have."""
        return compute_sum((f.name, f.data) for f in self.files)

    def validate(self) -> None:
        """Raise ``ChecksumError`` unless atlas.sum matches the files."""
        validate_sum([(f.name, f.data) for f in self.files], self.sum_data, self.checksum)

    def check_files(self) -> None:
        """Raise ``MigrationError`` for a file that is not UTF-8, two files with one version
        (they would run in an order nobody chose), an Atlas-format file with another tool's
        down marker, or another tool's file that cannot be read: ``migrate apply|validate|
        lint`` refuse such a directory."""
        from ..textfile import utf8_text

        seen: dict[str, str] = {}
        for f in self.files:
            utf8_text(f.data, os.path.join(self.path, f.name))
            if f.version in seen:
                raise MigrationError(f"migration files {seen[f.version]} and {f.name} have the "
                                     f'same version "{f.version}"')
            seen[f.version] = f.name
        self.check_runnable()

    def check_runnable(self) -> None:
        """Refuse an Atlas-format file holding another tool's down marker (the whole file
        would run, its down part right after its up part), and another tool's file whose up
        part cannot be read: before anything runs."""
        for f in self.files:
            if self.format != "atlas":
                _ = f.sql  # reading the up part raises for a file the tool could not run
                continue
            marker = foreign_down_marker(f.text)
            if marker is None:
                continue
            line, text, tool = marker
            raise MigrationError(
                f"{os.path.join(self.path, f.name)}:{line}: {go_quote(text)} starts a {tool} "
                f"down section, which Atlas's format would run right after the up part; read "
                f"the directory with ?format={tool} (or migration {{ format = {tool} }})")

    @property
    def migrations(self) -> list[MigrationFile]:
        """The files without checkpoint files."""
        return [f for f in self.files if not f.is_checkpoint]

    def files_from_last_checkpoint(self) -> list[MigrationFile]:
        """What a database without revisions runs: from the last checkpoint on, or all."""
        for i in range(len(self.files) - 1, -1, -1):
            if self.files[i].is_checkpoint:
                return self.files[i:]
        return list(self.files)

    def last_index(self, version: str) -> int:
        """Index of the last file with ``version``, or -1."""
        for i in range(len(self.files) - 1, -1, -1):
            if self.files[i].version == version:
                return i
        return -1

    def file(self, version: str) -> MigrationFile | None:
        i = self.last_index(version)
        return self.files[i] if i >= 0 else None

    def subset(self, files: list[MigrationFile]) -> MigrationDir:
        """A directory holding only ``files``, with a matching sum (``--to-version`` cuts)."""
        d = MigrationDir(self.path, list(files), format=self.format)
        d.sum_data = d.checksum.to_bytes()
        return d


_DOWN_MARKERS = ((re.compile(r"--\s*\+goose\s+down\b", re.I), "goose"),
                 (re.compile(r"--\s*migrate:down\b"), "dbmate"))


def foreign_down_marker(text: str) -> tuple[int, str, str] | None:
    """``(line, marker line, tool)`` of the first line that opens a goose or dbmate down
    section, or ``None``."""
    if "+goose" not in text and "migrate:down" not in text:
        return None
    for n, line in enumerate(text.split("\n"), 1):
        for pattern, tool in _DOWN_MARKERS:
            if pattern.match(line):
                return n, line.rstrip(), tool
    return None


def _sort_key(name: str) -> bytes:
    return os.fsencode(name)


def _stat_error(path: str, exc: OSError) -> MigrationError:
    reason = (exc.strerror or str(exc)).lower() if exc.strerror else str(exc)
    return MigrationError(f"sql/migrate: stat {path}: {reason}")


def check_path(path: str) -> None:
    """Atlas's errors for a directory that is missing (``sql/migrate: stat PATH: no such
    file or directory``) or a file (``sql/migrate: "PATH" is not a dir``)."""
    import stat as _stat

    try:
        st = os.stat(path)
    except OSError as exc:
        raise _stat_error(path, exc) from None
    if not _stat.S_ISDIR(st.st_mode):
        raise MigrationError(f"sql/migrate: {go_quote(path)} is not a dir")


def read_file(path: str, name: str) -> MigrationFile:
    """The file ``name`` (relative to the directory ``path``)."""
    try:
        with open(os.path.join(path, name), "rb") as fh:
            return MigrationFile(name, fh.read())
    except OSError as exc:
        raise MigrationError(f"sql/migrate: read file {go_quote(name)}: "
                             f"{(exc.strerror or str(exc)).lower()}") from None


def read_sum(path: str) -> bytes | None:
    """The bytes of the directory's atlas.sum, ``None`` when it has none."""
    try:
        with open(os.path.join(path, HASH_FILE_NAME), "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def load_dir(path: str | os.PathLike) -> MigrationDir:
    """Read the migration directory at ``path`` (Atlas's own format)."""
    path = os.fspath(path)
    check_path(path)
    names = sorted((n for n in os.listdir(path) if n.endswith(".sql")), key=_sort_key)
    files = [read_file(path, n) for n in names if not os.path.isdir(os.path.join(path, n))]
    return MigrationDir(path, files, read_sum(path))


def _as_dir(d: MigrationDir | str | os.PathLike) -> MigrationDir:
    return d if isinstance(d, MigrationDir) else load_dir(d)


def validate_dir(d: MigrationDir | str | os.PathLike) -> MigrationDir:
    """``migrate validate`` without a dev database: raise ``ChecksumError``
    (``checksum file not found`` / ``checksum file format invalid`` / ``checksum mismatch``,
    the last as :class:`~atoll.migrate.checksum.ChecksumMismatch` with line/file/reason)."""
    d = _as_dir(d)
    d.validate()
    return d


def _write(path: str, data: bytes) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def hash_dir(d: MigrationDir | str | os.PathLike) -> HashFile:
    """``migrate hash``: (re)write atlas.sum from the files, without validating first."""
    d = _as_dir(d)
    d.__dict__.pop("checksum", None)
    hf = d.checksum
    data = hf.to_bytes()
    _write(os.path.join(d.path, HASH_FILE_NAME), data)
    d.sum_data = data
    return hf


def version_at(now: datetime | None = None) -> str:
    """A new file version: the UTC time as ``YYYYMMDDHHMMSS``."""
    now = now or datetime.now(UTC)
    if now.tzinfo is not None:
        now = now.astimezone(UTC)
    return now.strftime("%Y%m%d%H%M%S")


def new_file_name(name: str | None = None, now: datetime | None = None) -> str:
    """``VERSION.sql`` or ``VERSION_NAME.sql`` (the name used verbatim), as ``migrate new`` and
    ``migrate diff`` name their files."""
    v = version_at(now)
    return f"{v}_{name}.sql" if name else f"{v}.sql"


def unused_file_name(path: str | os.PathLike, name: str | None = None,
                     now: datetime | None = None) -> str:
    """Like :func:`new_file_name`, but one second later (and so on) while the directory
    already has a file of that version: two files created within one second (a script
    running ``migrate diff`` then ``migrate new``) would otherwise share a version, and
    the second one would never run."""
    from datetime import timedelta

    now = now or datetime.now(UTC)
    try:
        taken = {MigrationFile(n, b"").version for n in os.listdir(path) if n.endswith(".sql")}
    except OSError:
        taken = set()
    while version_at(now) in taken:
        now += timedelta(seconds=1)
    return new_file_name(name, now)


def _open_for_write(path: str | os.PathLike) -> MigrationDir:
    path = os.fspath(path)
    if not os.path.exists(path):
        os.makedirs(path, mode=0o755, exist_ok=True)
    d = load_dir(path)
    d.validate()
    return d


def write_file(path: str | os.PathLike, name: str, content: bytes | str,
               *, validate: bool = True) -> str:
    """Write migration file ``name`` into the directory (created if missing, validated first
    unless ``validate=False``) and rewrite atlas.sum. Returns the file's path."""
    d = _open_for_write(path) if validate else None
    path = os.fspath(path)
    if d is None:
        os.makedirs(path, mode=0o755, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogateescape")
    full = os.path.join(path, name)
    _write(full, content)
    hash_dir(path)
    return full


def new_file(path: str | os.PathLike, name: str | None = None, now: datetime | None = None,
             content: bytes | str = b"") -> str:
    """``migrate new [name]``: an empty ``VERSION[_NAME].sql`` plus a new atlas.sum."""
    return write_file(path, unused_file_name(path, name, now), content)


def list_files(d: MigrationDir | str | os.PathLike, *, short: bool = False,
               latest: bool = False) -> list[str]:
    """``migrate ls``: file names (``short``: versions), or only the last one."""
    d = _as_dir(d)
    files = d.files[-1:] if latest else d.files
    return [f.version if short else f.name for f in files]


def remove_file(path: str | os.PathLike, version: str | None = None) -> str:
    """``migrate rm [version]``: delete the (last) file with ``version``, or the last file,
    and rewrite atlas.sum. Returns the removed file name."""
    d = _open_for_write(path)
    if version is None:
        if not d.files:
            raise MigrationError("no migration files to remove")
        f = d.files[-1]
    else:
        f = d.file(version)
        if f is None:
            raise MigrationError(f"migration with version {go_quote(version)} not found")
    os.remove(os.path.join(d.path, f.name))
    hash_dir(d.path)
    return f.name
