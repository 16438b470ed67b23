"""Realm scope: schema commands on a URL that names a whole database of schemas (a PostgreSQL
URL without ``search_path``), as Atlas runs them on a ``schema.Realm``.

The one-schema flow (``states.py``, ``declarative.py``) is untouched; commands come here only
when ``realm_url(url)`` says the URL is realm-scoped, and the dialect's realm hooks
(``dialects/base.py``) do the engine's part: inspect, HCL, diff, plan, dev database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .dialects import dialect_for
from .dialects.base import Dialect, Statement
from .errors import AtollError
from .gotext import go_quote
from .schema.diff_options import DiffOptions
from .schema.model import Realm
from .urls import parse_url


def realm_url(url: str | None) -> bool:
    """Does this database URL name a whole database (not one schema)?"""
    if not url or "://" not in url or url.startswith(("file://", "mem://")):
        return False
    parsed = parse_url(url)
    return dialect_for(parsed).realm_scoped(parsed)


def limit_realm(realm: Realm, schemas: Sequence[str]) -> Realm:
    """Only the schemas ``--schema`` (or an env's ``schemas``) names, as Atlas's realm
    inspection with a schema list sees the database: the others are neither compared nor
    planned, so a realm apply limited to one schema never drops the rest of the server."""
    if not schemas:
        return realm
    wanted = set(schemas)
    return replace(realm, schemas=tuple(s for s in realm.schemas if s.name in wanted))


def check_requested(realm: Realm, schemas: Sequence[str], paths: Sequence[str]) -> None:
    """With a schema list, every schema an HCL state defines must be in it (Atlas's rule)."""
    if not schemas:
        return
    for s in realm.schemas:
        if s.name not in schemas:
            listed = " ".join(go_quote(p) for p in paths)
            raise AtollError(f"schema {go_quote(s.name)} from paths [{listed}] is not requested "
                             f"(all schemas in HCL must be requested)")


def schema_vs_realm(schema_url: str) -> AtollError:
    """Atlas's error for diffing a database connection with a schema-bound one."""
    schema = parse_url(schema_url).param("search_path") or ""
    return AtollError(f'cannot diff a schema "{schema}" with a database connection. '
                      f"See: https://atlasgo.io/url")


def read_realm(urls: Sequence[str], *, dev_url: str | None = None,
               variables: dict | None = None, project=None, exclude: Sequence[str] = (),
               dialect: Dialect | None = None, schemas: Sequence[str] = ()) -> Realm:
    """The realm the URLs describe: a realm-scoped database (inspected), HCL files with any
    number of ``schema`` blocks (normalised on a realm dev database when one is given), or SQL
    files, a migration directory or a data source replayed on the realm dev database.
    ``schemas`` limits it to those schemas (an HCL state must not define others)."""
    return limit_realm(_read_realm(urls, dev_url=dev_url, variables=variables, project=project,
                                   exclude=exclude, dialect=dialect, schemas=schemas), schemas)


def _read_realm(urls: Sequence[str], *, dev_url, variables, project, exclude, dialect,
                schemas) -> Realm:
    from .schema.exclude import exclude_realm
    from .states import classify_files, dev_database, read_hcl_document, replay_sql
    from .textfile import read_text

    if not urls:
        raise AtollError("no state URL given")
    first = urls[0]
    if first.startswith("mem://hcl_schema/") or (
            first.startswith("file://") and classify_files(urls).kind == "hcl"):
        if first.startswith("mem://"):
            if project is None:
                raise AtollError(f'data-source state "{first}" not found in memory')
            paths, variables = project.hcl_schema(first)
        else:
            paths = classify_files(urls).paths
        dialect = dialect or dialect_for(dev_url)
        realm = dialect.decode_hcl_realm(read_hcl_document(paths, variables, dialect))
        check_requested(realm, schemas, paths)
        if dev_url:
            realm = dialect.normalize_realm(realm, dev_url)
        return exclude_realm(realm, exclude)
    if first.startswith(("file://", "mem://")):
        from .migrate.executor import replay

        with dev_database(dev_url) as (dialect, conn):
            if first.startswith("mem://"):
                if project is None:
                    raise AtollError(f'data-source state "{first}" not found in memory')
                replay_sql(dialect, conn, project.external_schema_sql(first), first)
            else:
                state = classify_files(urls)
                for path in state.paths:
                    if state.kind == "sql":
                        replay_sql(dialect, conn, read_text(path), path)
                    else:
                        replay(conn, dialect, path, to_version=state.version, validate=False)
            return dialect.inspect_realm(conn, exclude=exclude)
    if len(urls) > 1:
        raise AtollError("only one database URL can describe a state")
    url = parse_url(first)
    dialect = dialect_for(url)
    with dialect.connect_read_only(url) as conn:
        if not dialect.realm_scoped(url):  # one schema of a database (Atlas's SchemaConn)
            return dialect.inspect_bound_realm(conn, exclude=exclude)
        return dialect.inspect_realm(conn, exclude=exclude)


def plan_realm(dialect: Dialect, current: Realm, desired: Realm, *, indent: str = "",
               options: DiffOptions = DiffOptions()) -> list[Statement]:
    changes = options.annotate(dialect.diff_realm(current, desired, skip=options.skip))
    return dialect.plan_realm(changes, indent=indent) if changes else []


def guard_revisions(current: Realm, desired: Realm, *, desired_urls: Sequence[str],
                    revisions_schema: str = "") -> tuple[Realm, Realm]:
    """``revisions_guard.guard_revisions`` for realms: the revisions table is left out of both
    sides, and so is the schema holding it when nothing else is in it (the default
    ``atlas_schema_revisions``), unless the desired state names the table."""
    from .revisions_guard import names_revisions, without_revisions

    if any(names_revisions(desired_urls, s) for s in desired.schemas):
        return current, desired

    def strip(realm: Realm, other: Realm) -> Realm:
        out = []
        for s in realm.schemas:
            s2 = without_revisions(s, revisions_schema)
            if s2 is not s and not (s2.tables or s2.views or s2.enums) and \
                    other.schema(s.name) is None:
                continue
            out.append(s2)
        return replace(realm, schemas=tuple(out))

    return strip(current, desired), strip(desired, current)
