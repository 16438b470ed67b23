"""Atlas's ``Are you sure?`` select (Apply / Abort). On a terminal it is a real select: arrow
keys (or j/k) move, Enter chooses, Ctrl-C or q aborts. Otherwise one line is read from stdin:
empty, ``apply``, ``a``, ``y`` or ``yes`` apply; anything else aborts; end of input is an error,
as in Atlas."""

from __future__ import annotations

import sys

import click

from ..errors import AtollError

ITEMS = ("Apply", "Abort")
_UP = {"\x1b[A", "k", "\x1bOA"}
_DOWN = {"\x1b[B", "j", "\x1bOB"}


def _render(choice: int, first: bool) -> None:
    if not first:
        click.echo("\x1b[2A", nl=False)  # back over the two item lines
    for i, item in enumerate(ITEMS):
        mark = "▸" if i == choice else " "
        click.echo(f"\x1b[2K  {mark} {item}")


def confirm_apply() -> bool:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo("? Are you sure?: [Apply/Abort] ", nl=False)
        line = sys.stdin.readline()
        if not line:
            raise AtollError("EOF")
        click.echo()
        return line.strip().lower() in ("", "apply", "a", "y", "yes")
    click.echo("? Are you sure?:")
    choice = 0
    _render(choice, True)
    while True:
        key = click.getchar()
        if key in _UP or key in _DOWN:
            choice = 1 - choice
            _render(choice, False)
        elif key in ("\r", "\n"):
            return choice == 0
        elif key in ("\x03", "q", "\x1b"):
            return False
