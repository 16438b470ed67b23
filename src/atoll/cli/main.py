"""The ``atoll`` command tree. Command modules are imported only when their command runs, so
``atoll --help`` and a shard loop's hundreds of short runs pay for click and nothing else."""

from __future__ import annotations

import importlib
import sys

import click

from .. import __version__

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


class LazyGroup(click.Group):
    def __init__(self, *args, path: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.path = path

    def list_commands(self, ctx):
        return sorted(COMMANDS.get(self.path, {})) if self.path else sorted(
            [*COMMANDS, "version"])

    def get_command(self, ctx, name):
        if not self.path:
            if name in COMMANDS:
                return LazyGroup(name=name, path=name, help=SHORT_HELP[name],
                                 short_help=SHORT_HELP[name])
            return super().get_command(ctx, name) or _missing(self.path, name)
        target = COMMANDS[self.path].get(name)
        if target is None:
            return _missing(self.path, name)
        module, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module), attr)
        summary = SHORT_HELP.get(f"{self.path} {name}")
        if summary:
            command.short_help = summary
        _show_defaults(command)
        return command


def _show_defaults(command: click.Command) -> None:
    """``--help`` shows each option's default where it has a real one (not "", 0 or off)."""
    for param in command.params:
        if isinstance(param, click.Option) and param.show_default is None:
            default = param.default
            param.show_default = not (default in (None, "", (), [], False) or callable(default))


def _missing(path: str, name: str):
    from .unsupported import missing_command

    return missing_command(path, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks of errors.")
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
              help="Print the atoll version and exit (the same as `atoll version`).")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """atoll: Atlas-compatible schema migrations for fleets of databases."""
    ctx.obj = {"debug": debug}


@cli.command("version")
def version_cmd() -> None:
    """Print the atoll version."""
    click.echo(f"atoll version v{__version__}")


def _print_version(ctx: click.Context) -> None:
    version_cmd.callback()
    ctx.exit(0)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: errors are one line on stderr and exit 1; no tracebacks unless
    ``--debug`` is given."""
    from ..errors import AtollError

    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    if debug:  # accepted anywhere on the command line, read by the root group
        args = ["--debug", *(a for a in args if a != "--debug")]
    try:
        code = cli.main(args=args, prog_name="atoll", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:  # `atoll migrate`: help, as Atlas does
        click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
        sys.exit(0)
    except click.ClickException as exc:
        click.echo(f"Error: {_click_message(exc)}", err=True)
        sys.exit(exc.exit_code if exc.exit_code != 2 else 1)
    except AtollError as exc:
        if debug:
            raise
        from ..errors import ChecksumError

        if isinstance(exc, ChecksumError):  # Atlas explains checksum errors on stdout
            from ..migrate.checksum import checksum_help

            click.echo(checksum_help(exc, color=sys.stdout.isatty()), nl=False)
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    except OSError as exc:  # a file or directory the command could not read or write
        if debug:
            raise
        click.echo(f"Error: {_os_message(exc)}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug: still one line for the user
        if debug:
            raise
        click.echo(f"Error: internal error: {type(exc).__name__}: {exc} "
                   "(run again with --debug for details)", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _os_message(exc: OSError) -> str:
    reason = (exc.strerror or str(exc)).lower() if exc.strerror else str(exc)
    if exc.filename is not None:
        where = exc.filename if exc.filename2 is None else f"{exc.filename} -> {exc.filename2}"
        return f"{where}: {reason}"
    return reason


def _click_message(exc: click.ClickException) -> str:
    if isinstance(exc, click.UsageError) and exc.ctx is not None and isinstance(
            exc, click.NoSuchOption):
        return f"unknown flag: {exc.option_name}"
    return exc.format_message()


if __name__ == "__main__":
    main()
