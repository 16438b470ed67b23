"""Schema states: every door into a ``Schema`` value.

A state URL is one of: a database URL (inspected), ``file://`` HCL files or directories of them
(evaluated and decoded; SQLite's driver does not normalise HCL through the dev database), a
``file://`` SQL schema file or a migration directory (replayed on the dev database, then
inspected), or a project data source (``mem://hcl_schema/…``, ``external_schema``)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from .dialects import dialect_for
from .dialects.base import Connection, Dialect
from .errors import AtollError, DatabaseError, DevNotCleanError, SchemaError
from .gotext import go_quote
from .schema.model import Schema
from .textfile import read_text
from .urls import parse_url

DEV_URL_HINT = "--dev-url cannot be empty. See: https://atlasgo.io/atlas-schema/sql#dev-database"


@dataclass(frozen=True)
class FileState:
    kind: str  # "hcl", "sql" or "dir"
    paths: tuple[str, ...]
    version: str | None = None
    format: str = ""  # a migration directory's ?format= (another tool's layout)


def file_path(url: str) -> str:
    """``file://a/b.hcl`` → ``a/b.hcl``; ``file:///abs`` → ``/abs`` (host and path joined)."""
    rest = url[len("file://"):] if url.startswith("file://") else url
    return rest.partition("?")[0]


def _query(url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(url.partition("?")[2]))


def classify_files(urls: Sequence[str]) -> FileState:
    kinds: set[str] = set()
    paths: list[str] = []
    version = None
    fmt = ""
    for url in urls:
        path = file_path(url)
        version = _query(url).get("version") or version
        fmt = _query(url).get("format") or fmt
        if os.path.isdir(path):
            names = sorted(os.listdir(path))
            hcl = [os.path.join(path, n) for n in names if n.endswith(".hcl")]
            if hcl:
                kinds.add("hcl")
                paths.extend(hcl)
            else:
                kinds.add("dir")
                paths.append(path)
        elif os.path.exists(path):
            kinds.add("sql" if path.endswith(".sql") else "hcl")
            paths.append(path)
        else:
            raise AtollError(f"stat {path}: no such file or directory")
    if len(kinds) > 1:
        raise AtollError("cannot mix HCL, SQL files and migration directories in one state")
    return FileState(kinds.pop() if kinds else "hcl", tuple(paths), version, fmt)


# A top-level `env` block marks a project file (atlas.hcl), which is no schema.
_PROJECT_BLOCK = re.compile(r'^env\s*(?:"[^"]*"\s*)?\{', re.MULTILINE)


def read_hcl_schema(paths: Sequence[str], variables: dict | None = None,
                    dialect: Dialect | None = None) -> Schema:
    doc = read_hcl_document(paths, variables, dialect)
    if dialect is None:
        from .hcl.schema_codec import decode_schema

        return decode_schema(doc)
    return dialect.decode_hcl(doc)


def read_hcl_document(paths: Sequence[str], variables: dict | None = None,
                      dialect: Dialect | None = None):
    """Schema files evaluated into one document, checked by the engine's naming rules."""
    from .hcl.schema_check import SQLITE_NAMES, check_schema_document
    from .hcl.schema_eval import evaluate_schema_files

    files = []
    for path in paths:
        text = read_text(path)
        if _PROJECT_BLOCK.search(text):
            raise AtollError(f'cannot parse project file "{path}" as a schema file')
        files.append((path, text))
    doc = evaluate_schema_files(files, variables or {})
    check_schema_document(doc, dialect.hcl_name_rules if dialect else SQLITE_NAMES)
    return doc


@contextmanager
def dev_database(dev_url: str | None) -> Iterator[tuple[Dialect, Connection]]:
    """The dev database, checked clean before use and wiped afterwards (success or not). A
    dev URL naming a whole database (realm scope) is checked and put back as a realm."""
    if not dev_url:
        raise AtollError(DEV_URL_HINT)
    url = parse_url(dev_url)
    dialect = dialect_for(url)
    conn = dialect.connect(url)
    try:
        if dialect.realm_scoped(url):
            snapshot = dialect.inspect_realm(conn)
            reason = dialect.realm_dev_not_clean(snapshot)

            def wipe() -> None:
                dialect.restore_realm_dev(conn, snapshot)
        else:
            reason = dialect.dev_not_clean(dialect.inspect(conn))

            def wipe() -> None:
                for stmt in dialect.clean(conn):
                    conn.execute(stmt.sql)
    except BaseException:
        conn.close()
        raise
    if reason:
        # Not ours to wipe: whatever this database is, it is left exactly as it was.
        conn.close()
        raise DevNotCleanError(reason)
    # The clean database's own image, where the engine has one: putting it back afterwards
    # is instant, where dropping every object one by one is not.
    blank = dialect.save_dev_state(conn) if dialect.dev_state_tag(conn) is not None else None
    try:
        yield dialect, conn
    finally:
        try:
            if blank is not None:
                dialect.load_dev_state(conn, blank)
            else:
                wipe()
        except Exception:  # wiping is best effort; the connection closes anyway
            pass
        conn.close()


def replay_sql(dialect: Dialect, conn: Connection, text: str, source: str) -> None:
    for stmt in dialect.split(text):
        try:
            conn.execute(stmt)
        except DatabaseError as exc:
            raise AtollError(
                f'read state from "{source}": executing statement: {go_quote(stmt)}: {exc}'
            ) from None


def read_state(urls: Sequence[str], *, dev_url: str | None = None, variables: dict | None = None,
               project=None, exclude: Sequence[str] = (), dialect: Dialect | None = None
               ) -> Schema:
    """Read the state the URLs describe into a ``Schema``. HCL is read by the rules of
    ``dialect`` (default: the dev database's engine, else SQLite's) and normalised on the dev
    database when the engine asks for it."""
    if not urls:
        raise AtollError("no state URL given")
    first = urls[0]
    scheme = first.partition("://")[0].lower() if "://" in first else ""
    if scheme == "file":
        from .migrate.executor import replay

        state = classify_files(urls)
        if state.kind == "hcl":
            if dialect is None and dev_url:
                dialect = dialect_for(dev_url)
            schema = read_hcl_schema(state.paths, variables, dialect)
            if dialect is not None and dev_url:
                schema = dialect.normalize(schema, dev_url)
        else:
            with dev_database(dev_url) as (dialect, conn):
                for path in state.paths:
                    if state.kind == "sql":
                        replay_sql(dialect, conn, read_text(path), path)
                    else:
                        # The same replay as `migrate diff`/`validate` (checkpoints too).
                        from .migrate.formats import open_dir

                        replay(conn, dialect, open_dir(path, state.format),
                               to_version=state.version, validate=False, cache=True)
                schema = dialect.inspect(conn)
        return exclude_from(schema, exclude)
    if scheme == "mem":
        return _read_project_source(first, dev_url=dev_url, project=project, exclude=exclude,
                                    dialect=dialect)
    if len(urls) > 1:
        raise AtollError("only one database URL can describe a state")
    url = parse_url(first)
    dialect = dialect_for(url)
    with dialect.connect_read_only(url) as conn:
        return dialect.inspect(conn, exclude=exclude)


def _read_project_source(url: str, *, dev_url, project, exclude, dialect=None) -> Schema:
    if project is None:
        raise AtollError(f'data-source state "{url}" not found in memory')
    if url.startswith("mem://hcl_schema/"):
        paths, variables = project.hcl_schema(url)
        if dialect is None and dev_url:
            dialect = dialect_for(dev_url)
        schema = read_hcl_schema(paths, variables, dialect)
        if dialect is not None and dev_url:
            schema = dialect.normalize(schema, dev_url)
        return exclude_from(schema, exclude)
    sql = project.external_schema_sql(url)
    with dev_database(dev_url) as (dialect, conn):
        replay_sql(dialect, conn, sql, url)
        return exclude_from(dialect.inspect(conn), exclude)


def exclude_from(schema: Schema, patterns: Sequence[str]) -> Schema:
    """Drop tables (and columns, indexes, … with ``table.part`` patterns) matching globs."""
    if not patterns:
        return schema
    from .schema.exclude import exclude_schema

    return exclude_schema(schema, patterns)


def is_hcl_state(urls: Sequence[str]) -> bool:
    """Whether a state is read from HCL schema files (a file or a folder of them)."""
    if not urls:
        return False
    if urls[0].startswith("mem://hcl_schema/"):
        return True
    if not all(u.startswith("file://") for u in urls):
        return False
    try:
        return classify_files(urls).kind == "hcl"
    except AtollError:
        return False


def check_schema_name(schema: Schema, expected: str = "main") -> None:
    if schema.name and schema.name != expected:
        raise SchemaError(f'mismatched HCL and database schemas: "{expected}" <> "{schema.name}"')


def with_name(schema: Schema, name: str) -> Schema:
    return replace(schema, name=name)
