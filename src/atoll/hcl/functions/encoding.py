"""Encoding functions: JSON and CSV, and Atlas's URL helpers (following Go's
``net/url``)."""

from __future__ import annotations

from decimal import Decimal

from ..values import FunctionError, normalize_number
from .registry import _register, _str
from .strings import _json_encode


@_register("jsonencode", "val")
def _jsonencode(v):
    return _json_encode(v)


def _from_json(x):
    if type(x) is float:
        return normalize_number(x)
    if isinstance(x, list):
        return [_from_json(e) for e in x]
    if isinstance(x, dict):
        return {k: _from_json(e) for k, e in x.items()}
    return x


@_register("jsondecode", "str")
def _jsondecode(s):
    import json

    text = _str(s, 0)
    try:
        value = json.loads(text, parse_float=lambda t: normalize_number(float(Decimal(t))))
    except ValueError as e:
        raise FunctionError(f"{e}", 0) from None
    return _from_json(value)


@_register("csvdecode", "str")
def _csvdecode(s):
    import csv
    import io
    rows = list(csv.reader(io.StringIO(_str(s, 0))))
    if not rows:
        raise FunctionError("missing header line", 0)
    header, data = rows[0], rows[1:]
    out = []
    for i, row in enumerate(data, 2):
        if len(row) != len(header):
            raise FunctionError(f"record on line {i}: wrong number of fields", 0)
        out.append(dict(zip(header, row)))
    return out


# --------------------------------------------------------------------------------------------
# URLs (Atlas-specific), following Go's net/url


@_register("urlescape", "string")
def _urlescape(s):
    from urllib.parse import quote_plus
    return quote_plus(_str(s, 0), safe="")


@_register("urlqueryescape", "string")
def _urlqueryescape(s):
    return _urlescape(s)


def _split_url(u: str, i: int):
    from urllib.parse import urlsplit
    try:
        return urlsplit(u)
    except ValueError as e:
        raise FunctionError(str(e), i) from None


def _go_url_string(original: str, parts, path: str, query: str) -> str:
    """Go's ``url.URL.String``: unlike ``urlunsplit`` it keeps ``//`` for an empty host
    (``sqlite:///data/x.db``); only a URL parsed without ``//`` (``sqlite:/x.db``) omits it."""
    out = f"{parts.scheme}:" if parts.scheme else ""
    had_authority = original[len(out):].startswith("//")
    if parts.scheme or parts.netloc:
        omit_host = not had_authority and not parts.netloc
        if not omit_host and (parts.netloc or path):
            out += "//"
        out += parts.netloc
    if path and not path.startswith("/") and parts.netloc:
        out += "/"
    out += path
    if query:
        out += "?" + query
    if parts.fragment:
        out += "#" + parts.fragment
    return out


@_register("urlsetpath", "url", "path")
def _urlsetpath(u, path):
    parts = _split_url(_str(u, 0), 0)
    return _go_url_string(_str(u, 0), parts, _str(path, 1), parts.query)


@_register("urlqueryset", "url", "key", "value")
def _urlqueryset(u, key, value):
    from urllib.parse import parse_qsl, quote_plus
    parts = _split_url(_str(u, 0), 0)
    k, v = _str(key, 1), _str(value, 2)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    groups: dict[str, list[str]] = {}
    for pk, pv in pairs:
        groups.setdefault(pk, []).append(pv)
    groups[k] = [v]
    query = "&".join(f"{quote_plus(gk, safe='')}={quote_plus(gv, safe='')}"
                     for gk in sorted(groups) for gv in groups[gk])
    return _go_url_string(_str(u, 0), parts, parts.path, query)


@_register("urluserinfo", "url", "user", var="pass")
def _urluserinfo(u, user, *password):
    from urllib.parse import quote, urlunsplit
    parts = _split_url(_str(u, 0), 0)
    host = parts.netloc.rsplit("@", 1)[-1]
    info = quote(_str(user, 1), safe="!$&'()*+,;=-._~")
    if password and password[0] is not None:
        info += ":" + quote(_str(password[0], 2), safe="!$&'()*+,;=-._~")
    return urlunsplit((parts.scheme, f"{info}@{host}", parts.path, parts.query, parts.fragment))
