"""``atlas.sum``: the integrity file of a migration directory (migrate.md §2).

One SHA-256 state runs over the whole directory: for each file (in directory order) its name,
then (unless its first line says ``atlas:sum ignore``) its raw content; after each file the
digest so far is that file's hash. The first line of atlas.sum is the hash of all
``name + hash`` pairs. Everything is standard base64 with padding, prefixed ``h1:``."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import ChecksumError
from .directives import sum_ignored, trim_space

HASH_FILE_NAME = "atlas.sum"

ERR_NOT_FOUND = "checksum file not found"
ERR_FORMAT = "checksum file format invalid"
ERR_MISMATCH = "checksum mismatch"


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class HashFile:
    """The parsed or computed content of atlas.sum: ``(file name, hash without h1:)`` pairs."""

    entries: tuple[tuple[str, str], ...] = ()

    @property
    def total(self) -> str:
        """The directory hash on the first line (without ``h1:``)."""
        h = hashlib.sha256()
        for name, digest in self.entries:
            h.update(name.encode("utf-8", "surrogateescape"))
            h.update(digest.encode("utf-8", "surrogateescape"))
        return _b64(h.digest())

    def to_bytes(self) -> bytes:
        lines = [f"h1:{self.total}\n"] + [f"{n} h1:{d}\n" for n, d in self.entries]
        return "".join(lines).encode("utf-8", "surrogateescape")

    def sum_by_name(self, name: str) -> str | None:
        for n, d in self.entries:
            if n == name:
                return d
        return None

    @classmethod
    def parse(cls, data: bytes) -> HashFile:
        """Read atlas.sum leniently (CRLF, missing final newline); raise ``ChecksumError``
        ``checksum file format invalid`` for a line without ``h1:``, and ``checksum mismatch``
        when the first line does not match the listed hashes."""
        text = data.decode("utf-8", "surrogateescape")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        lines = [ln.removesuffix("\r") for ln in lines]
        declared = lines[0].removeprefix("h1:") if lines else ""
        entries = []
        for line in lines[1:]:
            name, sep, digest = line.partition("h1:")
            if not sep:
                raise ChecksumError(ERR_FORMAT)
            entries.append((trim_space(name), digest))
        hf = cls(tuple(entries))
        if declared != hf.total:
            raise ChecksumError(ERR_MISMATCH)
        return hf


def compute_sum(files: Iterable[tuple[str, bytes]]) -> HashFile:
    """The atlas.sum of ``(name, content)`` pairs given in directory order."""
    h = hashlib.sha256()
    entries = []
    for name, data in files:
        h.update(name.encode("utf-8", "surrogateescape"))
        if sum_ignored(data.decode("utf-8", "surrogateescape")):
            continue
        h.update(data)
        entries.append((name, _b64(h.copy().digest())))
    return HashFile(tuple(entries))


class ChecksumMismatch(ChecksumError):
    """atlas.sum disagrees with the files. The message is Atlas's plain ``checksum mismatch``;
    ``line`` (1-based, in atlas.sum), ``file`` and ``reason`` (added/edited/removed) say
    where, for the help text the CLI prints (see :func:`checksum_help`)."""

    def __init__(self, line: int, file: str, reason: str, total: int = 0, pos: int = 0):
        super().__init__(ERR_MISMATCH)
        self.line, self.file, self.reason, self.total, self.pos = line, file, reason, total, pos
        # "CRLF"/"LF" when atlas.sum matches the files with those line endings instead.
        self.hashed_with: str | None = None

    @property
    def where(self) -> str:
        """``L2: f.sql was edited``, and why, when the line endings explain it."""
        text = f"L{self.line}: {self.file} was {self.reason}"
        if self.hashed_with:
            text += (f" (atlas.sum was computed on a checkout with {self.hashed_with} line "
                     f"endings, as git's core.autocrlf makes on Windows; pin them with a "
                     f".gitattributes line such as '*.sql text eol=lf' and re-hash)")
        return text


def _line_endings_explain(files: list[tuple[str, bytes]], recorded: str) -> str | None:
    """Which line endings, CRLF or LF, make the files hash to the recorded total: a sum
    written on a Windows checkout fails on every other one, file by file, for no change."""
    crlf = [(n, d.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")) for n, d in files]
    if compute_sum(crlf).total == recorded:
        return "CRLF"
    lf = [(n, d.replace(b"\r\n", b"\n")) for n, d in files]
    if compute_sum(lf).total == recorded:
        return "LF"
    return None


def validate_sum(files: list[tuple[str, bytes]], sum_data: bytes | None,
                 computed: HashFile | None = None) -> None:
    """Check a directory (its ``(name, content)`` pairs and atlas.sum bytes, ``None`` when
    absent) like ``migrate validate``; raise ``ChecksumError`` on any problem. ``computed``:
    the files' sum, when the caller has it already."""
    if sum_data is None:
        if files:
            raise ChecksumError(ERR_NOT_FOUND)
        return
    parsed = HashFile.parse(sum_data)
    computed = computed or compute_sum(files)
    if parsed.total == computed.total:
        return
    try:
        _locate_mismatch(parsed.entries, computed.entries)
    except ChecksumMismatch as err:
        if err.reason == "edited":
            err.hashed_with = _line_endings_explain(files, parsed.total)
        raise


def _locate_mismatch(ac: tuple, ex: tuple) -> None:
    hash_size = 3 + 44
    pos = hash_size + 1
    for i, entry in enumerate(ac):
        if i < len(ex) and ex[i] == entry:
            pos += len(entry[0]) + 1 + hash_size + 1
            continue
        names = [e[0] for e in ex]
        if entry[0] not in names:
            raise ChecksumMismatch(i + 2, entry[0], "removed", len(ac), pos)
        if names.index(entry[0]) == i:
            raise ChecksumMismatch(i + 2, entry[0], "edited", len(ac), pos)
        raise ChecksumMismatch(i + 2, ex[i][0], "added", len(ac), pos)
    raise ChecksumMismatch(len(ac) + 2, ex[len(ac)][0], "added", len(ac), pos)


def checksum_help(err: BaseException, color: bool = False) -> str:
    """The block Atlas prints on stdout before ``Error: checksum …``."""
    hint = "'atlas migrate hash'"
    if color:
        hint = f"\x1b[36m{hint}\x1b[0m"
    text = "You have a checksum error in your migration directory.\n"
    if isinstance(err, ChecksumMismatch):
        text += f"\n\t{err.where}\n\n"
    return text + f"Please check your migration files and run {hint} to re-hash the contents\n\n"
