"""In-file directives: comments of the form ``atlas:NAME [ARG]``.

Three places are read, each with its own rule (migrate.md §3.1):

* **file level** (``txmode``, ``checkpoint``, ``nolint``): the comment lines (``--``/``#`` at
  column 0) that open the file, when a blank line (or the end of the file, after a newline)
  separates them from the first statement;
* **statement level** (``nolint``): the comments the scanner attached to a statement, with the
  prefix exactly ``--``, ``-- ``, ``#`` or, for a one-line block comment, ``/*``;
* **first line** (``sum`` with any printable prefix; ``delimiter`` with prefix ``-- ``, handled
  by the splitter).

The matcher is Atlas's: any run of printable ASCII, then ``atlas:``, a word, then optionally
spaces and the argument up to the end of the line. With several ``atlas:`` on one line the
last one counts."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import MigrationError
from ..gotext import go_quote

_DIRECTIVE = re.compile(r"([ -~]*)atlas:([0-9A-Za-z_]+)(?: +(.+))*")

# Go's unicode.IsSpace: Python's str.isspace() also counts U+001C..U+001F.
_NOT_GO_SPACE = frozenset("\x1c\x1d\x1e\x1f")


def is_space(ch: str) -> bool:
    return ch.isspace() and ch not in _NOT_GO_SPACE


def trim_space(s: str) -> str:
    """Go's ``strings.TrimSpace``."""
    if "\x1c" not in s and "\x1d" not in s and "\x1e" not in s and "\x1f" not in s:
        return s.strip()  # str.strip() agrees with Go but for U+001C..U+001F
    i, j = 0, len(s)
    while i < j and is_space(s[i]):
        i += 1
    while j > i and is_space(s[j - 1]):
        j -= 1
    return s[i:j]


def trim_left_space(s: str) -> str:
    i = 0
    while i < len(s) and is_space(s[i]):
        i += 1
    return s[i:]


def parse_directive(content: str) -> tuple[str, str, str] | None:
    """``(prefix, name, argument)`` of the directive at the start of ``content``, or ``None``."""
    m = _DIRECTIVE.match(content)
    if not m:
        return None
    return m.group(1), m.group(2), m.group(3) or ""


def directive(content: str, name: str, prefix: str | None = None) -> str | None:
    """The argument of directive ``name`` on the first line of ``content`` ("" when it has
    none), or ``None`` when that line is not such a directive (or its prefix differs)."""
    d = parse_directive(content)
    if d is None or d[1] != name or (prefix is not None and d[0] != prefix):
        return None
    return d[2]


def file_comments(text: str) -> list[str]:
    """The file-level comment lines (trimmed), or ``[]`` when the leading comment block is
    attached to the first statement (no blank line after it)."""
    comments: list[str] = []
    content = text
    while content.startswith(("#", "--")):
        idx = content.find("\n")
        if idx == -1:  # a comments-only file without a final newline
            comments.append(content)
            break
        comments.append(trim_space(content[:idx]))
        content = content[idx + 1:]
    if content != "" and not content.lstrip(" \t").startswith("\n"):
        return []
    return comments


def file_directives(text: str, name: str) -> list[str]:
    """The arguments of every file-level directive ``name``, in order."""
    out = []
    for c in file_comments(text):
        d = directive(c, name)
        if d is not None:
            out.append(d)
    return out


def stmt_directives(comments: Sequence[str], name: str) -> list[str]:
    """The arguments of statement-level directive ``name`` found in a statement's comments."""
    out = []
    for c in comments:
        if c.startswith("/*") and "\n" not in c:
            d = directive(c.removesuffix("*/"), name, "/*")
            if d is not None:
                out.append(d)
            continue
        for prefix in ("#", "--", "-- "):
            d = directive(c, name, prefix)
            if d is not None:
                out.append(d)
    return out


def sum_ignored(text: str) -> bool:
    """Whether the first line says ``atlas:sum ignore`` (the file stays out of atlas.sum)."""
    return directive(text, "sum") == "ignore"


def checkpoint_tag(text: str) -> str | None:
    """The tag of a checkpoint file ("" when untagged), or ``None`` if it is not one."""
    ds = file_directives(text, "checkpoint")
    return ds[0] if ds else None


def _go_quote_list(items: Sequence[str]) -> str:
    return "[" + " ".join(go_quote(i) for i in items) + "]"


def txmode_directive(name: str, text: str) -> str:
    """The file's ``atlas:txmode`` ("none", "file", or "" when absent); raises
    ``MigrationError`` with Atlas's text for ``all``, unknown values and duplicates."""
    ds = file_directives(text, "txmode")
    if not ds:
        return ""
    if len(ds) > 1:
        raise MigrationError(
            f"multiple txmode values found in file {go_quote(name)}: {_go_quote_list(ds)}")
    if ds[0] == "all":
        raise MigrationError(f'txmode "all" is not allowed in file directive {go_quote(name)}. '
                             f'Use "file" instead')
    if ds[0] in ("none", "file"):
        return ds[0]
    raise MigrationError(
        f"unknown txmode {go_quote(ds[0])} found in file directive {go_quote(name)}")


def nolint_rules(directives: Sequence[str]) -> list[str] | None:
    """Turn ``atlas:nolint`` arguments into rule names/codes: ``None`` when there is no
    directive, ``[]`` for a bare ``atlas:nolint`` (everything), else the listed names."""
    if not directives:
        return None
    rules: list[str] = []
    for d in directives:
        if d == "":
            return []
        rules.extend(p for p in d.split(" ") if p)
    return rules
