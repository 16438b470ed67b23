"""Database engines: ``base`` (the driver interface), ``server`` (what the server engines
share) and one package per engine, looked up by URL scheme and imported lazily.

Each dialect package knows how to connect, inspect a database into a ``Schema``, plan changes
into statements, split a migration file and store revisions. No other module writes
engine-specific SQL."""

from __future__ import annotations

import importlib

from ..errors import URLError
from ..urls import DatabaseURL, parse_url
from .base import Dialect

_MODULES = {
    "sqlite": "atoll.dialects.sqlite",
    "sqlite3": "atoll.dialects.sqlite",
    "postgres": "atoll.dialects.postgres",
    "postgresql": "atoll.dialects.postgres",
    "mysql": "atoll.dialects.mysql",
    "mariadb": "atoll.dialects.mysql",
    "maria": "atoll.dialects.mysql",
    "mysql+unix": "atoll.dialects.mysql",
    "mariadb+unix": "atoll.dialects.mysql",
    "maria+unix": "atoll.dialects.mysql",
}


def dialect_for(url: DatabaseURL | str) -> Dialect:
    """The dialect for a URL's scheme; its module (and driver) is imported only now."""
    if isinstance(url, str):
        url = parse_url(url)
    module = _MODULES.get(url.scheme)
    if url.scheme == "docker":
        image = (url.host or "").lower()
        example = (
            "mysql://root@localhost:3306/dev (an empty database of the same MySQL/MariaDB "
            "version)" if image in ("mysql", "mariadb", "maria") else
            "postgres://postgres@localhost:5432/dev?search_path=dev&sslmode=disable or "
            "sqlite://dev?mode=memory")
        raise URLError(
            f"docker:// URLs are not supported: atoll does not start containers. Give the URL "
            f"of an empty local database or schema instead, e.g. {example} "
            f"(got {url.masked!r})")
    if module is None:
        raise URLError(f'unknown database scheme "{url.scheme}" in URL {url.masked!r}; '
                       f"supported: sqlite, postgres, mysql, mariadb")
    try:
        return importlib.import_module(module).DIALECT
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise URLError(f'{url.scheme} databases are not supported by this atoll '
                           f"installation (URL {url.masked!r})") from None
        extra = "mysql" if "mysql" in module else "postgres"
        raise URLError(f'{url.scheme} databases need the Python package "{exc.name}": '
                       f'pip install "atoll[{extra}]"') from None
