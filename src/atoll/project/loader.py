"""Loading ``atlas.hcl``: locate the file from ``--config``, keep only the env blocks the
selected ``--env`` needs (Atlas's "partial parse"), bind ``var``/``local``/``data``/``atlas``,
expand ``for_each`` and decode every kept env (spec/project.md §1, §2, §4.5, §5).

Only what the selected env(s) and the top-level policies reference is evaluated: data sources
run lazily, at most once; locals are all evaluated (as in Atlas); env blocks that were dropped
are never looked at, so their errors do not surface.

A URL attribute (an env's ``url``/``dev``, a ``data "sql"`` ``url``) built from
``getenv("X")`` while ``X`` is unset is reported by name instead of yielding a broken URL:
the attribute is evaluated a second time with a marker in place of the unset variable's
empty value; if the marker reaches the result exactly where the empty string was, the URL
depends on the variable. Fallbacks such as ``getenv("X") != "" ? getenv("X") : "sqlite://a.db"``
stay legal.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import AtollError, HCLError, ProjectError, SourcePos
from ..hcl import ast
from ..hcl.values import SetValue
from ._diag import LocatedError, located, wrap
from ..migrate.lint.config import LintConfig
from .datasources import HANDLERS, DataBlock, DataRegistry
from .deployment import Deployment, decode_deployment
from .env import (
    DIR_FORMATS,
    EXEC_ORDERS,
    ON_ERROR,
    REVIEW_MODES,
    DiffConfig,
    Env,
    Evaluated,
    decode_diff,
    decode_env,
    decode_lint,
    decode_test,
    resolve_env_ref,
    share_equal_parts,
)
from .functions import (
    TYPE_FUNCTIONS,
    TYPE_VARIABLES,
    EnvReads,
    VarType,
    convert,
    project_functions,
    sentinels_in,
    set_order,
    strip_sentinels,
    type_name,
)

DEFAULT_CONFIG = "file://atlas.hcl"

# Attribute paths whose bare identifiers are enum words (spec/project.md §3.2).
ENUMS: dict[str, tuple[str, ...]] = {
    "env.migration.format": DIR_FORMATS,
    "env.migration.exec_order": EXEC_ORDERS,
    "env.lint.review": REVIEW_MODES,
    "lint.review": REVIEW_MODES,
    "deployment.group.on_error": ON_ERROR,
}
# Attribute paths holding database URLs (checked for unset getenv variables).
URL_ATTRS = frozenset({"env.url", "env.dev", "data.sql.url"})
# Of those, the ones that fail only when a command connects with them (a data source connects
# while the file is read, so its URL fails at once).
DEFERRED_URL_ATTRS = frozenset({"env.url", "env.dev"})


# --- the project -----------------------------------------------------------------------------


@dataclass
class Project:
    """An evaluated ``atlas.hcl`` for one ``--env`` selection."""

    path: str  # the config file as named by --config (relative to cwd, as Atlas prints it)
    env_name: str
    envs: list[Env]
    lint: LintConfig
    diff: DiffConfig
    test: dict | None
    variables: dict[str, object]
    cwd: str
    registry: DataRegistry = field(repr=False)
    _deployments: dict = field(default_factory=dict, repr=False)

    @property
    def env(self) -> Env | None:
        """The single selected env (None without ``--env``); several → Atlas's error."""
        if not self.envs:
            return None
        if len(self.envs) > 1:
            raise ProjectError(f'multiple envs found for "{self.env_name}"')
        return self.envs[0]

    def env_var(self, ref: str) -> str:
        """Resolve ``env://NAME`` against the selected env (spec §7.3)."""
        if not self.envs:
            raise ProjectError("cannot use env:// variables without selecting an environment")
        return resolve_env_ref(self.env, ref)

    def hcl_schema(self, url: str) -> tuple[list[str], dict]:
        """The files (absolute paths; files or directories) and input variables of a
        ``data "hcl_schema"`` state, by its ``mem://hcl_schema/<name>`` URL."""
        try:
            paths, variables = self.registry.hcl_schemas[url]
        except KeyError:
            raise ProjectError(f'data-source state "{url}" not found in memory') from None
        return list(paths), dict(variables)

    def external_schema_sql(self, url: str) -> str:
        """The SQL a ``data "external_schema"`` program printed, by its URL."""
        try:
            return self.registry.external_schemas[url]
        except KeyError:
            raise ProjectError(f'data-source state "{url}" not found in memory') from None

    def template_dir(self, url: str) -> dict[str, str]:
        """The rendered ``*.sql`` files (name → text) of a ``data "template_dir"``."""
        try:
            return dict(self.registry.template_dirs[url])
        except KeyError:
            raise ProjectError(f'data-source state "{url}" not found in memory') from None

    def deployment(self, name: str) -> Deployment:
        if name not in self._deployments:
            raise ProjectError(f'deployment "{name}" not defined in config file')
        return self._deployments[name]

    @property
    def deployment_names(self) -> list[str]:
        return list(self._deployments)


# --- --config and --var ----------------------------------------------------------------------


def config_path(config: str) -> str:
    """The file a ``--config`` URL names: host and path joined (``file://atlas.hcl`` →
    ``atlas.hcl``, ``file:///abs/atlas.hcl`` → ``/abs/atlas.hcl``); query ignored."""
    scheme, sep, _ = config.partition("://")
    if not sep or not scheme:
        scheme = config.partition(":")[0] if ":" in config else ""
        if not scheme or "/" in scheme or "\\" in scheme:
            raise ProjectError(f"missing scheme for config file. Did you mean file://{config}?")
    if scheme != "file":
        raise ProjectError(f'unsupported config file driver "{scheme}"')
    parts = urlsplit(config)
    path = parts.netloc + parts.path if parts.netloc else parts.path
    if not path:
        raise ProjectError(f'config file "{path}" was not found: stat : no such file or directory')
    return os.path.normpath(path)


def parse_var_flags(values: list[str]) -> dict[str, list[str]]:
    """``--var`` flags as Atlas reads them: each flag is one CSV record of ``key=value``
    fields; a repeated key collects its values in order."""
    import csv

    out: dict[str, list[str]] = {}
    for value in values:
        try:
            fields = next(csv.reader([value]), [])
        except csv.Error:
            fields = [value]
        for fld in fields:
            key, sep, val = fld.partition("=")
            if not sep:
                raise ProjectError(f'variables must be format as key=value, got: "{fld}"')
            out.setdefault(key, []).append(val)
    return out


def _input_value(value):
    if isinstance(value, (list, tuple)):
        return value[0] if len(value) == 1 else list(value)
    return value


# --- lazy namespaces -------------------------------------------------------------------------


class _Thunk:
    __slots__ = ("compute", "state", "taint", "value")

    def __init__(self, compute: Callable[[], object]):
        self.compute, self.state, self.value, self.taint = compute, "new", None, frozenset()


class LazyNamespace:
    """``local``, ``var``, ``data.<kind>``, ``deployment``: names whose values are computed
    on first access (once), with cycle detection and propagation of the unset ``getenv``
    variables each value depends on. Implements the evaluator's extension protocol
    (``hcl_getattr``/``hcl_index``/``hcl_items``/``hcl_finalize``), so an untouched entry is
    never computed."""

    def __init__(self, prefix: str, reads: EnvReads):
        self._prefix, self._reads = prefix, reads
        self._thunks: dict[str, _Thunk] = {}

    def define(self, name: str, compute: Callable[[], object]) -> None:
        self._thunks[name] = _Thunk(compute)

    def has(self, name: str) -> bool:
        return name in self._thunks

    def names(self) -> list[str]:
        return list(self._thunks)

    def resolve(self, name: str):
        thunk = self._thunks[name]
        if thunk.state == "running":
            raise ProjectError(f'cyclic reference to "{self._prefix}.{name}"')
        if thunk.state == "new":
            thunk.state = "running"
            self._reads.push()
            try:
                thunk.value = thunk.compute()
            except BaseException:
                thunk.state = "new"
                self._reads.pop()
                raise
            thunk.taint = frozenset(self._reads.pop())
            thunk.state = "done"
        self._reads.mark(set(thunk.taint))
        return thunk.value

    def __getitem__(self, name: str):
        return self.resolve(name)

    def hcl_getattr(self, name: str):
        if name not in self._thunks:
            raise KeyError(name)
        return self.resolve(name)

    def hcl_index(self, key):
        if not isinstance(key, str) or key not in self._thunks:
            raise KeyError(key)
        return self.resolve(key)

    def hcl_items(self):
        return [(k, self.resolve(k)) for k in sorted(self._thunks)]

    def hcl_finalize(self):
        return dict(self.hcl_items())

    def __repr__(self) -> str:
        return f"<{self._prefix}: {', '.join(self._thunks)}>"


# --- syntax helpers --------------------------------------------------------------------------


def _walk(node) -> Iterator:
    if isinstance(node, ast.Expr):
        yield node
        for f in dataclasses.fields(node):
            yield from _walk(getattr(node, f.name))
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)


def references_atlas_env(expr: ast.Expr) -> bool:
    """Whether ``expr`` mentions ``atlas.env`` anywhere (Atlas's ``UseTraversal``)."""
    for node in _walk(expr):
        if isinstance(node, ast.GetAttr) and node.name == "env" \
                and isinstance(node.obj, ast.Variable) and node.obj.name == "atlas":
            return True
        if isinstance(node, ast.Index) and isinstance(node.obj, ast.Variable) \
                and node.obj.name == "atlas" and isinstance(node.key, ast.Literal) \
                and node.key.value == "env":
            return True
    return False


def select_env_blocks(body: ast.Body, env_name: str) -> list[ast.Block]:
    """Atlas's partial parse (§1.5): the env blocks to evaluate for ``--env env_name``.
    Labeled blocks named ``env_name`` win; otherwise unlabeled blocks whose ``name``
    mentions ``atlas.env``; nothing without ``--env``."""
    labeled, unlabeled = [], []
    if not env_name:
        return []
    for b in body.blocks:
        if b.type != "env":
            continue
        if len(b.labels) == 1 and b.labels[0] == env_name:
            labeled.append(b)
        elif not b.labels:
            attr = b.body.attribute("name")
            if attr is not None and references_atlas_env(attr.expr):
                unlabeled.append(b)
    return labeled or unlabeled


# --- evaluation ------------------------------------------------------------------------------


def _eval_api():
    from ..hcl.evaluate import Scope, eval_expr

    return Scope, eval_expr


class _World:
    """The root scope: ``atlas``, ``var``, ``local``, ``data``, ``deployment`` and the
    functions. The "marker" world (``marked=True``) re-evaluates variables and locals with
    ``getenv`` returning a marker for unset variables; it shares data sources."""

    def __init__(self, loader: _Loader, marked: bool):
        self.loader, self.marked = loader, marked
        Scope = loader.Scope
        self.var = LazyNamespace("var", loader.reads)
        self.local = LazyNamespace("local", loader.reads)
        self.scope = Scope(variables={
            "atlas": {"env": loader.env_name},
            "var": self.var,
            "local": self.local,
            "data": loader.data,
            "deployment": loader.deployments,
        }, functions=loader.functions)


class _Loader:
    def __init__(self, path: str, text: str, env_name: str, variables: dict, cwd: str):
        # Standard functions come from the scope's fallback (atoll.hcl.functions).
        self.Scope, self.eval_expr = _eval_api()
        self.path, self.text, self.env_name, self.cwd = path, text, env_name, cwd
        self.inputs = {k: _input_value(v) for k, v in (variables or {}).items()}
        self.reads = EnvReads()
        base = os.path.dirname(os.path.abspath(os.path.join(cwd, path)))
        self.functions = project_functions(base, self.reads)
        self.registry = DataRegistry(cwd=cwd)
        self.data: dict[str, LazyNamespace] = {}
        self.deployments = LazyNamespace("deployment", self.reads)
        self._marked: _World | None = None
        self._unset_urls: dict[str, str] | None = None

    # -- helpers

    def marked_world(self) -> _World:
        if self._marked is None:
            self._marked = _World(self, marked=True)
            self._bind_variables(self._marked, eager=False)
            self._bind_locals(self._marked)
        return self._marked

    def eval(self, expr: ast.Expr, scope, where: str, pos: SourcePos | None = None):
        try:
            return self.eval_expr(expr, scope)
        except (AtollError, HCLError) as exc:
            raise wrap(exc, pos or expr.pos, where) from None

    def eval_attr(self, attr: ast.Attribute, scope_of: Callable[[_World], object], path: str,
                  where: str):
        """Evaluate one attribute; ``scope_of(world)`` builds its scope in a world."""
        scope = scope_of(self.world)
        enum = ENUMS.get(path)
        if enum:
            scope = scope.child(**{w: w for w in enum})
        if path not in URL_ATTRS:
            try:
                return self.eval(attr.expr, scope, f"{where}: {attr.name}", attr.pos)
            except LocatedError as exc:
                if enum:
                    raise self._enum_error(exc, path, attr) from None
                raise
        self.reads.push()
        try:
            value = self.eval(attr.expr, scope, f"{where}: {attr.name}", attr.pos)
        finally:
            unset = self.reads.pop()
        if unset and isinstance(value, str):
            message = self._unset_url_message(attr, scope_of, value, where)
            if message is not None:
                if path not in DEFERRED_URL_ATTRS or self._unset_urls is None:
                    raise LocatedError(message)
                # Only a command that connects with this URL fails (Atlas's getenv is "").
                self._unset_urls[attr.name] = message
        return value

    def _enum_error(self, exc: LocatedError, path: str, attr: ast.Attribute) -> LocatedError:
        if isinstance(attr.expr, ast.Variable) and "no variable named" in str(exc):
            kind = path.rsplit(".", 1)[-1]
            what = {"exec_order": "exec_order", "review": "review", "on_error": "on_error"}.get(kind, kind)
            dotted = path.partition(".")[2] if path.startswith("env.") else path
            return located(attr.expr.pos, "", f"Unknown {dotted}; There is no {what} named "
                                              f'"{attr.expr.name}".')
        return exc

    def _unset_url_message(self, attr, scope_of, value: str, where: str) -> str | None:
        world = self.marked_world()
        self.reads.sentinel_mode = True
        self.reads.push()
        try:
            marked = self.eval_expr(attr.expr, scope_of(world))
        except AtollError:  # the marker made the expression fail: no conclusion
            return None
        finally:
            self.reads.pop()
            self.reads.sentinel_mode = False
        names = sentinels_in(marked)
        if names and strip_sentinels(marked) == value:
            name = names[0]
            return str(located(attr.pos, f"{where}: {attr.name}",
                               f'the URL is built from getenv("{name}"), but the environment '
                               f'variable {name} is not set'))
        return None

    def eval_block(self, block: ast.Block, scope_of: Callable[[_World], object], path: str,
                   where: str, skip: tuple[str, ...] = ()) -> Evaluated:
        attrs, poses, blocks = {}, {}, []
        outer, self._unset_urls = self._unset_urls, {}
        unset_urls = self._unset_urls
        for item in block.body.items:
            if isinstance(item, ast.Attribute):
                if item.name in skip:
                    continue
                value = self.eval_attr(item, scope_of, f"{path}.{item.name}", where)
                poses[item.name] = item.pos
                if value is not None:
                    attrs[item.name] = value
            else:
                sub = f"{where}: {item.type}" + "".join(f' "{lb}"' for lb in item.labels)
                blocks.append(self.eval_block(item, scope_of, f"{path}.{item.type}", sub))
                self._unset_urls = unset_urls
        self._unset_urls = outer
        return Evaluated(block.type, list(block.labels), attrs, poses, blocks, block.pos,
                         unset_urls)

    # -- variables, locals, data, deployments

    def _variable_blocks(self) -> list[tuple[ast.Block, VarType, ast.Attribute | None]]:
        out, seen = [], set()
        type_scope = self.Scope(variables=dict(TYPE_VARIABLES), functions=dict(TYPE_FUNCTIONS))
        for b in self.body.blocks:
            if b.type != "variable":
                continue
            if len(b.labels) != 1:
                raise located(b.pos, "", 'variable block must have exactly 1 label (its name)')
            name = b.labels[0]
            where = f'variable "{name}"'
            if name in seen:
                raise located(b.pos, where, "duplicate variable")
            seen.add(name)
            type_attr = default = None
            for item in b.body.items:
                if isinstance(item, ast.Block):
                    raise located(item.pos, where, f'Unsupported block type; Blocks of type '
                                                   f'"{item.type}" are not expected here.')
                if item.name == "type":
                    type_attr = item
                elif item.name == "default":
                    default = item
                elif item.name != "description":
                    raise located(item.pos, where, f'Unsupported argument; An argument named '
                                                   f'"{item.name}" is not expected here.')
            if type_attr is None:
                raise located(b.pos, where, 'Missing required argument; The argument "type" '
                                            "is required, but no definition was found.")
            typ = self.eval(type_attr.expr, type_scope, where, type_attr.pos)
            if not isinstance(typ, VarType):
                text = typ if isinstance(typ, str) else type_name(typ)
                raise located(type_attr.pos, "",
                              f'invalid type "{text}" for variable "{name}". Valid types are: '
                              "string, number, bool, list, map, or set")
            out.append((b, typ, default))
        return out

    def _bind_variables(self, world: _World, eager: bool) -> None:
        default_scope = self.Scope(variables={"atlas": {"env": self.env_name}},
                                   functions=self.functions)
        for b, typ, default in self.variables:
            name = b.labels[0]
            where = f'variable "{name}"'

            def compute(b=b, typ=typ, default=default, name=name, where=where):
                if name in self.inputs:
                    value = self.inputs[name]
                elif default is not None:
                    value = self.eval(default.expr, default_scope, where, default.pos)
                else:
                    # Atlas's words first (its scripts match them), then where and how.
                    raise LocatedError(f'missing value for required variable "{name}" '
                                       f'(declared at {b.pos}; give it with --var {name}=<value>)')
                if typ.kind == "list" and value is not None and not isinstance(value, (list, tuple)):
                    value = [value]
                try:
                    return convert(value, typ)
                except ProjectError as exc:
                    raise located(b.pos, "", f'variable "{name}": {exc}') from None

            world.var.define(name, compute)
        if eager:
            for name in world.var.names():
                world.var.resolve(name)

    def _bind_locals(self, world: _World) -> None:
        for b in self.body.blocks:
            if b.type != "locals":
                continue
            for item in b.body.items:
                if isinstance(item, ast.Block):
                    raise located(item.pos, "locals", f'Unsupported block type; Blocks of type '
                                                      f'"{item.type}" are not expected here.')
                if world.local.has(item.name):
                    raise located(item.pos, "locals", f'Duplicate local value definition; A '
                                                      f'local value named "{item.name}" was '
                                                      "already defined.")
                world.local.define(item.name, lambda item=item, world=world: self.eval(
                    item.expr, world.scope, f"local.{item.name}", item.pos))

    def _bind_data(self) -> None:
        for b in self.body.blocks:
            if b.type != "data":
                continue
            if len(b.labels) != 2:
                raise located(b.pos, "", 'data block "data" must have exactly 2 labels')
            kind, name = b.labels
            if kind not in HANDLERS:
                raise located(b.pos, "", f'missing data source handler for "{kind}"')
            ns = self.data.setdefault(kind, LazyNamespace(f"data.{kind}", self.reads))
            if ns.has(name):
                raise located(b.pos, "", f'duplicate data source "data.{kind}.{name}"')
            ns.define(name, lambda b=b, kind=kind, name=name: self._run_data(b, kind, name))

    def _run_data(self, b: ast.Block, kind: str, name: str):
        marked, self.reads.sentinel_mode = self.reads.sentinel_mode, False
        try:
            ev = self.eval_block(b, lambda w: w.scope, f"data.{kind}",
                                 f"data.{kind}.{name}")
            d = DataBlock(kind, name, ev.attrs, ev.attr_pos, b.pos)
            return HANDLERS[kind](self.registry, d)
        finally:
            self.reads.sentinel_mode = marked

    def _bind_deployments(self) -> None:
        for b in self.body.blocks:
            if b.type != "deployment":
                continue
            if len(b.labels) != 1:
                raise located(b.pos, "", "deployment block must have exactly 1 label")
            name = b.labels[0]
            if self.deployments.has(name):
                raise located(b.pos, "", f'duplicate deployment "{name}"')
            self.deployments.define(name, lambda b=b, name=name: decode_deployment(
                self.eval_block(b, lambda w: w.scope, "deployment", f'deployment "{name}"')))

    # -- envs

    def _for_each(self, block: ast.Block, attr: ast.Attribute, where: str) -> Iterator[tuple]:
        """The (each.key, each.value) pairs, made one at a time."""
        value = self.eval_attr(attr, lambda w: w.scope, "env.for_each", where)
        if isinstance(value, (SetValue, set, frozenset)):
            return ((v, v) for v in set_order(value))
        if isinstance(value, dict):
            return ((k, value[k]) for k in sorted(value))
        if isinstance(value, (list, tuple)):
            return enumerate(value)
        raise located(attr.pos, f"{where}: for_each",
                      f"for_each does not support {type_name(value)} type; use a set "
                      "(toset(...)), a list or an object")

    def _eval_env(self, block: ast.Block, key=None, value=None, indexed: bool = False
                  ) -> Env | None:
        """One env (or ``for_each`` copy). An unlabeled block's ``name`` is evaluated first:
        without a name it is an error (as in Atlas); with another name than the selected one
        the rest of the block is not evaluated (None)."""
        label = block.labels[0] if block.labels else None
        where = f'env "{label}"' if label else "env"
        if indexed:
            where += f" (each.key = {key!r})"
            each = {"key": key, "value": value}
            scope_of = lambda w: w.scope.child(each=each)
        else:
            scope_of = lambda w: w.scope
        if label is not None:
            name = label
        else:
            attr = block.body.attribute("name")
            name = self.eval_attr(attr, scope_of, "env.name", where) if attr else None
            if name in (None, ""):
                raise ProjectError(f'all envs must have names on file "{self.path}"')
            if not isinstance(name, str):
                raise located(attr.pos, where, f"name: string required, got {type_name(name)}")
            if name != self.env_name:
                return None
            where = f'env "{name}"' + where[3:]
        ev = self.eval_block(block, scope_of, "env", where, skip=("for_each", "name"))
        env = decode_env(ev, name, cwd=self.cwd,
                         cli_vars={k: v for k, v in self.inputs.items()})
        if indexed:
            env.key, env.value = key, value
        dep = ev.attrs.get("deployment")
        if dep is not None:
            if isinstance(dep, str):
                if not self.deployments.has(dep):
                    raise located(ev.where("deployment"), where,
                                  f'deployment "{dep}" not defined in config file')
                dep = self.deployments[dep]
            if not isinstance(dep, Deployment):
                raise located(ev.where("deployment"), where,
                              "deployment must reference a deployment block "
                              f"(deployment.NAME), got {type_name(dep)}")
            env.deployment = dep
        return env

    def _top_block(self, kind: str) -> ast.Block | None:
        found = [b for b in self.body.blocks if b.type == kind]
        if len(found) > 1:
            raise located(found[1].pos, "", f'duplicate "{kind}" block')
        return found[0] if found else None

    # -- main

    def load(self) -> Project:
        from ..hcl.parser import parse

        self.body = parse(self.text, self.path)
        self.variables = self._variable_blocks()
        self.world = _World(self, marked=False)
        self._bind_variables(self.world, eager=True)
        self._bind_data()
        self._bind_deployments()
        self._bind_locals(self.world)
        for name in self.world.local.names():
            self.world.local.resolve(name)
        glob_lint = glob_diff = glob_test = None
        if (b := self._top_block("lint")) is not None:
            glob_lint = decode_lint(self.eval_block(b, lambda w: w.scope, "lint", "lint"), "lint")
        if (b := self._top_block("diff")) is not None:
            glob_diff = decode_diff(self.eval_block(b, lambda w: w.scope, "diff", "diff"), "diff")
        if (b := self._top_block("test")) is not None:
            glob_test = decode_test(self.eval_block(b, lambda w: w.scope, "test", "test"))
        glob_lint = glob_lint or LintConfig()
        glob_diff = glob_diff or DiffConfig()

        static, expanded = [], []
        for block in select_env_blocks(self.body, self.env_name):
            fe = block.body.attribute("for_each")
            if fe is None:
                static.append(self._eval_env(block))
                continue
            where = f'env "{block.labels[0]}"' if block.labels else "env"
            prev = None
            for key, value in self._for_each(block, fe, where):
                env = self._eval_env(block, key, value, indexed=True)
                if env is not None and prev is not None:
                    share_equal_parts(env, prev)
                prev = env or prev
                expanded.append(env)
        envs = []
        # Envs without their own block share one copy of the top-level one (nothing changes
        # them after loading): a for_each over 10,000 shards made 10,000 copies.
        own_lint, own_diff, own_test = (copy.deepcopy(glob_lint), copy.deepcopy(glob_diff),
                                        copy.deepcopy(glob_test))
        for env in static + expanded:
            if env is None:
                continue
            env.lint = env.lint.extend(glob_lint) if env.lint else own_lint
            env.diff = env.diff.extend(glob_diff) if env.diff else own_diff
            if env.test is None:
                env.test = own_test
            if env.name == self.env_name:
                envs.append(env)
        if self.env_name and not envs:
            raise ProjectError(f'env "{self.env_name}" not defined in config file')
        deployments = {}
        for name in self.deployments.names():
            try:
                deployments[name] = self.deployments[name]
            except ProjectError:
                if any(e.deployment is not None and e.deployment.name == name for e in envs):
                    raise
        return Project(path=self.path, env_name=self.env_name, envs=envs, lint=glob_lint,
                       diff=glob_diff, test=glob_test,
                       variables={k: self.world.var.resolve(k) for k in self.world.var.names()},
                       cwd=self.cwd, registry=self.registry, _deployments=deployments)


def load_project(config: str = DEFAULT_CONFIG, *, env: str | None = None,
                 variables: dict[str, list[str] | str] | None = None,
                 cwd: str | None = None) -> Project:
    """Read and evaluate the project file named by the ``--config`` URL ``config`` for
    ``--env env`` with the ``--var`` values ``variables`` (a key given twice holds a list).
    Relative paths (the config file, ``src``, data-source paths) resolve against ``cwd``
    (default: the process's working directory); ``file()``/``fileset()``/``glob()``
    against the config file's directory.

    Without ``env`` only the top-level blocks are evaluated (``Project.envs`` is empty)."""
    cwd = os.path.abspath(cwd or os.getcwd())
    path = config_path(config)
    full = os.path.join(cwd, path)
    try:
        os.stat(full)
    except FileNotFoundError:
        raise ProjectError(f'config file "{path}" was not found: stat {path}: no such file '
                           "or directory") from None
    except OSError as exc:
        raise ProjectError(f"stat {path}: {exc.strerror or exc}") from None
    try:
        from ..textfile import read_text

        text = read_text(full)
    except IsADirectoryError:
        raise ProjectError(f"read {path}: is a directory") from None
    return _Loader(path, text, env or "", variables or {}, cwd).load()
