"""Reading the user's text files (schema, SQL, project files): UTF-8, or a one-line error that
names the file and the line of the first bad byte."""

from __future__ import annotations

import os

from .errors import AtollError


def utf8_text(data: bytes, path: str | os.PathLike) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise AtollError(f"file {os.fspath(path)} is not valid UTF-8 (line {line})") from None


def read_text(path: str | os.PathLike) -> str:
    with open(path, "rb") as fh:
        return utf8_text(fh.read(), path)
