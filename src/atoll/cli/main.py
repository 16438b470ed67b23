"""The console entry point. ``atoll --help`` and ``atoll version`` answer here without
importing click (it is most of a short run's start-up); everything else goes to ``tree``."""

from __future__ import annotations

import os
import sys

from .commands import COMMANDS, ROOT_HELP, SHORT_HELP, VERSION_FLAG_HELP, version_line

__all__ = ["COMMANDS", "SHORT_HELP", "main", "root_help"]

# click's help layout: the text is min(columns, 80) - 2 wide, a term column at most 30 wide,
# two spaces between the columns.
_HELP_WIDTH = 78


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["version"], ["--version"]):
        sys.stdout.write(version_line() + "\n")
        sys.exit(0)
    if args in ([], ["--help"], ["-h"]) and _columns() >= _HELP_WIDTH + 2:
        text = root_help()
        if text is not None:
            sys.stdout.write(text + "\n")
            sys.exit(0)
    import atexit
    import gc

    # At exit the interpreter runs one last full collection over every object still alive:
    # 0.2 s after planning a 1000-table schema, for garbage nobody will see. Frozen objects
    # are skipped (finalizers of cyclic garbage are not guaranteed at exit anyway; files and
    # databases are closed by the commands themselves).
    atexit.unregister(gc.freeze)  # once, however often main() is called in one process
    atexit.register(gc.freeze)
    from .tree import run

    run(args)


def root_help() -> str | None:
    """The root help exactly as click prints it on a terminal at least 80 columns wide, or
    None when some line would need wrapping (then click renders it)."""
    groups = sorted([*COMMANDS, "version"])
    sections = [
        "Usage: atoll [OPTIONS] COMMAND [ARGS]...",
        _paragraph(ROOT_HELP),
        _definitions("Options:", [("--version", VERSION_FLAG_HELP),
                                  ("-h, --help", "Show this message and exit.")]),
        _definitions("Commands:", [(name, SHORT_HELP[name]) for name in groups]),
    ]
    return None if None in sections else "\n\n".join(sections)


def _paragraph(text: str) -> str | None:
    return "  " + text if len(text) + 2 <= _HELP_WIDTH else None


def _definitions(title: str, rows: list[tuple[str, str]]) -> str | None:
    first = max(len(term) for term, _ in rows)
    if first > 30:
        return None
    lines = [title]
    for term, text in rows:
        if len(text) > _HELP_WIDTH - (first + 2) - 2:
            return None
        lines.append(f"  {term.ljust(first)}  {text}")
    return "\n".join(lines)


def _columns() -> int:
    """The terminal width as click reads it (shutil.get_terminal_size, without the import)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


if __name__ == "__main__":
    main()
