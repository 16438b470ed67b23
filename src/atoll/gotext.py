"""Go's text conventions that Atlas's output follows: ``%q`` quoting of strings and runes.
One implementation for every error message and report that must match Atlas byte for byte."""

from __future__ import annotations

import unicodedata


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


def go_quote(s: str) -> str:
    """Go's ``%q`` / ``strconv.Quote`` of a string."""
    return '"' + "".join(_escape_rune(ch, '"') for ch in s) + '"'


def go_quote_rune(ch: str) -> str:
    """Go's ``%q`` of a rune: ``'\\''``, ``'"'``, ``'`'``."""
    return "'" + _escape_rune(ch, "'") + "'"
