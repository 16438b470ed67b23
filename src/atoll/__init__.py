"""atoll: Atlas-compatible schema migrations for fleets of databases.

The CLI is a thin shell over these functions; applications can call them directly, e.g. to
migrate their database at start-up::

    import atoll

    report = atoll.apply("sqlite://app.db", "migrations")
    if report.error:
        raise SystemExit(report.error)
    print(atoll.status("sqlite://app.db", "migrations").status)  # "OK"

(``atoll.apply`` is ``migrate apply``: ``atoll.migrate`` is the package of the migration
engine.) Everything is imported lazily: ``import atoll`` costs nothing but this module.
"""

from __future__ import annotations

__version__ = "0.1.0"

# Not typing.TYPE_CHECKING: importing typing would double the start-up of `atoll --help`.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from .dialects.base import Statement
    from .migrate.lint.report import LintReport
    from .migrate.report import ApplyReport, StatusReport
    from .schema.model import Schema

__all__ = ["__version__", "inspect", "plan", "apply", "status", "lint", "AtollError"]


def __getattr__(name: str):
    if name == "AtollError":
        from .errors import AtollError

        return AtollError
    raise AttributeError(f"module 'atoll' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


def inspect(url: str, *, exclude: Sequence[str] = ()) -> Schema:
    """The schema of the database at ``url`` (``schema inspect``)."""
    from .states import read_state

    return read_state([url], exclude=exclude)


def plan(current: str | Sequence[str], desired: str | Sequence[str], *,
         dev_url: str | None = None, variables: dict | None = None,
         exclude: Sequence[str] = ()) -> list[Statement]:
    """The statements that turn the ``current`` state into the ``desired`` one (``schema
    diff``). States are URLs: a database, ``file://`` HCL or SQL files, a migration
    directory; SQL needs ``dev_url``. ``exclude`` takes the patterns of ``--exclude``
    (``users``, ``*.tmp_*``) and leaves those objects out of both sides. A database URL naming
    a whole database (PostgreSQL without ``search_path``) plans the realm: every schema."""
    from .declarative import plan as plan_statements
    from .dialects import dialect_for
    from .revisions_guard import guard_revisions
    from .states import read_state

    current = [current] if isinstance(current, str) else list(current)
    desired = [desired] if isinstance(desired, str) else list(desired)
    engine = next((u for u in (*desired, *current) if not u.startswith(("file://", "mem://"))),
                  dev_url or "sqlite://dev?mode=memory")
    from .realm import realm_url

    if realm_url(engine) or realm_url(dev_url):
        from .realm import guard_revisions as guard_realm
        from .realm import plan_realm, read_realm

        r1 = read_realm(current, dev_url=dev_url, variables=variables, exclude=exclude)
        r2 = read_realm(desired, dev_url=dev_url, variables=variables, exclude=exclude)
        r1, r2 = guard_realm(r1, r2, desired_urls=desired)
        return plan_realm(dialect_for(engine), r1, r2)
    before = read_state(current, dev_url=dev_url, variables=variables, exclude=exclude)
    after = read_state(desired, dev_url=dev_url, variables=variables, exclude=exclude)
    before, after = guard_revisions(before, after, desired_urls=desired)
    return plan_statements(dialect_for(engine), before, after)


def apply(url: str, dir: str = "migrations", **options) -> ApplyReport:
    """Apply the pending files of migration directory ``dir`` (a path, or a ``file://`` URL
    with ``?format=goose`` … for another tool's directory) to the database at ``url``
    (``migrate apply``). ``options`` are those of :func:`atoll.migrate.executor.apply`
    (``amount``, ``baseline``, ``tx_mode``, ``dry_run``, ``lock_timeout`` …). Errors while
    files run come back in ``report.error``; a broken directory raises ``AtollError``."""
    from .dialects import dialect_for
    from .migrate.executor import apply as apply_dir
    from .migrate.formats import open_dir
    from .urls import parse_url

    files = open_dir(dir)  # a missing directory fails before the database file is created
    parsed = parse_url(url)
    dialect = dialect_for(parsed)
    connect = dialect.connect_read_only if options.get("dry_run") else dialect.connect
    with connect(parsed) as conn:
        return apply_dir(conn, dialect, files, **options)


def status(url: str, dir: str = "migrations") -> StatusReport:
    """Which files of ``dir`` (a path or a ``file://`` URL, as for :func:`apply`) are applied
    on the database at ``url`` (``migrate status``)."""
    from .dialects import dialect_for
    from .migrate.formats import open_dir
    from .migrate.status import status as migrate_status
    from .urls import parse_url

    parsed = parse_url(url)
    dialect = dialect_for(parsed)
    with dialect.connect_read_only(parsed) as conn:
        return migrate_status(conn, dialect, open_dir(dir))


def lint(dir: str, dev_url: str, *, latest: int | None = None,
         git_base: str | None = None) -> LintReport:
    """Run the analyzers on the newest files of ``dir`` (``migrate lint``)."""
    from .migrate.lint import lint_dir

    return lint_dir(dir, dev_url, latest=latest, git_base=git_base)
