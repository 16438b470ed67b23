"""The ``atoll`` command tree in click. Command modules are imported only when their command
runs, so a shard loop's hundreds of short runs pay for click and nothing else."""

from __future__ import annotations

import importlib
import sys

import click

from .commands import (COMMANDS, ROOT_HELP, SHORT_HELP, VERSION_FLAG_HELP, VERSION_HELP,
                       version_line)


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


HELP_OPTIONS = ["-h", "--help"]


@click.group(cls=LazyGroup, help=ROOT_HELP, context_settings={"help_option_names": HELP_OPTIONS})
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks of errors.")
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
              help=VERSION_FLAG_HELP)
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    ctx.obj = {"debug": debug}


@cli.command("version", help=VERSION_HELP)
def version_cmd() -> None:
    click.echo(version_line())


def _print_version(ctx: click.Context) -> None:
    version_cmd.callback()
    ctx.exit(0)


def run(args: list[str]) -> None:
    """Run the command line ``args``: errors are one line on stderr and exit 1; no tracebacks
    unless ``--debug`` is given."""
    from ..errors import AtollError

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
