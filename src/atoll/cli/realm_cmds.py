"""The ``schema`` commands on a realm: a database URL naming a whole database of schemas
(PostgreSQL without ``search_path``), or files read through a realm dev database. The
commands in ``schema_cmds`` route here; rendering and executing stay theirs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from ..realm import (guard_revisions, limit_realm, plan_realm, read_realm, realm_url,
                     schema_vs_realm)
from .formats import OutputFormat
from .options import Invocation
from .shared import revisions_schema, schema_variables
from .template_structs import SCHEMA_INSPECT

if TYPE_CHECKING:
    from ..schema.diff_options import DiffOptions


def is_realm(url: str, dev_url: str | None) -> bool:
    """A realm state: a realm-scoped database, or files read with a realm dev database."""
    if url.startswith(("file://", "mem://")):
        return realm_url(dev_url)
    return realm_url(url)


def _read(inv: Invocation, urls, dialect=None):
    return read_realm(list(urls), dev_url=inv.get("dev_url") or None,
                      variables=schema_variables(inv), project=inv.project,
                      exclude=inv.get("exclude", ()), dialect=dialect,
                      schemas=inv.get("schema", ()))


def inspect(inv: Invocation, url: str, fmt: OutputFormat, dialect) -> None:
    realm = _read(inv, [url], dialect)
    if fmt.kind == "sql":
        click.echo(dialect.realm_sql(realm, indent=fmt.indent), nl=False)
        return
    from ..hcl.schema_codec import schema_to_json

    if fmt.kind == "json":
        click.echo(schema_to_json(realm), nl=False)
    elif fmt.kind == "template":
        click.echo(fmt.render(json.loads(schema_to_json(realm)), SCHEMA_INSPECT, {
            "sql": lambda _v, indent="": dialect.realm_sql(realm, indent=indent),
            "json": lambda _v, *a: schema_to_json(realm, *a)}), nl=False)
    else:
        click.echo(dialect.encode_hcl_realm(realm), nl=False)


def _check_database_state(urls) -> None:
    u = urls[0]
    if not u.startswith(("file://", "mem://")) and not realm_url(u):
        raise schema_vs_realm(u)


def apply_plans(inv: Invocation, dialect, conn, to, options: DiffOptions):
    """The plan ``schema apply`` shows (indented) and a function giving it single-line."""
    _check_database_state(to)
    desired = _read(inv, to, dialect)
    current = limit_realm(dialect.inspect_realm(conn, exclude=inv.get("exclude", ())),
                          inv.get("schema", ()))
    current, desired = guard_revisions(current, desired, desired_urls=to,
                                       revisions_schema=revisions_schema(inv))
    return (plan_realm(dialect, current, desired, indent="  ", options=options),
            lambda: plan_realm(dialect, current, desired, options=options))


def diff_statements(inv: Invocation, from_urls, to_urls, indent: str,
                    options: DiffOptions):
    """``schema diff`` between realms; a realm against a schema-bound database is Atlas's
    error."""
    from ..dialects import dialect_for

    for mine, other in ((from_urls, to_urls), (to_urls, from_urls)):
        if realm_url(mine[0]):
            _check_database_state(other)
    dev_url = inv.get("dev_url") or None
    planner_url = dev_url or next(u for u in (to_urls[0], from_urls[0])
                                  if not u.startswith(("file://", "mem://")))
    dialect = dialect_for(planner_url)
    current = _read(inv, from_urls, dialect)
    desired = _read(inv, to_urls, dialect)
    current, desired = guard_revisions(current, desired, desired_urls=to_urls,
                                       revisions_schema=revisions_schema(inv))
    return plan_realm(dialect, current, desired, indent=indent, options=options)


def clean_statements(inv: Invocation, dialect, conn) -> list:
    """Every schema dropped (``DROP SCHEMA … CASCADE``, ``public`` too, as Atlas's realm
    clean), but the one holding only the revisions table unless ``--with-revisions``."""
    from ..schema.model import Realm

    current = dialect.inspect_realm(conn)
    if not inv.get("with_revisions"):
        current, _ = guard_revisions(current, Realm(), desired_urls=(),
                                     revisions_schema=revisions_schema(inv))
    return plan_realm(dialect, current, Realm())
