"""Reading a migration file line by line as Go's ``bufio.Scanner`` does (the goose and dbmate
readers): lines split on ``\\n``, a final ``\\r`` dropped, no empty line after a final newline."""

from __future__ import annotations

from ..directives import is_space


def go_lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def trim_right_space(s: str) -> str:
    """Go's ``strings.TrimRightFunc(s, unicode.IsSpace)``."""
    j = len(s)
    while j > 0 and is_space(s[j - 1]):
        j -= 1
    return s[:j]
