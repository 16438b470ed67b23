"""Database URLs: parse them, pick the dialect by scheme, and mask secrets for display."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from .errors import URLError


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed database URL. ``text`` is the URL exactly as given."""

    text: str
    scheme: str
    user: str | None
    password: str | None
    host: str
    port: int | None
    path: str
    query: tuple[tuple[str, str], ...]

    def param(self, name: str, default: str | None = None) -> str | None:
        return next((v for k, v in self.query if k == name), default)

    @property
    def masked(self) -> str:
        """The URL with any password replaced by ``xxxxx``, for reports and logs."""
        return mask_password(self.text)


# Atlas registers its SQLite driver under both names; every URL form works with either.
SQLITE_SCHEMES = ("sqlite", "sqlite3")


def sqlite_body(text: str) -> str | None:
    """What follows ``sqlite://`` or ``sqlite3://`` (any case), or None for other URLs."""
    scheme, sep, rest = text.partition("://")
    return rest if sep and scheme.lower() in SQLITE_SCHEMES else None


def parse_url(text: str) -> DatabaseURL:
    if "://" not in text:
        raise URLError(f'invalid URL {text!r}: missing scheme, expected e.g. "sqlite://file.db"')
    scheme, _, rest = text.partition("://")
    if not scheme:
        raise URLError(f"invalid URL {text!r}: missing scheme")
    if scheme.lower() in SQLITE_SCHEMES:
        # SQLite URLs carry a file name (possibly "file:/abs/path") where other URLs carry a
        # host; urlsplit would mangle it, so split the query off by hand.
        body, _, query = rest.partition("?")
        return DatabaseURL(text, "sqlite", None, None, "", None, body,
                           tuple(parse_qsl(query, keep_blank_values=True)))
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError as exc:
        raise URLError(f"invalid URL {mask_password(text)!r}: {exc}") from None
    return DatabaseURL(
        text, parts.scheme.lower(), parts.username, parts.password, parts.hostname or "",
        port, parts.path, tuple(parse_qsl(parts.query, keep_blank_values=True)),
    )


def mask_password(text: str) -> str:
    if "://" not in text or sqlite_body(text) is not None:
        return text
    parts = urlsplit(text)
    if parts.password is None:
        return text
    netloc = parts.netloc.replace(f":{parts.password}@", ":xxxxx@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
