"""The ``env`` block and the project-wide ``lint``/``diff``/``test`` policies, decoded from
evaluated HCL into dataclasses; the merge of the global policies into each env
(spec/project.md §2.5–2.7, §2.9); and the env → command flag mapping (§3.3–3.4)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..errors import ProjectError, SourcePos
from ..migrate.lint.config import LintConfig
from ..schema.diff_options import DiffOptions
from ._diag import LocatedError
from .functions import type_name

# --- evaluated blocks ------------------------------------------------------------------------


@dataclass
class Evaluated:
    """A block after evaluation: attribute values (``null`` ones dropped, §2.1), nested
    blocks, and where each came from."""

    type: str
    labels: list[str]
    attrs: dict[str, object]
    attr_pos: dict[str, SourcePos]
    blocks: list[Evaluated]
    pos: SourcePos
    # URL attributes built from an unset getenv variable: attribute → the error to give a
    # command that connects with it.
    unset_urls: dict[str, str] = field(default_factory=dict)

    def block(self, name: str) -> Evaluated | None:
        for b in self.blocks:
            if b.type == name:
                return b
        return None

    def where(self, attr: str | None = None) -> SourcePos:
        return self.attr_pos.get(attr, self.pos) if attr else self.pos


def _fail(ev: Evaluated, attr: str | None, context: str, message: str) -> ProjectError:
    return LocatedError(f"{ev.where(attr)}: {context}: {message}")


def _string(ev: Evaluated | None, name: str, context: str) -> str:
    if ev is None or name not in ev.attrs:
        return ""
    value = ev.attrs[name]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if not isinstance(value, str):
        raise _fail(ev, name, context, f'attribute "{name}": string required, got {type_name(value)}')
    return value


def _strings(ev: Evaluated | None, name: str, context: str) -> list[str]:
    if ev is None or name not in ev.attrs:
        return []
    value = ev.attrs[name]
    if isinstance(value, str):
        return [value]
    if isinstance(value, (set, frozenset)):
        value = sorted(value)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise _fail(ev, name, context,
                    f'attribute "{name}": list of string required, got {type_name(value)}')
    return list(value)


def _int(ev: Evaluated | None, name: str, context: str) -> int:
    if ev is None or name not in ev.attrs:
        return 0
    value = ev.attrs[name]
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise _fail(ev, name, context, f'attribute "{name}": a whole number is required, '
                                       f"got {type_name(value)}")
    return int(value)


def _bool(ev: Evaluated, name: str, context: str) -> bool:
    value = ev.attrs[name]
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    if not isinstance(value, bool):
        raise _fail(ev, name, context, f'attribute "{name}": bool required, got {type_name(value)}')
    return value


def block_to_dict(ev: Evaluated) -> dict:
    """A block as plain data: its attributes, and each nested block under its type (a list
    when the type repeats; labels, when present, as ``"__labels__"``)."""
    out: dict = dict(ev.attrs)
    for b in ev.blocks:
        value = block_to_dict(b)
        if b.labels:
            value["__labels__"] = list(b.labels)
        if b.type in out:
            prev = out[b.type]
            out[b.type] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            out[b.type] = value
    return out


# --- policies --------------------------------------------------------------------------------

SKIP_KINDS = (
    "add_schema", "drop_schema", "modify_schema", "add_table", "drop_table", "modify_table",
    "rename_table", "add_column", "drop_column", "modify_column", "add_index", "drop_index",
    "modify_index", "add_foreign_key", "drop_foreign_key", "modify_foreign_key",
    "rename_constraint",
)

REVIEW_MODES = ("ALWAYS", "WARNING", "ERROR")
EXEC_ORDERS = ("LINEAR", "LINEAR_SKIP", "NON_LINEAR")
DIR_FORMATS = ("atlas", "golang-migrate", "goose", "flyway", "liquibase", "dbmate")
ON_ERROR = ("FAIL", "CONTINUE")


def decode_lint(ev: Evaluated | None, context: str) -> LintConfig | None:
    """A ``lint`` block as the lint engine's policy. The output template may be named ``log``
    (Atlas's community build) or ``format`` (the official one); every nested block other than
    ``git``, and every unknown attribute, is an analyzer setting."""
    if ev is None:
        return None
    log, fmt = _string(ev, "log", context), _string(ev, "format", context)
    if log and fmt:
        raise _fail(ev, "format", context, "cannot use both 'log' and 'format' in the same lint block")
    settings: dict[str, object] = {}
    for name, value in ev.attrs.items():
        if name not in ("log", "format", "latest", "review"):
            settings[name] = value
    git_base = git_dir = ""
    for b in ev.blocks:
        if b.type == "git":
            git_base = _string(b, "base", context + ".git")
            git_dir = _string(b, "dir", context + ".git")
        else:
            settings[b.type] = block_to_dict(b)
    return LintConfig(latest=_int(ev, "latest", context), log=log or fmt,
                      review=_string(ev, "review", context), git_base=git_base, git_dir=git_dir,
                      settings=settings)


@dataclass
class DiffConfig:
    """A ``diff`` block. ``skip`` is the set of change kinds set to true in ``skip {}``
    (None when there is no ``skip`` block); ``skip_extra`` keeps unknown ``skip`` keys for the
    driver; ``extra`` the other nested blocks (``concurrent_index``) as plain data."""

    skip: frozenset[str] | None = None
    skip_extra: dict[str, object] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)

    def extend(self, glob: DiffConfig | None) -> DiffConfig:
        if glob is not None and self.skip is None:
            self.skip, self.skip_extra = glob.skip, dict(glob.skip_extra)
        return self

    def options(self) -> DiffOptions:
        # ``add`` and ``create`` both ask for CONCURRENTLY on CREATE INDEX: Atlas's docs
        # used both words, and Atlas accepts both.
        ci = self.extra.get("concurrent_index")
        ci = ci if isinstance(ci, dict) else {}
        return DiffOptions(skip=self.skip or frozenset(),
                           concurrent_create=ci.get("add") is True or ci.get("create") is True,
                           concurrent_drop=ci.get("drop") is True)


def decode_diff(ev: Evaluated | None, context: str) -> DiffConfig | None:
    if ev is None:
        return None
    diff = DiffConfig()
    for b in ev.blocks:
        if b.type == "skip":
            kinds = set()
            for name in b.attrs:
                if name in SKIP_KINDS:
                    if _bool(b, name, context + ".skip"):
                        kinds.add(name)
                else:
                    diff.skip_extra[name] = b.attrs[name]
            diff.skip = frozenset(kinds)
        else:
            diff.extra[b.type] = block_to_dict(b)
    diff.extra.update(ev.attrs)
    return diff


@dataclass
class FormatConfig:
    """Output templates per command (``format { migrate { apply = … } schema { … } }``)."""

    migrate: dict[str, str] = field(default_factory=dict)
    schema: dict[str, str] = field(default_factory=dict)

    def for_command(self, command: str) -> str:
        """The template for ``"migrate apply"``, ``"schema inspect"``…, or ``""``."""
        group, _, sub = command.partition(" ")
        table = self.migrate if group == "migrate" else self.schema if group == "schema" else {}
        return table.get(sub, "")


def _decode_format(ev: Evaluated, fmt: FormatConfig, context: str) -> None:
    for b in ev.blocks:
        if b.type in ("migrate", "schema"):
            target = fmt.migrate if b.type == "migrate" else fmt.schema
            for name in b.attrs:
                value = _string(b, name, f"{context}.{b.type}")
                if value:
                    target[name] = value


@dataclass
class MigrationConfig:
    dir: str = ""
    format: str = ""
    baseline: str = ""
    exec_order: str = ""
    lock_timeout: str = ""
    revisions_schema: str = ""
    repo: str = ""
    exclude: list[str] = field(default_factory=list)


def decode_migration(ev: Evaluated | None, context: str) -> MigrationConfig:
    if ev is None:
        return MigrationConfig()
    repo = ev.block("repo")
    return MigrationConfig(
        dir=_string(ev, "dir", context),
        format=_string(ev, "format", context),
        baseline=_string(ev, "baseline", context),
        exec_order=_string(ev, "exec_order", context),
        lock_timeout=_string(ev, "lock_timeout", context),
        revisions_schema=_string(ev, "revisions_schema", context),
        repo=_string(repo, "name", context + ".repo"),
        exclude=_strings(ev, "exclude", context),
    )


def decode_test(ev: Evaluated | None) -> dict | None:
    return None if ev is None else block_to_dict(ev)


# --- env -------------------------------------------------------------------------------------

# Attributes of ``env`` with a meaning of their own; every other attribute is free-form (§3.9).
ENV_ATTRS = ("name", "url", "dev", "schemas", "exclude", "include", "deployment", "for_each")


@dataclass(slots=True)
class Env:
    """One selected environment. A ``for_each`` env yields one ``Env`` per element
    (``key``/``value`` hold ``each.key``/``each.value``)."""

    name: str
    url: str = ""
    dev: str = ""
    src: list[str] = field(default_factory=list)
    schemas: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    migration: MigrationConfig = field(default_factory=MigrationConfig)
    diff: DiffConfig | None = None
    lint: LintConfig | None = None
    format: FormatConfig = field(default_factory=FormatConfig)
    test: dict | None = None
    schema_vars: dict[str, object] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)
    deployment: object | None = None  # atoll.project.deployment.Deployment
    pos: SourcePos | None = None
    key: object | None = None
    value: object | None = None
    cwd: str = ""
    schema_src: list[str] | None = None  # ``schema { src }``, when given
    # ``url``/``dev`` built from an unset getenv variable → the error for a command using it.
    unset_urls: dict[str, str] = field(default_factory=dict)

    @property
    def target(self) -> str:
        """The instance name a fleet run reports and ``deployment`` groups match: the env
        name for a plain env; for a ``for_each`` copy the element's key when it is a name
        (``toset(["sharding_db_1", …])``, an object key), else ``name[key]`` (``sharding[1]``,
        ``sharding[0]`` for a tuple)."""
        if self.key is None:
            return self.name
        if isinstance(self.key, str) and self.key and not self.key.isdigit():
            return self.key
        return f"{self.name}[{self.key}]"

    def var_from_url(self, ref: str) -> str:
        """Resolve an ``env://NAME`` reference against this env (§7.3)."""
        return resolve_env_ref(self, ref)


# Parts of a ``for_each`` copy that are mostly equal from one copy to the next. Nothing
# changes them after loading, so equal ones are one object: a fleet of 10,000 copies kept
# 10,000 equal migration blocks, empty lists and dicts.
_SHARED_WHEN_EQUAL = ("dev", "src", "schemas", "exclude", "include", "migration", "format",
                      "test", "schema_vars", "extra", "unset_urls", "schema_src", "pos", "cwd")


def share_equal_parts(env: Env, prev: Env) -> None:
    """Make ``env`` hold ``prev``'s object for each part the two have equal."""
    for name in _SHARED_WHEN_EQUAL:
        mine, theirs = getattr(env, name), getattr(prev, name)
        if mine is not theirs and type(mine) is type(theirs) and mine == theirs:
            setattr(env, name, theirs)


def decode_env(ev: Evaluated, name: str, *, cwd: str, cli_vars: dict[str, object],
               deployments_ok: bool = True) -> Env:
    ctx = f'env "{name}"'
    env = Env(name=name, pos=ev.pos, cwd=cwd)
    env.url = _string(ev, "url", ctx)
    env.dev = _string(ev, "dev", ctx)
    env.schemas = _strings(ev, "schemas", ctx)
    env.exclude = _strings(ev, "exclude", ctx)
    env.include = _strings(ev, "include", ctx)
    env.unset_urls = dict(ev.unset_urls)
    for attr, value in ev.attrs.items():
        if attr not in ENV_ATTRS:
            env.extra[attr] = value
    schema_block = ev.block("schema")
    if schema_block is not None and "src" in schema_block.attrs:
        env.schema_src = _src_list(schema_block, ctx + ".schema")
    if "src" in ev.attrs:
        env.src = _src_list(ev, ctx)
    elif env.schema_src is not None:
        env.src = list(env.schema_src)
    env.migration = decode_migration(ev.block("migration"), ctx + ".migration")
    env.diff = decode_diff(ev.block("diff"), ctx + ".diff")
    env.lint = decode_lint(ev.block("lint"), ctx + ".lint")
    env.test = decode_test(ev.block("test"))
    fmt = FormatConfig()
    for b in ev.blocks:  # the legacy "log" block is decoded over "format" (§3.7)
        if b.type == "format":
            _decode_format(b, fmt, ctx + ".format")
    for b in ev.blocks:
        if b.type == "log":
            _decode_format(b, fmt, ctx + ".log")
    env.format = fmt
    env.schema_vars = {k: v for k, v in env.extra.items() if k != "src"}
    for k, v in cli_vars.items():
        env.schema_vars.setdefault(k, v)
    return env


def _src_list(ev: Evaluated, context: str) -> list[str]:
    value = ev.attrs["src"]
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise _fail(ev, "src", context,
                f"expected src to be either a string or strings, got: {type_name(value)}")


def resolve_env_ref(env: Env | None, ref: str) -> str:
    """``env://url``, ``env://dev``, ``env://src``, ``env://schema.src``,
    ``env://migration.dir`` or ``env://<free-form attribute>`` (spec/project.md §7.3)."""
    if env is None:
        raise ProjectError("cannot use env:// variables without selecting an environment")
    m = re.fullmatch(r"env://([^/?#]+)", ref)
    if not m:
        raise ProjectError(f'invalid env:// variable "{ref}"')
    key = m.group(1)
    if key == "url":
        value = env.url
    elif key == "dev":
        value = env.dev
    elif key in ("src", "schema.src"):
        # Atlas (a5e0aecc) rejects every list here, even a one-element one (an upstream bug,
        # spec §7.3); atoll accepts exactly one element.
        srcs = (env.src if "src" in env.extra else None) if key == "src" else env.schema_src
        if srcs is None:
            raise ProjectError(f'env://{key}: no src attribute defined in env "{env.name}"')
        if len(srcs) != 1:
            raise ProjectError(f'env://{key}: expect one schema in env "{env.name}", got {len(srcs)}')
        value = srcs[0]
    elif key == "migration.dir":
        if not env.migration.dir:
            raise ProjectError(f'env://{key}: no migration dir defined in env "{env.name}"')
        value = env.migration.dir
    else:
        if key not in env.extra:
            raise ProjectError(f"env://{key} (attribute) not found in env.{env.name}")
        value = env.extra[key]
        if not isinstance(value, str):
            raise ProjectError(f"env://{key}: string required, got {type_name(value)}")
    if value.startswith("env://"):
        raise ProjectError(f"env://{ref} (attribute) cannot reference another env://")
    return value


# --- env → flags -----------------------------------------------------------------------------

# The flags each command has, as far as an env can fill them (spec/project.md §3.4).
COMMAND_FLAGS: dict[str, frozenset[str]] = {
    "migrate apply": frozenset({"url", "dir", "baseline", "revisions-schema", "format",
                                "lock-timeout", "exec-order"}),
    "migrate down": frozenset({"url", "dev-url", "dir", "dir-format", "revisions-schema",
                               "format", "lock-timeout"}),
    "migrate diff": frozenset({"dev-url", "dir", "dir-format", "lock-timeout", "format", "to",
                               "schema"}),
    "migrate lint": frozenset({"dev-url", "dir", "dir-format", "format", "latest", "git-dir",
                               "git-base"}),
    "migrate status": frozenset({"url", "dir", "dir-format", "revisions-schema", "format"}),
    "migrate restore": frozenset({"url", "revisions-schema", "lock-timeout"}),
    "migrate validate": frozenset({"dev-url", "dir", "dir-format"}),
    "migrate hash": frozenset({"dir", "dir-format"}),
    "migrate new": frozenset({"dir", "dir-format"}),
    "migrate set": frozenset({"url", "dir", "dir-format", "revisions-schema"}),
    "migrate import": frozenset({"dir-format"}),
    "migrate rm": frozenset({"url", "dir", "dir-format", "revisions-schema"}),
    "migrate ls": frozenset({"dir", "dir-format"}),
    "migrate edit": frozenset({"dir", "dir-format"}),
    "schema inspect": frozenset({"url", "dev-url", "schema", "exclude", "format"}),
    "schema apply": frozenset({"url", "dev-url", "file", "schema", "exclude", "include", "format"}),
    "schema diff": frozenset({"dev-url", "schema", "exclude", "include", "format"}),
    "schema clean": frozenset({"url", "format"}),
}


def is_url(value: str) -> bool:
    """Go's ``url.Parse(s).Scheme != ""``: a scheme followed by ``:``."""
    return bool(re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", value)) and not re.match(r"[A-Za-z]:[\\/]", value)


def env_flag_defaults(env: Env, command: str, given: set[str] | frozenset[str] = frozenset()
                      ) -> dict[str, object]:
    """The flag values ``env`` supplies to ``command`` (``"migrate apply"``, ``"schema
    inspect"``…), keyed by the flag's long name without dashes. Only flags the command has and
    values that are set appear; flags named in ``given`` (set on the command line) are left
    out: an explicit flag always wins. List flags (``to``, ``file``, ``schema``, ``exclude``,
    ``include``) are lists; ``latest`` is an int; everything else a string."""
    command = " ".join(command.split())
    if command not in COMMAND_FLAGS:
        raise ProjectError(f'unknown command "{command}"')
    flags = COMMAND_FLAGS[command]
    group, _, sub = command.partition(" ")
    mig = env.migration
    values: dict[str, object] = {
        "url": env.url,
        "dev-url": env.dev,
        "schema": list(env.schemas),
    }
    if group == "migrate":
        values.update({
            "dir": mig.dir,
            "dir-format": mig.format,
            "baseline": mig.baseline,
            "revisions-schema": mig.revisions_schema,
            "lock-timeout": mig.lock_timeout,
            "exec-order": mig.exec_order.lower().replace("_", "-") if sub == "apply" else "",
            "format": env.format.for_command(command),
        })
        if sub == "lint":
            lint = env.lint or LintConfig()
            values["format"] = env.format.migrate.get("lint") or lint.log
            values["latest"] = lint.latest
            values["git-dir"] = lint.git_dir
            values["git-base"] = lint.git_base
        if sub == "diff":
            to = []
            for s in env.src:
                if not is_url(s):
                    s = "file://" + os.path.abspath(os.path.join(env.cwd or os.getcwd(), s))
                to.append(s)
            values["to"] = to
    else:
        values.update({
            "exclude": list(env.exclude),
            "include": list(env.include),
            "format": env.format.for_command(command),
        })
        if sub == "apply" and "to" not in given:
            values["file"] = [s if is_url(s) else "file://" + s for s in env.src]
    return {k: v for k, v in values.items()
            if k in flags and k not in given and v not in ("", None, 0, [])}
