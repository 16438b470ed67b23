"""``atoll migrate edit``: open a migration file in ``$EDITOR`` and re-hash the directory on
save. The editor works on a copy, so a failing editor leaves the file and atlas.sum as they
were."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile

import click

from ..errors import AtollError, MigrationError
from .options import invocation, project_options


def edit_in_editor(name: str, content: bytes) -> bytes:
    """Run ``$EDITOR`` (``vi`` when unset) on a temporary copy of ``content`` named ``name``
    and return what the editor saved. Like Atlas, the editor is a shell command line, so
    ``EDITOR="code --wait"`` works."""
    editor = os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="atoll-edit-") as tmp:
        path = os.path.join(tmp, os.path.basename(name))
        with open(path, "wb") as fh:
            fh.write(content)
        code = subprocess.call(["sh", "-c", f"{editor} {shlex.quote(path)}"])
        if code != 0:
            raise AtollError(f"exec edit: {editor} exited with status {code}; "
                             f"{name} was not changed")
        with open(path, "rb") as fh:
            return fh.read()


@click.command("edit")
@click.argument("file", required=False)
@click.option("--dir", default="file://migrations", help="select migration directory using URL format")
@click.option("--dir-format", default="atlas", help="select migration file format")
@project_options
@click.pass_context
def edit_cmd(ctx: click.Context, file, **_):
    """Edit a migration file in $EDITOR and update atlas.sum. FILE is the file's name or
    version (default: the last file)."""
    inv = invocation(ctx, "migrate edit")
    from ..migrate.directory import load_dir
    from ..migrate.formats import split_dir_url

    path, fmt = split_dir_url(inv.get("dir") or "file://migrations")
    if fmt != "atlas":
        raise MigrationError(f'migrate edit supports only Atlas-format directories, got format "{fmt}"')
    directory = load_dir(path)
    directory.validate()
    target = _find(directory, file)
    edit_file(path, target.name, target.data)


def edit_file(path: str, name: str, data: bytes) -> None:
    """Edit migration file ``name`` of the directory at ``path`` and rewrite atlas.sum."""
    from ..migrate.directory import hash_dir

    edited = edit_in_editor(name, data)
    if edited != data:
        with open(os.path.join(path, name), "wb") as fh:
            fh.write(edited)
    hash_dir(path)


def _find(directory, wanted: str | None):
    if not directory.files:
        raise MigrationError(f"no migration files in {directory.path}")
    if wanted is None:
        return directory.files[-1]
    name = os.path.basename(wanted)
    for f in directory.files:
        if f.name == name:
            return f
    found = directory.file(wanted)
    if found is None:
        raise MigrationError(f'migration file "{wanted}" not found in {directory.path} '
                             "(give its file name or its version)")
    return found
