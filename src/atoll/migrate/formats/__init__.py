"""Other tools' migration directories (``?format=goose|golang-migrate|flyway|liquibase|dbmate``):
which files belong, their versions, descriptions and up parts; the files ``migrate diff`` writes.

Each format is one module with ``read(path) -> list[MigrationFile]`` (in directory order) and
``render(plan) -> list[(name, text)]`` (Atlas's ``sql/sqltool`` formatters). ``open_dir`` turns a
``--dir`` URL into a :class:`~atoll.migrate.directory.MigrationDir` of the right kind; hashing,
validation, status and apply then work on it as on Atlas's own format."""

from __future__ import annotations

import importlib
import os
from urllib.parse import parse_qsl, urlencode

from ...errors import AtollError
from ...gotext import go_quote
from ..directory import MigrationDir, check_path, hash_dir, load_dir, read_sum
from .plan import Change, Plan

__all__ = ["FORMATS", "Change", "Plan", "open_dir", "render", "split_dir_url", "with_format",
           "write_plan"]

FORMATS = ("atlas", "golang-migrate", "goose", "flyway", "liquibase", "dbmate")

_MODULES = {"golang-migrate": "golang_migrate", "goose": "goose", "flyway": "flyway",
            "liquibase": "liquibase", "dbmate": "dbmate", "atlas": "atlas"}


def _module(fmt: str):
    return importlib.import_module(f"{__name__}.{_MODULES[fmt]}")


def check_format(fmt: str, *, opening: bool = True) -> str:
    """``fmt`` ("" means atlas), or Atlas's error for an unknown one."""
    fmt = fmt or "atlas"
    if fmt not in FORMATS:
        raise AtollError(f"unknown dir format {go_quote(fmt)}" if opening
                         else f"unknown format {go_quote(fmt)}")
    return fmt


def split_dir_url(dir_url: str) -> tuple[str, str]:
    """``file://migrations?format=goose`` → ``("migrations", "goose")``; a bare path is an
    Atlas-format directory."""
    if "://" not in dir_url:
        return dir_url, "atlas"
    scheme, _, rest = dir_url.partition("://")
    if scheme != "file":
        raise AtollError(f'unsupported migration directory URL scheme "{scheme}": {dir_url}')
    path, _, query = rest.partition("?")
    fmt = dict(parse_qsl(query, keep_blank_values=True)).get("format", "")
    return path or ".", check_format(fmt)


def with_format(dir_url: str, fmt: str) -> str:
    """Atlas's ``dirFormatBC``: put ``fmt`` into the URL's ``format`` query parameter unless
    the URL has one. ``atlas`` (the default) leaves the URL as it is."""
    if not fmt or fmt == "atlas":
        return dir_url
    if "://" not in dir_url:  # a bare path
        dir_url = f"file://{dir_url}"
    base, _, query = dir_url.partition("?")
    params = parse_qsl(query, keep_blank_values=True)
    if any(k == "format" for k, _ in params):
        return dir_url
    return f"{base}?{urlencode(sorted(params + [('format', fmt)]))}"


def open_dir(dir_url: str | os.PathLike, fmt: str | None = None) -> MigrationDir:
    """The migration directory ``dir_url`` names, read as its format (the URL's ``format``
    query parameter, else ``fmt``, else Atlas's own)."""
    dir_url = os.fspath(dir_url)
    path, url_fmt = split_dir_url(dir_url)
    fmt = url_fmt if url_fmt != "atlas" else check_format(fmt or "atlas")
    if fmt == "atlas":
        return load_dir(path)
    check_path(path)
    return MigrationDir(path, _module(fmt).read(path), read_sum(path), fmt)


def render(fmt: str, plan: Plan) -> list[tuple[str, str]]:
    """The files (name, content) format ``fmt`` writes for ``plan``."""
    return _module(check_format(fmt, opening=False)).render(plan)


def write_plan(dir_url: str, plan: Plan, fmt: str | None = None) -> list[str]:
    """Write ``plan``'s files in the directory's format (created if missing) and rewrite
    atlas.sum as that format hashes it. Returns the paths written."""
    path, url_fmt = split_dir_url(dir_url)
    fmt = url_fmt if url_fmt != "atlas" else check_format(fmt or "atlas")
    os.makedirs(path, mode=0o755, exist_ok=True)
    written = []
    for name, content in render(fmt, plan):
        full = os.path.join(path, name)
        with open(full, "wb") as fh:
            fh.write(content.encode("utf-8", "surrogateescape"))
        written.append(full)
    if plan.checksum:
        hash_dir(open_dir(path, fmt))
    return written
