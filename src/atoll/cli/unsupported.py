"""Atlas commands atoll does not have: each answers with one line that says so and names
atoll's nearest equivalent, instead of click's "No such command"."""

from __future__ import annotations

import click

from ..errors import AtollError

# "group command" (or a top-level command) → what to use instead.
MISSING: dict[str, str] = {
    "migrate push": "atoll has no schema registry; keep the migration directory in git and "
                    "check it with 'atoll migrate validate'",
    "migrate checkpoint": "atoll applies checkpoint files Atlas wrote but does not write "
                          "them; 'atoll migrate diff' writes a regular migration file",
    "migrate test": "replay the directory with 'atoll migrate validate --dev-url …' and check "
                    "it with 'atoll migrate lint'",
    "migrate rebase": "rename the file to a newer version and run 'atoll migrate hash'",
    "schema test": "apply the schema to a dev database with 'atoll schema apply' and run "
                   "your tests against it",
    "schema plan": "'atoll schema apply --dry-run' prints the plan, and 'atoll schema diff' "
                   "the changes between two states",
    "schema push": "atoll has no schema registry; keep the schema files in git",
    "login": "atoll needs no Atlas Cloud account; every command works without logging in",
}


def missing_command(path: str, name: str) -> click.Command | None:
    """A hidden command for ``atoll <path> <name>`` when Atlas has it and atoll does not."""
    key = f"{path} {name}".strip()
    hint = MISSING.get(key)
    if hint is None:
        return None

    @click.command(name, hidden=True, add_help_option=False,
                   context_settings={"ignore_unknown_options": True,
                                     "allow_extra_args": True})
    def missing(**_):
        raise AtollError(f"'atoll {key}' is not available: {hint}")

    return missing
