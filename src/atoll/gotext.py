"""Go's text conventions that Atlas's output follows: ``%q`` quoting of strings and runes,
and ``encoding/json`` output. One implementation for every error message and report that must
match Atlas byte for byte."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any


def _go_printable(ch: str) -> bool:
    if ch == " ":
        return True
    cat = unicodedata.category(ch)
    return cat[0] in "LMNPS"


_SHORT_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
                  "\t": "\\t", "\v": "\\v"}


def _escape_rune(ch: str, quote: str) -> str:
    if ch == quote or ch == "\\":
        return "\\" + ch
    if _go_printable(ch):
        return ch
    if ch in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[ch]
    cp = ord(ch)
    if 0xDC80 <= cp <= 0xDCFF:  # a raw byte kept by surrogateescape: invalid UTF-8 in Go
        return f"\\x{cp - 0xDC00:02x}"
    if cp < 0x20 or cp == 0x7F:
        return f"\\x{cp:02x}"
    if 0xD800 <= cp <= 0xDFFF:
        return "\\ufffd"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


# Printable ASCII other than the quote and the backslash: quoted as it is.
_PLAIN_ASCII = re.compile(r'[ !#-\[\]-~]*')


def go_quote(s: str) -> str:
    """Go's ``%q`` / ``strconv.Quote`` of a string."""
    if _PLAIN_ASCII.fullmatch(s):
        return '"' + s + '"'
    return '"' + "".join(_escape_rune(ch, '"') for ch in s) + '"'


def go_quote_rune(ch: str) -> str:
    """Go's ``%q`` of a rune: ``'\\''``, ``'"'``, ``'`'``."""
    return "'" + _escape_rune(ch, "'") + "'"


# ---------------------------------------------------------------------------------------------
# Go encoding/json

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def go_json(value: Any, prefix: str = "", indent: str | None = None) -> str:
    """JSON as Go's ``json.Marshal`` writes it (``<``, ``>``, ``&``, U+2028/9 escaped), or
    ``json.MarshalIndent(value, prefix, indent)`` when ``indent`` is given. ``value`` is built
    from dicts (in key order), lists, strings, numbers, bools and ``None``."""
    text = json.dumps(_clean(value), ensure_ascii=False, indent=indent,
                      separators=(",", ":") if indent is None else (",", ": "))
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return text.replace("\n", "\n" + prefix) if prefix and indent is not None else text
