"""The command table: every command's module and summary, and the root group's texts. Plain
data, so ``atoll --help`` and ``atoll version`` can answer without importing click."""

from __future__ import annotations

from .. import __version__

ROOT_HELP = "atoll: Atlas-compatible schema migrations for fleets of databases."
VERSION_FLAG_HELP = "Print the atoll version and exit (the same as `atoll version`)."
VERSION_HELP = "Print the atoll version."

# group → command → "module:function". Listed here so help works without importing them.
COMMANDS: dict[str, dict[str, str]] = {
    "schema": {
        "inspect": "atoll.cli.schema_cmds:inspect_cmd",
        "apply": "atoll.cli.schema_cmds:apply_cmd",
        "diff": "atoll.cli.schema_cmds:diff_cmd",
        "fmt": "atoll.cli.schema_cmds:fmt_cmd",
        "clean": "atoll.cli.schema_cmds:clean_cmd",
    },
    "migrate": {
        "apply": "atoll.cli.migrate_cmds:apply_cmd",
        "diff": "atoll.cli.migrate_cmds:diff_cmd",
        "down": "atoll.cli.down_cmd:down_cmd",
        "edit": "atoll.cli.edit_cmd:edit_cmd",
        "hash": "atoll.cli.migrate_cmds:hash_cmd",
        "import": "atoll.cli.import_cmd:import_cmd",
        "lint": "atoll.cli.lint_cmds:lint_cmd",
        "ls": "atoll.cli.migrate_cmds:ls_cmd",
        "new": "atoll.cli.migrate_cmds:new_cmd",
        "restore": "atoll.cli.restore_cmds:restore_cmd",
        "rm": "atoll.cli.migrate_cmds:rm_cmd",
        "set": "atoll.cli.migrate_cmds:set_cmd",
        "status": "atoll.cli.migrate_cmds:status_cmd",
        "validate": "atoll.cli.migrate_cmds:validate_cmd",
    },
    "report": {
        "merge": "atoll.cli.report_cmds:merge_cmd",
    },
}

SHORT_HELP = {
    "version": VERSION_HELP,
    "schema": "Inspect, diff and apply schemas (declarative workflow).",
    "migrate": "Manage versioned migration files and apply them to databases.",
    "report": "Merge the reports of a fleet run split over runners.",
    "schema inspect": "Print a database's schema as HCL, SQL or JSON.",
    "schema apply": "Change a database to match a desired schema.",
    "schema diff": "Print the SQL that turns one schema into another.",
    "schema fmt": "Format HCL schema files in place.",
    "schema clean": "Drop every object of a database (not the history).",
    "migrate apply": "Apply pending migration files to the database(s).",
    "migrate diff": "Write a migration file from a desired schema.",
    "migrate down": "Revert applied files by planning back to an earlier version.",
    "migrate edit": "Edit a migration file in $EDITOR and update atlas.sum.",
    "migrate hash": "Rewrite atlas.sum from the directory's files.",
    "migrate import": "Convert another tool's migrations to Atlas's format.",
    "migrate lint": "Check new migration files for risky changes.",
    "migrate ls": "List the migration files.",
    "migrate new": "Create an empty migration file.",
    "migrate restore": "Put back what an apply run changed, from its restore points.",
    "migrate rm": "Remove a migration file and update atlas.sum.",
    "migrate set": "Mark migrations as applied without running them.",
    "migrate status": "Show applied and pending files, errors and drift.",
    "migrate validate": "Check atlas.sum and replay the files on a dev DB.",
    "report merge": "Join the JSON reports of --partition slices into one.",
}


def version_line() -> str:
    return f"atoll version v{__version__}"
