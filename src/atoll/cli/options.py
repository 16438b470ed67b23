"""Flags shared by commands, and the merge of an ``atlas.hcl`` env into flags the user did not
give (an explicit flag always wins; spec/project.md §3.3)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field

import click

from ..errors import AtollError, ProjectError


def _csv_fields(value: str) -> list[str]:
    # pflag's string-slice flags read each value as one CSV record; that also strips the
    # double quotes a testscript or a careless shell leaves around a value.
    try:
        return next(csv.reader([value], skipinitialspace=False), [])
    except csv.Error:
        return [value]


def csv_slice(ctx, param, values) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or ():
        out.extend(_csv_fields(value))
    return tuple(out)


def parse_vars(ctx, param, values) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for value in values or ():
        for fld in _csv_fields(value):
            key, sep, val = fld.partition("=")
            if not sep:
                raise click.BadParameter(
                    f'variables must be format as key=value, got: "{fld}"')
            result.setdefault(key, []).append(val)
    return result


def project_options(fn: Callable) -> Callable:
    """``--env``, ``--var`` and ``-c/--config``, as every Atlas schema/migrate command has."""
    fn = click.option("--env", default="", help="The environment to use from the project file.")(fn)
    fn = click.option("--var", "var", multiple=True, callback=parse_vars,
                      help="Input variables (key=value), repeatable.")(fn)
    fn = click.option("-c", "--config", default="file://atlas.hcl",
                      help="The project configuration file.")(fn)
    return fn


def partition_option(fn: Callable) -> Callable:
    """``--partition INDEX/COUNT`` (atoll): run only this runner's stable slice of the fleet."""
    def parse(ctx, param, value):
        from ..fleet.partition import parse_partition

        return None if value is None else parse_partition(value)

    return click.option("--partition", default=None, callback=parse, metavar="INDEX/COUNT",
                        help="[atoll] work only on this slice of the fleet (INDEX counts from "
                             "0: 0/4 … 3/4); see `atoll report merge`")(fn)


def parse_duration(text: str) -> float:
    """A Go duration flag (``10s``, ``1m30s``, ``500ms``) in seconds."""
    from ..migrate.report import parse_go_duration

    try:
        return parse_go_duration(str(text).strip() or "0") / 1e9
    except ValueError as exc:
        raise AtollError(str(exc)) from None


@dataclass
class Invocation:
    """The flags of one command after the env filled in what the user did not give."""

    command: str
    values: dict[str, object]
    given: set[str] = field(default_factory=set)
    env: object | None = None  # atoll.project Env, when one was selected
    envs: list = field(default_factory=list)  # every env selected by --env (fleets)
    project: object | None = None
    partition: object | None = None  # the FleetSlice build_targets cut for --partition

    def __getitem__(self, key: str):
        return self.values[key]

    def get(self, key: str, default=None):
        value = self.values.get(key)
        return default if value in (None, (), "") else value

    def require(self, key: str, message: str | None = None):
        value = self.get(key)
        if value is None:
            raise AtollError(message or f'required flag(s) "{key}" not set')
        return value


def invocation(ctx: click.Context, command: str, *, multi_env: bool = False) -> Invocation:
    """Collect the command's flags, reading the project file when ``--env`` or an explicit
    ``--config`` asks for it, and fill unset flags from the selected env."""
    params = dict(ctx.params)
    given = {name for name in params
             if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE}
    inv = Invocation(command, params, given)
    env_name = params.get("env") or ""
    config_given = "config" in given
    if not env_name and not config_given:
        fold_dir_format(inv, None)
        return inv
    from ..project import load_project

    project = load_project(params.get("config") or "file://atlas.hcl", env=env_name or None,
                           variables=params.get("var") or {})
    inv.project = project
    envs = list(project.envs) if env_name else []
    inv.envs = envs
    if not envs:
        fold_dir_format(inv, None)
        return inv
    if len(envs) > 1 and not multi_env:
        if command == "schema apply":
            raise ProjectError(f'multi-environment "{env_name}" is not supported')
        raise ProjectError(f'multiple envs found for "{env_name}"')
    inv.env = envs[0]
    apply_env(inv, envs[0])
    return inv


# Click parameter names that differ from the flag (Python keywords, builtins).
_PARAM_OF_FLAG = {"format": "format_", "from": "from_"}


# Commands that cannot run without a dev database; elsewhere ``--dev-url`` is optional.
_NEEDS_DEV = frozenset({"migrate diff", "migrate lint", "migrate down"})


def _unset_urls(inv: Invocation, env) -> set[str]:
    """An env URL built from an unset ``getenv`` variable fails only the commands that
    connect with it (``migrate hash`` has no ``--url``). Where the dev database is optional
    (``migrate validate``, ``migrate status``) the command runs without it, as Atlas's
    ``getenv`` gives ``""``. Returns the flags to leave unset."""
    skipped = set()
    for attr, key in (("url", "url"), ("dev", "dev_url")):
        message = (getattr(env, "unset_urls", None) or {}).get(attr)
        if not message or key not in inv.values or key in inv.given:
            continue
        if attr == "url" or inv.command in _NEEDS_DEV:
            raise ProjectError(message)
        skipped.add(key)
    return skipped


def apply_env(inv: Invocation, env) -> None:
    from ..project import env_flag_defaults

    skipped = _unset_urls(inv, env)
    flag_of_param = {v: k for k, v in _PARAM_OF_FLAG.items()}
    given = frozenset(flag_of_param.get(p, p).replace("_", "-") for p in inv.given)
    for flag, value in env_flag_defaults(env, inv.command, given=given).items():
        key = _PARAM_OF_FLAG.get(flag, flag.replace("-", "_"))
        if key in inv.given or key not in inv.values or key in skipped or value in (
                None, "", [], ()):
            continue
        if isinstance(inv.values[key], tuple):
            value = tuple(value) if isinstance(value, (list, tuple)) else tuple(
                _csv_fields(str(value)))
        inv.values[key] = value
    fold_dir_format(inv, env)


def fold_dir_format(inv: Invocation, env) -> None:
    """Atlas's ``dirFormatBC``: ``--dir-format`` (or the env's ``migration.format``) goes into
    the ``--dir`` URL's ``format`` parameter unless the URL names one. ``migrate apply`` has
    no ``--dir-format``; atoll still honours the env's format there (Atlas ignores it)."""
    if "dir" not in inv.values:
        return
    fmt = inv.values.get("dir_format") or ""
    if "dir_format" not in inv.values and env is not None:
        fmt = getattr(getattr(env, "migration", None), "format", "") or ""
    if fmt:
        from ..migrate.formats import with_format

        inv.values["dir"] = with_format(inv.values.get("dir") or "file://migrations", fmt)


def parse_amount(text: str | None, verb: str) -> int | None:
    """The optional AMOUNT argument of ``migrate apply|down`` (Atlas's messages)."""
    if text is None:
        return None
    try:
        n = int(text)
    except ValueError:
        raise AtollError(f'invalid amount argument "{text}" (invalid syntax). Omit the '
                         "argument or pass a valid integer instead") from None
    if n < 1:
        raise AtollError(f"cannot {verb} '{n}' migration files")
    return n
